/**
 * The `mounts` of a spec: the system mounts every container gets, the engine's bind mounts
 * from the run directory, `--read-only` tmpfs, `--init`, then the user's mounts, which replace
 * any default with the same destination. Private to src/oci; the entry point is spec.ts.
 * @module
 */

import type { MountSpec } from "../define/container.ts";
import { UsageError } from "../define/errors.ts";
import type { OciMount } from "./types.ts";

/** Where `--init` puts the init binary inside the container (podman: `/run/podman-init`). */
export const INIT_DEST = "/run/skiff-init";

/** Size of the container's `/dev/shm` (podman's `shm_size` default). */
export const SHM_SIZE = "65536k";

/** Destinations of the files the engine writes into the run directory. */
export const ENGINE_FILES: readonly { file: string; dest: string }[] = [
  { file: "hostname", dest: "/etc/hostname" },
  { file: "hosts", dest: "/etc/hosts" },
  { file: "resolv.conf", dest: "/etc/resolv.conf" },
  { file: ".containerenv", dest: "/run/.containerenv" },
];

/** The directories `--read-only` covers with tmpfs (podman's `--read-only-tmpfs` default). */
export const READ_ONLY_TMPFS: readonly string[] = ["/run", "/tmp", "/var/tmp"];

const PROPAGATION = new Set([
  "private",
  "rprivate",
  "shared",
  "rshared",
  "slave",
  "rslave",
  "unbindable",
  "runbindable",
]);
/** podman-level options that are not mount flags (SELinux relabel, chown, overlay, copy-up). */
const ENGINE_ONLY = new Set(["z", "Z", "U", "O", "copy", "nocopy", "notmpcopyup"]);

/** What decides the mount list. */
export interface MountInput {
  runDir: string;
  privileged: boolean;
  readOnly: boolean;
  /** `none`: no resolv.conf is mounted (podman leaves the image's). */
  networkNone: boolean;
  /** The host path of catatonit when `--init` is on. */
  initPath: string | null;
  userMounts: readonly MountSpec[];
}

/** Cleans an absolute container path: no `.`/`..` segments, doubled or trailing slashes. */
export function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join("/")}`;
}

function depth(dest: string): number {
  return dest === "/" ? 0 : dest.split("/").length - 1;
}

function systemMounts(privileged: boolean): OciMount[] {
  const sysOpts = privileged
    ? ["rprivate", "nosuid", "noexec", "nodev", "rw"]
    : ["nosuid", "noexec", "nodev", "ro"];
  return [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    {
      destination: "/dev",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"],
    },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: sysOpts },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
    },
    {
      destination: "/dev/mqueue",
      type: "mqueue",
      source: "mqueue",
      options: ["nosuid", "noexec", "nodev"],
    },
    {
      destination: "/dev/shm",
      type: "tmpfs",
      source: "shm",
      options: ["nosuid", "noexec", "nodev", "mode=1777", `size=${SHM_SIZE}`],
    },
    {
      destination: "/sys/fs/cgroup",
      type: "cgroup",
      source: "cgroup",
      options: ["rprivate", "nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"],
    },
  ];
}

function has(opts: string[], ...names: string[]): boolean {
  return opts.some((o) => names.includes(o));
}

/** podman's defaults for a tmpfs: rw, rprivate, nosuid, nodev, tmpcopyup unless said otherwise. */
export function tmpfsOptions(given: readonly string[]): string[] {
  const opts = given.filter((o) => !ENGINE_ONLY.has(o));
  if (!has(opts, "rw", "ro")) opts.push("rw");
  if (!opts.some((o) => PROPAGATION.has(o))) opts.push("rprivate");
  if (!has(opts, "suid", "nosuid")) opts.push("nosuid");
  if (!has(opts, "dev", "nodev")) opts.push("nodev");
  if (!given.includes("notmpcopyup") && !opts.includes("tmpcopyup")) opts.push("tmpcopyup");
  return opts;
}

/** podman's defaults for a bind mount: rw, rprivate, rbind unless said otherwise. */
export function bindOptions(given: readonly string[]): string[] {
  const opts = given.filter((o) => !ENGINE_ONLY.has(o));
  if (!has(opts, "rw", "ro")) opts.push("rw");
  if (!opts.some((o) => PROPAGATION.has(o))) opts.push("rprivate");
  if (!has(opts, "bind", "rbind")) opts.push("rbind");
  return opts;
}

function userMount(m: MountSpec): OciMount {
  if (!m.destination.startsWith("/")) {
    throw new UsageError(`invalid container path ${m.destination}, must be an absolute path`);
  }
  const destination = cleanPath(m.destination);
  if (m.type === "tmpfs") {
    return { destination, type: "tmpfs", source: "tmpfs", options: tmpfsOptions(m.options) };
  }
  if (!m.source.startsWith("/")) {
    throw new UsageError(`invalid source path ${m.source} of ${m.type} mount ${destination}`);
  }
  // A named volume arrives with its host directory as the source: it is a bind mount here.
  return { destination, type: "bind", source: m.source, options: bindOptions(m.options) };
}

/**
 * Builds `mounts`, sorted (stably) by the depth of the destination so that a parent is mounted
 * before what is mounted inside it, as podman sorts them.
 * @throws {UsageError} for a relative destination or source, or two user mounts on one
 * destination (`/a: duplicate mount destination`, podman's wording).
 */
export function buildMounts(input: MountInput): OciMount[] {
  const user = input.userMounts.map(userMount);
  const seen = new Set<string>();
  for (const m of user) {
    if (seen.has(m.destination)) {
      throw new UsageError(`${m.destination}: duplicate mount destination`);
    }
    seen.add(m.destination);
  }
  const defaults = systemMounts(input.privileged);
  if (input.readOnly) {
    for (const dest of READ_ONLY_TMPFS) {
      defaults.push({
        destination: dest,
        type: "tmpfs",
        source: "tmpfs",
        options: tmpfsOptions([]),
      });
    }
  }
  const bindOpts = input.readOnly
    ? ["bind", "rprivate", "ro", "nosuid", "noexec", "nodev"]
    : ["bind", "rprivate"];
  for (const f of ENGINE_FILES) {
    if (f.file === "resolv.conf" && input.networkNone) continue;
    defaults.push({
      destination: f.dest,
      type: "bind",
      source: `${input.runDir}/${f.file}`,
      options: [...bindOpts],
    });
  }
  if (input.initPath !== null) {
    defaults.push({
      destination: INIT_DEST,
      type: "bind",
      source: input.initPath,
      options: ["bind", "ro", "rprivate"],
    });
  }
  const all = [...defaults.filter((m) => !seen.has(m.destination)), ...user];
  return all
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i)
    .map(({ m }) => m);
}

/** Paths masked in a non-privileged container (podman's list). */
export const MASKED_PATHS: readonly string[] = [
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/fs/selinux",
  "/sys/dev/block",
];

/** Paths made read-only in a non-privileged container (podman's list). */
export const READONLY_PATHS: readonly string[] = [
  "/proc/asound",
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];
