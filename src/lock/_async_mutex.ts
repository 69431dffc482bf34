/**
 * An in-process async mutex keyed by lock number, and the locker built on it. It sits in front
 * of each shared mutex so that two tasks of this process never both try to take the same
 * pthread mutex from the one JS thread, and waiters queue (first come, first served) instead of
 * polling.
 * @module
 */

import { LockError } from "../define/errors.ts";
import type { Locker } from "./lock.ts";

/** A set of async mutexes, one per key, created on demand and dropped when free. */
export class KeyedAsyncMutex {
  /** Present while a key is held; the array holds the waiters to wake, in order. */
  #held = new Map<number, (() => void)[]>();

  /** Waits until `key` is held by the caller. */
  lock(key: number): Promise<void> {
    const waiters = this.#held.get(key);
    if (waiters === undefined) {
      this.#held.set(key, []);
      return Promise.resolve();
    }
    return new Promise((resolve) => waiters.push(resolve));
  }

  /** Takes `key` if it is free; returns whether it did. */
  tryLock(key: number): boolean {
    if (this.#held.has(key)) return false;
    this.#held.set(key, []);
    return true;
  }

  /** Releases `key`, handing it straight to the oldest waiter if there is one. */
  unlock(key: number): void {
    const waiters = this.#held.get(key);
    if (waiters === undefined) throw new Error(`async mutex ${key} is not locked`);
    const next = waiters.shift();
    if (next === undefined) this.#held.delete(key);
    else next();
  }

  /** Whether `key` is currently held. */
  isLocked(key: number): boolean {
    return this.#held.has(key);
  }

  /** The held keys, in ascending order. */
  lockedKeys(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }
}

/** The per-number operations a {@linkcode QueuedLocker} delegates to its manager. */
export interface LockBackend {
  /**
   * Takes the underlying lock; called only while holding the in-process queue for the number.
   * Resolves to true when the lock had to be recovered from a dead owner.
   */
  take(): Promise<boolean>;
  /** Releases the underlying lock (synchronously, on the thread that took it). */
  release(): void;
  /** Returns the number to the allocator. */
  free(): void;
}

/**
 * The {@linkcode Locker} both managers hand out: it queues on the in-process async mutex for
 * its number, then lets the backend take the real lock.
 */
export class QueuedLocker implements Locker {
  readonly id: number;
  #mutexes: KeyedAsyncMutex;
  #backend: LockBackend;
  #held = false;
  #recovered = false;

  constructor(id: number, mutexes: KeyedAsyncMutex, backend: LockBackend) {
    this.id = id;
    this.#mutexes = mutexes;
    this.#backend = backend;
  }

  get recovered(): boolean {
    return this.#recovered;
  }

  async lock(): Promise<void> {
    await this.#mutexes.lock(this.id);
    try {
      this.#recovered = await this.#backend.take();
      this.#held = true;
    } catch (e) {
      this.#mutexes.unlock(this.id);
      throw e;
    }
  }

  unlock(): void {
    if (!this.#held) {
      throw new LockError(`unlocking lock ${this.id}: it is not held by this locker`, {
        code: "EPERM",
      });
    }
    this.#held = false;
    try {
      this.#backend.release();
    } finally {
      this.#mutexes.unlock(this.id);
    }
  }

  free(): void {
    this.#backend.free();
  }

  async acquire(): Promise<Disposable> {
    await this.lock();
    let done = false;
    return {
      [Symbol.dispose]: () => {
        if (done) return;
        done = true;
        this.unlock();
      },
    };
  }
}
