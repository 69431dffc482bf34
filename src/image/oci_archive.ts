/**
 * OCI image layouts: a directory (`oci-dir`) or a tar of one (`oci-archive`) holding
 * `oci-layout`, `index.json` and `blobs/sha256/<hex>`. Index entries may be image manifests or
 * nested indexes (the linux entry for this machine's architecture is picked); the
 * `org.opencontainers.image.ref.name` annotation names an image. The writers follow podman
 * 4.3.1's `save --format oci-archive|oci-dir`: gzip layers, one image per call, the first name
 * as the ref.name annotation.
 * @module
 */

import {
  ArchiveError,
  type ArchiveImage,
  type ArchiveLayer,
  MediaType,
  type OciWriteOptions,
  type SaveImage,
} from "./archive_types.ts";
import {
  compressionOf,
  fileChunks,
  gzipToFile,
  type MemberSource,
  newHasher,
  readHead,
  readJsonMember,
  tee,
  writeAll,
} from "./_archive_io.ts";
import { checkSaveImage, layerSize } from "./docker_archive.ts";
import {
  type Descriptor,
  goJson,
  type ImageIndex,
  ImageJsonError,
  type ImageManifest,
  type ParsedManifest,
  parseImageConfig,
  parseManifest,
  REF_NAME_ANNOTATION,
} from "./image_config.ts";
import { TarWriter } from "./tar_writer.ts";
import { atomicWrite } from "../util/atomic_write.ts";

const encoder = new TextEncoder();
const OCI_LAYOUT = '{"imageLayoutVersion": "1.0.0"}';
const IMAGE_CONFIG_TYPES = new Set(["", MediaType.ociConfig, MediaType.dockerConfig]);

/** The GOARCH name of this machine's architecture. */
export function hostArch(): string {
  const a = Deno.build.arch as string;
  return a === "x86_64" ? "amd64" : a === "aarch64" ? "arm64" : a;
}

/** Finds and verifies the blob of `d`; reads it into memory unless it is a layer. */
async function readBlob(
  src: MemberSource,
  d: Descriptor,
  what: string,
  isLayer = false,
): Promise<{ bytes: Uint8Array; path: string; owned: boolean }> {
  if (!/^sha256:[0-9a-f]{64}$/.test(d.digest)) {
    throw new ArchiveError(src.archive, `${what}: unsupported digest ${JSON.stringify(d.digest)}`);
  }
  const name = `blobs/sha256/${d.digest.slice(7)}`;
  const m = await src.get(name);
  if (m === null) throw new ArchiveError(src.archive, `${what}: blob ${d.digest} is missing`);
  if (m.digest !== d.digest) {
    throw new ArchiveError(src.archive, `${what}: blob ${d.digest} has digest ${m.digest}`);
  }
  if (m.size !== d.size) {
    throw new ArchiveError(
      src.archive,
      `${what}: blob ${d.digest} has ${m.size} bytes, not ${d.size}`,
    );
  }
  const bytes = isLayer ? new Uint8Array(0) : (await readJsonMember(src, name, what)).bytes;
  return { bytes, path: m.path, owned: m.owned };
}

function parse(src: MemberSource, bytes: Uint8Array, what: string): ParsedManifest {
  try {
    return parseManifest(bytes, what);
  } catch (e) {
    if (e instanceof ImageJsonError) throw new ArchiveError(src.archive, e.message, { cause: e });
    throw e;
  }
}

/** Picks the linux/<host arch> entry of an index; throws naming what the index offers. */
function pickPlatform(src: MemberSource, entries: Descriptor[], what: string): Descriptor {
  const arch = hostArch();
  const match = entries.find((d) => d.platform?.os === "linux" && d.platform.architecture === arch);
  if (match) return match;
  const bare = entries.filter((d) => d.platform === undefined);
  if (bare.length === 1) return bare[0]!;
  const offered = entries.map((d) => `${d.platform?.os ?? "?"}/${d.platform?.architecture ?? "?"}`);
  throw new ArchiveError(
    src.archive,
    `${what} has no image for linux/${arch} (it has ${offered.join(", ") || "none"})`,
  );
}

