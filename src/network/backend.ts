/**
 * The CNI network backend: network definitions in `cni_config_dir` (list, inspect, create,
 * remove, and the default network written on first use) and attaching containers to them.
 *
 * Concurrency: everything that changes networks or runs plugins holds an exclusive `flock` on
 * `<configDir>/cni.lock` (podman 4 uses the same file name), because host-local leases and the
 * iptables plugins race between processes. Holding it across setup/teardown makes them
 * serialise across every skiff process on the host.
 * @module
 */

import type { PortMapping } from "../define/container.ts";
import { ConflictError, NotFoundError, SkiffError, UsageError } from "../define/errors.ts";
import { runCommand } from "../sys/command.ts";
import { log } from "../util/logger.ts";
import { hostSubnets, parseCidr, parseIp, subnetContains } from "./cidr.ts";
import type { RuntimeConf } from "./cni_exec.ts";
import {
  bridgeNameOf,
  ipamLeaseDir,
  type LoadedConfList,
  parseConflist,
  rangesOf,
  readConflists,
  writeConflist,
} from "./conflist.ts";
import { DEFAULT_NETNS_DIR } from "./netns.ts";
import {
  buildBridgeConflist,
  type CreateNetworkOptions,
  inspectNetwork,
  networkId,
  type NetworkInfo,
  networkInfo,
} from "./networks.ts";
import {
  addNetwork,
  type AttachResult,
  checkPlugins,
  type CniContext,
  delNetwork,
} from "./setup.ts";

/** Where the backend finds and keeps things. */
export interface NetworkBackendOptions {
  /** `cni_config_dir`: the conflists, and `cni.lock`. */
  configDir: string;
  /** `cni_plugin_dir`: searched in order for plugin binaries. */
  pluginDirs: string[];
  /** The network used when a container names none (`cni_default_network`). */
  defaultNetwork: string;
  /** libcni's cache (results under `results/`). @default "/var/lib/cni" */
  cacheDir?: string;
  /** Where {@linkcode createNetns} mounts namespaces for this backend's users. @default "/run/netns" */
  netnsDir?: string;
  /** host-local's lease directory for networks this backend writes; host-local's own default when unset. */
  ipamDataDir?: string;
}

/** A container to attach. */
export interface SetupRequest {
  containerId: string;
  containerName: string;
  /** The namespace made by `createNetns`. */
  netnsPath: string;
  /** Networks in interface order (`eth0`, `eth1` …); empty means the default network. */
  networks: string[];
  ports: PortMapping[];
  /** A fixed address (host-local `CNI_ARGS IP=`); only with a single network. */
  staticIp?: string;
}

/**
 * A container to detach: the same networks (by name, as in `AttachResult.network`, in setup
 * order so that `eth<i>` matches) and ports it was attached with.
 */
export type TeardownRequest = Omit<SetupRequest, "staticIp">;

const DEFAULT_CONFLIST = new URL("../../conf/skiff.conflist", import.meta.url);

/** The CNI backend; see the module documentation for its locking contract. */
export class CniBackend {
  readonly #opts: Required<Omit<NetworkBackendOptions, "ipamDataDir">> & { ipamDataDir?: string };

