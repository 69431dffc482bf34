/**
 * The first rootless run writes the user's libpod.conf (seed behaviour): created exclusively so
 * that two first runs racing never clobber each other, and removed again if writing fails.
 * @module
 */

import { ConfigError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { encodeConfig } from "./_decode.ts";
import type { ResolvedConfig } from "./load.ts";

/** Writes `resolved.pendingUserFile` if there is one; a file that appeared meanwhile wins. */
export async function writePendingUserFile(resolved: ResolvedConfig): Promise<void> {
  const pending = resolved.pendingUserFile;
  if (!pending) return;
  const text = await encodeConfig(pending.config);
  const dir = pending.path.slice(0, pending.path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  let file: Deno.FsFile;
  try {
    file = await Deno.open(pending.path, { write: true, createNew: true, mode: 0o644 });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return; // another first run won the race
    throw new ConfigError(`creating configuration file ${pending.path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  try {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    file.close();
  } catch (e) {
    try {
      file.close();
    } catch { /* already closed */ }
    await Deno.remove(pending.path).catch(() => {});
    throw new ConfigError(`writing configuration file ${pending.path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  resolved.pendingUserFile = null;
  log.debug("wrote rootless configuration file", { path: pending.path });
}
