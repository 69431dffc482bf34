/**
 * A lock manager that lives in this process only: the same numbering and locking semantics as
 * the shared-memory one, for unit tests and anything that never shares state with another
 * process.
 * @module
 */

import { LockError } from "../define/errors.ts";
import { KeyedAsyncMutex, QueuedLocker } from "./_async_mutex.ts";
import {
  alreadyAllocatedError,
  checkLockId,
  exhaustedError,
  type Locker,
  type LockManager,
  notAllocatedError,
  roundNumLocks,
} from "./lock.ts";

/** An in-process {@linkcode LockManager}: an allocation bitmap plus one async mutex per number. */
export class InMemoryLockManager implements LockManager {
  /** The number of locks, `numLocks` rounded up to a multiple of 32. */
  readonly numLocks: number;
  #allocated: Uint8Array;
  #inUse = 0;
  #mutexes = new KeyedAsyncMutex();
  #closed = false;

  /** Creates a manager for `numLocks` locks (rounded up to a multiple of 32). */
  constructor(numLocks: number) {
    this.numLocks = roundNumLocks(numLocks);
    this.#allocated = new Uint8Array(this.numLocks);
  }

  allocate(): Locker {
    this.#checkOpen();
    const id = this.#allocated.indexOf(0);
    if (id === -1) throw exhaustedError(this.numLocks);
    this.#mark(id);
    return this.#locker(id);
  }

  allocateGiven(id: number): Locker {
    this.#checkOpen();
    checkLockId(id, this.numLocks);
    if (this.#allocated[id] === 1) throw alreadyAllocatedError(id);
    this.#mark(id);
    return this.#locker(id);
  }

  retrieve(id: number): Locker {
    this.#checkOpen();
    checkLockId(id, this.numLocks);
    return this.#locker(id);
  }

  free(id: number): void {
    this.#checkOpen();
    checkLockId(id, this.numLocks);
    if (this.#allocated[id] !== 1) throw notAllocatedError(id);
    this.#allocated[id] = 0;
    this.#inUse--;
  }

  freeAll(): void {
    this.#checkOpen();
    this.#allocated.fill(0);
    this.#inUse = 0;
  }

  available(): number {
    this.#checkOpen();
    return this.numLocks - this.#inUse;
  }

  held(): number[] {
    this.#checkOpen();
    return this.#mutexes.lockedKeys();
  }

  close(): void {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new LockError("in-memory lock manager is closed", { code: "EBADF" });
    }
  }

  #locker(id: number): Locker {
    return new QueuedLocker(id, this.#mutexes, {
      // Nothing in one process can die holding a lock, so there is never anything to recover.
      take: () => {
        this.#checkOpen();
        return Promise.resolve(false);
      },
      release: () => {},
      free: () => this.free(id),
    });
  }

  #mark(id: number): void {
    this.#allocated[id] = 1;
    this.#inUse++;
  }
}
