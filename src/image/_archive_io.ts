/**
 * I/O shared by the archive readers and writers: streaming sha256, gzip through node:zlib, and
 * the two member sources a format parser reads from — a tar spooled member by member into files
 * we name ourselves, and an OCI layout directory.
 * @module
 */

import { ArchiveError, type LayerCompression } from "./archive_types.ts";
import { readTar, type TarSource } from "./tar_reader.ts";

/** An incremental sha256 (node:crypto's Hash, loaded lazily). */
export interface Hasher {
  update(data: Uint8Array): void;
  /** `sha256:<hex>` */
  digest(): string;
}

/** A new incremental sha256; node:crypto is imported on first use only. */
export async function newHasher(): Promise<Hasher> {
  const { createHash } = await import("node:crypto");
  const h = createHash("sha256");
  let done: string | undefined;
  return {
    update: (data) => void h.update(data),
    digest: () => (done ??= `sha256:${h.digest("hex")}`),
  };
}

/** `sha256:<hex>` of some bytes. */
export async function sha256Digest(data: Uint8Array): Promise<string> {
  const h = await newHasher();
  h.update(data);
  return h.digest();
}

/** Writes all of `data` to an open file. */
export async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await file.write(data.subarray(off));
}

/** Hashes a file in 1 MiB reads; returns its digest and size. */
export async function hashFile(
  path: string,
  onBytes?: (n: number) => void,
): Promise<{ digest: string; size: number }> {
  const h = await newHasher();
  const buf = new Uint8Array(1 << 20);
  let size = 0;
  using f = await Deno.open(path);
  for (;;) {
    const n = await f.read(buf);
    if (n === null || n === 0) break;
    h.update(buf.subarray(0, n));
    size += n;
    onBytes?.(n);
  }
  return { digest: h.digest(), size };
}

/** Compression of a blob from its first bytes. */
export function compressionOf(head: Uint8Array): LayerCompression | "bzip2" | "xz" {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return "bzip2";
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58) return "xz";
  return "none";
}

/** Reads the first `n` bytes of a file (fewer if it is shorter). */
export async function readHead(path: string, n: number): Promise<Uint8Array> {
  using f = await Deno.open(path);
  const buf = new Uint8Array(n);
  let have = 0;
  while (have < n) {
    const got = await f.read(buf.subarray(have));
    if (got === null || got === 0) break;
    have += got;
  }
  return buf.subarray(0, have);
}

/** Passes chunks through while feeding them to `h` and counting them in `count.n`. */
export async function* tee(
  source: AsyncIterable<Uint8Array>,
  h: Hasher,
  count: { n: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    h.update(chunk);
    count.n += chunk.length;
    yield chunk;
  }
}

/** Runs chunks through a node:zlib transform (gzip or gunzip) with backpressure. */
export async function* zlibChunks(
  source: AsyncIterable<Uint8Array>,
  mode: "gzip" | "gunzip",
): AsyncGenerator<Uint8Array> {
  const zlib = await import("node:zlib");
  const z = mode === "gzip"
    ? zlib.createGzip({ chunkSize: 256 * 1024 })
    : zlib.createGunzip({ chunkSize: 256 * 1024 });
  z.on("error", () => {}); // reported through the iterator below
  let stop = false;
  let feedError: unknown;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (stop) break;
        if (!z.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              z.off("drain", done);
              z.off("close", done);
              resolve();
            };
            z.on("drain", done);
            z.on("close", done);
          });
        }
      }
      if (!stop) z.end();
    } catch (e) {
      feedError = e;
      z.destroy();
    }
  })();
  try {
    try {
      for await (const out of z) yield out as Uint8Array;
    } catch (e) {
      if (feedError !== undefined) throw feedError;
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(
        mode === "gzip"
          ? `compressing: ${msg}`
          : /unexpected end/i.test(msg)
          ? "gzip data ends early (truncated archive?)"
          : `invalid gzip data: ${msg}`,
        { cause: e },
      );
    }
    await feed;
    if (feedError !== undefined) throw feedError;
  } finally {
    stop = true;
    z.destroy();
    await feed;
  }
}

