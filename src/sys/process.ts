/**
 * Signals to processes by pid through kill(2): conmon, the container's init, pause processes.
 * `Deno.kill` takes only signal names and hides ESRCH vs EPERM, which is exactly the difference
 * the runtime needs ("gone" vs "alive but not ours").
 * @module
 */

import { Errno, errno, ErrnoError, libc } from "./libc.ts";

/**
 * Whether a process with `pid` is running: kill(pid, 0) succeeds or fails with EPERM (alive,
 * owned by someone else); ESRCH means it is gone. A zombie counts as gone: a daemonised conmon
 * that exited stays a zombie until init reaps it, which here takes up to a second.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`invalid pid ${pid}`);
  if (libc().kill(pid, 0) !== 0) {
    const e = errno();
    if (e === Errno.ESRCH) return false;
    if (e !== Errno.EPERM) throw new ErrnoError(`kill ${pid} 0`, e);
  }
  return !isZombie(pid);
}

/**
 * Polls every 20 ms until `pid` is gone (as {@linkcode processAlive} sees it) or `timeoutMs`
 * passed; resolves whether it is gone. A pid ≤ 0 names no process and counts as gone; with a
 * timeout of 0 it checks once and does not sleep.
 */
export async function waitProcessGone(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (pid > 0 && processAlive(pid)) {
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Whether /proc says `pid` has exited but is not reaped yet (state Z or X). */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return true; // reaped in the meantime
    throw e;
  }
  // "pid (comm) S …": comm may contain spaces and parentheses, the state follows the last ")"
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state === "Z" || state === "X";
}

/**
 * Sends signal number `signal` to `pid` (a negative pid names a process group). Returns false
 * when the process no longer exists (ESRCH) and throws an ErrnoError for anything else.
 */
export function signalProcess(pid: number, signal: number): boolean {
  if (!Number.isInteger(pid) || pid === 0 || pid === -1) {
    // 0 and -1 would signal our own process group or every process we may signal
    throw new RangeError(`invalid pid ${pid}`);
  }
  if (!Number.isInteger(signal) || signal < 0 || signal > 64) {
    throw new RangeError(`invalid signal ${signal}`);
  }
  if (libc().kill(pid, signal) === 0) return true;
  const e = errno();
  if (e === Errno.ESRCH) return false;
  throw new ErrnoError(`kill ${pid} ${signal}`, e);
}
