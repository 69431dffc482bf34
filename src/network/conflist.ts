/**
 * CNI network configuration lists (`*.conflist`) in `cni_config_dir`: parsing with validation,
 * loading a directory, writing `<name>.conflist`, and reading the facts skiff reports about a
 * network (driver, subnets, bridge name, labels). Like podman 4.3.1 only `*.conflist` files are
 * loaded; a file that cannot be used is skipped with a warning so that one broken foreign file
 * does not break every network command.
 * @module
 */

import { ConfigError } from "../define/errors.ts";
import { atomicWrite } from "../util/atomic_write.ts";
import { log } from "../util/logger.ts";

/** One plugin entry of a conflist; `type` names the plugin binary. */
export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

/** A parsed conflist. */
export interface ConfList {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
  disableCheck?: boolean;
  /** podman keeps `podman_labels` (and `podman_options`) here. */
  args?: { "podman_labels"?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** A conflist loaded from disk. */
export interface LoadedConfList {
  conf: ConfList;
  /** The file it came from. */
  path: string;
  /** The file's modification time (podman reports it as the network's creation time). */
  mtime: Date;
  /** The exact bytes of the file, cached with each result so that DEL uses what ADD used. */
  bytes: Uint8Array;
}

/** Network names podman accepts. */
export const NAME_PATTERN: RegExp = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parses and validates conflist text: a JSON object with a valid `name`, a string `cniVersion`
 * and a non-empty `plugins` array whose entries each name a plugin `type` (a bare file name).
 * @throws {ConfigError} naming `source` and what is wrong
 */
export function parseConflist(text: string, source: string): ConfList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: invalid json: ${(e as Error).message}`, { cause: e });
  }
  if (!isObject(raw)) throw new ConfigError(`${source}: a conflist must be a json object`);
  const { name, cniVersion, plugins } = raw;
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new ConfigError(`${source}: invalid network name ${JSON.stringify(name ?? null)}`);
  }
  if (typeof cniVersion !== "string" || !/^\d+\.\d+\.\d+$/.test(cniVersion)) {
    throw new ConfigError(`${source}: invalid cniVersion ${JSON.stringify(cniVersion ?? null)}`);
  }
  if (!Array.isArray(plugins) || plugins.length === 0) {
    throw new ConfigError(`${source}: "plugins" must be a non-empty array`);
  }
  plugins.forEach((p, i) => {
    if (
      !isObject(p) || typeof p.type !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(p.type)
    ) {
      throw new ConfigError(`${source}: plugin ${i} has no valid "type"`);
    }
    if (p.capabilities !== undefined && !isObject(p.capabilities)) {
      throw new ConfigError(
        `${source}: plugin ${i} ("${p.type}"): "capabilities" must be an object`,
      );
    }
  });
  if (raw.args !== undefined && !isObject(raw.args)) {
    throw new ConfigError(`${source}: "args" must be an object`);
  }
  return raw as ConfList;
}

/**
 * Loads every `*.conflist` in `dir`, sorted by file name. Unusable files and second networks
 * with an already loaded name are skipped with a warning. A missing directory holds no networks.
 */
export async function readConflists(dir: string): Promise<LoadedConfList[]> {
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.name.endsWith(".conflist") && !e.isDirectory) files.push(e.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  files.sort();
  const out: LoadedConfList[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const path = `${dir.replace(/\/+$/, "")}/${f}`;
    try {
      const bytes = await Deno.readFile(path);
      const stat = await Deno.stat(path);
      const conf = parseConflist(new TextDecoder().decode(bytes), path);
      const first = seen.get(conf.name);
      if (first !== undefined) {
        log.warn(`network "${conf.name}" is already defined in ${first}: ignoring ${path}`);
        continue;
      }
      seen.set(conf.name, path);
      out.push({ conf, path, mtime: stat.mtime ?? new Date(0), bytes });
    } catch (e) {
      if (e instanceof ConfigError) log.warn(`skipping network config: ${e.message}`);
      else if (e instanceof Deno.errors.NotFound) continue; // removed while we listed it
      else throw e;
    }
  }
  return out;
}

/** Writes `conf` to `<dir>/<name>.conflist` atomically and returns the path. */
export async function writeConflist(dir: string, conf: ConfList): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir.replace(/\/+$/, "")}/${conf.name}.conflist`;
  await atomicWrite(path, JSON.stringify(conf, null, 3) + "\n", { mode: 0o644 });
  return path;
}

/** The first plugin, which makes the interface (bridge, macvlan …). */
export function mainPlugin(conf: ConfList): PluginConf {
  return conf.plugins[0]!;
}

/** The IPAM section of the main plugin, if any. */
export function ipamOf(conf: ConfList): Record<string, unknown> | undefined {
  const ipam = mainPlugin(conf).ipam;
  return isObject(ipam) ? ipam : undefined;
}

/** One address range of a network, as host-local's `ranges` describe it. */
export interface RangeInfo {
  subnet: string;
  gateway?: string;
  rangeStart?: string;
  rangeEnd?: string;
}

/** The address ranges of a network: host-local `ranges` (or the older single `subnet`). */
export function rangesOf(conf: ConfList): RangeInfo[] {
  const ipam = ipamOf(conf);
  if (!ipam) return [];
  const pick = (r: Record<string, unknown>): RangeInfo | null => {
    if (typeof r.subnet !== "string") return null;
    const out: RangeInfo = { subnet: r.subnet };
    for (const k of ["gateway", "rangeStart", "rangeEnd"] as const) {
      if (typeof r[k] === "string") out[k] = r[k] as string;
    }
    return out;
  };
  const out: RangeInfo[] = [];
  if (Array.isArray(ipam.ranges)) {
    for (const set of ipam.ranges) {
      if (!Array.isArray(set)) continue;
      for (const r of set) {
        const p = isObject(r) ? pick(r) : null;
        if (p) out.push(p);
      }
    }
  } else {
    const p = pick(ipam);
    if (p) out.push(p);
  }
  return out;
}

/** The bridge interface name of a bridge network, if it is one. */
export function bridgeNameOf(conf: ConfList): string | undefined {
  const p = mainPlugin(conf);
  return p.type === "bridge" && typeof p.bridge === "string" ? p.bridge : undefined;
}

/** The labels podman stores in `args.podman_labels`. */
export function labelsOf(conf: ConfList): Record<string, string> {
  const l = conf.args?.podman_labels;
  if (!isObject(l)) return {};
  return Object.fromEntries(Object.entries(l).filter(([, v]) => typeof v === "string")) as Record<
    string,
    string
  >;
}

/** True when the network gives containers no route out (bridge without `isGateway`). */
export function isInternal(conf: ConfList): boolean {
  const p = mainPlugin(conf);
  return p.type === "bridge" && p.isGateway !== true;
}

/** The directory where host-local keeps this network's leases. */
export function ipamLeaseDir(conf: ConfList): string | undefined {
  const ipam = ipamOf(conf);
  if (!ipam || ipam.type !== "host-local") return undefined;
  const base = typeof ipam.dataDir === "string" ? ipam.dataDir : "/var/lib/cni/networks";
  return `${base.replace(/\/+$/, "")}/${conf.name}`;
}

/** Compares two `x.y.z` CNI versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number), pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
