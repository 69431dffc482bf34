/**
 * The locking discipline every container verb follows: look the container up, take its lock,
 * re-read its state from the database, bring that state in line with reality (exit file,
 * conmon alive), and only then act. The lock is never held while waiting for another skiff
 * process (the exit command's cleanup needs the same lock: podman's deadlocks, §3.5).
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { NotFoundError } from "../define/errors.ts";
import { processAlive, waitProcessGone } from "../sys/process.ts";
import { log } from "../util/logger.ts";
import { readExitFile } from "../oci/exit_file.ts";
import { containerPaths } from "./container_paths.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/**
 * Runs `fn` with the container's lock held and its state synced. `fn` receives the fresh
 * record; whatever it saves is saved by itself.
 */
export async function withContainer<T>(
  rt: Runtime,
  idOrName: string,
  fn: (rec: ContainerRecord) => Promise<T>,
): Promise<T> {
  const found = rt.state.lookupContainer(idOrName);
  const locker = rt.locks.retrieve(found.config.lockId);
  using _ = await locker.acquire();
  if (!rt.state.hasContainer(found.config.id)) {
    throw new NotFoundError(
      "container",
      `no container with name or ID "${idOrName}" found: no such container`,
    );
  }
  const rec = rt.state.container(found.config.id);
  await syncContainer(rt, rec);
  return await fn(rec);
}

/**
 * Updates `rec.state` from the exit file and conmon's liveness; saves when it changed. The
 * caller holds the lock. A container whose conmon died without writing an exit file is
 * killed (it would otherwise run unsupervised) and marked stopped with exit code 137.
 */
export async function syncContainer(rt: Runtime, rec: ContainerRecord): Promise<void> {
  const st = rec.state;
  if (!["running", "paused", "stopping", "created"].includes(st.status)) return;
  const paths = containerPaths(rt, rec.config.id);
  const exit = readExitFile(paths.exitDir, rec.config.id);
  if (exit) {
    st.status = "stopped";
    st.exitCode = exit.code;
    st.exited = true;
    st.finishedAt = exit.finishedAt.toISOString();
    st.pid = 0;
    rt.state.saveContainer(rec.config.id, st);
    return;
  }
  if (st.conmonPid > 0 && !processAlive(st.conmonPid)) {
    log.warn(
      `conmon for container ${rec.config.id} is gone without an exit file; stopping the container`,
    );
    const oci = ociRuntime(rt);
    const live = await oci.state(rec.config.id).catch(() => null);
    if (live && live.status !== "stopped") {
      await oci.kill(rec.config.id, 9, { all: true, ignoreMissing: true }).catch(() => {});
      await waitProcessGone(live.pid, 5000);
    }
    st.status = "stopped";
    st.exitCode = 137;
    st.exited = true;
    st.finishedAt = new Date().toISOString();
    st.pid = 0;
    st.error = "conmon process killed";
    rt.state.saveContainer(rec.config.id, st);
  }
}
