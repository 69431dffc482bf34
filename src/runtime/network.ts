/**
 * The CNI network backend of an open Runtime (made on first use), and the `network` verbs:
 * create, ls, inspect, rm (-f removes the containers using it), exists, prune.
 * @module
 */

import { ConflictError, UsageError } from "../define/errors.ts";
import {
  CniBackend,
  type CreateNetworkOptions,
  DEFAULT_NETNS_DIR,
  type NetworkInfo,
} from "../network/mod.ts";
import type { Runtime } from "./runtime.ts";

const cache = new WeakMap<Runtime, CniBackend>();

/** The CNI backend of `rt`. */
export function networkBackend(rt: Runtime): CniBackend {
  let b = cache.get(rt);
  if (!b) {
    const cfg = rt.config.runtime;
    b = new CniBackend({
      configDir: cfg.cniConfigDir,
      pluginDirs: cfg.cniPluginDir,
      defaultNetwork: cfg.cniDefaultNetwork,
      netnsDir: rt.config.rootless ? `${rt.config.runtimeDir}/netns` : DEFAULT_NETNS_DIR,
    });
    cache.set(rt, b);
  }
  return b;
}

/** Names of the networks a container joins (the default one when it names none). */
export function containerNetworks(
  rt: Runtime,
  rec: { config: { network: { mode: string; networks: string[] } } },
): string[] {
  if (rec.config.network.mode !== "bridge") return [];
  return rec.config.network.networks.length
    ? rec.config.network.networks
    : [rt.config.runtime.cniDefaultNetwork];
}

/** `network ls`. */
export async function listNetworks(rt: Runtime, filters: string[] = []): Promise<NetworkInfo[]> {
  const b = networkBackend(rt);
  await b.ensureDefault();
  let list = await b.list();
  for (const f of filters) {
    const [k, v = ""] = f.split(/=(.*)/s);
    if (k === "name") list = list.filter((n) => new RegExp(v).test(n.name));
    else if (k === "driver") list = list.filter((n) => n.driver === v);
    else if (k === "id") list = list.filter((n) => n.id.startsWith(v));
    else if (k === "label") {
      const [lk, lv] = v.split(/=(.*)/s);
      list = list.filter((n) => lk! in n.labels && (lv === undefined || n.labels[lk!] === lv));
    } else throw new UsageError(`invalid filter "${f}": unknown key "${k}"`);
  }
  return list;
}

/** `network create`. */
export async function createNetwork(
  rt: Runtime,
  name: string,
  opts: CreateNetworkOptions,
): Promise<NetworkInfo> {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    throw new UsageError(
      `network name ${name} invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`,
    );
  }
  const b = networkBackend(rt);
  await b.ensureDefault();
  if (await b.exists(name)) {
    throw new ConflictError("network", `network name ${name} already used: network already exists`);
  }
  return await b.create(name, opts);
}

/** `network inspect`. */
export async function inspectNetwork(rt: Runtime, name: string): Promise<Record<string, unknown>> {
  const b = networkBackend(rt);
  await b.ensureDefault();
  return await b.inspect(name);
}

/** `network exists`. */
export async function networkExists(rt: Runtime, name: string): Promise<boolean> {
  const b = networkBackend(rt);
  await b.ensureDefault();
  return await b.exists(name);
}

/** Containers that join network `name`. */
function users(rt: Runtime, name: string): string[] {
  return rt.state.allContainers().filter((c) => containerNetworks(rt, c).includes(name)).map((c) =>
    c.config.id
  );
}

/** `network rm [-f]`: with force, the containers using it are removed first. */
export async function removeNetwork(
  rt: Runtime,
  nameOrId: string,
  options: { force?: boolean; removeContainer?: (id: string) => Promise<unknown> } = {},
): Promise<string> {
  const b = networkBackend(rt);
  const info = await b.find(nameOrId);
  const using = users(rt, info.name);
  if (using.length && !options.force) {
    throw new ConflictError(
      "network",
      `"${info.name}" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used`,
    );
  }
  for (const id of using) await options.removeContainer?.(id);
  await b.remove(info.name);
  return info.name;
}

/** `network prune`: every network no container uses (never the default). */
export async function pruneNetworks(rt: Runtime): Promise<string[]> {
  const b = networkBackend(rt);
  await b.ensureDefault();
  const gone: string[] = [];
  for (const n of await b.list()) {
    if (n.name === rt.config.runtime.cniDefaultNetwork || users(rt, n.name).length) continue;
    await b.remove(n.name);
    gone.push(n.name);
  }
  return gone;
}