  constructor(opts: NetworkBackendOptions) {
    this.#opts = {
      ...opts,
      configDir: opts.configDir.replace(/(.)\/+$/, "$1"),
      cacheDir: opts.cacheDir ?? "/var/lib/cni",
      netnsDir: opts.netnsDir ?? DEFAULT_NETNS_DIR,
    };
  }

  /** The directory network namespaces should be created in. */
  get netnsDir(): string {
    return this.#opts.netnsDir;
  }

  /** The default network's name. */
  get defaultNetwork(): string {
    return this.#opts.defaultNetwork;
  }

  get #ctx(): CniContext {
    return { pluginDirs: this.#opts.pluginDirs, cacheDir: this.#opts.cacheDir };
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    await Deno.mkdir(this.#opts.configDir, { recursive: true });
    const f = await Deno.open(`${this.#opts.configDir}/cni.lock`, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    try {
      await f.lock(true);
      return await fn();
    } finally {
      f.close(); // closing the descriptor releases the flock
    }
  }

  #load(): Promise<LoadedConfList[]> {
    return readConflists(this.#opts.configDir);
  }

  async #find(all: LoadedConfList[], nameOrId: string): Promise<LoadedConfList> {
    const byName = all.find((l) => l.conf.name === nameOrId);
    if (byName) return byName;
    if (/^[0-9a-f]{1,64}$/.test(nameOrId)) {
      const ids = await Promise.all(
        all.map(async (l) => ({ l, id: await networkId(l.conf.name) })),
      );
      const hits = ids.filter((x) => x.id.startsWith(nameOrId));
      if (hits.length === 1) return hits[0]!.l;
      if (hits.length > 1) {
        throw new ConflictError("network", `more than one result for network ID ${nameOrId}`);
      }
    }
    throw new NotFoundError(
      "network",
      `unable to find network with name or ID ${nameOrId}: network not found`,
    );
  }

  /** Writes the built-in default network into configDir when no network has the default's name. */
  async ensureDefault(): Promise<void> {
    const name = this.#opts.defaultNetwork;
    if ((await this.#load()).some((l) => l.conf.name === name)) return;
    await this.#locked(async () => {
      if ((await this.#load()).some((l) => l.conf.name === name)) return;
      const conf = parseConflist(
        await Deno.readTextFile(DEFAULT_CONFLIST),
        "built-in skiff.conflist",
      );
      conf.name = name;
      const ipam = conf.plugins[0]!.ipam as Record<string, unknown>;
      if (this.#opts.ipamDataDir) ipam.dataDir = this.#opts.ipamDataDir;
      const path = await writeConflist(this.#opts.configDir, conf);
      log.debug("wrote the default network", { path });
    });
  }

  /** Every network, sorted by name (the default one included). */
  async list(): Promise<NetworkInfo[]> {
    await this.ensureDefault();
    const infos = await Promise.all((await this.#load()).map(networkInfo));
    return infos.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /**
   * One network in podman's `network inspect` shape, by name, ID or unique ID prefix.
   * @throws {NotFoundError} kind "network"
   */
  async inspect(nameOrId: string): Promise<Record<string, unknown>> {
    await this.ensureDefault();
    return inspectNetwork(await this.#find(await this.#load(), nameOrId));
  }

  /**
   * One network by name, ID or unique ID prefix (an exact name wins over an ID prefix).
   * @throws {NotFoundError} kind "network"
   * @throws {ConflictError} the ID prefix matches more than one network
   */
  async find(nameOrId: string): Promise<NetworkInfo> {
    await this.ensureDefault();
    return await networkInfo(await this.#find(await this.#load(), nameOrId));
  }

  /** True when a network of that name, ID or unique ID prefix exists. */
  async exists(nameOrId: string): Promise<boolean> {
    try {
      await this.#find(await this.#load(), nameOrId);
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  /**
   * Creates a bridge network (`<configDir>/<name>.conflist`).
   * @throws {UsageError} bad name, driver, subnet, gateway or range
   * @throws {ConflictError} name or bridge in use, overlapping subnet
   */
  async create(name: string, opts: CreateNetworkOptions = {}): Promise<NetworkInfo> {
    await this.ensureDefault();
    return await this.#locked(async () => {
      const conf = buildBridgeConflist(name, opts, {
        existing: (await this.#load()).map((l) => l.conf),
        hostSubnets: await hostSubnets(),
        linkExists,
        ...(this.#opts.ipamDataDir ? { ipamDataDir: this.#opts.ipamDataDir } : {}),
      });
      const path = await writeConflist(this.#opts.configDir, conf);
      const loaded = (await this.#load()).find((l) => l.path === path);
      if (!loaded) {
        throw new SkiffError(`network ${name} was written to ${path} but cannot be read back`);
      }
      return networkInfo(loaded);
    });
  }

  /**
   * Removes a network: its conflist, its bridge (unless another network uses the same one) and
   * its empty lease directory. The caller checks that no container uses it.
   */
  async remove(nameOrId: string): Promise<void> {
    await this.#locked(async () => {
      const all = await this.#load();
      const net = await this.#find(all, nameOrId);
      if (net.conf.name === this.#opts.defaultNetwork) {
        throw new SkiffError(`default network ${net.conf.name} cannot be removed`);
      }
      await Deno.remove(net.path);
      const br = bridgeNameOf(net.conf);
      const shared = all.some((l) => l !== net && bridgeNameOf(l.conf) === br);
      if (br && !shared && linkExists(br)) await runCommand(["ip", "link", "del", br]);
      const leases = ipamLeaseDir(net.conf);
      if (leases) await removeLeaseDir(leases);
    });
  }

  #runtimeConf(
    req: SetupRequest | TeardownRequest,
    ifName: string,
    staticIp?: string,
  ): RuntimeConf {
    const args: [string, string][] = [["IgnoreUnknown", "1"], ["K8S_POD_NAME", req.containerName]];
    if (staticIp) args.push(["IP", staticIp]);
    const capabilityArgs: Record<string, unknown> = {};
    if (req.ports.length > 0) {
      capabilityArgs.portMappings = req.ports.map((p) => ({
        hostPort: p.hostPort,
        containerPort: p.containerPort,
        protocol: p.protocol,
        ...(p.hostIp ? { hostIP: p.hostIp } : {}),
      }));
    }
    return { containerId: req.containerId, netns: req.netnsPath, ifName, args, capabilityArgs };
  }

  /**
   * Attaches a container to its networks (`eth0`, `eth1` … in order) and returns what each
   * gave it. All or nothing: on failure every attachment made is undone.
   * @throws {NotFoundError} an unknown network (before anything is done)
   * @throws {CniPluginError} a missing or failing plugin, naming it and the network
   */
  async setup(req: SetupRequest): Promise<AttachResult[]> {
    const names = req.networks.length > 0 ? req.networks : [this.#opts.defaultNetwork];
    if (names.includes(this.#opts.defaultNetwork)) await this.ensureDefault();
    const all = await this.#load();
    const nets = await Promise.all(names.map((n) => this.#find(all, n)));
    const seen = new Set<string>();
    for (const n of nets) {
      if (seen.has(n.conf.name)) {
        throw new UsageError(`network ${n.conf.name} is given more than once`);
      }
      seen.add(n.conf.name);
      await checkPlugins(this.#ctx, n.conf);
    }
    if (req.staticIp !== undefined) checkStaticIp(req.staticIp, nets);
    return await this.#locked(async () => {
      const done: { net: LoadedConfList; rt: RuntimeConf }[] = [];
      const results: AttachResult[] = [];
      try {
        for (const [i, net] of nets.entries()) {
          const rt = this.#runtimeConf(req, `eth${i}`, req.staticIp);
          results.push(await addNetwork(this.#ctx, net, rt));
          done.push({ net, rt });
        }
      } catch (e) {
        for (const { net, rt } of done.reverse()) {
          await delNetwork(this.#ctx, net.conf.name, rt, net).catch((d) =>
            log.warn(`rolling back network "${net.conf.name}": ${(d as Error).message}`)
          );
        }
        throw e;
      }
      return results;
    });
  }

  /**
   * Detaches a container from its networks (last interface first). Idempotent: attachments
   * with no cache and no conflist, or whose namespace is gone, are handled.
   * @throws the first plugin error, after every network was attempted
   */
  async teardown(req: TeardownRequest): Promise<void> {
    const names = req.networks.length > 0 ? req.networks : [this.#opts.defaultNetwork];
    await this.#locked(async () => {
      const all = await this.#load();
      let first: unknown;
      for (let i = names.length - 1; i >= 0; i--) {
        const name = names[i]!;
        const disk = all.find((l) => l.conf.name === name) ?? null;
        try {
          await delNetwork(this.#ctx, name, this.#runtimeConf(req, `eth${i}`), disk);
        } catch (e) {
          log.warn(
            `tearing down network "${name}" of container ${req.containerId}: ${
              (e as Error).message
            }`,
          );
          first ??= e;
        }
      }
      if (first !== undefined) throw first;
    });
  }
}

function checkStaticIp(ip: string, nets: LoadedConfList[]): void {
  if (nets.length !== 1) {
    throw new UsageError(`static ip ${ip} can only be used with a single network`);
  }
  const addr = parseIp(ip);
  if (!addr) throw new UsageError(`invalid static ip "${ip}"`);
  const net = nets[0]!;
  const inside = rangesOf(net.conf).some((r) => {
    const s = parseCidr(r.subnet);
    return s !== null && subnetContains(s, addr);
  });
  if (!inside) {
    throw new UsageError(`static ip ${ip} is not in the subnet of network ${net.conf.name}`);
  }
}

function linkExists(name: string): boolean {
  try {
    Deno.statSync(`/sys/class/net/${name}`);
    return true;
  } catch {
    return false;
  }
}

/** Removes host-local's directory of a removed network when it holds no lease. */
async function removeLeaseDir(dir: string): Promise<void> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  const leases = names.filter((n) => n !== "lock" && !n.startsWith("last_reserved_ip"));
  if (leases.length > 0) {
    log.warn(`keeping ${dir}: it still holds leases (${leases.join(", ")})`);
    return;
  }
  await Deno.remove(dir, { recursive: true });
}
