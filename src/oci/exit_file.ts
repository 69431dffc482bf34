/**
 * conmon's exit files: `<exit-dir>/<container id>`, holding the container's exit status as
 * decimal text without a newline (`3`, `137` = 128 + SIGKILL, `-1` when unknown), written once
 * when the container's init process exits.
 * @module
 */

import { SkiffError } from "../define/errors.ts";

/** What an exit file says. */
export interface ExitFile {
  /** The exit status: the process's code, 128 + signal number, or -1 when conmon did not know. */
  code: number;
  /** When conmon wrote the file (its mtime; podman reads the ctime, which Deno has in seconds). */
  finishedAt: Date;
}

/** Parses exit-file text; null for an empty file (conmon is still writing it). */
export function parseExitCode(text: string, path: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  if (!/^-?\d+$/.test(t)) {
    throw new SkiffError(`parsing exit file ${path}: ${JSON.stringify(t)} is not a number`);
  }
  return Number(t);
}

/** The exit file of container `id` in `exitDir`, or null when the container has not exited. */
export function readExitFile(exitDir: string, id: string): ExitFile | null {
  const path = `${exitDir}/${id}`;
  let text: string;
  let info: Deno.FileInfo;
  try {
    text = Deno.readTextFileSync(path);
    info = Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new SkiffError(`reading exit file ${path}: ${e}`, { cause: e });
  }
  const code = parseExitCode(text, path);
  if (code === null) return null;
  return { code, finishedAt: info.mtime ?? info.ctime ?? new Date() };
}

/** Options for {@linkcode waitExitFile}. */
export interface WaitExitFileOptions {
  /** Give up (and return null) after this long. @default 5000 */
  timeoutMs?: number;
  /** How often to look. @default 20 */
  intervalMs?: number;
}

/** Polls for container `id`'s exit file; null when it did not appear in time. */
export async function waitExitFile(
  exitDir: string,
  id: string,
  options: WaitExitFileOptions = {},
): Promise<ExitFile | null> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (;;) {
    const exit = readExitFile(exitDir, id);
    if (exit || Date.now() >= deadline) return exit;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 20));
  }
}

/** Removes container `id`'s exit file, if there is one (before the container runs again). */
export async function removeExitFile(exitDir: string, id: string): Promise<void> {
  try {
    await Deno.remove(`${exitDir}/${id}`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
