/**
 * The runtime API added by the "ops" work (re-exported by mod.ts): cp, export, diff, commit,
 * mount/umount, pause/unpause, top, stats and port.
 * @module
 */

export {
  type CopyLocation,
  type CopyOptions,
  copyPaths,
  parseCopyLocation,
} from "./container_cp.ts";
export { exportContainer } from "./container_export.ts";
export { type Change, type ChangeKind, diffObject } from "./container_diff.ts";
export { commitContainer, type CommitOptions } from "./container_commit.ts";
export {
  listMountedContainers,
  mountContainer,
  type MountedContainer,
  unmountableContainers,
  unmountContainer,
  type UnmountOptions,
  userMountCount,
} from "./container_mount.ts";
export { pauseContainer, unpauseContainer } from "./container_pause.ts";
export { containerTop, DEFAULT_TOP_DESCRIPTORS } from "./container_top.ts";
export {
  containerStats,
  type StatsReport,
  statsReport,
  type StatsSample,
} from "./container_stats.ts";
export {
  allContainerPorts,
  type ContainerPorts,
  containerPorts,
  formatPortMapping,
} from "./container_port.ts";
export { goDuration } from "./_ops_duration.ts";
