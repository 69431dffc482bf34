/**
 * Telling image archives apart and reading them: {@linkcode detectArchiveFormat} looks at a
 * path, {@linkcode readImageArchive} reads a docker-archive, an oci-archive (a file, stdin or a
 * stream; gzip-compressed too) or an OCI layout directory into verified images. Formats are
 * tried in podman's order: an OCI layout first, then docker-archive.
 * @module
 */

import { ArchiveError, type ArchiveFormat, type ReadArchiveResult } from "./archive_types.ts";
import {
  compressionOf,
  fileChunks,
  LayoutDir,
  normalizeMemberName,
  SpooledTar,
  zlibChunks,
} from "./_archive_io.ts";
import { readDockerArchiveMembers } from "./docker_archive.ts";
import { ImageJsonError } from "./image_config.ts";
import { readOciLayoutMembers } from "./oci_archive.ts";
import { readTar, TarError, type TarSource } from "./tar_reader.ts";

/** The first chunk of a stream and a stream that still yields everything. */
async function peek(
  stream: ReadableStream<Uint8Array>,
): Promise<[Uint8Array, ReadableStream<Uint8Array>]> {
  const reader = stream.getReader();
  const first = await reader.read();
  const head = first.done ? new Uint8Array(0) : first.value;
  const rest = new ReadableStream<Uint8Array>({
    start: (c) => {
      if (head.length > 0) c.enqueue(head);
    },
    pull: async (c) => {
      const r = await reader.read();
      if (r.done) c.close();
      else c.enqueue(r.value);
    },
    cancel: (why) => reader.cancel(why),
  }, { highWaterMark: 0 });
  return [head, rest];
}

/** A tar source for `input`, decompressing gzip; throws on other compressions. */
function tarSource(
  head: Uint8Array,
  input: ReadableStream<Uint8Array> | Deno.FsFile,
  archive: string,
): TarSource {
  const c = compressionOf(head);
  if (c === "gzip") {
    const chunks = input instanceof ReadableStream ? input : fileChunks(input);
    return ReadableStream.from(zlibChunks(chunks, "gunzip"));
  }
  if (c !== "none") {
    throw new ArchiveError(archive, `the archive is ${c}-compressed; decompress it first`);
  }
  return input instanceof ReadableStream ? input : { file: input };
}

async function openFile(path: string): Promise<[Uint8Array, Deno.FsFile]> {
  const file = await Deno.open(path);
  const head = new Uint8Array(4);
  const n = (await file.read(head)) ?? 0;
  await file.seek(0, Deno.SeekMode.Start);
  return [head.subarray(0, n), file];
}

/**
 * The format of the archive or layout at `path`, from its member names only (nothing is
 * verified): "oci-dir" for a directory with index.json, "oci-archive" for a tar with
 * index.json, "docker-archive" for a tar with manifest.json; null otherwise or when the file
 * is not a tar. Missing files throw Deno.errors.NotFound.
 */
export async function detectArchiveFormat(path: string): Promise<ArchiveFormat | null> {
  const st = await Deno.stat(path);
  if (st.isDirectory) {
    try {
      return (await Deno.stat(`${path}/index.json`)).isFile ? "oci-dir" : null;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
  }
  const [head, file] = await openFile(path);
  let found: ArchiveFormat | null = null;
  try {
    for await (const { header } of readTar(tarSource(head, file, path), { name: path })) {
      const name = normalizeMemberName(header.name);
      if (name === "index.json") return "oci-archive";
      if (name === "manifest.json") found = "docker-archive";
    }
  } catch (e) {
    // A malformed tar or gzip stream is simply not a format we recognise; I/O errors are real.
    if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotFound) throw e;
  } finally {
    file.close();
  }
  return found;
}

function describe(e: unknown): string {
  if (e instanceof TarError) {
    return e.detail.startsWith("not a tar") || e.detail.startsWith("empty file")
      ? e.detail
      : `invalid tar: ${e.detail}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Reads the images of an archive or OCI layout. A tar (a file path, or "-" or a stream for
 * stdin) is spooled member by member into `spoolDir` — created by the caller, on the same
 * filesystem as the store so that layer blobs can be renamed into place — under names chosen
 * here, so no member name can reach outside it. Every config, manifest and blob is checked
 * against its digest. What remains in `spoolDir` afterwards are the returned layer files
 * (`owned` true); a layout directory is read in place (`owned` false). `onProgress` gets the
 * archive bytes read so far. Any problem — not an archive, truncated, no images, a missing
 * member, a wrong digest — is one ArchiveError naming the archive and what is wrong.
 */
export async function readImageArchive(
  source: string | ReadableStream<Uint8Array>,
  spoolDir: string,
  onProgress?: (bytes: number) => void,
): Promise<ReadArchiveResult> {
  const archive = typeof source === "string" && source !== "-" ? source : "stdin";
  const fail = (e: unknown): never => {
    throw new ArchiveError(
      archive,
      `reading image archive ${JSON.stringify(archive)}: ${describe(e)}`,
      {
        cause: e,
      },
    );
  };
  let input: ReadableStream<Uint8Array> | Deno.FsFile;
  let head: Uint8Array;
  if (typeof source === "string" && source !== "-") {
    let st: Deno.FileInfo;
    try {
      st = await Deno.stat(source);
    } catch (e) {
      return fail(e instanceof Deno.errors.NotFound ? "no such file or directory" : e);
    }
    if (st.isDirectory) {
      const dir = new LayoutDir(source, onProgress);
      if ((await dir.get("index.json")) === null) {
        return fail("a directory without index.json is not an OCI layout");
      }
      try {
        return { format: "oci-dir", images: await readOciLayoutMembers(dir) };
      } catch (e) {
        return fail(e);
      }
    }
    [head, input] = await openFile(source);
  } else {
    [head, input] = await peek(typeof source === "string" ? Deno.stdin.readable : source);
  }
  let spooled: SpooledTar;
  try {
    if (head.length === 0) fail("empty file: not a tar archive");
    spooled = await SpooledTar.spool(
      tarSource(head, input, archive),
      spoolDir,
      archive,
      onProgress,
    );
  } catch (e) {
    if (e instanceof ArchiveError && e.message.startsWith("reading image archive")) throw e;
    return fail(e);
  } finally {
    if (!(input instanceof ReadableStream)) input.close();
  }
  const names = new Set(spooled.names());
  try {
    let result: ReadArchiveResult;
    if (names.has("index.json")) {
      try {
        result = { format: "oci-archive", images: await readOciLayoutMembers(spooled) };
      } catch (e) {
        if (!names.has("manifest.json")) throw e;
        try {
          result = { format: "docker-archive", images: await readDockerArchiveMembers(spooled) };
        } catch {
          throw e;
        }
      }
    } else if (names.has("manifest.json")) {
      result = { format: "docker-archive", images: await readDockerArchiveMembers(spooled) };
    } else if (names.size === 0) {
      throw new ArchiveError(archive, "the archive is empty");
    } else {
      throw new ArchiveError(
        archive,
        "not an image archive: it has neither manifest.json (docker-archive) nor index.json (oci-archive)",
      );
    }
    await spooled.cleanup(new Set(result.images.flatMap((i) => i.layers.map((l) => l.path))));
    return result;
  } catch (e) {
    await spooled.cleanup(new Set());
    if (e instanceof ArchiveError || e instanceof ImageJsonError) return fail(e);
    throw e;
  }
}
