/**
 * The storage driver contract: where layer files live, how a layer is extracted and committed,
 * and how a container's root filesystem is made from a layer chain.
 * @module
 */

import type { ExtractResult } from "../extract_layer.ts";

/** A layer extracted into a staging directory, not yet visible under its ID. */
export interface StagedLayer {
  staging: string;
  result: ExtractResult;
}

/** A storage driver (overlay or vfs). */
export interface Driver {
  readonly name: "overlay" | "vfs";
  /** The directory holding a committed layer's files. */
  layerDir(id: string): string;
  /** True when a committed layer directory exists. */
  hasLayer(id: string): boolean;
  /**
   * Extracts `blobPath` into a fresh staging directory on top of `parent` (vfs needs the
   * parent's files); verifies digests when given. Leaves nothing behind on failure.
   */
  stageLayer(
    parent: string | null,
    blobPath: string,
    expect: { diffId?: string; blobDigest?: string },
    onProgress?: (bytes: number) => void,
  ): Promise<StagedLayer>;
  /** Moves a staged layer under its ID; false (and the staging removed) if it already existed. */
  commitLayer(staging: string, id: string): Promise<boolean>;
  /** Removes a staging directory. */
  discard(staging: string): Promise<void>;
  /** Removes a committed layer's files. */
  removeLayer(id: string): Promise<void>;
  /** The directory of a container's rootfs and metadata. */
  containerDir(ctrId: string): string;
  /** Prepares a container's writable layer over `chain` (bottom first). */
  createContainer(ctrId: string, chain: string[]): Promise<void>;
  /** Mounts (or prepares) the container's rootfs and returns its path. Idempotent. */
  mount(ctrId: string, chain: string[]): Promise<string>;
  /** Unmounts the container's rootfs; not mounted is fine. */
  unmount(ctrId: string): Promise<void>;
  /** True when the rootfs is mounted (vfs: always, once created). */
  isMounted(ctrId: string): boolean;
  /** The path of the container's writable changes (overlay upper dir; vfs rootfs). */
  changesDir(ctrId: string): string;
  /** Removes the container's rootfs and metadata directory (unmounting first). */
  removeContainer(ctrId: string): Promise<void>;
}

/**
 * Extracts `blobPath` into `<new staging dir>/<sub>` under `tmpRoot` (stale staging dirs of
 * dead processes are cleared first) and then runs `finish` on it; the staging dir is removed
 * again on any failure. Shared by the drivers' `stageLayer`.
 */
export async function extractToStaging(
  tmpRoot: string,
  sub: string,
  whiteouts: "overlay" | "keep",
  input: {
    blobPath: string;
    expect: { diffId?: string; blobDigest?: string };
    onProgress?: ((bytes: number) => void) | undefined;
  },
  finish?: (staging: string, result: ExtractResult) => Promise<void>,
): Promise<StagedLayer> {
  await Deno.mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  await cleanStaleStaging(tmpRoot);
  const staging = stagingName(tmpRoot);
  await Deno.mkdir(staging, { mode: 0o700 });
  try {
    // loaded only by commands that extract (load, import, commit)
    const { extractLayer } = await import("../extract_layer.ts");
    const result = await extractLayer({
      blobPath: input.blobPath,
      dest: `${staging}/${sub}`,
      whiteouts,
      ...(input.expect.diffId ? { diffId: input.expect.diffId } : {}),
      ...(input.expect.blobDigest ? { blobDigest: input.expect.blobDigest } : {}),
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    });
    await finish?.(staging, result);
    return { staging, result };
  } catch (e) {
    await removeTree(staging);
    throw e;
  }
}

/** Removes a directory tree that may hold read-only directories. */
export async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    // A layer may contain read-only directories; make them writable and retry once.
    const { runCommand } = await import("../../sys/command.ts");
    await runCommand(["chmod", "-R", "u+rwx", path], { allowFailure: true });
    await Deno.remove(path, { recursive: true }).catch((e2) => {
      if (!(e2 instanceof Deno.errors.NotFound)) throw e2;
    });
  }
}

/** A unique staging directory name under `dir`, carrying our PID for later clean-up. */
export function stagingName(dir: string): string {
  return `${dir}/${Deno.pid}-${crypto.randomUUID().slice(0, 12)}`;
}

/**
 * Removes staging directories left by processes that died (their PID is gone), so that a
 * `kill -9` during a load leaves only garbage that the next load clears.
 */
export async function cleanStaleStaging(dir: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = Array.from(Deno.readDirSync(dir));
  } catch {
    return;
  }
  for (const e of entries) {
    const pid = Number(e.name.split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === Deno.pid) continue;
    try {
      Deno.statSync(`/proc/${pid}`);
      continue; // still alive: someone is extracting
    } catch {
      await removeTree(`${dir}/${e.name}`);
    }
  }
}
