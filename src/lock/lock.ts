/**
 * The lock manager contract. Every container, pod and volume owns one lock number; the
 * runtime takes that lock around each verb (lock → sync from the database → check → act →
 * unlock) so that skiff processes running at the same time never act on stale state.
 *
 * ## Contract
 *
 * - **Multi-process.** A {@linkcode LockManager} backed by shared memory
 *   ({@linkcode ShmLockManager}) excludes every process that opens the same segment; the
 *   in-memory one ({@linkcode InMemoryLockManager}) only excludes tasks of this process.
 * - **Numbers.** Lock numbers run from 0 to `numLocks - 1` (`numLocks` rounded up to a multiple
 *   of 32). `allocate()` hands out the lowest free number. Locking is only range-checked, never
 *   checked against the allocation bitmap (as in podman): an object removed by another process
 *   may still be locked, and the caller discovers the removal when it re-reads the database.
 * - **Thread affinity.** A pthread mutex belongs to the thread that locked it. Deno runs JS on
 *   one thread, so locking and unlocking are synchronous FFI calls on the main thread:
 *   `pthread_mutex_trylock` in a loop with an async back-off while waiting. Never use
 *   `nonblocking` FFI for them: those calls run on pool threads, so the unlock may come from a
 *   thread that does not own the mutex (EPERM, lock stuck), and an idle pool thread that exits
 *   makes other processes see the lock as abandoned while we still think we hold it.
 * - **No re-entrancy.** Two tasks of one process that lock the same number queue on an
 *   in-process async mutex in front of the shared one. A task must never lock a number it
 *   already holds: it would wait for itself for ever (make "already locked" an internal
 *   `…Unlocked` function instead, as podman does).
 * - **Robustness.** When a process dies holding a lock (even `kill -9`), the next locker
 *   recovers it (EOWNERDEAD → `pthread_mutex_consistent`), logs a warning, and sees
 *   `recovered === true`: the protected object may be half-written and must be re-read. A
 *   *stopped* or hung holder is not recovered.
 * - **Free.** Freeing returns the number to the allocator; it does not unlock.
 * @module
 */

import { LockError } from "../define/errors.ts";

/** One lock number, bound to a manager. */
export interface Locker {
  /** The lock number. */
  readonly id: number;
  /**
   * Waits until the lock is held by the calling task. Never call it again before `unlock()`
   * from a task that holds the lock (it would wait for itself).
   */
  lock(): Promise<void>;
  /** Releases the lock (synchronously). Throws LockError `EPERM` if this locker does not hold it. */
  unlock(): void;
  /** Releases the number back to the allocator (see {@linkcode LockManager.free}). */
  free(): void;
  /**
   * True if a robust-mutex owner died while holding it and we recovered it during our last
   * `lock()`: the protected object must be re-read.
   */
  readonly recovered: boolean;
  /** `lock()` and return a disposable that unlocks: `using _ = await l.acquire()`. */
  acquire(): Promise<Disposable>;
}

/** Allocates lock numbers and hands out lockers for them. */
export interface LockManager {
  /** Allocates the lowest free number; LockError `ENOSPC` when all are in use. */
  allocate(): Locker;
  /**
   * Marks a specific number as allocated (refresh after reboot re-marks the numbers stored in
   * the database); LockError `EEXIST` when it already is, `EINVAL` when out of range.
   */
  allocateGiven(id: number): Locker;
  /** A locker for an existing number: no allocation, range check only (LockError `EINVAL`). */
  retrieve(id: number): Locker;
  /** Returns a number to the allocator; LockError `ENOENT` if it is not allocated. */
  free(id: number): void;
  /** Marks every number free (used by renumber). */
  freeAll(): void;
  /** How many numbers are not allocated. */
  available(): number;
  /** Lock numbers currently held by some process (a trylock probe, as podman's LocksHeld). */
  held(): number[];
  /** The number of locks, a multiple of 32. */
  readonly numLocks: number;
  /** Releases the manager's resources; any later use throws. Idempotent. */
  close(): void;
}

/** Locks per allocation bitmap word; lock counts are rounded up to a multiple of it. */
export const LOCKS_PER_BITMAP = 32;

/**
 * Validates a configured lock count and rounds it up to a multiple of 32, as the segment
 * stores it; LockError `EINVAL` for anything but a positive integer.
 */
export function roundNumLocks(numLocks: number): number {
  if (!Number.isSafeInteger(numLocks) || numLocks <= 0) {
    throw new LockError(`num_locks ${numLocks} is invalid: it must be a positive integer`, {
      code: "EINVAL",
    });
  }
  return Math.ceil(numLocks / LOCKS_PER_BITMAP) * LOCKS_PER_BITMAP;
}

/** Throws LockError `EINVAL` unless `id` is a lock number below `numLocks`. */
export function checkLockId(id: number, numLocks: number): void {
  if (!Number.isSafeInteger(id) || id < 0 || id >= numLocks) {
    throw new LockError(
      `lock ${id} is out of range: there are ${numLocks} locks (0-${numLocks - 1})`,
      { code: "EINVAL" },
    );
  }
}

/** The error for {@linkcode LockManager.allocate} when every number is taken. */
export function exhaustedError(numLocks: number): LockError {
  return new LockError(
    `allocation failed: all ${numLocks} locks are in use; free some by removing containers, ` +
      `pods or volumes, or raise num_locks`,
    { code: "ENOSPC" },
  );
}

/** The error for {@linkcode LockManager.allocateGiven} on a number already in use. */
export function alreadyAllocatedError(id: number): LockError {
  return new LockError(`allocating lock ${id}: lock is already allocated`, { code: "EEXIST" });
}

/** The error for {@linkcode LockManager.free} on a number that is not allocated. */
export function notAllocatedError(id: number): LockError {
  return new LockError(`freeing lock ${id}: lock is not allocated`, { code: "ENOENT" });
}