/** Yields a file's bytes in fresh 1 MiB chunks (safe to keep), closing it at the end. */
export async function* fileChunks(file: Deno.FsFile | string): AsyncGenerator<Uint8Array> {
  const f = typeof file === "string" ? await Deno.open(file) : file;
  try {
    for (;;) {
      const buf = new Uint8Array(1 << 20);
      const n = await f.read(buf);
      if (n === null || n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    if (typeof file === "string") f.close();
  }
}

/**
 * Gzips `source` into the new file `path`; returns the digest of the input (a layer's diff ID)
 * and the digest and size of the file.
 */
export async function gzipToFile(
  source: AsyncIterable<Uint8Array>,
  path: string,
): Promise<{ inputDigest: string; digest: string; size: number }> {
  const input = await newHasher();
  const output = await newHasher();
  const count = { n: 0 };
  const f = await Deno.open(path, { write: true, createNew: true, mode: 0o644 });
  try {
    const gz = zlibChunks(tee(source, input, { n: 0 }), "gzip");
    for await (const chunk of tee(gz, output, count)) await writeAll(f, chunk);
  } finally {
    f.close();
  }
  return { inputDigest: input.digest(), digest: output.digest(), size: count.n };
}

/** A member file as a format parser sees it. */
export interface MemberFile {
  /** Where its bytes are on disk. */
  path: string;
  /** `sha256:<hex>` of its bytes (computed while spooling, or on first lookup in a dir). */
  digest: string;
  size: number;
  /** True for a spool file we created. */
  owned: boolean;
}

/** Looks up members by the names a format defines. */
export interface MemberSource {
  /** Archive name for messages. */
  readonly archive: string;
  /** The member's file, following archive-internal links; null when absent. */
  get(name: string): Promise<MemberFile | null>;
}

/**
 * Normalises a member name (`./a//b/` → `a/b`); null for names that are absolute, empty or
 * contain `..`, which no format we read defines.
 */
export function normalizeMemberName(name: string): string | null {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (name.startsWith("/") || parts.length === 0 || parts.includes("..")) return null;
  return parts.join("/");
}

/** Largest JSON member (manifest.json, index.json, a config or manifest) read into memory. */
export const MAX_JSON_SIZE = 16 << 20;

/** Reads a small member fully; throws ArchiveError when it is missing or too large. */
export async function readJsonMember(
  src: MemberSource,
  name: string,
  what: string,
): Promise<{ bytes: Uint8Array; digest: string }> {
  const m = await src.get(name);
  if (m === null) {
    throw new ArchiveError(src.archive, `${what} ${JSON.stringify(name)} is missing`);
  }
  if (m.size > MAX_JSON_SIZE) {
    throw new ArchiveError(
      src.archive,
      `${what} ${JSON.stringify(name)} is too large (${m.size} bytes)`,
    );
  }
  return { bytes: await Deno.readFile(m.path), digest: m.digest };
}

/** Resolves a relative symlink target against a member's directory; null if it escapes. */
function resolveInside(dir: string, target: string): string | null {
  if (target.startsWith("/")) return null;
  const out = dir === "" ? [] : dir.split("/");
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.length === 0 ? null : out.join("/");
}

type SpoolEntry = { kind: "file"; file: MemberFile } | { kind: "link"; target: string | null };

/**
 * A tar archive spooled into `spoolDir`, one file per regular member, named
 * `member-<random>-<n>` (unique per read, so several reads may share a spool dir).
 */
export class SpooledTar implements MemberSource {
  readonly archive: string;
  readonly #entries = new Map<string, SpoolEntry>();
  readonly #files: string[] = [];

  private constructor(archive: string) {
    this.archive = archive;
  }

  /** Names of all members, as normalised. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * Reads the whole tar, writing each regular member to a new file in `spoolDir` while hashing
   * it. Member names only key the table; they never become paths. On failure, every file
   * written is removed again.
   */
  static async spool(
    source: TarSource,
    spoolDir: string,
    archive: string,
    onProgress?: (bytes: number) => void,
  ): Promise<SpooledTar> {
    const t = new SpooledTar(archive);
    const prefix = `${spoolDir}/member-${crypto.randomUUID().slice(0, 8)}`;
    try {
      for await (const { header, body } of readTar(source, { name: archive, onProgress })) {
        const key = normalizeMemberName(header.name);
        if (
          key === null || (header.type !== "file" && header.type !== "symlink" &&
            header.type !== "hardlink")
        ) {
          continue; // directories, devices, names no format uses: not needed, body skipped
        }
        const old = t.#entries.get(key);
        if (old?.kind === "file") await Deno.remove(old.file.path);
        if (header.type !== "file") {
          const target = header.type === "symlink"
            ? resolveInside(key.slice(0, Math.max(0, key.lastIndexOf("/"))), header.linkname)
            : normalizeMemberName(header.linkname);
          t.#entries.set(key, { kind: "link", target });
          continue;
        }
        const path = `${prefix}-${t.#files.length}`;
        t.#files.push(path);
        const h = await newHasher();
        let size = 0;
        const f = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
        try {
          for await (const chunk of body) {
            h.update(chunk);
            size += chunk.length;
            await writeAll(f, chunk);
          }
        } finally {
          f.close();
        }
        t.#entries.set(key, {
          kind: "file",
          file: { path, digest: h.digest(), size, owned: true },
        });
      }
    } catch (e) {
      await t.cleanup(new Set());
      throw e;
    }
    return t;
  }

  // deno-lint-ignore require-await
  async get(name: string): Promise<MemberFile | null> {
    let key = normalizeMemberName(name);
    for (let hops = 0; key !== null && hops < 16; hops++) {
      const e = this.#entries.get(key);
      if (e === undefined) return null;
      if (e.kind === "file") return e.file;
      key = e.target;
    }
    throw new ArchiveError(
      this.archive,
      `member ${JSON.stringify(name)} is a link that leaves the archive or loops`,
    );
  }

  /** Removes every spool file except those in `keep`. */
  async cleanup(keep: Set<string>): Promise<void> {
    for (const p of this.#files) {
      if (!keep.has(p)) await Deno.remove(p).catch(() => {});
    }
  }
}

/** The members of an OCI layout directory, hashed on first lookup. */
export class LayoutDir implements MemberSource {
  readonly archive: string;
  readonly #dir: string;
  readonly #cache = new Map<string, MemberFile | null>();
  readonly #onBytes: ((n: number) => void) | undefined;

  constructor(dir: string, onProgress?: (bytes: number) => void) {
    this.archive = dir;
    this.#dir = dir.replace(/\/+$/, "") || "/";
    let total = 0;
    this.#onBytes = onProgress && ((n) => onProgress(total += n));
  }

  async get(name: string): Promise<MemberFile | null> {
    const key = normalizeMemberName(name);
    if (key === null) return null;
    if (this.#cache.has(key)) return this.#cache.get(key)!;
    const path = `${this.#dir}/${key}`;
    let result: MemberFile | null = null;
    try {
      const st = await Deno.stat(path);
      if (st.isFile) result = { path, ...(await hashFile(path, this.#onBytes)), owned: false };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    this.#cache.set(key, result);
    return result;
  }
}
