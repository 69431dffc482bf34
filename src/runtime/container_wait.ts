/**
 * `wait` and the foreground `run`'s wait for the exit code: poll without holding the lock
 * (the exit command's cleanup needs it), and read the exit code from the state, or from the
 * exit-code table once the container was removed (`--rm`).
 * @module
 */

import { NotFoundError } from "../define/errors.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

/** Conditions `wait --condition` accepts. */
export type WaitCondition = "stopped" | "exited" | "running" | "removing";

/** Waits until the container has exited (or meets `condition`); returns its exit code. */
export async function waitContainer(
  rt: Runtime,
  idOrName: string,
  options: { condition?: WaitCondition; intervalMs?: number } = {},
): Promise<number> {
  const id = rt.state.lookupContainer(idOrName).config.id;
  let delay = 5;
  const max = options.intervalMs ?? 250;
  for (;;) {
    let done: number | null;
    try {
      done = await withContainer(rt, id, (rec) => {
        const s = rec.state.status;
        if (options.condition === "running") return Promise.resolve(s === "running" ? 0 : null);
        if (s === "stopped" || s === "exited" || (s === "configured" && rec.state.exited)) {
          return Promise.resolve(rec.state.exitCode);
        }
        return Promise.resolve(null);
      });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      // removed (e.g. --rm): its exit code outlives it for a while
      return rt.state.getExitCode(id);
    }
    if (done !== null) return done;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, max);
  }
}
