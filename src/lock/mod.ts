/**
 * Locks for containers, pods and volumes: the {@linkcode LockManager} contract, the
 * shared-memory implementation every skiff process uses, and an in-memory one for unit tests.
 *
 * ```ts ignore
 * const locks = openShmLockManager({ path: "/skiff_lock", numLocks: 2048 });
 * const locker = locks.allocate();
 * {
 *   using _ = await locker.acquire();
 *   if (locker.recovered) {
 *     // a process died holding it: re-read the object before trusting it
 *   }
 * }
 * ```
 * @module
 */

export type { Locker, LockManager } from "./lock.ts";
export {
  openShmLockManager,
  removeShmSegment,
  segmentSize,
  ShmLockManager,
  type ShmLockManagerOptions,
} from "./shm_lock_manager.ts";
export { InMemoryLockManager } from "./in_memory_lock_manager.ts";
