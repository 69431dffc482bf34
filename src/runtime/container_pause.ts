/**
 * `pause` and `unpause`: freeze and thaw a running container's processes through runc (the
 * cgroup freezer). The state becomes `paused`; the wrong state is a StateError in podman's
 * words.
 * @module
 */

import { canPause, canUnpause, statusName } from "../define/container_status.ts";
import { StateError } from "../define/errors.ts";
import { withContainer } from "./container_lock.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** `pause`: freezes the container; returns its ID. */
export function pauseContainer(rt: Runtime, idOrName: string): Promise<string> {
  return withContainer(rt, idOrName, async (rec) => {
    const { config, state } = rec;
    if (state.status === "paused") {
      throw new StateError(`"${config.id}" is already paused: container state improper`);
    }
    if (!canPause(state.status)) {
      throw new StateError(
        `"${statusName(state.status)}" is not running, can't pause: container state improper`,
      );
    }
    await ociRuntime(rt).pause(config.id);
    state.status = "paused";
    rt.state.saveContainer(config.id, state);
    return config.id;
  });
}

/** `unpause`: thaws the container; returns its ID. */
export function unpauseContainer(rt: Runtime, idOrName: string): Promise<string> {
  return withContainer(rt, idOrName, async (rec) => {
    const { config, state } = rec;
    if (!canUnpause(state.status)) {
      throw new StateError(`"${config.id}" is not paused, can't unpause: container state improper`);
    }
    await ociRuntime(rt).resume(config.id);
    state.status = "running";
    rt.state.saveContainer(config.id, state);
    return config.id;
  });
}
