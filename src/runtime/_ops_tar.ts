/**
 * GNU tar as a child for the operational verbs (cp, export, commit): creating an archive of
 * named entries of a directory as a stream, and extracting a stream into a host directory.
 * Names are fed NUL-separated on stdin (`--null --verbatim-files-from -T -`), so no name is
 * ever taken for an option, and tar reads no options from the environment.
 * @module
 */

import { CommandError } from "../define/errors.ts";
import { toolEnv } from "../sys/command.ts";
import { spawnStream, type StreamChild } from "../sys/spawn_stream.ts";
import { log } from "../util/logger.ts";

async function checkStatus(child: StreamChild, what: string, creating = false): Promise<void> {
  const s = await child.status;
  if (creating && s.code === 1) {
    // "file changed as we read it": a running container keeps writing; the archive is whole
    log.warn(`${what}: ${s.stderr.trim().split("\n").slice(-1)[0] ?? "files changed"}`);
    return;
  }
  if (s.code !== 0) {
    const detail = s.stderr.trim().split("\n").filter((l) => l).slice(-3).join("; ");
    throw new CommandError(`${what}: ${detail || `tar exited with ${s.code}`}`, s.code, s.stderr);
  }
}

/** A tar archive being produced. */
export interface TarOutput {
  /** The archive bytes. */
  stream: ReadableStream<Uint8Array>;
  /** Resolves once tar exited successfully (read `stream` to its end first). */
  done: Promise<void>;
}

/** Options of {@linkcode createTar}. */
export interface CreateTarOptions {
  /** Archive only the named entries, not what directories hold. @default false */
  noRecursion?: boolean;
  /** Sort directory contents by name (deterministic output). @default true */
  sort?: boolean;
  /** What the archive is of, for error messages. @default "creating archive" */
  what?: string;
}

/**
 * Archives `names` (relative to `dir`, in order) with numeric owners and without following
 * symlinks. `dir` may be a `/proc/<pid>/fd/N` path naming an opened directory.
 */
export function createTar(dir: string, names: string[], options: CreateTarOptions = {}): TarOutput {
  const argv = [
    "tar",
    "--create",
    "--file=-",
    `--directory=${dir}`,
    "--numeric-owner",
    ...(options.sort ?? true ? ["--sort=name"] : []),
    ...(options.noRecursion ? ["--no-recursion"] : []),
    "--null",
    "--verbatim-files-from",
    "--files-from=-",
  ];
  const child = spawnStream(argv, { ...toolEnv(), stdout: "piped" });
  const feed = (async () => {
    const enc = new TextEncoder();
    // Feed in chunks: a huge list must not sit in one buffer, and tar reads as it goes.
    let batch = "";
    for (const n of names) {
      batch += `${n}\0`;
      if (batch.length > 1 << 16) {
        await child.write(enc.encode(batch));
        batch = "";
      }
    }
    if (batch) await child.write(enc.encode(batch));
    await child.closeStdin();
  })();
  feed.catch(() => {});
  const done = (async () => {
    await feed.catch(() => {});
    await checkStatus(child, options.what ?? "creating archive", true);
  })();
  done.catch(() => {});
  return { stream: child.stdout!, done };
}

/**
 * Extracts `source` into the host directory `dir` with GNU tar: permissions and times kept,
 * files owned by the calling user (`--no-same-owner`), as podman copies to the host.
 */
export async function extractTarOnHost(
  dir: string,
  source: ReadableStream<Uint8Array>,
  what = "copying to host",
): Promise<void> {
  const child = spawnStream([
    "tar",
    "--extract",
    "--file=-",
    `--directory=${dir}`,
    "--no-same-owner",
    "--preserve-permissions",
  ], toolEnv());
  try {
    for await (const chunk of source) await child.write(chunk);
  } catch (e) {
    // tar may have stopped reading because it failed: its own message says why
    await child.closeStdin();
    if ((await child.status).code !== 0) await checkStatus(child, what);
    child.kill();
    throw e;
  }
  await child.closeStdin();
  await checkStatus(child, what);
}
