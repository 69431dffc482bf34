/**
 * `load`: images from docker-archive, oci-archive or an OCI layout directory (a file, a
 * directory, or stdin) into the store. The whole archive is read and verified first (blobs are
 * spooled inside the graph root, to be renamed into place); then every layer is extracted and
 * verified and each image recorded; any failure undoes everything this load created.
 * @module
 */

import { readImageArchive } from "../image/mod.ts";
import { normalizeDockerName } from "../image/reference.ts";
import { removeTree } from "../storage/mod.ts";
import { type ImageProgress, StoreTransaction } from "./image_store_archive.ts";
import type { Runtime } from "./runtime.ts";

export type { ImageProgress };

/** Loads every image of the archive at `source`; returns the loaded names (or sha256:IDs). */
export async function loadImages(
  rt: Runtime,
  source: string | ReadableStream<Uint8Array>,
  progress: ImageProgress = {},
): Promise<string[]> {
  const spool = `${rt.store.graphRoot}/tmp/load-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(spool, { recursive: true, mode: 0o700 });
  const tx = new StoreTransaction(rt);
  try {
    const { images } = await readImageArchive(source, spool, progress.onBytes);
    const loaded: string[] = [];
    for (const img of images) {
      // Archive names follow docker: a short name means docker.io (podman load does the same).
      const names = img.names.map((n) => normalizeDockerName(n));
      const rec = await tx.addImage(img, names, progress);
      loaded.push(...(names.length ? names : [`sha256:${rec.id}`]));
    }
    return loaded;
  } catch (e) {
    await tx.rollback();
    throw e;
  } finally {
    await removeTree(spool);
  }
}
