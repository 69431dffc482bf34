/**
 * docker-archive: what `docker save` and `podman save` write. `manifest.json` lists, per image,
 * the config member, the RepoTags and the layer members (uncompressed tars, possibly reached
 * through the legacy `<id>/layer.tar` symlinks). The writer reproduces podman 4.3.1's bytes:
 * members in the order containers/image sends them, Go ustar headers, mode 0444, uid 0, mtime 0.
 * @module
 */

import {
  ArchiveError,
  type ArchiveImage,
  type ArchiveLayer,
  ociLayerMediaType,
  type SaveImage,
} from "./archive_types.ts";
import {
  compressionOf,
  type MemberSource,
  newHasher,
  normalizeMemberName,
  readHead,
  readJsonMember,
  sha256Digest,
  tee,
} from "./_archive_io.ts";
import {
  goCompact,
  goJson,
  ImageJsonError,
  parseImageConfig,
  rawTopLevelMembers,
} from "./image_config.ts";
import { TarWriter } from "./tar_writer.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function fail(src: MemberSource, message: string, cause?: unknown): never {
  throw new ArchiveError(src.archive, message, { cause });
}

function memberName(src: MemberSource, value: unknown, what: string): string {
  if (typeof value !== "string" || normalizeMemberName(value) === null) {
    fail(src, `manifest.json: invalid ${what} member name ${JSON.stringify(value)}`);
  }
  return value as string;
}

/** The hex digest a member name spells (`<hex>.tar`, `<hex>.json`, `blobs/sha256/<hex>`). */
function nameDigest(name: string): string | null {
  const m = /(?:^|\/)(?:blobs\/sha256\/)?([0-9a-f]{64})(?:\.tar|\.json)?$/.exec(name);
  return m ? `sha256:${m[1]}` : null;
}

/**
 * Reads the images of a docker-archive from its members: every config and uncompressed layer
 * is checked against its digest; throws ArchiveError naming what is wrong.
 */
export async function readDockerArchiveMembers(src: MemberSource): Promise<ArchiveImage[]> {
  const { bytes } = await readJsonMember(src, "manifest.json", "docker-archive manifest");
  let items: unknown;
  try {
    items = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    fail(src, `manifest.json is not valid JSON: ${e instanceof Error ? e.message : e}`, e);
  }
  if (!Array.isArray(items)) fail(src, "manifest.json is not a JSON array");
  if ((items as unknown[]).length === 0) fail(src, "manifest.json lists no images");
  const images: ArchiveImage[] = [];
  for (const raw of items as unknown[]) {
    const item = raw as Record<string, unknown>;
    if (typeof item !== "object" || item === null) fail(src, "manifest.json: invalid entry");
    const configName = memberName(src, item.Config, "config");
    const layerNames = Array.isArray(item.Layers)
      ? item.Layers
      : fail(src, `manifest.json: entry for ${configName} has no Layers`);
    const names = (Array.isArray(item.RepoTags) ? item.RepoTags : []).filter(
      (t): t is string => typeof t === "string",
    );
    const { bytes: config, digest: configDigest } = await readJsonMember(src, configName, "config");
    const spelled = nameDigest(configName);
    if (spelled !== null && spelled !== configDigest) {
      fail(src, `config ${JSON.stringify(configName)} has digest ${configDigest}, not ${spelled}`);
    }
    let diffIds: string[];
    try {
      diffIds = parseImageConfig(config, `config ${JSON.stringify(configName)}`).rootfs.diff_ids;
    } catch (e) {
      if (e instanceof ImageJsonError) fail(src, e.message, e);
      throw e;
    }
    if (diffIds.length !== layerNames.length) {
      fail(
        src,
        `config ${
          JSON.stringify(configName)
        } has ${diffIds.length} diff IDs but manifest.json lists ${layerNames.length} layers`,
      );
    }
    const layers: ArchiveLayer[] = [];
    for (const [i, value] of layerNames.entries()) {
      const name = memberName(src, value, "layer");
      const m = await src.get(name);
      if (m === null) fail(src, `layer ${JSON.stringify(name)} named by manifest.json is missing`);
      const diffId = diffIds[i]!;
      const compression = compressionOf(await readHead(m.path, 4));
      if (compression === "bzip2" || compression === "xz") {
        fail(
          src,
          `layer ${JSON.stringify(name)} is ${compression}-compressed, which is not supported`,
        );
      }
      const spelledLayer = nameDigest(name);
      if (spelledLayer !== null && spelledLayer !== m.digest && spelledLayer !== diffId) {
        fail(src, `layer ${JSON.stringify(name)} has digest ${m.digest}, not ${spelledLayer}`);
      }
      if (compression === "none" && m.digest !== diffId) {
        fail(
          src,
          `layer ${
            JSON.stringify(name)
          } has digest ${m.digest}, but the config's diff ID is ${diffId}`,
        );
      }
      layers.push({
        path: m.path,
        owned: m.owned,
        digest: m.digest,
        size: m.size,
        mediaType: ociLayerMediaType(compression),
        compression,
        diffId,
      });
    }
    images.push({ config, configDigest, layers, names, manifest: null, manifestDigest: null });
  }
  return images;
}

