/**
 * Network definitions: what skiff reports about a conflist (`NetworkInfo`, podman-style
 * inspect output) and how `network create` turns its options into a bridge conflist in the
 * shape podman 4 writes (bridge → portmap → firewall → tuning, labels in
 * `args.podman_labels`). Building is a pure function of the options and what already exists,
 * so subnet choice and every refusal are unit-testable.
 * @module
 */

import { ConflictError, UsageError } from "../define/errors.ts";
import {
  formatCidr,
  formatIp,
  isHostAddress,
  lastAddress,
  nthAddress,
  parseCidr,
  parseIp,
  type Subnet,
  subnetContains,
  subnetsOverlap,
  validateSubnet,
} from "./cidr.ts";
import {
  bridgeNameOf,
  type ConfList,
  ipamOf,
  isInternal,
  labelsOf,
  type LoadedConfList,
  mainPlugin,
  NAME_PATTERN,
  type PluginConf,
  rangesOf,
} from "./conflist.ts";
import { sha256Hex } from "../util/digest.ts";

/** What skiff reports about one network. */
export interface NetworkInfo {
  name: string;
  /** sha256 of the name, as podman's CNI backend makes it. */
  id: string;
  /** The main plugin's type: `bridge` for networks skiff creates. */
  driver: string;
  /** The bridge interface on the host, or "". */
  networkInterface: string;
  subnets: { subnet: string; gateway?: string }[];
  internal: boolean;
  labels: Record<string, string>;
  /** The conflist file. */
  path: string;
  /** The conflist's modification time, ISO 8601. */
  created: string;
}

/** Options of `network create`. */
export interface CreateNetworkOptions {
  /** `--subnet`; a free 10.77.N.0/24 is picked when unset. */
  subnet?: string;
  /** `--gateway`; the subnet's first address when unset. */
  gateway?: string;
  /** `--ip-range`: containers get addresses only from this part of the subnet. */
  ipRange?: string;
  /** `--internal`: no gateway address on the bridge, no masquerading, no default route. */
  internal?: boolean;
  /** `--label`s, stored as podman does in `args.podman_labels`. */
  labels?: Record<string, string>;
  /** `--driver`; only `bridge`. @default "bridge" */
  driver?: string;
  /** `--interface-name`: the bridge's name; `skiff<N>` (the first unused N ≥ 1) when unset. */
  interfaceName?: string;
}

/** What already exists, against which a new network is checked. */
export interface CreateContext {
  existing: ConfList[];
  /** The host's directly connected subnets (`hostSubnets()`). */
  hostSubnets: { subnet: Subnet; device: string }[];
  /** True when a link of that name exists on the host. */
  linkExists: (name: string) => boolean;
  /** host-local's lease directory, written into the conflist when set. */
  ipamDataDir?: string;
}

/** The network ID podman's CNI backend uses: hex sha256 of the name. */
export async function networkId(name: string): Promise<string> {
  return await sha256Hex(name);
}

/** The facts of a loaded conflist. */
export async function networkInfo(l: LoadedConfList): Promise<NetworkInfo> {
  return {
    name: l.conf.name,
    id: await networkId(l.conf.name),
    driver: mainPlugin(l.conf).type,
    networkInterface: bridgeNameOf(l.conf) ?? "",
    subnets: rangesOf(l.conf).map((r) =>
      r.gateway ? { subnet: r.subnet, gateway: r.gateway } : { subnet: r.subnet }
    ),
    internal: isInternal(l.conf),
    labels: labelsOf(l.conf),
    path: l.path,
    created: l.mtime.toISOString(),
  };
}

/** The `network inspect` object of a loaded conflist, with podman 4's field names. */
export async function inspectNetwork(l: LoadedConfList): Promise<Record<string, unknown>> {
  const info = await networkInfo(l);
  const ipam = ipamOf(l.conf);
  const out: Record<string, unknown> = {
    name: info.name,
    id: info.id,
    driver: info.driver,
    "network_interface": info.networkInterface,
    created: info.created,
    subnets: rangesOf(l.conf).map((r) => ({
      subnet: r.subnet,
      ...(r.gateway ? { gateway: r.gateway } : {}),
      ...(r.rangeStart || r.rangeEnd
        ? { lease_range: { start_ip: r.rangeStart ?? "", end_ip: r.rangeEnd ?? "" } }
        : {}),
    })),
    "ipv6_enabled": info.subnets.some((s) => s.subnet.includes(":")),
    internal: info.internal,
    "dns_enabled": false,
  };
  if (Object.keys(info.labels).length > 0) out.labels = info.labels;
  out.ipam_options = { driver: typeof ipam?.type === "string" ? ipam.type : "" };
  return out;
}

/** The subnets of existing networks, with the network each belongs to. */
function usedSubnets(existing: ConfList[]): { subnet: Subnet; network: string }[] {
  const out: { subnet: Subnet; network: string }[] = [];
  for (const c of existing) {
    for (const r of rangesOf(c)) {
      const s = parseCidr(r.subnet);
      if (s) out.push({ subnet: s, network: c.name });
    }
  }
  return out;
}

