/**
 * CNI networking for rootful containers: network definitions (conflists in `cni_config_dir`),
 * network namespaces, attaching containers with the CNI plugins, and host port reservation.
 *
 * A container's network life, as the runtime drives it:
 * 1. `createNetns(backend.netnsDir)` → a namespace path for the OCI spec.
 * 2. `backend.setup({containerId, containerName, netnsPath, networks, ports})` → addresses.
 * 3. `reservePorts(ports)` → fds handed to conmon, then `close()` on our copies.
 * 4. At cleanup: `backend.teardown({...same})`, then `removeNetns(netnsPath)`.
 *
 * @example
 * ```ts
 * const backend = new CniBackend({ configDir: "/etc/cni/net.d", pluginDirs: ["/usr/lib/cni"], defaultNetwork: "skiff" });
 * const ns = await createNetns(backend.netnsDir);
 * const [eth0] = await backend.setup({ containerId: id, containerName: "web", netnsPath: ns, networks: [], ports: [] });
 * await backend.teardown({ containerId: id, containerName: "web", netnsPath: ns, networks: [], ports: [] });
 * await removeNetns(ns);
 * ```
 * @module
 */

export {
  CniBackend,
  type NetworkBackendOptions,
  type SetupRequest,
  type TeardownRequest,
} from "./backend.ts";
export type { AttachResult } from "./setup.ts";
export type { CreateNetworkOptions, NetworkInfo } from "./networks.ts";
export { CniPluginError } from "./cni_exec.ts";
export { createNetns, DEFAULT_NETNS_DIR, removeNetns } from "./netns.ts";
export { PortInUseError, type PortReservation, reservePorts } from "./ports.ts";
export { formatCidr, parseCidr, type Subnet, subnetsOverlap, validateSubnet } from "./cidr.ts";
