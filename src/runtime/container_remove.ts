/**
 * `rm`: stop (with force) and clean up, then delete the record and rootfs row in one
 * transaction, the files after it, and free the lock last.
 * @module
 */

import { canRemove, statusName } from "../define/container_status.ts";
import { ConflictError, NotFoundError, StateError } from "../define/errors.ts";
import { cleanupUnlocked } from "./container_cleanup.ts";
import { withContainer } from "./container_lock.ts";
import { stopUnlocked } from "./container_stop.ts";
import type { Runtime } from "./runtime.ts";

/** Options of {@linkcode removeContainer}. */
export interface RemoveOptions {
  /** Stop a running container first (SIGKILL). */
  force?: boolean;
  /** A container that is already gone is not an error. */
  ignoreMissing?: boolean;
  /** Seconds to wait for a graceful stop before SIGKILL when forcing (default 0). */
  timeout?: number;
}

/** Removes a container; returns its ID. */
export async function removeContainer(
  rt: Runtime,
  idOrName: string,
  options: RemoveOptions = {},
): Promise<string> {
  try {
    return await withContainer(rt, idOrName, async (rec) => {
      const { config, state } = rec;
      if (!canRemove(state.status)) {
        if (!options.force) {
          throw new StateError(
            `cannot remove container ${config.id} as it is ${
              statusName(state.status)
            } - running or paused containers cannot be removed without force: container state improper`,
          );
        }
        await stopUnlocked(rt, rec, options.timeout ?? 0);
      }
      if (state.status === "stopped" || state.status === "created" || state.mounted) {
        await cleanupUnlocked(rt, rec);
      }
      const users = rt.state.containerInUse(config.id);
      if (users.length) {
        throw new ConflictError(
          "container",
          `container ${config.id} has dependent containers which must be removed before it: ${
            users.join(", ")
          }: container already exists`,
        );
      }
      rt.state.transaction(() => {
        rt.state.removeContainer(config.id);
        rt.store.forgetContainer(config.id);
      });
      await rt.store.removeContainerFiles(config.id);
      try {
        rt.locks.retrieve(config.lockId).free();
      } catch { /* freed already (renumber) */ }
      return config.id;
    });
  } catch (e) {
    if (options.ignoreMissing && e instanceof NotFoundError) return idOrName;
    throw e;
  }
}