function pickSubnet(ctx: CreateContext): Subnet {
  const used = [
    ...usedSubnets(ctx.existing).map((u) => u.subnet),
    ...ctx.hostSubnets.map((h) => h.subnet),
  ];
  for (let n = 1; n < 256; n++) {
    const s = parseCidr(`10.77.${n}.0/24`)!;
    if (!used.some((u) => subnetsOverlap(u, s))) return s;
  }
  throw new ConflictError(
    "network",
    "could not find a free subnet in 10.77.0.0/16: give one with --subnet",
  );
}

function checkSubnetFree(s: Subnet, ctx: CreateContext): void {
  const text = formatCidr(s);
  for (const u of usedSubnets(ctx.existing)) {
    if (subnetsOverlap(u.subnet, s)) {
      throw new ConflictError(
        "network",
        `subnet ${text} overlaps with network "${u.network}" (${formatCidr(u.subnet)})`,
      );
    }
  }
  for (const h of ctx.hostSubnets) {
    if (subnetsOverlap(h.subnet, s)) {
      throw new ConflictError(
        "network",
        `subnet ${text} is already used on the host by interface ${h.device} (${
          formatCidr(h.subnet)
        })`,
      );
    }
  }
}

function pickBridge(opts: CreateNetworkOptions, ctx: CreateContext): string {
  const taken = new Map(ctx.existing.map((c) => [bridgeNameOf(c), c.name]));
  if (opts.interfaceName !== undefined) {
    const n = opts.interfaceName;
    if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(n) || n === "." || n === "..") {
      throw new UsageError(
        `invalid interface name "${n}": at most 15 letters, digits, "_", "." or "-"`,
      );
    }
    const by = taken.get(n);
    if (by !== undefined) {
      throw new ConflictError("network", `bridge name ${n} is already used by network "${by}"`);
    }
    return n;
  }
  for (let i = 1; i < 10000; i++) {
    const n = `skiff${i}`;
    if (!taken.has(n) && !ctx.linkExists(n)) return n;
  }
  throw new ConflictError(
    "network",
    "could not find a free bridge name: give one with --interface-name",
  );
}

/**
 * Builds the conflist of a new bridge network, refusing what podman refuses: a bad name, a
 * name in use, another driver, a malformed subnet, gateway or range, and a subnet that overlaps
 * another network's or one of the host's.
 */
export function buildBridgeConflist(
  name: string,
  opts: CreateNetworkOptions,
  ctx: CreateContext,
): ConfList {
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(
      `invalid network name "${name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`,
    );
  }
  if (ctx.existing.some((c) => c.name === name)) {
    throw new ConflictError("network", `network name ${name} already used: network already exists`);
  }
  const driver = opts.driver ?? "bridge";
  if (driver !== "bridge") {
    throw new UsageError(`unsupported network driver "${driver}": only "bridge" is supported`);
  }
  let subnet: Subnet;
  if (opts.subnet !== undefined) {
    subnet = validateSubnet(opts.subnet);
    checkSubnetFree(subnet, ctx);
  } else {
    if (opts.gateway !== undefined || opts.ipRange !== undefined) {
      throw new UsageError("--gateway and --ip-range need --subnet");
    }
    subnet = pickSubnet(ctx);
  }
  let gateway = nthAddress(subnet, 1);
  if (opts.gateway !== undefined) {
    const g = parseIp(opts.gateway);
    if (!g) throw new UsageError(`invalid gateway "${opts.gateway}"`);
    if (!isHostAddress(subnet, g)) {
      throw new UsageError(
        `gateway ${opts.gateway} is not a host address of subnet ${formatCidr(subnet)}`,
      );
    }
    gateway = g;
  }
  const range: Record<string, string> = { subnet: formatCidr(subnet), gateway: formatIp(gateway) };
  if (opts.ipRange !== undefined) {
    const r = validateSubnet(opts.ipRange);
    if (
      !subnetContains(subnet, r) ||
      !subnetContains(subnet, { family: r.family, value: lastAddress(r) })
    ) {
      throw new UsageError(`ip range ${opts.ipRange} is not inside subnet ${formatCidr(subnet)}`);
    }
    range.rangeStart = formatIp({ family: r.family, value: r.value + 1n });
    range.rangeEnd = formatIp({ family: r.family, value: lastAddress(r) - 1n });
  }
  const internal = opts.internal === true;
  const ipam: Record<string, unknown> = { type: "host-local" };
  if (!internal) ipam.routes = [{ dst: subnet.family === 4 ? "0.0.0.0/0" : "::/0" }];
  ipam.ranges = [[range]];
  if (ctx.ipamDataDir) ipam.dataDir = ctx.ipamDataDir;
  const bridge: PluginConf = {
    type: "bridge",
    bridge: pickBridge(opts, ctx),
    isGateway: !internal,
    ipMasq: !internal,
    hairpinMode: true,
    ipam,
  };
  const conf: ConfList = {
    cniVersion: "0.4.0",
    name,
    plugins: [
      bridge,
      { type: "portmap", capabilities: { portMappings: true } },
      { type: "firewall" },
      { type: "tuning" },
    ],
  };
  for (const [k] of Object.entries(opts.labels ?? {})) {
    if (k === "") throw new UsageError("invalid label: empty key");
  }
  if (opts.labels && Object.keys(opts.labels).length > 0) {
    conf.args = { podman_labels: { ...opts.labels } };
  }
  return conf;
}
