/**
 * Turning images read from an archive (or built by import/commit) into store records, all or
 * nothing: layers and images this call created are removed again if any step fails, so a
 * corrupt or malicious layer leaves the store exactly as it was.
 * @module
 */

import type { ArchiveImage } from "../image/mod.ts";
import { parseImageConfig } from "../image/image_config.ts";
import type { ImageRecord, LayerRecord } from "../storage/mod.ts";
import { log } from "../util/logger.ts";
import type { Runtime } from "./runtime.ts";

/** Progress callbacks (the CLI shows them on a terminal). */
export interface ImageProgress {
  onBytes?: (bytes: number) => void;
  onStep?: (message: string) => void;
}

/** Tracks what one operation created, to undo it on failure. */
export class StoreTransaction {
  readonly #rt: Runtime;
  readonly layers: string[] = [];
  readonly images: string[] = [];
  constructor(rt: Runtime) {
    this.#rt = rt;
  }

  /** Creates (or reuses) the image's layers and records it with `names`. */
  async addImage(
    img: ArchiveImage,
    names: string[],
    progress: ImageProgress = {},
  ): Promise<ImageRecord> {
    const store = this.#rt.store;
    const config = parseImageConfig(img.config);
    const id = img.configDigest.replace(/^sha256:/, "");
    let parent: string | null = null;
    let size = 0;
    for (const layer of img.layers) {
      progress.onStep?.(`Copying blob ${layer.digest}`);
      const before = store.layers.all().map((l) => l.id);
      const rec: LayerRecord = await store.layers.create({
        blobPath: layer.path,
        parent,
        diffId: layer.diffId,
        blobDigest: layer.digest,
        keepBlob: layer.owned ? "move" : "copy",
      });
      if (!before.includes(rec.id)) this.layers.push(rec.id);
      parent = rec.id;
      size += rec.size;
    }
    progress.onStep?.(`Copying config ${img.configDigest}`);
    const existed = store.images.find(id) !== null;
    const text = new TextDecoder().decode(img.config);
    const manifest = img.manifest ? new TextDecoder().decode(img.manifest) : null;
    const rec = store.transaction(() =>
      store.images.put({
        id,
        topLayer: parent,
        config: text,
        manifest,
        digest: img.manifestDigest,
        created: config.created ?? new Date(0).toISOString(),
        loaded: Date.now(),
        size: size + img.config.length + (img.manifest?.length ?? 0),
      }, names)
    );
    if (!existed) this.images.push(id);
    return rec;
  }

  /** Removes what this operation created (best effort; used after a failure). */
  async rollback(): Promise<void> {
    const store = this.#rt.store;
    for (const id of this.images.reverse()) {
      await store.removeImage(id).catch((e) => log.warn(`rolling back image ${id}: ${e.message}`));
    }
    const gone: LayerRecord[] = [];
    for (const id of this.layers.reverse()) {
      try {
        if (store.layers.find(id)) gone.push(store.transaction(() => store.layers.deleteRow(id)));
      } catch (e) {
        log.debug(`keeping layer ${id} during rollback: ${(e as Error).message}`);
      }
    }
    await store.layers.removeFiles(gone);
  }
}
