/**
 * The parts of the OCI runtime specification (v1.0.2, as runc 1.1 reads it) that skiff writes
 * into a bundle's `config.json`. Optional fields are left out of the JSON when unset, as Go's
 * `omitempty` does for podman.
 * @module
 */

/** The whole `config.json`. */
export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: OciMount[];
  hooks?: OciHooks;
  annotations?: Record<string, string>;
  linux: OciLinux;
}

/** `process`: what runc executes as the container's first process. */
export interface OciProcess {
  terminal?: boolean;
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
}

/** `process.user`. */
export interface OciUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

/** `process.capabilities`: `CAP_*` names per set; empty sets are left out. */
export interface OciCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** One `process.rlimits` entry (`RLIMIT_NOFILE` …). */
export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

/** One `mounts` entry. */
export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** One OCI hook (`hooks.prestart[]` …). */
export interface OciHook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

/** The hook stages of the OCI runtime specification. */
export type OciHookStage =
  | "prestart"
  | "createRuntime"
  | "createContainer"
  | "startContainer"
  | "poststart"
  | "poststop";

/** `hooks`: the hooks to run at each stage, in order. */
export type OciHooks = Partial<Record<OciHookStage, OciHook[]>>;

/** `linux`. */
export interface OciLinux {
  devices?: LinuxDevice[];
  sysctl?: Record<string, string>;
  resources: LinuxResources;
  cgroupsPath: string;
  namespaces: LinuxNamespace[];
  seccomp?: LinuxSeccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

/** A device node runc creates in the container (`linux.devices[]`). */
export interface LinuxDevice {
  path: string;
  /** `c`, `b`, `u` or `p`. */
  type: string;
  major: number;
  minor: number;
  /** st_mode of the node, type bits included (podman copies the host's). */
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** A device cgroup rule (`linux.resources.devices[]`). */
export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
}

/** `linux.resources`. */
export interface LinuxResources {
  devices: LinuxDeviceCgroup[];
  pids?: { limit: number };
}

/** A namespace to create (no path) or to join (path). */
export interface LinuxNamespace {
  type: "pid" | "network" | "ipc" | "uts" | "mount" | "user" | "cgroup";
  path?: string;
}

/** `linux.seccomp`, ready for runc. */
export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: LinuxSyscall[];
}

/** One rule of `linux.seccomp.syscalls`. */
export interface LinuxSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

/** An argument condition of a seccomp rule. */
export interface LinuxSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}