async function readImage(
  src: MemberSource,
  desc: Descriptor,
  manifestBytes: Uint8Array,
  manifest: ImageManifest,
): Promise<ArchiveImage | null> {
  if (!IMAGE_CONFIG_TYPES.has(manifest.config.mediaType)) return null; // an artifact, not an image
  const what = `image ${desc.digest}`;
  const config = (await readBlob(src, manifest.config, `config of ${what}`)).bytes;
  let diffIds: string[];
  try {
    diffIds = parseImageConfig(config, `config of ${what}`).rootfs.diff_ids;
  } catch (e) {
    if (e instanceof ImageJsonError) throw new ArchiveError(src.archive, e.message, { cause: e });
    throw e;
  }
  if (diffIds.length !== manifest.layers.length) {
    throw new ArchiveError(
      src.archive,
      `${what}: its config has ${diffIds.length} diff IDs for ${manifest.layers.length} layers`,
    );
  }
  const layers: ArchiveLayer[] = [];
  for (const [i, l] of manifest.layers.entries()) {
    const blob = await readBlob(src, l, `layer ${i + 1} of ${what}`, true);
    const compression = compressionOf(await readHead(blob.path, 4));
    if (compression === "bzip2" || compression === "xz") {
      throw new ArchiveError(src.archive, `layer ${l.digest}: ${compression} is not supported`);
    }
    const diffId = diffIds[i]!;
    if (compression === "none" && l.digest !== diffId) {
      throw new ArchiveError(
        src.archive,
        `layer ${l.digest} of ${what} is uncompressed but its config's diff ID is ${diffId}`,
      );
    }
    layers.push({
      path: blob.path,
      owned: blob.owned,
      digest: l.digest,
      size: l.size,
      mediaType: l.mediaType,
      compression,
      diffId,
    });
  }
  return {
    config,
    configDigest: manifest.config.digest,
    layers,
    names: [],
    manifest: manifestBytes,
    manifestDigest: desc.digest,
  };
}

/**
 * Reads the images of an OCI layout from its members, verifying every blob it uses against its
 * descriptor (digest and size). Entries that are not images (artifacts) are skipped.
 */
export async function readOciLayoutMembers(src: MemberSource): Promise<ArchiveImage[]> {
  const layout = await src.get("oci-layout");
  if (layout !== null) {
    const { bytes } = await readJsonMember(src, "oci-layout", "oci-layout file");
    let version: unknown;
    try {
      version = JSON.parse(new TextDecoder().decode(bytes)).imageLayoutVersion;
    } catch { /* reported below */ }
    if (typeof version !== "string" || !version.startsWith("1.")) {
      throw new ArchiveError(src.archive, `unsupported oci-layout: ${JSON.stringify(version)}`);
    }
  }
  const { bytes: indexBytes } = await readJsonMember(src, "index.json", "oci index");
  const index = parse(src, indexBytes, "index.json");
  if (index.kind !== "index") {
    throw new ArchiveError(src.archive, "index.json is not an image index");
  }
  const byDigest = new Map<string, ArchiveImage>();
  for (const entry of index.index.manifests) {
    let d = entry;
    let image: ArchiveImage | null = null;
    for (let depth = 0; depth < 4 && image === null; depth++) {
      const known = byDigest.get(d.digest);
      if (known) {
        image = known;
        break;
      }
      const t = d.mediaType;
      if (
        t !== "" && t !== MediaType.ociManifest && t !== MediaType.dockerManifest &&
        t !== MediaType.ociIndex && t !== MediaType.dockerManifestList
      ) break;
      const what = `manifest ${d.digest}`;
      const { bytes } = await readBlob(src, d, what);
      const m = parse(src, bytes, what);
      if (m.kind === "index") {
        d = pickPlatform(src, m.index.manifests, `index ${d.digest}`);
        continue;
      }
      image = await readImage(src, d, bytes, m.manifest);
      if (image === null) break;
      byDigest.set(d.digest, image);
    }
    const name = entry.annotations?.[REF_NAME_ANNOTATION];
    if (image !== null && name !== undefined && name !== "" && !image.names.includes(name)) {
      image.names.push(name);
    }
  }
  if (byDigest.size === 0) throw new ArchiveError(src.archive, "index.json lists no images");
  return [...byDigest.values()];
}

// ---------------------------------------------------------------------------------------------
// writing

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
