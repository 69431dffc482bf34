/**
 * The shared-memory lock manager: a POSIX segment laid out exactly like podman's
 * (`libpod/lock/shm/shm_lock.h`) holding robust, process-shared pthread mutexes and an
 * allocation bitmap. See `lock.ts` for the contract.
 * @module
 */

import { LockError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { lockFileSync } from "../sys/file_lock.ts";
import { ErrnoError, sleepSync } from "../sys/libc.ts";
import {
  mutexConsistent,
  mutexTryLock,
  mutexUnlock,
  type TryLockResult,
} from "../sys/pthread_mutex.ts";
import { SHM_DIR, type ShmMapping, shmOpen, shmUnlink, validateShmName } from "../sys/shm.ts";
import { KeyedAsyncMutex, QueuedLocker } from "./_async_mutex.ts";
import {
  bitmapOffset,
  checkSegment,
  createSegment,
  mutexOffset,
  OFF_NUM_LOCKS,
  OFF_SEGMENT_LOCK,
} from "./_shm_segment.ts";
import {
  alreadyAllocatedError,
  checkLockId,
  exhaustedError,
  type Locker,
  type LockManager,
  LOCKS_PER_BITMAP,
  notAllocatedError,
  roundNumLocks,
} from "./lock.ts";

/** Waiting for a lock: first back-off, and the cap it doubles up to (milliseconds). */
const BACKOFF_START_MS = 1;
// A try costs microseconds; a long cap only adds latency after the holder lets go.
const BACKOFF_MAX_MS = 10;
/** The segment lock is held for microseconds; waiting this long means its holder is stuck. */
const SEGMENT_LOCK_TIMEOUT_MS = 30_000;

export { segmentSize } from "./_shm_segment.ts";

/** Options for {@linkcode openShmLockManager}. */
export interface ShmLockManagerOptions {
  /** Segment name: one leading `/`, no other (`/skiff_lock`); the file is `/dev/shm<path>`. */
  path: string;
  /** How many locks; rounded up to a multiple of 32. */
  numLocks: number;
  /** Create the segment when it does not exist. @default true */
  create?: boolean;
  /** The file locked while the segment is created or removed. @default "/dev/shm<path>.lock" */
  lockFile?: string;
}

/** In-process queues, one set per segment name, shared by every manager of this process. */
const processMutexes = new Map<string, KeyedAsyncMutex>();

/**
 * Opens the lock segment `path`, creating it when missing (unless `create: false`).
 *
 * A new segment is built under a temporary name, fully initialised, then published with
 * `link(2)` while holding the lock file, so no opener can ever map a half-built segment (not
 * even after a creator is killed midway). Throws LockError `ERANGE` when the segment holds a
 * different number of locks, `EBADF` when it is not a lock segment, `EPERM` when another user
 * owns it, `ENOENT` when it is missing and `create` is false.
 */
export function openShmLockManager(options: ShmLockManagerOptions): ShmLockManager {
  const { path } = options;
  const numLocks = roundNumLocks(options.numLocks);
  let seg: ShmMapping | undefined;
  try {
    validateShmName(path);
    // Fast path: a published segment is always complete, so opening needs no file lock.
    seg = shmOpen(path);
    if (seg === undefined) {
      if (options.create === false) {
        throw new LockError(`lock segment ${path} does not exist`, { code: "ENOENT" });
      }
      using _ = lockFileSync(options.lockFile ?? defaultLockFile(path));
      seg = shmOpen(path) ?? createSegment(path, numLocks);
    }
  } catch (e) {
    throw asLockError(e, `opening lock segment ${path}`);
  }
  try {
    checkSegment(seg, path, numLocks);
  } catch (e) {
    seg.unmap();
    throw e;
  }
  return new ShmLockManager(path, seg);
}

/** Removes the segment `path` (`shm_unlink`; a missing one is fine) and its lock file. */
export function removeShmSegment(path: string, options: { lockFile?: string } = {}): void {
  try {
    validateShmName(path);
    const lockFile = options.lockFile ?? defaultLockFile(path);
    using _ = lockFileSync(lockFile);
    shmUnlink(path);
    // Removing the lock file while holding it is safe: lockers re-check the path after locking.
    Deno.removeSync(lockFile);
  } catch (e) {
    throw asLockError(e, `removing lock segment ${path}`);
  }
}

function defaultLockFile(path: string): string {
  // /dev/shm is world-writable and sticky, so root and rootless users can both create it.
  return `${SHM_DIR}${path}.lock`;
}

function asLockError(e: unknown, context: string): unknown {
  if (e instanceof LockError) return e;
  if (e instanceof ErrnoError) {
    return new LockError(`${context}: ${e.message}`, { code: e.code, cause: e });
  }
  if (e instanceof TypeError) {
    return new LockError(`${context}: ${e.message}`, { code: "EINVAL", cause: e });
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return new LockError(`${context}: ${e.message}`, { code: "EACCES", cause: e });
  }
  return e;
}

/**
 * A {@linkcode LockManager} over a shared memory segment; get one from
 * {@linkcode openShmLockManager}.
 */
export class ShmLockManager implements LockManager {
  /** The segment name, e.g. `/skiff_lock`. */
  readonly path: string;
  readonly numLocks: number;
  #seg: ShmMapping | undefined;
  #mutexes: KeyedAsyncMutex;
  /** Locks this manager holds, so that close() can release them. */
  #holding = new Map<number, Deno.PointerObject>();
  /** Numbers that held() found abandoned and recovered: the next lock() reports it. */
  #recoveredByProbe = new Set<number>();

  /** Wraps an opened, checked segment; use {@linkcode openShmLockManager}. */
  constructor(path: string, seg: ShmMapping) {
    this.path = path;
    this.#seg = seg;
    this.numLocks = seg.view.getUint32(OFF_NUM_LOCKS, true);
    let mutexes = processMutexes.get(path);
    if (mutexes === undefined) processMutexes.set(path, mutexes = new KeyedAsyncMutex());
    this.#mutexes = mutexes;
  }

  allocate(): Locker {
    const id = this.#withSegmentLock((v) => {
      for (let g = 0; g < this.numLocks / LOCKS_PER_BITMAP; g++) {
        const bits = v.getUint32(bitmapOffset(g), true);
        if (bits === 0xffffffff) continue;
        const free = ~bits >>> 0;
        const bit = 31 - Math.clz32(free & -free); // lowest clear bit
        v.setUint32(bitmapOffset(g), (bits | (1 << bit)) >>> 0, true);
        return g * LOCKS_PER_BITMAP + bit;
      }
      return -1;
    });
    if (id === -1) throw exhaustedError(this.numLocks);
    return this.#locker(id);
  }

  allocateGiven(id: number): Locker {
    checkLockId(id, this.numLocks);
    const wasFree = this.#updateBit(id, true);
    if (!wasFree) throw alreadyAllocatedError(id);
    return this.#locker(id);
  }

  retrieve(id: number): Locker {
    checkLockId(id, this.numLocks);
    return this.#locker(id);
  }

  free(id: number): void {
    checkLockId(id, this.numLocks);
    const wasFree = this.#updateBit(id, false);
    if (wasFree) throw notAllocatedError(id);
  }

  freeAll(): void {
    this.#withSegmentLock((v) => {
      for (let g = 0; g < this.numLocks / LOCKS_PER_BITMAP; g++) {
        v.setUint32(bitmapOffset(g), 0, true);
      }
    });
  }

  available(): number {
    return this.#withSegmentLock((v) => {
      let used = 0;
      for (let g = 0; g < this.numLocks / LOCKS_PER_BITMAP; g++) {
        used += popcount(v.getUint32(bitmapOffset(g), true));
      }
      return this.numLocks - used;
    });
  }

  held(): number[] {
    const seg = this.#open();
    const out: number[] = [];
    for (let id = 0; id < this.numLocks; id++) {
      const mutex = seg.pointerAt(mutexOffset(id));
      const r = this.#tryLock(mutex, id);
      if (r === "busy") {
        out.push(id);
        continue;
      }
      if (r === "owner-died") {
        this.#recover(mutex, `lock ${id}`);
        this.#recoveredByProbe.add(id);
      }
      mutexUnlock(mutex);
    }
    return out;
  }

  close(): void {
    const seg = this.#seg;
    if (seg === undefined) return;
    for (const [id, mutex] of this.#holding) {
      log.warn(`closing lock manager while lock ${id} is held; unlocking it`, { path: this.path });
      mutexUnlock(mutex);
    }
    this.#holding.clear();
    this.#seg = undefined;
    seg.unmap();
  }

  #open(): ShmMapping {
    if (this.#seg === undefined) {
      throw new LockError(`lock manager for ${this.path} is closed`, { code: "EBADF" });
    }
    return this.#seg;
  }

  #locker(id: number): Locker {
    const mutex = this.#open().pointerAt(mutexOffset(id));
    return new QueuedLocker(id, this.#mutexes, {
      take: () => this.#take(id, mutex),
      release: () => this.#release(id, mutex),
      free: () => this.free(id),
    });
  }

  #tryLock(mutex: Deno.PointerObject, what: number | string): TryLockResult {
    try {
      return mutexTryLock(mutex);
    } catch (e) {
      throw asLockError(e, `locking ${typeof what === "number" ? `lock ${what}` : what}`);
    }
  }

  #recover(mutex: Deno.PointerObject, what: string): void {
    try {
      mutexConsistent(mutex);
    } catch (e) {
      throw asLockError(e, `recovering ${what}`);
    }
    log.warn(`${what} was held by a process that died; recovered it`, { path: this.path });
  }

  async #take(id: number, mutex: Deno.PointerObject): Promise<boolean> {
    let delay = BACKOFF_START_MS;
    for (;;) {
      this.#open();
      const r = this.#tryLock(mutex, id);
      if (r !== "busy") {
        if (r === "owner-died") this.#recover(mutex, `lock ${id}`);
        this.#holding.set(id, mutex);
        return this.#recoveredByProbe.delete(id) || r === "owner-died";
      }
      // Jitter keeps several waiting processes from retrying in lockstep.
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
      delay = Math.min(delay * 2, BACKOFF_MAX_MS);
    }
  }

  #release(id: number, mutex: Deno.PointerObject): void {
    this.#open();
    this.#holding.delete(id);
    try {
      mutexUnlock(mutex);
    } catch (e) {
      throw asLockError(e, `unlocking lock ${id}`);
    }
  }

  /** Sets or clears one allocation bit; returns whether it was clear before. */
  #updateBit(id: number, set: boolean): boolean {
    return this.#withSegmentLock((v) => {
      const off = bitmapOffset(Math.floor(id / LOCKS_PER_BITMAP));
      const mask = 1 << (id % LOCKS_PER_BITMAP);
      const bits = v.getUint32(off, true);
      v.setUint32(off, (set ? bits | mask : bits & ~mask) >>> 0, true);
      return (bits & mask) === 0;
    });
  }

  /** Runs `fn` holding the segment lock, waiting for it synchronously (it is held briefly). */
  #withSegmentLock<T>(fn: (view: DataView) => T): T {
    const seg = this.#open();
    const mutex = seg.pointerAt(OFF_SEGMENT_LOCK);
    const deadline = Date.now() + SEGMENT_LOCK_TIMEOUT_MS;
    let delay = 0.05;
    for (;;) {
      const r = this.#tryLock(mutex, "the segment lock");
      if (r === "owner-died") this.#recover(mutex, "the segment lock");
      if (r !== "busy") break;
      if (Date.now() > deadline) {
        throw new LockError(
          `timed out after ${SEGMENT_LOCK_TIMEOUT_MS} ms waiting for the segment lock of ${this.path}`,
          { code: "ETIMEDOUT" },
        );
      }
      sleepSync(delay);
      delay = Math.min(delay * 2, 5);
    }
    try {
      return fn(seg.view);
    } finally {
      mutexUnlock(mutex);
    }
  }
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n >>> 0; x !== 0; x &= x - 1) c++;
  return c;
}
