/**
 * Attaching a container to its networks and detaching it, libcni-style:
 *
 * - **ADD** runs the plugins of a conflist in order, each getting the previous plugin's result
 *   as `prevResult`; the final result is cached (`cni_cache.ts`) and returned. When a plugin
 *   fails, the plugins of that network are DELeted again (in reverse, with the partial result),
 *   so nothing is left half-configured.
 * - **DEL** runs the plugins in reverse order with the cached conflist, CNI_ARGS, capability
 *   args and (for cniVersion ≥ 0.4.0) the cached result as `prevResult`; without a cache it uses
 *   the conflist on disk and the caller's ports. It is idempotent: a missing cache, conflist or
 *   namespace is not an error. When the namespace is gone, `CNI_NETNS` is empty (plugins then
 *   only release what lives outside it) and skiff removes the bridge's ipMasq rules itself.
 *   A plugin failing does not stop the others; the first error is reported afterwards and the
 *   cache kept, so that a retry can finish the job.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { removeIpMasqRules } from "./_ipmasq.ts";
import {
  type CacheEntry,
  fromBase64,
  readCache,
  removeCache,
  toBase64,
  writeCache,
} from "./cni_cache.ts";
import {
  buildPluginEnv,
  buildPluginStdin,
  execPlugin,
  findPlugin,
  type RuntimeConf,
} from "./cni_exec.ts";
import { compareVersions, type ConfList, parseConflist } from "./conflist.ts";
import { isNetnsMounted } from "./netns.ts";

/** What attaching to one network gave the container. */
export interface AttachResult {
  /** The network name. */
  network: string;
  /** The interface in the container (`eth0`, `eth1` …). */
  ifName: string;
  /** The container's address on this network (IPv4 preferred), or "" when it got none. */
  ip: string;
  /** The prefix length of `ip`. */
  prefixLen: number;
  /** The gateway the plugin reported, or "". */
  gateway: string;
  /** The interface's MAC address, or "". */
  mac: string;
  /** The full CNI result. */
  raw: unknown;
}

/** Where plugins and the cache are. */
export interface CniContext {
  pluginDirs: string[];
  cacheDir: string;
}

/** A network to attach: its conflist and the exact bytes it was read from. */
export interface NetworkConf {
  conf: ConfList;
  bytes: Uint8Array;
}

interface CniResultShape {
  interfaces?: { name?: string; mac?: string; sandbox?: string }[];
  ips?: { version?: string; interface?: number; address?: string; gateway?: string }[];
}

/** Reads the container-side address, gateway and MAC of `ifName` from a CNI result. */
export function attachResult(network: string, ifName: string, result: unknown): AttachResult {
  const r = (result ?? {}) as CniResultShape;
  const ifaces = Array.isArray(r.interfaces) ? r.interfaces : [];
  const mine = ifaces.findIndex((i) => i.name === ifName && !!i.sandbox);
  const ips = (Array.isArray(r.ips) ? r.ips : []).filter((x) =>
    typeof x.address === "string" && (mine < 0 || x.interface === undefined || x.interface === mine)
  );
  const ip = ips.find((x) => !x.address!.includes(":")) ?? ips[0];
  const [addr = "", len = "0"] = (ip?.address ?? "").split("/");
  return {
    network,
    ifName,
    ip: addr,
    prefixLen: Number(len),
    gateway: ip?.gateway ?? "",
    mac: mine >= 0 ? ifaces[mine]!.mac ?? "" : "",
    raw: result,
  };
}

/** Checks that every plugin of `net` exists, before anything is configured. */
export async function checkPlugins(ctx: CniContext, net: ConfList): Promise<void> {
  for (const p of net.plugins) await findPlugin(p.type, ctx.pluginDirs, net.name);
}

