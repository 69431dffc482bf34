/**
 * Layer extraction that refuses to escape its root. The blob is read in 1 MiB chunks, hashed,
 * decompressed, hashed again (the diff ID), and every tar header is checked by our own scanner
 * before GNU tar — which alone keeps devices, xattrs, setuid bits and absolute symlinks — gets
 * the bytes on its stdin. tar always writes into a fresh, empty directory, because it follows
 * symlinks that already exist in its target. Any failure kills tar and removes the directory.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { spawnStream, type StreamChild } from "../sys/spawn_stream.ts";
import { log } from "../util/logger.ts";
import { toolEnv } from "../sys/command.ts";
import { decompress, DecompressError, detectCompression } from "./_decompress.ts";
import { EntryGuard, EntryRefusal } from "./_entry_guard.ts";
import { TarFormatError, TarScanner } from "./_tar_scanner.ts";
import { applyOverlayWhiteouts } from "./_whiteouts.ts";

export { detectCompression };

/** Options for {@linkcode extractLayer}. */
export interface ExtractOptions {
  /** The compressed (gzip, zstd) or plain layer blob on disk. */
  blobPath: string;
  /**
   * A directory that must not exist yet (its parent is created if needed). It is created
   * 0755 and removed again on any failure.
   */
  dest: string;
  /** Expected sha256 of the blob as stored, `sha256:<hex>`; verified when given. */
  blobDigest?: string;
  /** Expected diff ID, the sha256 of the uncompressed tar; verified when given. */
  diffId?: string;
  /**
   * `"overlay"`: turn OCI whiteouts into overlay form (`.wh.X` → char device 0:0 `X`,
   * `.wh..wh..opq` → xattr `trusted.overlay.opaque=y` on the directory). `"keep"` (vfs):
   * leave the whiteout files as they are. Both report them in the result.
   */
  whiteouts: "overlay" | "keep";
  /** Restore the archived owners (`tar --same-owner`, needs root). @default true */
  sameOwner?: boolean;
  /** Called after each chunk read from the blob with the compressed bytes read so far. */
  onProgress?: (bytesRead: number) => void;
}

/** What {@linkcode extractLayer} found and verified. */
export interface ExtractResult {
  /** `sha256:<hex>` of the uncompressed stream. */
  diffId: string;
  /** `sha256:<hex>` of the blob as stored. */
  blobDigest: string;
  compressedSize: number;
  uncompressedSize: number;
  /** Paths the layer deletes, relative without a leading slash (`dir/.wh.X` → `dir/X`). */
  whiteouts: string[];
  /** Directories the layer marks opaque, relative; the layer root is ".". */
  opaqueDirs: string[];
  /** Tar entries extracted (extended headers not counted). */
  entries: number;
}

/** A layer entry would be created outside the layer root; the message names the entry. */
export class LayerEscapeError extends SkiffError {}

/** A blob or its uncompressed stream does not have the expected digest. */
export class DigestMismatchError extends SkiffError {}

const CHUNK = 1024 * 1024;

/**
 * The tar flags. --numeric-owner: the host's user database means nothing for an image;
 * --same-permissions: keep setuid/setgid/sticky and ignore our umask; --xattrs with
 * --xattrs-include=*: restore every namespace (security.capability, trusted.*), not only
 * user.*; --delay-directory-restore: set directory modes and mtimes only at the end, so that
 * read-only directories can still be filled and later members do not disturb mtimes;
 * --xattrs-exclude of the overlay namespaces: overlayfs reads those (opaque, redirect,
 * metacopy) from the layer dirs, so only our whiteout conversion may set them, never a layer;
 * --warning=no-timestamp: mtimes in the future are common in images and harmless;
 * --blocking-factor=2048 with --read-full-records: tar reads 1 MiB records instead of 10 KiB
 * ones, which cut a 200 MB layer of large files from 0.31 s to 0.18 s through the pipe.
 */
function tarArgv(dest: string, sameOwner: boolean): string[] {
  return [
    "tar",
    "--extract",
    "--file=-",
    `--directory=${dest}`,
    "--numeric-owner",
    sameOwner ? "--same-owner" : "--no-same-owner",
    "--same-permissions",
    "--xattrs",
    "--xattrs-include=*",
    "--xattrs-exclude=trusted.overlay.*",
    "--xattrs-exclude=user.overlay.*",
    "--delay-directory-restore",
    "--warning=no-timestamp",
    "--blocking-factor=2048",
    "--read-full-records",
  ];
}

/**
 * Extracts the layer blob `blobPath` into the new directory `dest`, refusing any entry that
 * would land outside it, verifying the digests, and converting whiteouts for overlay.
 * Throws {@linkcode LayerEscapeError}, {@linkcode DigestMismatchError}, or a SkiffError that
 * names the blob and the cause; `dest` is gone after any failure.
 */
