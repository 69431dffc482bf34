/**
 * The libcni result cache: after a successful ADD, `<cacheDir>/results/<net>-<ctrid>-<ifname>`
 * keeps the exact conflist used (base64), the CNI_ARGS, the capability args and the result, in
 * libcni's `cniCacheV1` format (so cnitool or podman could DEL our attachments too). DEL reads
 * it back so that teardown uses what setup used, even after the conflist was edited or removed.
 * @module
 */

import { atomicWrite } from "../util/atomic_write.ts";

/** One cached attachment, in libcni's on-disk format. */
export interface CacheEntry {
  kind: "cniCacheV1";
  containerId: string;
  /** The conflist bytes, base64. */
  config: string;
  ifName: string;
  networkName: string;
  cniArgs: [string, string][];
  capabilityArgs: Record<string, unknown>;
  result: unknown;
}

/** The cache file of one attachment. */
export function cachePath(
  cacheDir: string,
  network: string,
  containerId: string,
  ifName: string,
): string {
  return `${cacheDir.replace(/\/+$/, "")}/results/${network}-${containerId}-${ifName}`;
}

/** Encodes bytes as base64. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Decodes base64 to bytes. */
export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** Writes the cache entry of an attachment (mode 0600 in a 0700 directory, like libcni). */
export async function writeCache(cacheDir: string, entry: CacheEntry): Promise<void> {
  await Deno.mkdir(`${cacheDir.replace(/\/+$/, "")}/results`, { recursive: true, mode: 0o700 });
  const path = cachePath(cacheDir, entry.networkName, entry.containerId, entry.ifName);
  await atomicWrite(path, JSON.stringify(entry), { mode: 0o600 });
}

/** Reads a cache entry; null when there is none or it cannot be used. */
export async function readCache(
  cacheDir: string,
  network: string,
  containerId: string,
  ifName: string,
): Promise<CacheEntry | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(cachePath(cacheDir, network, containerId, ifName));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const e = JSON.parse(text) as Partial<CacheEntry>;
    if (e.kind !== "cniCacheV1" || typeof e.config !== "string") return null;
    return {
      kind: "cniCacheV1",
      containerId: e.containerId ?? containerId,
      config: e.config,
      ifName: e.ifName ?? ifName,
      networkName: e.networkName ?? network,
      cniArgs: Array.isArray(e.cniArgs) ? e.cniArgs : [],
      capabilityArgs: e.capabilityArgs ?? {},
      result: e.result,
    };
  } catch {
    // A torn or foreign file: teardown falls back to the conflist on disk.
    return null;
  }
}

/** Removes a cache entry; a missing one is fine. */
export async function removeCache(
  cacheDir: string,
  network: string,
  containerId: string,
  ifName: string,
): Promise<void> {
  await Deno.remove(cachePath(cacheDir, network, containerId, ifName)).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
}