async function runPlugins(
  ctx: CniContext,
  command: "ADD" | "DEL",
  net: ConfList,
  rt: RuntimeConf,
  prevResult: unknown,
  onEach?: (result: unknown) => void,
): Promise<unknown> {
  const env = buildPluginEnv(command, rt, ctx.pluginDirs);
  const plugins = command === "ADD" ? net.plugins : [...net.plugins].reverse();
  let prev = prevResult;
  let firstError: unknown;
  for (const plugin of plugins) {
    try {
      const path = await findPlugin(plugin.type, ctx.pluginDirs, net.name);
      const stdin = buildPluginStdin(plugin, net, prev, rt.capabilityArgs);
      const started = performance.now();
      const out = await execPlugin({ path, command, network: net.name, stdin, env });
      log.debug("cni plugin done", {
        network: net.name,
        plugin: plugin.type,
        command,
        ms: Math.round(performance.now() - started),
      });
      if (command === "ADD") {
        prev = out;
        onEach?.(out);
      }
    } catch (e) {
      if (command === "ADD") throw e;
      log.warn(`tearing down network "${net.name}": ${(e as Error).message}`);
      firstError ??= e;
    }
  }
  if (firstError !== undefined) throw firstError;
  return prev;
}

function supportsPrevResultOnDel(net: ConfList): boolean {
  return compareVersions(net.cniVersion, "0.4.0") >= 0;
}

/**
 * ADDs one network; caches and returns the result. On failure, DELs what was done (reverse
 * order, partial result) and rethrows the plugin's error.
 */
export async function addNetwork(
  ctx: CniContext,
  net: NetworkConf,
  rt: RuntimeConf,
): Promise<AttachResult> {
  let partial: unknown;
  let result: unknown;
  try {
    result = await runPlugins(ctx, "ADD", net.conf, rt, undefined, (r) => partial = r);
  } catch (e) {
    const prev = supportsPrevResultOnDel(net.conf) ? partial : undefined;
    await runPlugins(ctx, "DEL", net.conf, rt, prev).catch((d) =>
      log.warn(`rolling back network "${net.conf.name}": ${(d as Error).message}`)
    );
    throw e;
  }
  const entry: CacheEntry = {
    kind: "cniCacheV1",
    containerId: rt.containerId,
    config: toBase64(net.bytes),
    ifName: rt.ifName,
    networkName: net.conf.name,
    cniArgs: rt.args,
    capabilityArgs: rt.capabilityArgs,
    result,
  };
  try {
    await writeCache(ctx.cacheDir, entry);
  } catch (e) {
    await runPlugins(ctx, "DEL", net.conf, rt, result).catch(() => {});
    throw new SkiffError(
      `caching the result of network "${net.conf.name}": ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  return attachResult(net.conf.name, rt.ifName, result);
}

/** Whether `path` still names a usable network namespace. */
async function netnsUsable(path: string): Promise<boolean> {
  if (path === "") return false;
  try {
    await Deno.stat(path);
  } catch {
    return false;
  }
  return path.startsWith("/proc/") || await isNetnsMounted(path);
}

/**
 * DELs one attachment. `fallback` is used when no cache entry exists (the conflist on disk, or
 * null when the network is gone too, in which case there is nothing left to undo).
 */
export async function delNetwork(
  ctx: CniContext,
  network: string,
  rt: RuntimeConf,
  fallback: NetworkConf | null,
): Promise<void> {
  const cached = await readCache(ctx.cacheDir, network, rt.containerId, rt.ifName);
  let conf: ConfList;
  let prev: unknown;
  let runtime = rt;
  if (cached) {
    try {
      conf = parseConflist(
        new TextDecoder().decode(fromBase64(cached.config)),
        `cached ${network}`,
      );
    } catch (e) {
      if (!fallback) throw e;
      conf = fallback.conf;
    }
    prev = cached.result;
    runtime = { ...rt, args: cached.cniArgs, capabilityArgs: cached.capabilityArgs };
  } else if (fallback) {
    conf = fallback.conf;
  } else {
    log.debug("nothing to tear down", { network, containerId: rt.containerId, ifName: rt.ifName });
    return;
  }
  const nsOk = await netnsUsable(rt.netns);
  if (!nsOk) runtime = { ...runtime, netns: "" };
  await runPlugins(ctx, "DEL", conf, runtime, supportsPrevResultOnDel(conf) ? prev : undefined);
  if (!nsOk && prev !== undefined) await removeIpMasqRules(conf, rt.containerId, prev);
  await removeCache(ctx.cacheDir, network, rt.containerId, rt.ifName);
}
