/**
 * Streaming decompression of layer blobs. gzip goes through `node:zlib` (which handles
 * multi-member files); zstd goes through a `zstd -dc` child because the zstd decoders built
 * into Deno stop after the first frame, and layers made by concatenating frames exist.
 * Both keep only a few chunks in flight, so memory does not grow with the layer, and both
 * are done with an input chunk before they ask for the next one (the reader reuses it).
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { toolEnv } from "../sys/command.ts";
import { spawnStream } from "../sys/spawn_stream.ts";

/** A compression format a layer blob can use. */
export type Compression = "gzip" | "zstd" | "none";

/** The compressed stream cannot be decoded. */
export class DecompressError extends SkiffError {
  /** Whether the stream merely ended early or holds invalid data. */
  readonly problem: "truncated" | "corrupt";
  constructor(problem: "truncated" | "corrupt", message: string, cause?: unknown) {
    super(message, { cause });
    this.problem = problem;
  }
}

/** Detects the compression of a blob from its first bytes (4 are enough). */
export function detectCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  // A zstd file may start with a skippable frame: magic 0x184D2A50..5F, little-endian.
  if (
    ((head[0] ?? 0) & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18
  ) {
    return "zstd";
  }
  return "none";
}

/** Decompresses `source` as `kind`; stops the decoder when the consumer stops early. */
export function decompress(
  kind: Compression,
  source: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  if (kind === "gzip") return gunzip(source);
  if (kind === "zstd") return unzstd(source);
  return source;
}

async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const zlib = await import("node:zlib");
  // zlib allocates a fresh buffer per output chunk and V8 collects them late: on a 200 MB
  // layer RSS grew 34/45/58/83 MiB with 16/64/128/256 KiB chunks, at 114/185/~190/190 MB/s.
  const gz = zlib.createGunzip({ chunkSize: 64 * 1024 });
  // The iterator below reports errors; this keeps a late one (after we stopped reading) from
  // becoming an uncaught "error" event.
  gz.on("error", () => {});
  let stop = false;
  let feedError: unknown;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (stop) break;
        await consumed(gz, chunk);
      }
      if (!stop) gz.end();
    } catch (e) {
      feedError = e;
      gz.destroy();
    }
  })();
  try {
    try {
      for await (const out of gz) yield out as Uint8Array;
    } catch (e) {
      if (feedError !== undefined) throw feedError;
      const code = (e as { code?: string }).code;
      const msg = e instanceof Error ? e.message : String(e);
      if (code === "Z_BUF_ERROR" || /unexpected end/i.test(msg)) {
        throw new DecompressError("truncated", "unexpected end of gzip stream", e);
      }
      throw new DecompressError("corrupt", `invalid gzip data: ${msg}`, e);
    }
    await feed;
    if (feedError !== undefined) throw feedError;
  } finally {
    stop = true;
    gz.destroy();
    await feed;
  }
}

/**
 * Writes `chunk` and resolves once zlib has consumed it (the transform's callback) or the
 * stream was destroyed: the caller may then reuse the chunk's buffer.
 */
function consumed(gz: import("node:zlib").Gunzip, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      gz.off("close", done);
      resolve();
    };
    gz.on("close", done);
    gz.write(chunk, done);
  });
}

async function* unzstd(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const child = spawnStream(["zstd", "-d", "-c", "-q", "--no-progress"], {
    ...toolEnv(),
    stdout: "piped",
  });
  let stop = false;
  let feedError: unknown;
  let brokenPipe = false;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (stop) break;
        try {
          await child.write(chunk);
        } catch {
          // zstd exited (bad data) before reading everything; its status says why
          brokenPipe = true;
          break;
        }
      }
    } catch (e) {
      feedError = e;
      child.kill();
    } finally {
      await child.closeStdin();
    }
  })();
  try {
    if (child.stdout === null) throw new TypeError("zstd: stdout not piped");
    for await (const out of child.stdout) yield out;
    await feed;
    if (feedError !== undefined) throw feedError;
    const st = await child.status;
    if (st.code !== 0 || brokenPipe) {
      const err = st.stderr.trim().replace(/\s*\n\s*/g, "; ") || `exit ${st.code}`;
      const truncated = /premature end|truncated|unexpected end/i.test(err);
      throw new DecompressError(
        truncated ? "truncated" : "corrupt",
        truncated ? `unexpected end of zstd stream: ${err}` : `invalid zstd data: ${err}`,
      );
    }
  } finally {
    stop = true;
    child.kill();
    await child.status;
    await feed;
  }
}
