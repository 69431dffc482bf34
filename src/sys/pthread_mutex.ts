/**
 * Robust, process-shared pthread mutexes living in shared memory, driven through libc.
 *
 * A pthread mutex belongs to the thread that locked it, so every function here must be called
 * on the main JS thread (they are synchronous FFI calls, never `nonblocking`). There is no
 * blocking `lock`: callers loop on {@linkcode mutexTryLock} and sleep between tries, which keeps
 * the event loop alive and makes a second lock attempt from the same thread return "busy"
 * instead of deadlocking the process.
 * @module
 */

import { Errno, ErrnoError, libc } from "./libc.ts";

/** `sizeof(pthread_mutex_t)` for this architecture (glibc): 40 on x86_64, 48 on aarch64. */
export const PTHREAD_MUTEX_SIZE: number = Deno.build.arch === "x86_64" ? 40 : 48;
/** `_Alignof(pthread_mutex_t)` on 64-bit glibc targets. */
export const PTHREAD_MUTEX_ALIGN = 8;

// pthread_mutexattr_t is 4 bytes on glibc; 8 leaves room and keeps it aligned.
const MUTEXATTR_SIZE = 8;
const PTHREAD_MUTEX_NORMAL = 0;
const PTHREAD_PROCESS_SHARED = 1;
const PTHREAD_MUTEX_ROBUST = 1;

/** What a trylock found. */
export type TryLockResult =
  /** We now hold the mutex. */
  | "acquired"
  /** Another thread (possibly in another process, possibly this very thread) holds it. */
  | "busy"
  /**
   * The previous owner died holding it; we now hold it but it is inconsistent: call
   * {@linkcode mutexConsistent} before unlocking, or it becomes unusable (ENOTRECOVERABLE).
   */
  | "owner-died";

function ok(call: string, rc: number): void {
  // pthread functions return the error number instead of setting errno.
  if (rc !== 0) throw new ErrnoError(call, rc);
}

/**
 * Initialises each mutex at `pointers` as NORMAL, PROCESS_SHARED and ROBUST (podman's
 * attributes, `__kind` 0x90 on glibc). Only for freshly created, not yet shared memory.
 */
export function initRobustSharedMutexes(pointers: Iterable<Deno.PointerObject>): void {
  const c = libc();
  const attr = new Uint8Array(MUTEXATTR_SIZE);
  ok("pthread_mutexattr_init", c.pthread_mutexattr_init(attr));
  try {
    ok("pthread_mutexattr_settype", c.pthread_mutexattr_settype(attr, PTHREAD_MUTEX_NORMAL));
    ok(
      "pthread_mutexattr_setpshared",
      c.pthread_mutexattr_setpshared(attr, PTHREAD_PROCESS_SHARED),
    );
    ok("pthread_mutexattr_setrobust", c.pthread_mutexattr_setrobust(attr, PTHREAD_MUTEX_ROBUST));
    for (const p of pointers) ok("pthread_mutex_init", c.pthread_mutex_init(p, attr));
  } finally {
    c.pthread_mutexattr_destroy(attr);
  }
}

/** `pthread_mutex_trylock`; throws {@linkcode ErrnoError} for anything but the three outcomes. */
export function mutexTryLock(mutex: Deno.PointerObject): TryLockResult {
  const rc = libc().pthread_mutex_trylock(mutex);
  if (rc === 0) return "acquired";
  if (rc === Errno.EBUSY) return "busy";
  if (rc === Errno.EOWNERDEAD) return "owner-died";
  throw new ErrnoError("pthread_mutex_trylock", rc);
}

/** `pthread_mutex_unlock`; EPERM means this thread does not hold it. */
export function mutexUnlock(mutex: Deno.PointerObject): void {
  ok("pthread_mutex_unlock", libc().pthread_mutex_unlock(mutex));
}

/** `pthread_mutex_consistent`: marks a mutex recovered after "owner-died". */
export function mutexConsistent(mutex: Deno.PointerObject): void {
  ok("pthread_mutex_consistent", libc().pthread_mutex_consistent(mutex));
}
