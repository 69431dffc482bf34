/**
 * The network step of a container's life: `none` and `host` need nothing here (runc makes the
 * empty namespace, or none); `bridge` creates a network namespace, runs the CNI plugins for
 * each network and reserves the published host ports (conmon holds them for the container's
 * life); `container:ID` joins another container's namespace. Teardown undoes all of it and is
 * safe to repeat.
 * @module
 */

import type { ContainerRecord, PortMapping } from "../define/container.ts";
import { StateError, UsageError } from "../define/errors.ts";
import { type AttachResult, createNetns, removeNetns, reservePorts } from "../network/mod.ts";
import { log } from "../util/logger.ts";
import { networkBackend } from "./network.ts";
import type { Runtime } from "./runtime.ts";

/** What the network step produced for the spec and conmon. */
export interface NetworkSetup {
  /** A network namespace to join, when there is one. */
  netnsPath?: string;
  /** The container's address, for /etc/hosts. */
  ip?: string;
  /** Reserved host-port sockets to hand to conmon; close our copies after it started. */
  portFds?: number[];
  closePorts?: () => void;
}

/** The stored form of one attachment (inspect's NetworkSettings reads it). */
function stored(r: AttachResult) {
  return {
    network: r.network,
    ifName: r.ifName,
    ip: r.ip,
    prefixLen: r.prefixLen,
    gateway: r.gateway,
    mac: r.mac,
  };
}

/** Prepares the container's network before `runc create`; records it in `rec.state`. */
export async function setupNetwork(rt: Runtime, rec: ContainerRecord): Promise<NetworkSetup> {
  const { config, state } = rec;
  const net = config.network;
  if (net.mode === "none" || net.mode === "host") return {};
  if (net.mode === "container") {
    const other = rt.state.lookupContainer(net.containerId ?? "");
    if (other.state.status !== "running" && other.state.status !== "paused") {
      throw new StateError(
        `cannot join the network namespace of container ${other.config.id}: it is not running: container state improper`,
      );
    }
    return { netnsPath: other.state.netNs ?? `/proc/${other.state.pid}/ns/net` };
  }
  if (net.mode !== "bridge") {
    throw new UsageError(
      `network mode "${net.mode}" is not supported: use bridge, none, host or container:ID`,
    );
  }
  if (rt.config.rootless) {
    throw new UsageError("bridge networking needs root: use --network none or host when rootless");
  }
  const backend = networkBackend(rt);
  const netnsPath = await createNetns(backend.netnsDir);
  const req = {
    containerId: config.id,
    containerName: config.name,
    netnsPath,
    networks: net.networks,
    ports: net.ports,
  };
  let results: AttachResult[] = [];
  try {
    const t0 = performance.now();
    results = await backend.setup({ ...req, ...(net.staticIp ? { staticIp: net.staticIp } : {}) });
    log.debug("CNI ADD done", { ms: Math.round(performance.now() - t0), networks: results.length });
    const reservation = rt.config.runtime.enablePortReservation && net.ports.length
      ? reservePorts(net.ports)
      : null;
    state.netNs = netnsPath;
    state.networkResults = results.map(stored);
    rt.state.saveContainer(config.id, state);
    return {
      netnsPath,
      ...(results[0] ? { ip: results[0].ip } : {}),
      ...(reservation ? { portFds: reservation.fds, closePorts: () => reservation.close() } : {}),
    };
  } catch (e) {
    await backend.teardown({ ...req, networks: results.map((r) => r.network) }).catch(() => {});
    await removeNetns(netnsPath).catch(() => {});
    throw e;
  }
}

/** Undoes {@linkcode setupNetwork}; safe to call when nothing was set up. */
export async function teardownNetwork(rt: Runtime, rec: ContainerRecord): Promise<void> {
  const { config, state } = rec;
  if (state.netNs && config.network.mode === "bridge") {
    const results = (state.networkResults ?? []) as { network: string }[];
    const t0 = performance.now();
    await networkBackend(rt).teardown({
      containerId: config.id,
      containerName: config.name,
      netnsPath: state.netNs,
      networks: results.map((r) => r.network),
      ports: config.network.ports,
    });
    await removeNetns(state.netNs);
    log.debug("CNI DEL done", { ms: Math.round(performance.now() - t0) });
  }
  state.netNs = null;
  state.networkResults = null;
}

/** After a reboot: detach containers whose CNI state (leases, cache) survived on disk. */
export async function teardownAfterReboot(rt: Runtime, recs: ContainerRecord[]): Promise<void> {
  for (const rec of recs) {
    if (rec.config.network.mode !== "bridge" || !rec.state.networkResults) continue;
    try {
      await teardownNetwork(rt, rec);
    } catch (e) {
      log.warn(
        `tearing down the network of ${rec.config.id} after a reboot: ${(e as Error).message}`,
      );
    }
  }
}

/** Random host ports for `-p CONTAINERPORT` and `-P`: picked at create time, kept in config. */
export function assignHostPorts(ports: PortMapping[]): PortMapping[] {
  return ports.map((p) => {
    if (p.hostPort > 0) return p;
    const l = p.protocol === "udp"
      ? Deno.listenDatagram({ port: 0, transport: "udp", hostname: p.hostIp || "0.0.0.0" })
      : Deno.listen({ port: 0, hostname: p.hostIp || "0.0.0.0" });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    return { ...p, hostPort: port };
  });
}
