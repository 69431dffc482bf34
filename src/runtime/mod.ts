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
