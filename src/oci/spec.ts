/**
 * Container config + image config → OCI runtime spec (`config.json`), the way podman 4.3.1
 * generates it for runc (reference §5.2), with skiff's names and a few deliberate differences:
 * a tmpfs `/dev/shm` instead of a bind of an engine-mounted tmpfs, default rlimits clamped to
 * the caller's hard limits, and `container=skiff`. A pure function: everything it needs from
 * the host comes in through {@linkcode SpecInput}.
 *
 * Settings that {@linkcode ContainerConfig} has no field for are read from `config.extra`:
 * - `noNewPrivileges` (boolean): `--security-opt no-new-privileges`; podman's default is off.
 * - `pidsLimit` (number): `--pids-limit`; default 2048 (containers.conf), 0 or less: no limit.
 * - `sysctls` (Record<string, string>): `--sysctl`, set over the default
 *   `net.ipv4.ping_group_range=0 0` (which host networking drops, like every `net.*` default).
 * @module
 */

import type { ContainerConfig } from "../define/container.ts";
import { UsageError } from "../define/errors.ts";
import { ALL_CAPABILITIES } from "./capabilities.ts";
import {
  buildCapabilities,
  buildEnv,
  buildRlimits,
  type ImageRuntimeConfig,
  resolveProcessArgs,
} from "./_spec_process.ts";
import { buildMounts, INIT_DEST, MASKED_PATHS, READONLY_PATHS } from "./_spec_mounts.ts";
import { convertSeccompProfile, type SeccompProfile } from "./seccomp.ts";
import type {
  LinuxDevice,
  LinuxNamespace,
  OciHooks,
  OciLinux,
  OciProcess,
  OciSpec,
} from "./types.ts";
import { resolveUser } from "./user.ts";

export {
  containerEnv,
  DEFAULT_PATH,
  type ImageRuntimeConfig,
  parseProcLimits,
  readProcessRlimits,
  resolveProcessArgs,
} from "./_spec_process.ts";
export { resolveUser } from "./user.ts";
export { loadSeccompProfile } from "./seccomp.ts";

/** The OCI spec version runc 1.1 reports, which podman 4.3.1 writes. */
export const OCI_VERSION = "1.0.2-dev";

/** Default cgroup parents (podman: `/libpod_parent`, `machine.slice`). */
export const CGROUPFS_PARENT = "/skiff_parent";
/** Default systemd slice for containers. */
export const SYSTEMD_PARENT = "machine.slice";

/** The default pids limit (containers.conf `pids_limit`). */
export const DEFAULT_PIDS_LIMIT = 2048;

/** Everything {@linkcode generateSpec} needs. */
export interface SpecInput {
  config: ContainerConfig;
  image: ImageRuntimeConfig;
  /** The mounted rootfs path (`root.path`). */
  rootfs: string;
  /** Holds hostname, hosts, resolv.conf and .containerenv, written by the caller. */
  runDir: string;
  /** The image's `/etc/passwd` text, null when it has none. */
  passwd: string | null;
  /** The image's `/etc/group` text, null when it has none. */
  group: string | null;
  /**
   * The caller's rlimits (`readProcessRlimits()`), e.g. `{ RLIMIT_NOFILE: { soft: 1024,
   * hard: 20000 } }`; `Infinity` is unlimited. A default for a type missing here is not clamped.
   */
  hostRlimits: Record<string, { soft: number; hard: number }>;
  cgroupManager: "cgroupfs" | "systemd";
  /** @default "/skiff_parent" (cgroupfs) or "machine.slice" (systemd) */
  cgroupParent?: string;
  /** `path`: join the network namespace bind-mounted at `path`. */
  network: { mode: "none" | "host" | "path"; path?: string };
  /** The profile to convert; null runs the container unconfined. */
  seccomp: SeccompProfile | null;
  /** Hooks already selected for this container (`selectHooks`). */
  hooks?: OciHooks;
  /** The host path of catatonit, needed for `--init`. */
  initPath?: string;
  /** The host's devices, given to a `--privileged` container. */
  hostDevices?: LinuxDevice[];
  /** RFC 3339 creation time, for the annotations. */
  createdAt: string;
  /**
   * The caller's capability bounding set (`readBoundingSet()`): what `ALL` and `--privileged`
   * grant, as podman reads its own. @default every capability
   */
  boundingSet?: readonly string[];
  /** The host's hostname: the container's with host networking and no `--hostname` (podman). */
  hostHostname?: string;
  /** `uname -m` of the host, for the seccomp profile. @default Deno.build.arch */
  arch?: string;
  /** The host kernel release, for seccomp `minKernel`; unknown: such rules are kept. */
  kernelVersion?: string;
  /** Create a cgroup namespace (cgroups v2). @default false (cgroups v1, as on this host) */
  cgroupNamespace?: boolean;
}

type ExtraType = "boolean" | "number" | "record";

function extraValue<T>(config: ContainerConfig, key: string, type: ExtraType): T | undefined {
  const v = config.extra?.[key];
  if (v === undefined) return undefined;
  let ok: boolean;
  if (type === "record") {
    ok = typeof v === "object" && v !== null && !Array.isArray(v) &&
      Object.values(v).every((x) => typeof x === "string");
  } else if (type === "number") {
    ok = typeof v === "number" && Number.isFinite(v);
  } else {
    ok = typeof v === "boolean";
  }
  if (!ok) throw new UsageError(`invalid value of ${key}: ${JSON.stringify(v)} is not a ${type}`);
  return v as T;
}