/**
 * The legacy per-layer metadata containers/image writes (writeLegacyMetadataLocked): for each
 * layer its v1 ID and `json`. The top layer's json embeds the config's architecture, config,
 * container, container_config, created, docker_version and os exactly as Go re-encodes them.
 */
export async function legacyLayerIds(
  config: Uint8Array,
  diffIds: string[],
): Promise<{ id: string; json: string }[]> {
  const raw = rawTopLevelMembers(decoder.decode(config), "image config");
  const out: { id: string; json: string }[] = [];
  let chainId = "";
  let parent = "";
  for (const [i, diffId] of diffIds.entries()) {
    const fields: [string, string][] = [];
    if (parent !== "") fields.push(["parent", goJson(parent)]);
    if (i === diffIds.length - 1) {
      for (
        const k of [
          "architecture",
          "config",
          "container",
          "container_config",
          "created",
          "docker_version",
          "os",
        ]
      ) {
        const v = raw.get(k);
        fields.push([k, v === undefined ? "null" : goCompact(v)]);
      }
    }
    chainId = chainId === "" ? diffId : await sha256Digest(encoder.encode(`${chainId} ${diffId}`));
    const encode = (extra: [string, string]) =>
      "{" + [...fields, extra].sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([k, v]) => `${goJson(k)}:${v}`).join(",") +
      "}";
    const id = (await sha256Digest(encoder.encode(encode(["layer_id", goJson(chainId)])))).slice(7);
    out.push({ id, json: encode(["id", goJson(id)]) });
    parent = id;
  }
  return out;
}

/** Splits `repo:tag`; a name without a tag gets `latest`, one with a digest is refused. */
function splitTag(name: string): [string, string] {
  if (name.includes("@")) {
    throw new ArchiveError(
      "docker-archive",
      `cannot save ${JSON.stringify(name)} in a docker-archive: it has a digest, not a tag`,
    );
  }
  const colon = name.lastIndexOf(":");
  if (colon <= name.lastIndexOf("/")) return [name, "latest"];
  return [name.slice(0, colon), name.slice(colon + 1)];
}

/** Checks that a SaveImage's layers match its config's diff IDs; returns the config hex. */
export async function checkSaveImage(img: SaveImage): Promise<{ hex: string; diffIds: string[] }> {
  const hex = (await sha256Digest(img.config)).slice(7);
  let diffIds: string[];
  try {
    diffIds = parseImageConfig(img.config, `config of image ${hex.slice(0, 12)}`).rootfs.diff_ids;
  } catch (e) {
    throw new ArchiveError("save", `saving image ${hex.slice(0, 12)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (
    diffIds.length !== img.layers.length || img.layers.some((l, i) => l.diffId !== diffIds[i])
  ) {
    throw new ArchiveError(
      "save",
      `saving image ${hex.slice(0, 12)}: its layers do not match the config's diff IDs`,
    );
  }
  return { hex, diffIds };
}

