/**
 * The runtime's public API: everything the CLI may call.
 * @module
 */

export { type OpenOptions, Runtime, type StoreCounts } from "./runtime.ts";
export { runtimeInfo, versionInfo } from "./info.ts";
export { findImage, lookupImage } from "./image_lookup.ts";
export { type ImageProgress, loadImages } from "./image_load.ts";
export { importImage, type ImportOptions } from "./image_import.ts";
export { SAVE_FORMATS, type SaveFormat, saveImages } from "./image_save.ts";
export {
  type HistoryEntry,
  imageHistory,
  type ImageSummary,
  inspectImage,
  listImages,
} from "./image_views.ts";
export {
  imageExists,
  pruneImages,
  type RemoveImageOptions,
  removeImages,
  type RemoveReport,
  tagImage,
  untagImage,
} from "./image_ops.ts";
export { createContainer, type CreateOptions, parseSignal } from "./container_create.ts";
export { initContainer, restartContainer, startContainer } from "./container_start.ts";
export { killContainer, stopContainer } from "./container_stop.ts";
export { removeContainer, type RemoveOptions } from "./container_remove.ts";
export { cleanupContainer } from "./container_cleanup.ts";
export { waitContainer } from "./container_wait.ts";
export { runContainer, type RunResult, type RunStreams, startAttached } from "./container_run.ts";
export {
  containerExists,
  type ContainerSummary,
  inspectContainer,
  latestContainer,
  listContainers,
  type ListOptions,
} from "./container_views.ts";
export { containerLogs, pruneContainers, renameContainer } from "./container_misc.ts";
export * from "./mod_ops.ts";
export * from "./mod_exec.ts";
export * from "./mod_network.ts";