function flag(on: boolean): string {
  return on ? "TRUE" : "FALSE";
}

function namespaces(input: SpecInput): LinuxNamespace[] {
  const out: LinuxNamespace[] = [{ type: "pid" }];
  const net = input.network;
  if (net.mode === "none") out.push({ type: "network" });
  else if (net.mode === "path") {
    if (!net.path) throw new UsageError("network mode path needs the path of a network namespace");
    out.push({ type: "network", path: net.path });
  }
  out.push({ type: "ipc" }, { type: "uts" }, { type: "mount" });
  if (input.cgroupNamespace) out.push({ type: "cgroup" });
  return out;
}

function cgroupsPath(input: SpecInput): string {
  const id = input.config.id;
  if (input.cgroupManager === "systemd") {
    return `${input.cgroupParent ?? SYSTEMD_PARENT}:skiff:${id}`;
  }
  return `${input.cgroupParent ?? CGROUPFS_PARENT}/skiff-${id}`;
}

/**
 * Generates the OCI runtime spec of a container.
 * @throws {UsageError} for an unknown user or group (exit code 126, as podman), an unknown
 * capability, a ulimit above the caller's hard limit, no command at all, conflicting mounts,
 * `--init` without an init binary, or a malformed `config.extra` value.
 */
export function generateSpec(input: SpecInput): OciSpec {
  const { config, image } = input;
  const args = resolveProcessArgs(config, image);
  const user = resolveUser(
    config.user !== "" ? config.user : image.User ?? "",
    input.passwd,
    input.group,
  );
  const hostname = config.hostname !== ""
    ? config.hostname
    : input.network.mode === "host" && input.hostHostname
    ? input.hostHostname
    : config.id.slice(0, 12);
  const bounding = input.boundingSet ?? ALL_CAPABILITIES;
  const capabilities = buildCapabilities({ config, user, bounding });
  const rlimits = buildRlimits(config.ulimits, input.hostRlimits);
  if (config.init && !input.initPath) {
    throw new UsageError("cannot use --init: no init binary is configured (init_path)");
  }

  const process: OciProcess = {
    ...(config.tty ? { terminal: true } : {}),
    user: {
      uid: user.uid,
      gid: user.gid,
      umask: 0o022,
      ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}),
    },
    args: config.init ? [INIT_DEST, "--", ...args] : args,
    env: buildEnv(config, image, user.home, hostname),
    cwd: config.workdir || image.WorkingDir || "/",
    capabilities,
    rlimits,
  };
  if (extraValue<boolean>(config, "noNewPrivileges", "boolean")) process.noNewPrivileges = true;

  const mounts = buildMounts({
    runDir: input.runDir,
    privileged: config.privileged,
    readOnly: config.readOnly,
    networkNone: input.network.mode === "none",
    initPath: config.init ? input.initPath! : null,
    userMounts: config.mounts,
  });

  const sysctl: Record<string, string> = input.network.mode === "host"
    ? {}
    : { "net.ipv4.ping_group_range": "0 0" };
  Object.assign(sysctl, extraValue<Record<string, string>>(config, "sysctls", "record") ?? {});
  const pidsLimit = extraValue<number>(config, "pidsLimit", "number") ?? DEFAULT_PIDS_LIMIT;

  const linux: OciLinux = {
    ...(config.privileged && input.hostDevices?.length ? { devices: input.hostDevices } : {}),
    ...(Object.keys(sysctl).length ? { sysctl } : {}),
    resources: {
      devices: [{ allow: config.privileged, access: "rwm" }],
      ...(pidsLimit > 0 ? { pids: { limit: pidsLimit } } : {}),
    },
    cgroupsPath: cgroupsPath(input),
    namespaces: namespaces(input),
  };
  if (!config.privileged) {
    if (input.seccomp) {
      linux.seccomp = convertSeccompProfile(input.seccomp, {
        capabilities: capabilities.bounding ?? [],
        arch: input.arch ?? Deno.build.arch,
        ...(input.kernelVersion ? { kernel: input.kernelVersion } : {}),
      });
    }
    linux.maskedPaths = [...MASKED_PATHS];
    linux.readonlyPaths = [...READONLY_PATHS];
  }

  const annotations: Record<string, string> = {
    "io.container.manager": "skiff",
    "io.kubernetes.cri-o.Created": input.createdAt,
    "io.kubernetes.cri-o.TTY": config.tty ? "true" : "false",
    "io.podman.annotations.autoremove": flag(config.autoRemove),
    "io.podman.annotations.init": flag(config.init),
    "io.podman.annotations.privileged": flag(config.privileged),
    "io.podman.annotations.publish-all": flag(config.network.publishAll),
    "org.opencontainers.image.stopSignal": String(config.stopSignal),
    ...config.annotations,
  };

  const hooks = input.hooks && Object.values(input.hooks).some((h) => h?.length)
    ? input.hooks
    : undefined;
  return {
    ociVersion: OCI_VERSION,
    process,
    root: { path: input.rootfs, ...(config.readOnly ? { readonly: true } : {}) },
    hostname,
    mounts,
    ...(hooks ? { hooks } : {}),
    annotations,
    linux,
  };
}