export async function extractLayer(options: ExtractOptions): Promise<ExtractResult> {
  const label = options.blobDigest ?? options.blobPath;
  const wantBlob = options.blobDigest === undefined
    ? undefined
    : parseDigest(options.blobDigest, label);
  const wantDiff = options.diffId === undefined ? undefined : parseDigest(options.diffId, label);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(options.blobPath, { read: true });
  } catch (e) {
    throw new SkiffError(`opening layer blob "${options.blobPath}": ${errText(e)}`, { cause: e });
  }
  let tar: StreamChild | undefined;
  try {
    const head = await readHead(file).catch((e) => {
      throw new SkiffError(`reading layer blob "${options.blobPath}": ${errText(e)}`, { cause: e });
    });
    const kind = detectCompression(head);
    await createDest(options.dest);
    try {
      const { createHash } = await import("node:crypto");
      const blobHash = createHash("sha256");
      const diffHash = createHash("sha256");
      let compressed = 0;
      let uncompressed = 0;
      const guard = new EntryGuard();
      const scanner = new TarScanner((entry) => guard.check(entry));
      tar = spawnStream(tarArgv(options.dest, options.sameOwner ?? true), toolEnv());
      const source = readChunks(file, (chunk) => {
        // An uncompressed blob is its own diff: hashing it twice would be wasted time.
        if (kind !== "none") blobHash.update(chunk);
        compressed += chunk.length;
        options.onProgress?.(compressed);
      });
      let tarGone = false;
      for await (const chunk of decompress(kind, source)) {
        diffHash.update(chunk);
        uncompressed += chunk.length;
        for (const part of scanner.push(chunk)) {
          // A rejected write means tar exited early; its status and stderr say why.
          await tar.write(part).catch(() => tarGone = true);
          if (tarGone) break;
        }
        if (tarGone) break;
      }
      if (!tarGone) scanner.end();
      await tar.closeStdin();
      const status = await tar.status;
      if (status.code !== 0 || tarGone) {
        const detail = status.stderr.trim().split("\n").slice(-8).join("; ") ||
          (status.signal ? `killed by ${status.signal}` : "exited before reading the layer");
        throw new SkiffError(`tar exited with status ${status.code}: ${detail}`);
      }
      // What is left are warnings such as bsdtar's LIBARCHIVE.* pax keywords, present in
      // every layer some tools write: worth a debug line, not a warning on each pull.
      if (status.stderr.trim() !== "") log.debug("tar: " + status.stderr.trim(), { layer: label });
      const diffId = `sha256:${diffHash.digest("hex")}`;
      const blobDigest = kind === "none" ? diffId : `sha256:${blobHash.digest("hex")}`;
      if (wantBlob !== undefined && wantBlob !== blobDigest) {
        throw new DigestMismatchError(
          `layer ${label}: digest mismatch: expected ${wantBlob}, got ${blobDigest}`,
        );
      }
      if (wantDiff !== undefined && wantDiff !== diffId) {
        throw new DigestMismatchError(
          `layer ${label}: diff ID mismatch: expected ${wantDiff}, got ${diffId}`,
        );
      }
      if (options.whiteouts === "overlay") {
        await applyOverlayWhiteouts(options.dest, guard.whiteouts, guard.opaqueDirs);
      }
      return {
        diffId,
        blobDigest,
        compressedSize: compressed,
        uncompressedSize: uncompressed,
        whiteouts: guard.whiteouts,
        opaqueDirs: guard.opaqueDirs,
        entries: scanner.entries,
      };
    } catch (e) {
      if (tar !== undefined) {
        tar.kill();
        await tar.status;
      }
      await removeTree(options.dest);
      throw explain(e, label);
    }
  } finally {
    file.close();
  }
}

/** Turns an internal failure into the error callers see, naming the blob. */
function explain(e: unknown, label: string): unknown {
  if (e instanceof EntryRefusal) {
    return new LayerEscapeError(`${e.message} (layer ${label})`, { cause: e });
  }
  if (e instanceof TarFormatError || e instanceof DecompressError) {
    const msg = e.problem === "truncated"
      ? `truncated layer ${label}: ${e.message}`
      : e.problem === "not-tar"
      ? `layer ${label} is not a tar archive: ${e.message}`
      : `corrupt layer ${label}: ${e.message}`;
    return new SkiffError(msg, { cause: e });
  }
  if (e instanceof DigestMismatchError) return e;
  return new SkiffError(`extracting layer ${label}: ${errText(e)}`, { cause: e });
}

function parseDigest(digest: string, label: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new SkiffError(`layer ${label}: unsupported digest "${digest}", want sha256:<64 hex>`);
  }
  return digest;
}

async function createDest(dest: string): Promise<void> {
  const slash = dest.replace(/\/+$/, "").lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(dest.slice(0, slash), { recursive: true });
  try {
    await Deno.mkdir(dest, { mode: 0o755 });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new SkiffError(`layer destination "${dest}" already exists`, { cause: e });
    }
    throw new SkiffError(`creating layer destination "${dest}": ${errText(e)}`, { cause: e });
  }
  await Deno.chmod(dest, 0o755); // mkdir's mode is filtered by our umask
}

async function readHead(file: Deno.FsFile): Promise<Uint8Array> {
  const head = new Uint8Array(4);
  let got = 0;
  while (got < head.length) {
    const n = await file.read(head.subarray(got));
    if (n === null) break;
    got += n;
  }
  await file.seek(0, Deno.SeekMode.Start);
  return head.subarray(0, got);
}

/**
 * Reads `file` in CHUNK-sized pieces into one reused buffer: each chunk is valid only until
 * the next is requested, which every consumer here respects (tar and zstd writes are awaited,
 * gunzip's write callback fires once zlib consumed the input). Fresh buffers per chunk would
 * leave hundreds of MiB of garbage for the GC to find late.
 */
async function* readChunks(
  file: Deno.FsFile,
  onChunk: (chunk: Uint8Array) => void,
): AsyncGenerator<Uint8Array> {
  const buf = new Uint8Array(CHUNK);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) return;
    const chunk = buf.subarray(0, n);
    onChunk(chunk);
    yield chunk;
  }
}

/** Removes `path` entirely, making read-only directories writable first if needed. */
async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
    return;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    if (!(e instanceof Deno.errors.PermissionDenied)) {
      log.warn("cannot remove partly extracted layer", { path, error: errText(e) });
      return;
    }
  }
  try {
    await makeWritable(path);
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    log.warn("cannot remove partly extracted layer", { path, error: errText(e) });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await Deno.chmod(dir, 0o700);
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) await makeWritable(`${dir}/${e.name}`);
  }
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
