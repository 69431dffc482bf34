/**
 * Linux capabilities for containers: the default set, `ALL`, and `--cap-add`/`--cap-drop`
 * merged the way podman 4.3.1 (containers/common `MergeCapabilities`) merges them.
 * @module
 */

import { UsageError } from "../define/errors.ts";

/** Every capability Linux 6.x knows, in number order (CAP_CHOWN = 0 … CAP_CHECKPOINT_RESTORE = 40). */
export const ALL_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/**
 * The capabilities a root container gets by default: the 11 of the `default_capabilities`
 * Debian's podman 4.3.1 ships in `/usr/share/containers/containers.conf` (podman's built-in
 * list adds AUDIT_WRITE, MKNOD and NET_RAW).
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_NET_BIND_SERVICE",
  "CAP_SETFCAP",
  "CAP_SETGID",
  "CAP_SETPCAP",
  "CAP_SETUID",
  "CAP_SYS_CHROOT",
];

const KNOWN = new Set(ALL_CAPABILITIES);

/**
 * Normalizes a capability name: upper case, `CAP_` prefix added when missing; `ALL` stays `ALL`.
 * @throws {UsageError} `"CAP_FOO": unknown capability` (podman's wording) for a name Linux lacks.
 */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === "ALL") return "ALL";
  const full = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!KNOWN.has(full)) throw new UsageError(`"${full}": unknown capability`);
  return full;
}

/** What {@linkcode mergeCapabilities} starts from. */
export interface CapabilityBase {
  /** The set before adds and drops. @default DEFAULT_CAPABILITIES */
  base?: readonly string[];
  /**
   * What `ALL` means: the capabilities in the caller's bounding set (podman reads its own).
   * @default ALL_CAPABILITIES
   */
  all?: readonly string[];
}

/**
 * Applies `--cap-add` and `--cap-drop` to a base set and returns the sorted result.
 * `--cap-drop ALL` keeps only the added ones; `--cap-add ALL` starts from every capability;
 * a capability both added and dropped is an error, as in podman.
 * @throws {UsageError} for an unknown name, or a capability both added and dropped.
 */
export function mergeCapabilities(
  adds: readonly string[],
  drops: readonly string[],
  opts: CapabilityBase = {},
): string[] {
  const base = (opts.base ?? DEFAULT_CAPABILITIES).map(normalizeCapability);
  const all = (opts.all ?? ALL_CAPABILITIES).map(normalizeCapability);
  const add = unique(adds.map(normalizeCapability));
  const drop = unique(drops.map(normalizeCapability));
  if (drop.includes("ALL")) {
    if (add.includes("ALL")) {
      throw new UsageError("adding all caps and removing all caps not allowed");
    }
    return add.sort();
  }
  let start = base;
  let extra = add;
  if (add.includes("ALL")) {
    start = all;
    extra = [];
  }
  for (const c of drop) {
    if (extra.includes(c)) throw new UsageError(`capability "${c}" cannot be dropped and added`);
  }
  const out = start.filter((c) => !drop.includes(c));
  for (const c of extra) if (!out.includes(c)) out.push(c);
  return unique(out).sort();
}

/**
 * The capabilities a non-root process may hold in its effective set: the explicit adds that the
 * bounding set allows (podman gives a non-root user no capability unless `--cap-add` names it).
 * `--cap-add ALL` means the whole bounding set.
 */
export function userCapabilities(adds: readonly string[], bounding: readonly string[]): string[] {
  const add = unique(adds.map(normalizeCapability));
  const wanted = add.includes("ALL") ? [...bounding] : add;
  return wanted.filter((c) => bounding.includes(c)).sort();
}

/**
 * Decodes a `CapBnd:` hex mask (as in `/proc/self/status`) into capability names.
 * Bits past {@linkcode ALL_CAPABILITIES} are ignored.
 */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || "0"}`);
  return ALL_CAPABILITIES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}

/**
 * Reads this process's capability bounding set from `/proc/self/status`: what `ALL` and
 * `--privileged` may grant. Falls back to every capability when the file cannot be read.
 */
export async function readBoundingSet(statusPath = "/proc/self/status"): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(statusPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      return [...ALL_CAPABILITIES];
    }
    throw e;
  }
  const m = /^CapBnd:\s*([0-9a-fA-F]+)$/m.exec(text);
  return m ? capabilitiesFromMask(m[1]!) : [...ALL_CAPABILITIES];
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
