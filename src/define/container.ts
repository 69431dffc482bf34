/**
 * A container as stored: an immutable config (written once; rewritten only by renumber,
 * rename and network changes) and a mutable state, saved apart.
 * @module
 */

import type { ContainerStatus } from "./container_status.ts";

/** A published port (`-p [ip:][hostPort:]containerPort[/proto]`). */
export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: "tcp" | "udp";
}

/** How the container is networked. */
export interface NetworkOptions {
  /** `bridge` = CNI networks; `container` = join another container's namespace. */
  mode: "none" | "host" | "bridge" | "container" | "slirp4netns";
  /** CNI networks to join (bridge mode); empty means the default network. */
  networks: string[];
  /** The container whose network namespace is joined (container mode). */
  containerId?: string;
  ports: PortMapping[];
  publishAll: boolean;
  staticIp?: string;
  dns: string[];
  dnsSearch: string[];
  addHosts: string[];
}

/** A `--ulimit type=soft[:hard]`. */
export interface Ulimit {
  type: string;
  soft: number;
  hard: number;
}

/** A bind mount or tmpfs requested by the user. */
export interface MountSpec {
  type: "bind" | "tmpfs" | "volume";
  source: string;
  destination: string;
  options: string[];
}

/** The immutable part of a container. */
export interface ContainerConfig {
  id: string;
  name: string;
  /** The pod the container belongs to, or null. */
  pod: string | null;
  /** The libpod namespace (a label partitioning views), "" for none. */
  namespace: string;
  lockId: number;
  /** RFC 3339 creation time. */
  createdAt: string;
  /** The command line that created it (`inspect` Config.CreateCommand). */
  createCommand: string[];
  image: { id: string; name: string };
  /** CMD given on the command line; empty means the image's. */
  command: string[];
  /** --entrypoint; null means the image's. */
  entrypoint: string[] | null;
  /** -e and --env-file, in order of appearance, merged over the image's env at spec time. */
  env: Record<string, string>;
  user: string;
  workdir: string;
  tty: boolean;
  interactive: boolean;
  hostname: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  readOnly: boolean;
  init: boolean;
  mounts: MountSpec[];
  ulimits: Ulimit[];
  stopSignal: number;
  stopTimeout: number;
  /** --rm */
  autoRemove: boolean;
  network: NetworkOptions;
  /** IDs of containers this one needs (e.g. --network container:X); they cannot be removed first. */
  dependencies: string[];
  /** Named volumes used. */
  namedVolumes: string[];
  /** Extra, verb-specific settings that later issues add without a schema change. */
  extra?: Record<string, unknown>;
}

/** The mutable part of a container. */
export interface ContainerState {
  status: ContainerStatus;
  /** PID of the container's init process, 0 when none. */
  pid: number;
  conmonPid: number;
  exitCode: number;
  /** The container ran and ended (exit code is meaningful). */
  exited: boolean;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  mounted: boolean;
  mountPoint: string;
  /** Path of the network namespace bind mount, when one was created. */
  netNs: string | null;
  /** CNI results per network, as returned by the plugins. */
  networkResults: unknown[] | null;
  restartCount: number;
  /** The last error the runtime reported for this container. */
  error: string;
}

/** A container record: config plus state. */
export interface ContainerRecord {
  config: ContainerConfig;
  state: ContainerState;
}

/** The state a new container starts in. */
export function initialContainerState(): ContainerState {
  return {
    status: "configured",
    pid: 0,
    conmonPid: 0,
    exitCode: 0,
    exited: false,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    mounted: false,
    mountPoint: "",
    netNs: null,
    networkResults: null,
    restartCount: 0,
    error: "",
  };
}

/** An exec session registered against a container. */
export interface ExecSessionRecord {
  id: string;
  containerId: string;
  /** Free-form session data (command, pid, exit code …). */
  data: Record<string, unknown>;
}
