/**
 * `stop` and `kill`. Stop sends the stop signal, waits up to the timeout, then SIGKILL; a
 * container that exits on its own at the same moment is not an error.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { canKill, isActive, statusName } from "../define/container_status.ts";
import { StateError } from "../define/errors.ts";
import { waitExitFile } from "../oci/exit_file.ts";
import { waitProcessGone } from "../sys/process.ts";
import { log } from "../util/logger.ts";
import { cleanupUnlocked } from "./container_cleanup.ts";
import { syncContainer, withContainer } from "./container_lock.ts";
import { containerPaths } from "./container_paths.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** Stops a container whose lock is held, then cleans it up. */
export async function stopUnlocked(
  rt: Runtime,
  rec: ContainerRecord,
  timeout: number,
): Promise<void> {
  const { state, config } = rec;
  const oci = ociRuntime(rt);
  if (!isActive(state.status)) {
    if (state.status === "stopped") await cleanupUnlocked(rt, rec);
    return;
  }
  const pid = state.pid;
  if (state.status === "paused") await oci.resume(config.id).catch(() => {});
  state.status = "stopping";
  rt.state.saveContainer(config.id, state);
  if (timeout > 0) {
    await oci.kill(config.id, config.stopSignal, { ignoreMissing: true });
    if (!(await waitProcessGone(pid, timeout * 1000))) {
      log.info(`container ${config.id} did not stop within ${timeout} seconds: sending SIGKILL`);
    }
  }
  await oci.kill(config.id, 9, { all: true, ignoreMissing: true });
  await waitProcessGone(pid, 5000);
  // conmon writes the exit file when it reaps the process
  await waitExitFile(containerPaths(rt, config.id).exitDir, config.id, {
    timeoutMs: 2000,
    intervalMs: 10,
  });
  state.status = "running"; // let sync read the exit file
  await syncContainer(rt, rec);
  if (state.status === "running") {
    // no exit file: the process is gone; record it as killed
    Object.assign(state, {
      status: "stopped",
      exitCode: 137,
      exited: true,
      finishedAt: new Date().toISOString(),
      pid: 0,
    });
    rt.state.saveContainer(config.id, state);
  }
  await cleanupUnlocked(rt, rec);
}

/** `stop`: returns the container's ID. */
export function stopContainer(
  rt: Runtime,
  idOrName: string,
  options: { timeout?: number } = {},
): Promise<string> {
  return withContainer(rt, idOrName, async (rec) => {
    await stopUnlocked(rt, rec, options.timeout ?? rec.config.stopTimeout);
    return rec.config.id;
  });
}

/** `kill`: sends `signal` to the container's process. */
export function killContainer(rt: Runtime, idOrName: string, signal: number): Promise<string> {
  return withContainer(rt, idOrName, async (rec) => {
    if (!canKill(rec.state.status)) {
      throw new StateError(
        `can only kill running containers. ${rec.config.id} is in state ${
          statusName(rec.state.status)
        }: container state improper`,
      );
    }
    await ociRuntime(rt).kill(rec.config.id, signal, { ignoreMissing: true });
    return rec.config.id;
  });
}