/**
 * A JSON object with sorted keys, as Go encodes a map (built by hand: a JS object would put
 * integer-like keys such as a tag "10" first).
 */
function goMap<T>(m: Map<string, T>, value: (v: T) => string): string {
  const keys = [...m.keys()].sort();
  return `{${keys.map((k) => `${goJson(k)}:${value(m.get(k)!)}`).join(",")}}`;
}

/** The size of a layer: given, or counted in a pass that also checks its diff ID. */
export async function layerSize(layer: SaveImage["layers"][number]): Promise<number> {
  if (layer.size !== undefined) return layer.size;
  const h = await newHasher();
  const count = { n: 0 };
  for await (const _ of tee(await layer.open(), h, count));
  if (h.digest() !== layer.diffId) {
    throw new ArchiveError("save", `layer ${layer.diffId}: its content hashes to ${h.digest()}`);
  }
  return count.n;
}

/**
 * Writes `images` as one docker-archive to `out`, as `podman save [-m]` does: each layer and
 * config once, legacy metadata, then manifest.json (one entry per distinct config, RepoTags
 * merged) and repositories. `out` is closed at the end, or aborted on failure; a layer whose
 * stream does not hash to its diff ID fails the save.
 */
export async function writeDockerArchive(
  out: WritableStream<Uint8Array>,
  images: SaveImage[],
): Promise<void> {
  const w = out.getWriter();
  try {
    if (images.length === 0) throw new ArchiveError("save", "no images to save");
    const tar = new TarWriter(w);
    const file = (name: string, data: Uint8Array) =>
      tar.add({ name, type: "file", size: data.length, mode: 0o444 }, data);
    const sent = new Set<string>();
    const manifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const byConfig = new Map<string, (typeof manifest)[number]>();
    const repositories = new Map<string, Map<string, string>>();
    for (const img of images) {
      const { hex, diffIds } = await checkSaveImage(img);
      for (const layer of img.layers) {
        const name = `${layer.diffId.slice(7)}.tar`;
        if (sent.has(name)) continue;
        const size = await layerSize(layer);
        const h = await newHasher();
        await tar.add(
          { name, type: "file", size, mode: 0o444 },
          tee(await layer.open(), h, { n: 0 }),
        );
        if (h.digest() !== layer.diffId) {
          throw new ArchiveError(
            "save",
            `layer ${layer.diffId}: its content hashes to ${h.digest()}`,
          );
        }
        sent.add(name);
      }
      const configName = `${hex}.json`;
      if (!sent.has(configName)) {
        await file(configName, img.config);
        sent.add(configName);
      }
      const legacy = await legacyLayerIds(img.config, diffIds);
      for (const [i, { id, json }] of legacy.entries()) {
        if (sent.has(id)) continue;
        await tar.add({
          name: `${id}/layer.tar`,
          type: "symlink",
          linkname: `../${diffIds[i]!.slice(7)}.tar`,
        });
        await file(`${id}/VERSION`, encoder.encode("1.0"));
        await file(`${id}/json`, encoder.encode(json));
        sent.add(id);
      }
      let item = byConfig.get(configName);
      if (item === undefined) {
        item = {
          Config: configName,
          RepoTags: [],
          Layers: diffIds.map((d) => `${d.slice(7)}.tar`),
        };
        byConfig.set(configName, item);
        manifest.push(item);
      }
      const top = legacy.at(-1)?.id;
      for (const name of img.names) {
        const [repo, tag] = splitTag(name);
        const full = `${repo}:${tag}`;
        if (!item.RepoTags.includes(full)) item.RepoTags.push(full);
        if (top === undefined) continue;
        const tags = repositories.get(repo) ?? new Map<string, string>();
        tags.set(tag, top);
        repositories.set(repo, tags);
      }
    }
    await file("manifest.json", encoder.encode(goJson(manifest)));
    await file("repositories", encoder.encode(goMap(repositories, (tags) => goMap(tags, goJson))));
    await tar.finish();
    await w.close();
  } catch (e) {
    await w.abort(e).catch(() => {});
    throw e;
  }
}
