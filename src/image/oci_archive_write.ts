/**
 * Writes OCI image layouts as podman 4.3.1's `save --format oci-archive|oci-dir` does: gzip
 * layers, one image per call, the first name as the `org.opencontainers.image.ref.name`
 * annotation. An existing oci-dir gets the image added to its index.
 * @module
 */

import { ArchiveError, MediaType, type OciWriteOptions, type SaveImage } from "./archive_types.ts";
import { fileChunks, gzipToFile, newHasher, tee, writeAll } from "./_archive_io.ts";
import { checkSaveImage, layerSize } from "./docker_archive.ts";
import {
  type Descriptor,
  goJson,
  type ImageIndex,
  type ParsedManifest,
  parseManifest,
  REF_NAME_ANNOTATION,
} from "./image_config.ts";
import { TarWriter } from "./tar_writer.ts";
import { atomicWrite } from "../util/atomic_write.ts";

const encoder = new TextEncoder();
const OCI_LAYOUT = '{"imageLayoutVersion": "1.0.0"}';

/** A blob of the layout being written: bytes in memory, a staged file, or a layer to stream. */
interface Blob {
  digest: string;
  size: number;
  bytes?: Uint8Array;
  file?: string;
  layer?: SaveImage["layers"][number];
}

/** Checks the image count the way podman does: the OCI formats take exactly one image. */
function single(format: string, images: SaveImage[]): SaveImage {
  if (images.length === 0) throw new ArchiveError(format, "no images to save");
  if (images.length > 1) {
    throw new ArchiveError(
      format,
      `unsupported format ${
        JSON.stringify(format)
      } for saving multiple images (only docker-archive)`,
    );
  }
  return images[0]!;
}

/** Stages the blobs of one image; returns them, the manifest and the index entry. */
async function stageImage(
  img: SaveImage,
  compress: boolean,
  stageFile: () => string,
): Promise<{ blobs: Blob[]; manifest: Blob; entry: Descriptor }> {
  const { hex } = await checkSaveImage(img);
  const blobs: Blob[] = [{ digest: `sha256:${hex}`, size: img.config.length, bytes: img.config }];
  const layers: Descriptor[] = [];
  for (const layer of img.layers) {
    let b: Blob = { digest: layer.diffId, size: 0, layer };
    if (compress) {
      const file = stageFile();
      const gz = await gzipToFile(await layer.open(), file);
      if (gz.inputDigest !== layer.diffId) {
        throw new ArchiveError(
          "save",
          `layer ${layer.diffId}: its content hashes to ${gz.inputDigest}`,
        );
      }
      b = { digest: gz.digest, size: gz.size, file };
    } else b.size = await layerSize(layer);
    if (!blobs.some((x) => x.digest === b.digest)) blobs.push(b);
    layers.push({
      mediaType: compress ? MediaType.ociLayerGzip : MediaType.ociLayer,
      digest: b.digest,
      size: b.size,
    });
  }
  const m = encoder.encode(goJson({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: `sha256:${hex}`, size: img.config.length },
    layers,
  }));
  const h = await newHasher();
  h.update(m);
  const manifest: Blob = { digest: h.digest(), size: m.length, bytes: m };
  const entry: Descriptor = {
    mediaType: MediaType.ociManifest,
    digest: manifest.digest,
    size: m.length,
  };
  const name = img.names[0];
  if (name !== undefined) entry.annotations = { [REF_NAME_ANNOTATION]: name };
  return { blobs: [...blobs, manifest], manifest, entry };
}

/** The bytes of a blob as an iterable, verifying a streamed layer against its diff ID. */
async function* blobChunks(b: Blob): AsyncGenerator<Uint8Array> {
  if (b.bytes) return yield b.bytes;
  if (b.file) return yield* fileChunks(b.file);
  const h = await newHasher();
  yield* tee(await b.layer!.open(), h, { n: 0 });
  if (h.digest() !== b.digest) {
    throw new ArchiveError("save", `layer ${b.digest}: its content hashes to ${h.digest()}`);
  }
}

/**
 * Writes one image as an oci-archive to `out`, as `podman save --format oci-archive` does:
 * `blobs/`, `blobs/sha256/`, the blobs sorted by digest, `index.json`, `oci-layout`; layers
 * gzipped unless `compress` is false. More than one image is refused, as podman refuses it.
 * `out` is closed at the end, or aborted on failure.
 */
