/**
 * `save`: images to a docker-archive, oci-archive or OCI layout directory, written from the
 * stored config bytes and layer blobs so that image IDs survive the round trip.
 * @module
 */

import { NotFoundError, UsageError } from "../define/errors.ts";
import { type SaveImage, writeDockerArchive, writeOciArchive, writeOciDir } from "../image/mod.ts";
import type { ImageRecord } from "../storage/mod.ts";
import { findImageAndName } from "./image_lookup.ts";
import { SAVE_FORMATS, type SaveFormat } from "./save_formats.ts";
import type { Runtime } from "./runtime.ts";

function saveImage(rt: Runtime, img: ImageRecord, names: string[]): SaveImage {
  return {
    names,
    config: new TextEncoder().encode(img.config),
    layers: rt.store.imageChain(img).map((l) => ({
      diffId: l.diffId,
      size: l.size,
      open: () => Promise.resolve(rt.store.layers.openDiff(l.id)),
    })),
  };
}

/**
 * Writes the images named by `refs` to `out` (a WritableStream for archives, a directory path
 * for oci-dir). A ref that names a tag saves that tag; an ID saves all the image's names.
 */
export async function saveImages(
  rt: Runtime,
  refs: string[],
  format: SaveFormat,
  out: WritableStream<Uint8Array> | string,
): Promise<void> {
  if (!SAVE_FORMATS.includes(format)) {
    throw new UsageError(
      `unknown format "${format}": choose docker-archive, oci-archive or oci-dir`,
    );
  }
  const images: SaveImage[] = refs.map((ref) => {
    const hit = findImageAndName(rt, ref);
    if (!hit) throw new NotFoundError("image", `${ref}: image not known`);
    // By name: that name only; by ID: no name, as podman does.
    return saveImage(rt, hit.image, hit.name ? [hit.name] : []);
  });
  if (format === "oci-dir") {
    if (typeof out !== "string") throw new UsageError("--format oci-dir needs -o DIRECTORY");
    await writeOciDir(out, images);
  } else if (typeof out === "string") {
    throw new UsageError(`--format ${format} writes a file, not a directory`);
  } else if (format === "docker-archive") {
    await writeDockerArchive(out, images);
  } else {
    await writeOciArchive(out, images, { tmpDir: `${rt.store.graphRoot}/tmp` });
  }
}
