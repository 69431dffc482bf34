/**
 * Finding the OCI runtime and conmon as the seed does: an absolute runtime path is used as is;
 * a name is looked up in the `runtimes` table, first regular file wins; conmon is the first
 * `conmon_path` entry that exists and is not a directory. No $PATH fallback.
 * @module
 */

import { ConfigError } from "../define/errors.ts";
import type { RuntimeConfig } from "./runtime_config.ts";

/** A located OCI runtime. */
export interface OciRuntimeLocation {
  name: string;
  path: string;
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw new ConfigError(`checking ${path}: ${(e as Error).message}`, { cause: e });
  }
}

function list(paths: string[]): string {
  return `[${paths.join(" ")}]`;
}

/** Locates the configured OCI runtime or throws an error listing what was tried. */
export function findOciRuntime(cfg: RuntimeConfig): OciRuntimeLocation {
  const wanted = cfg.runtime;
  if (wanted.startsWith("/")) {
    const st = statOrNull(wanted);
    if (!st) throw new ConfigError(`the specified OCI runtime ${wanted} does not exist`);
    if (!st.isFile) {
      throw new ConfigError(`the specified OCI runtime ${wanted} is not a valid file`);
    }
    return { name: wanted.slice(wanted.lastIndexOf("/") + 1), path: wanted };
  }
  const candidates = cfg.runtimes[wanted] ?? [];
  for (const path of candidates) {
    const st = statOrNull(path);
    if (st?.isFile) return { name: wanted, path };
  }
  const known = Object.keys(cfg.runtimes).sort().join(", ") || "none";
  throw new ConfigError(
    `could not find a working binary for OCI runtime "${wanted}" (configured options:` +
      ` ${list(candidates)}; runtimes configured: ${known})`,
  );
}

/** Locates conmon or throws an error listing what was tried. */
export function findConmon(cfg: RuntimeConfig): string {
  for (const path of cfg.conmonPath) {
    const st = statOrNull(path);
    if (st && !st.isDirectory) return path;
  }
  throw new ConfigError(
    `could not find a working conmon binary (configured options: ${list(cfg.conmonPath)})`,
  );
}
