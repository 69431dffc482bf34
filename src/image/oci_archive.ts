/**
 * OCI image layouts: a directory (`oci-dir`) or a tar of one (`oci-archive`) holding
 * `oci-layout`, `index.json` and `blobs/sha256/<hex>`. Index entries may be image manifests or
 * nested indexes (the linux entry for this machine's architecture is picked); the
 * `org.opencontainers.image.ref.name` annotation names an image. Writing is in
 * oci_archive_write.ts.
 * @module
 */

import { goArch } from "../sys/host_info.ts";
import { ArchiveError, type ArchiveImage, type ArchiveLayer, MediaType } from "./archive_types.ts";
import { compressionOf, type MemberSource, readHead, readJsonMember } from "./_archive_io.ts";
import {
  type Descriptor,
  ImageJsonError,
  type ImageManifest,
  type ParsedManifest,
  parseImageConfig,
  parseManifest,
  REF_NAME_ANNOTATION,
} from "./image_config.ts";

const IMAGE_CONFIG_TYPES = new Set(["", MediaType.ociConfig, MediaType.dockerConfig]);

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
  const arch = goArch();
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
