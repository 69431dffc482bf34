/**
 * Image and container storage: content-addressed layers extracted once (overlay or vfs), image
 * rows in the shared database, and container root filesystems.
 * @module
 */

export { type ContainerLayerRecord, Store, type StoreOptions } from "./store.ts";
export { type ImageRecord } from "./image_store.ts";
export { chainId, type LayerRecord, type NewLayer } from "./layer_store.ts";
export { digestHex } from "./blob_store.ts";
export type { ExtractResult } from "./extract_layer.ts";
export { removeTree } from "./drivers/driver.ts";
