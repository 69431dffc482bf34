/**
 * Record rules shared by both state implementations: validation before a write, the reset
 * after a reboot, and the checks of a config rewrite.
 * @module
 */

import type { ContainerConfig, ContainerState } from "../define/container.ts";
import { ALL_STATUSES } from "../define/container_status.ts";
import type { PodConfig } from "../define/pod.ts";
import type { VolumeState } from "../define/volume.ts";
import type { PodState } from "../define/pod.ts";
import { badDependency, immutableField } from "./_errors.ts";

/** Throws RangeError unless `code` is an integer in -1..255 (the database CHECK). */
export function validateExitCode(code: number): void {
  if (!Number.isInteger(code) || code < -1 || code > 255) {
    throw new RangeError(`exit code ${code} is out of range: it must be an integer from -1 to 255`);
  }
}

/** Throws RangeError for a state the database would refuse. */
export function validateContainerState(state: ContainerState): void {
  if (!ALL_STATUSES.includes(state.status)) {
    throw new RangeError(
      `invalid container status "${state.status}": expected one of ${ALL_STATUSES.join(", ")}`,
    );
  }
  validateExitCode(state.exitCode);
}

/** The state a container has after a reboot (see `State.refresh`). */
export function resetContainerState(state: ContainerState): ContainerState {
  let status = state.status;
  switch (status) {
    case "running":
    case "paused":
    case "stopped":
    case "stopping":
    case "exited":
      // Everything that ran during the last boot has ended.
      status = "exited";
      break;
    case "removing":
      break;
    default:
      status = "configured";
  }
  return {
    ...state,
    status,
    pid: 0,
    conmonPid: 0,
    mounted: false,
    mountPoint: "",
    netNs: null,
    networkResults: null,
    restartCount: 0,
  };
}

/** A pod's state after a reboot. */
export function resetPodState(state: PodState): PodState {
  return { ...state, cgroupPath: "" };
}

/** A volume's state after a reboot. */
export function resetVolumeState(state: VolumeState): VolumeState {
  return { ...state, mountCount: 0 };
}

/**
 * The exclusive upper bound of the strings that start with `prefix`, for an indexed range
 * `x >= prefix AND x < bound` (U+10FFFF sorts after every other character in SQLite's
 * byte-wise UTF-8 order). A range, unlike `LIKE ?`, has no wildcards to escape (`%` and `_` are
 * literal) and is not recompiled for each new parameter value (3.5x faster here).
 */
export function prefixBound(prefix: string): string {
  return prefix + "\u{10FFFF}";
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a), y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** Refuses a container config rewrite that changes what `addContainer` indexed. */
export function checkContainerRewrite(old: ContainerConfig, next: ContainerConfig): void {
  if ((old.pod ?? null) !== (next.pod ?? null)) throw immutableField("container", old.id, "pod");
  if (old.namespace !== next.namespace) throw immutableField("container", old.id, "namespace");
  if (!sameSet(old.dependencies, next.dependencies)) {
    throw immutableField("container", old.id, "dependencies");
  }
  if (!sameSet(old.namedVolumes, next.namedVolumes)) {
    throw immutableField("container", old.id, "named volumes");
  }
}

/** Refuses a pod config rewrite that changes its namespace. */
export function checkPodRewrite(old: PodConfig, next: PodConfig): void {
  if (old.namespace !== next.namespace) throw immutableField("pod", old.id, "namespace");
}

/** The distinct values of a list, in first-seen order. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Refuses a dependency in another namespace or pod (a container outside a pod may only depend
 * on containers outside pods).
 */
export function checkDependency(
  ctr: Pick<ContainerConfig, "id" | "pod" | "namespace">,
  dep: Pick<ContainerConfig, "id" | "pod" | "namespace">,
): void {
  if (dep.namespace !== ctr.namespace) {
    throw badDependency(ctr.id, dep.id, `it is in namespace "${dep.namespace}"`);
  }
  const ctrPod = ctr.pod ?? null, depPod = dep.pod ?? null;
  if (ctrPod === depPod) return;
  throw badDependency(
    ctr.id,
    dep.id,
    ctrPod === null
      ? `it is in pod ${depPod}, and a container outside a pod cannot depend on one inside`
      : `it is not in pod ${ctrPod}`,
  );
}