export async function writeOciArchive(
  out: WritableStream<Uint8Array>,
  images: SaveImage[],
  options: OciWriteOptions = {},
): Promise<void> {
  const w = out.getWriter();
  const stage = await Deno.makeTempDir({ dir: options.tmpDir, prefix: "skiff-oci-" });
  try {
    const img = single("oci-archive", images);
    let n = 0;
    const { blobs, entry } = await stageImage(
      img,
      options.compress ?? true,
      () => `${stage}/${n++}`,
    );
    const tar = new TarWriter(w);
    // As containers/storage tars the layout: type bits in the mode, owned by root by name.
    const owner = { uid: 0, gid: 0, uname: "root", gname: "root", mtime: 0 };
    const file = (name: string, size: number, data: Uint8Array | AsyncIterable<Uint8Array>) =>
      tar.add({ name, type: "file", size, mode: 0o100644, ...owner }, data);
    await tar.add({ name: "blobs/", type: "dir", mode: 0o40755, ...owner });
    await tar.add({ name: "blobs/sha256/", type: "dir", mode: 0o40755, ...owner });
    for (const b of [...blobs].sort((a, c) => (a.digest < c.digest ? -1 : 1))) {
      await file(`blobs/sha256/${b.digest.slice(7)}`, b.size, blobChunks(b));
    }
    const index = encoder.encode(goJson({ schemaVersion: 2, manifests: [entry] }));
    await file("index.json", index.length, index);
    const layout = encoder.encode(OCI_LAYOUT);
    await file("oci-layout", layout.length, layout);
    await tar.finish();
    await w.close();
  } catch (e) {
    await w.abort(e).catch(() => {});
    throw e;
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

/**
 * Writes one image into the OCI layout directory `dir` (created if needed), as
 * `podman save --format oci-dir` does: blobs are added, and the image is added to an existing
 * `index.json` — an older entry with the same name loses its name, an unnamed entry with the
 * same digest is replaced. More than one image is refused, as podman refuses it.
 */
export async function writeOciDir(
  dir: string,
  images: SaveImage[],
  options: OciWriteOptions = {},
): Promise<void> {
  const img = single("oci-dir", images);
  const blobDir = `${dir}/blobs/sha256`;
  await Deno.mkdir(blobDir, { recursive: true });
  const tmp = () => `${blobDir}/.tmp-${crypto.randomUUID()}`;
  const staged: string[] = [];
  try {
    const { blobs, entry } = await stageImage(img, options.compress ?? true, () => {
      const p = tmp();
      staged.push(p);
      return p;
    });
    for (const b of blobs) {
      const target = `${blobDir}/${b.digest.slice(7)}`;
      if (b.file) {
        await Deno.rename(b.file, target);
        continue;
      }
      const p = tmp();
      staged.push(p);
      const f = await Deno.open(p, { write: true, createNew: true, mode: 0o644 });
      try {
        for await (const chunk of blobChunks(b)) await writeAll(f, chunk);
      } finally {
        f.close();
      }
      await Deno.rename(p, target);
    }
    const index = await readExistingIndex(dir);
    addManifest(index.manifests, entry);
    await atomicWrite(`${dir}/index.json`, goJson(index), { mode: 0o644 });
    await atomicWrite(`${dir}/oci-layout`, OCI_LAYOUT, { mode: 0o644 });
  } finally {
    for (const p of staged) await Deno.remove(p).catch(() => {});
  }
}

/** The index.json already in `dir`, or a new empty one. */
async function readExistingIndex(dir: string): Promise<ImageIndex> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(`${dir}/index.json`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { schemaVersion: 2, manifests: [] };
    throw e;
  }
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(bytes, `${dir}/index.json`);
  } catch (e) {
    throw new ArchiveError(dir, `cannot add to ${dir}: ${(e as Error).message}`, { cause: e });
  }
  if (parsed.kind !== "index") {
    throw new ArchiveError(dir, `${dir}/index.json is not an image index`);
  }
  return parsed.index;
}

/** containers/image's addManifest: move the name to the new entry, merge unnamed duplicates. */
function addManifest(manifests: Descriptor[], desc: Descriptor): void {
  const name = desc.annotations?.[REF_NAME_ANNOTATION];
  if (name !== undefined && name !== "") {
    const old = manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === name);
    if (old?.annotations) {
      delete old.annotations[REF_NAME_ANNOTATION];
      if (Object.keys(old.annotations).length === 0) delete old.annotations;
    }
  }
  const i = manifests.findIndex((m) =>
    m.digest === desc.digest && (m.annotations?.[REF_NAME_ANNOTATION] ?? "") === ""
  );
  if (i >= 0) manifests[i] = desc;
  else manifests.push(desc);
}
