/**
 * The JSON documents of an image: the image config (OCI and docker flavours share one shape),
 * the image manifest, and the index / manifest list; with checks that turn a malformed
 * document into one {@linkcode ImageJsonError}, and Go-compatible JSON encoding so that what we
 * write matches podman byte for byte.
 * @module
 */

import { SkiffError } from "../define/errors.ts";

/** A malformed config, manifest or index; the message says which document and why. */
export class ImageJsonError extends SkiffError {}

/** The runtime part of an image config (`config` in the JSON). */
export interface ImageRuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  /** docker only */
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  };
  /** docker only */
  OnBuild?: string[] | null;
  /** docker only */
  Shell?: string[];
}

/** One `history` entry of an image config. */
export interface ImageHistory {
  created?: string;
  "created_by"?: string;
  author?: string;
  comment?: string;
  "empty_layer"?: boolean;
}

/** An OCI or docker image config (the document whose sha256 is the image ID). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
  config?: ImageRuntimeConfig;
  rootfs: { type: string; "diff_ids": string[] };
  history?: ImageHistory[];
  /** docker only */
  container?: string;
  /** docker only */
  "container_config"?: ImageRuntimeConfig;
  /** docker only */
  "docker_version"?: string;
}

/** The platform an index entry is for. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

/** A content descriptor: a blob named by its digest. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** An OCI image manifest or docker schema 2 manifest. */
export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** An OCI image index or docker manifest list. */
export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** The annotation that names an image in an OCI layout's index. */
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const decoder = new TextDecoder();

/** True for a `sha256:<64 hex>` digest. */
export function isSha256Digest(s: unknown): s is string {
  return typeof s === "string" && DIGEST_RE.test(s);
}

function parseObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new ImageJsonError(`parsing ${what}: ${e instanceof Error ? e.message : e}`, {
      cause: e,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ImageJsonError(`parsing ${what}: not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Parses an image config and checks `rootfs.diff_ids`; throws ImageJsonError. */
export function parseImageConfig(bytes: Uint8Array, what = "image config"): ImageConfig {
  const c = parseObject(bytes, what);
  const rootfs = c.rootfs as Record<string, unknown> | undefined;
  const diffIds = rootfs?.diff_ids;
  if (typeof rootfs !== "object" || rootfs === null || !Array.isArray(diffIds)) {
    throw new ImageJsonError(`invalid ${what}: no rootfs.diff_ids`);
  }
  for (const d of diffIds) {
    if (!isSha256Digest(d)) {
      throw new ImageJsonError(`invalid ${what}: bad diff ID ${JSON.stringify(d)}`);
    }
  }
  return c as unknown as ImageConfig;
}

/** Checks a descriptor's shape; throws ImageJsonError naming `what`. */
export function checkDescriptor(d: unknown, what: string): Descriptor {
  const o = d as Record<string, unknown> | null;
  if (typeof o !== "object" || o === null) throw new ImageJsonError(`invalid ${what}`);
  if (
    typeof o.digest !== "string" ||
    !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(o.digest)
  ) {
    throw new ImageJsonError(`invalid ${what}: bad digest ${JSON.stringify(o.digest)}`);
  }
  if (typeof o.size !== "number" || !Number.isSafeInteger(o.size) || o.size < 0) {
    throw new ImageJsonError(`invalid ${what}: bad size ${JSON.stringify(o.size)}`);
  }
  if (o.mediaType !== undefined && typeof o.mediaType !== "string") {
    throw new ImageJsonError(`invalid ${what}: bad mediaType`);
  }
  return { ...(o as unknown as Descriptor), mediaType: (o.mediaType as string) ?? "" };
}

/** A parsed manifest-like document: an image manifest, or an index of manifests. */
export type ParsedManifest =
  | { kind: "manifest"; manifest: ImageManifest }
  | { kind: "index"; index: ImageIndex };

/**
 * Parses an image manifest or an index / manifest list (told apart by `mediaType`, or by which
 * of `layers` and `manifests` it has); throws ImageJsonError.
 */
export function parseManifest(bytes: Uint8Array, what = "manifest"): ParsedManifest {
  const m = parseObject(bytes, what);
  if (m.schemaVersion !== 2) {
    throw new ImageJsonError(`unsupported ${what}: schemaVersion ${String(m.schemaVersion)}`);
  }
  const mt = typeof m.mediaType === "string" ? m.mediaType : "";
  const isIndex = mt === "application/vnd.oci.image.index.v1+json" ||
    mt === "application/vnd.docker.distribution.manifest.list.v2+json" ||
    (mt === "" && Array.isArray(m.manifests) && !("layers" in m));
  if (isIndex) {
    if (!Array.isArray(m.manifests)) throw new ImageJsonError(`invalid ${what}: no manifests`);
    const manifests = m.manifests.map((d, i) => checkDescriptor(d, `${what}: manifests[${i}]`));
    return { kind: "index", index: { ...(m as unknown as ImageIndex), manifests } };
  }
  if (!Array.isArray(m.layers)) throw new ImageJsonError(`invalid ${what}: no layers`);
  const config = checkDescriptor(m.config, `${what}: config`);
  const layers = m.layers.map((d, i) => checkDescriptor(d, `${what}: layers[${i}]`));
  return { kind: "manifest", manifest: { ...(m as unknown as ImageManifest), config, layers } };
}

/** Escapes what Go's encoding/json escapes beyond JSON.stringify: `<`, `>`, `&`, U+2028/9. */
function goEscape(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/**
 * JSON as Go's `json.Marshal` writes it for plain values built in insertion order: compact,
 * with `<`, `>`, `&` and U+2028/U+2029 escaped.
 */
export function goJson(value: unknown): string {
  return goEscape(JSON.stringify(value));
}

/**
 * What Go's `json.Marshal` does to an embedded `json.RawMessage`: strips insignificant
 * whitespace and escapes as {@linkcode goJson} does, keeping every other byte (key order,
 * number spelling, non-ASCII text) as written.
 */
export function goCompact(raw: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === "\\") {
        out += c + (raw[i + 1] ?? "");
        i++;
        continue;
      }
      if (c === '"') inString = false;
      out += goEscape(c);
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") {
      out += c;
    }
  }
  return out;
}

/**
 * The raw JSON text of each top-level member of a JSON object (the last one wins for a repeated
 * key, as when Go decodes into a map). Throws ImageJsonError when `text` is not an object.
 */
export function rawTopLevelMembers(text: string, what: string): Map<string, string> {
  // Validate first, so the scanner below may assume well-formed JSON.
  parseObject(new TextEncoder().encode(text), what);
  const out = new Map<string, string>();
  let i = text.indexOf("{") + 1;
  const skipWs = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
  };
  for (;;) {
    skipWs();
    if (text[i] === "}") break;
    if (text[i] === ",") {
      i++;
      skipWs();
    }
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    skipWs();
    i++; // colon
    skipWs();
    const valueStart = i;
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        skipString();
        if (depth === 0) break;
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (depth === 0) break;
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && (c === "," || " \t\n\r".includes(c))) break;
      i++;
    }
    out.set(key, text.slice(valueStart, i));
  }
  return out;
}
