/**
 * `init`, `start` and `restart`: bring a container to running (initialising it first when
 * needed). A hook between `runc create` and `runc start` lets a foreground caller attach to
 * the container's output before it can produce any.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { canStart, isActive, statusName } from "../define/container_status.ts";
import { StateError } from "../define/errors.ts";
import { cleanupUnlocked } from "./container_cleanup.ts";
import { initUnlocked } from "./container_init.ts";
import { withContainer } from "./container_lock.ts";
import { stopUnlocked } from "./container_stop.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** Called after the container exists in runc and before it starts (attach here). */
export type BeforeStart = (rec: ContainerRecord) => Promise<void>;

/** Starts a container whose lock is held; returns false when it was already running. */
export async function startUnlocked(
  rt: Runtime,
  rec: ContainerRecord,
  beforeStart?: BeforeStart,
): Promise<boolean> {
  const { state } = rec;
  if (state.status === "running") return false;
  if (!canStart(state.status)) {
    throw new StateError(
      `unable to start container ${rec.config.id}: container is ${
        statusName(state.status)
      }: container state improper`,
    );
  }
  if (state.status === "stopped") await cleanupUnlocked(rt, rec);
  if (state.status !== "created") await initUnlocked(rt, rec);
  await beforeStart?.(rec);
  try {
    await ociRuntime(rt).start(rec.config.id);
  } catch (e) {
    // runc start failed (the process could not be exec'd): clean up, keep the record
    state.error = (e as Error).message;
    rt.state.saveContainer(rec.config.id, state);
    throw e;
  }
  state.status = "running";
  state.startedAt = new Date().toISOString();
  state.finishedAt = null;
  rt.state.saveContainer(rec.config.id, state);
  return true;
}

/** `init`: create the container in runc without starting it. */
export function initContainer(rt: Runtime, idOrName: string): Promise<string> {
  return withContainer(rt, idOrName, async (rec) => {
    if (rec.state.status === "stopped") await cleanupUnlocked(rt, rec);
    await initUnlocked(rt, rec);
    return rec.config.id;
  });
}

/** `start`: starts the container; `beforeStart` runs between create and start. */
export function startContainer(
  rt: Runtime,
  idOrName: string,
  beforeStart?: BeforeStart,
): Promise<ContainerRecord> {
  return withContainer(rt, idOrName, async (rec) => {
    await startUnlocked(rt, rec, beforeStart);
    return rec;
  });
}

/** `restart`: stop (if running) then start. */
export function restartContainer(
  rt: Runtime,
  idOrName: string,
  timeout?: number,
): Promise<ContainerRecord> {
  return withContainer(rt, idOrName, async (rec) => {
    if (isActive(rec.state.status)) {
      await stopUnlocked(rt, rec, timeout ?? rec.config.stopTimeout);
    }
    if (rec.state.status === "stopped") await cleanupUnlocked(rt, rec);
    await startUnlocked(rt, rec);
    return rec;
  });
}
