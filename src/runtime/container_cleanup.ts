/**
 * `container cleanup` (conmon's exit command) and the cleanup every verb runs on a container
 * that stopped: record the exit code, tear the network down, `runc delete`, unmount. Safe to
 * run twice and by several processes: the lock serialises them and the second finds nothing
 * left to do.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { NotFoundError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { withContainer } from "./container_lock.ts";
import { userMountCount } from "./container_mount.ts";
import { teardownNetwork } from "./container_network.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** Cleans up a stopped container whose lock is held (status → exited). */
export async function cleanupUnlocked(rt: Runtime, rec: ContainerRecord): Promise<void> {
  const { state, config } = rec;
  const id = config.id;
  if (state.status === "stopped") {
    rt.state.addExitCode(id, state.exitCode);
  }
  if (state.status === "stopped" || state.status === "created" || state.status === "exited") {
    await teardownNetwork(rt, rec).catch((e) =>
      log.warn(`tearing down the network of ${id}: ${e.message}`)
    );
    await ociRuntime(rt).delete(id, { force: true }).catch((e) =>
      log.warn(`deleting container ${id} in runc: ${e.message}`)
    );
    // exec sessions end with their container (dynamic import: container_exec imports us, and
    // most containers never had a session, so the exec code stays unloaded)
    if (rt.state.containerExecSessions(id).length > 0) {
      const { removeAllExecSessions } = await import("./container_exec.ts");
      await removeAllExecSessions(rt, rec).catch((e) =>
        log.warn(`removing exec sessions of ${id}: ${e.message}`)
      );
    }
  }
  // `skiff mount` holds the rootfs for the user: leave it mounted, as podman does
  if ((state.mounted || rt.store.driver.isMounted(id)) && userMountCount(rt, id) === 0) {
    await rt.store.unmountContainer(id);
  }
  state.mounted = false;
  state.mountPoint = "";
  state.pid = 0;
  state.conmonPid = 0;
  if (state.status === "stopped" || state.status === "created") {
    state.status = state.status === "created" ? "configured" : "exited";
  }
  rt.state.saveContainer(id, state);
  rt.state.pruneExitCodes();
}

/** `container cleanup [--rm] ID`: what conmon runs when the container exits. */
export async function cleanupContainer(
  rt: Runtime,
  idOrName: string,
  options: { remove?: boolean } = {},
): Promise<void> {
  try {
    await withContainer(rt, idOrName, async (rec) => {
      if (rec.state.status === "running" || rec.state.status === "paused") return; // restarted meanwhile
      await cleanupUnlocked(rt, rec);
    });
    if (options.remove) {
      const { removeContainer } = await import("./container_remove.ts");
      await removeContainer(rt, idOrName, { force: false, ignoreMissing: true });
    }
  } catch (e) {
    // `run --rm` may have removed it first: nothing left to clean.
    if (e instanceof NotFoundError) return;
    throw e;
  }
}
