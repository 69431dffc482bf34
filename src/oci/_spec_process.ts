/**
 * The `process` half of spec generation: argv, environment, user, capabilities and rlimits.
 * Private to src/oci; the entry point is spec.ts.
 * @module
 */

import type { ContainerConfig, Ulimit } from "../define/container.ts";
import { UsageError } from "../define/errors.ts";
import { mergeCapabilities, userCapabilities } from "./capabilities.ts";
import type { OciCapabilities, OciRlimit } from "./types.ts";
import type { ResolvedUser } from "./user.ts";

/** The parts of an image config that decide how its container runs. */
export interface ImageRuntimeConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  User?: string;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
}

/** podman's `PATH` when the image sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The value of `container=` in the environment (podman writes `podman`). */
export const CONTAINER_ENV = "skiff";

/** Default `RLIMIT_NOFILE`/`RLIMIT_NPROC` of podman (`define.RLimitDefaultValue`). */
export const RLIMIT_DEFAULT = 1048576;

/**
 * The container's argv: `--entrypoint` replaces the image's entrypoint and also drops the
 * image's CMD (only the command given on the command line follows it); otherwise the image
 * entrypoint is followed by the given command, or by the image CMD when none was given.
 * @throws {UsageError} `no command or entrypoint provided, and no CMD or ENTRYPOINT from image`
 */
export function resolveProcessArgs(config: ContainerConfig, image: ImageRuntimeConfig): string[] {
  let entrypoint: string[];
  let cmd: string[];
  if (config.entrypoint !== null) {
    // `--entrypoint ""` clears the entrypoint.
    entrypoint = config.entrypoint.length === 1 && config.entrypoint[0] === ""
      ? []
      : [...config.entrypoint];
    cmd = [...config.command];
  } else {
    entrypoint = [...(image.Entrypoint ?? [])];
    cmd = config.command.length > 0 ? [...config.command] : [...(image.Cmd ?? [])];
  }
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) {
    throw new UsageError("no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  }
  return args;
}

/**
 * The environment a container's config and image give, in a stable order: podman's defaults
 * (`PATH`, `TERM=xterm`, `container`), overridden in place by the image's `Env`, then by
 * `-e`/`--env-file` (new keys appended). `commit` stores this as the new image's `Env`.
 */
export function containerEnv(
  config: ContainerConfig,
  image: ImageRuntimeConfig,
): Map<string, string> {
  const env = new Map<string, string>([
    ["PATH", DEFAULT_PATH],
    ["TERM", "xterm"],
    ["container", CONTAINER_ENV],
  ]);
  for (const entry of image.Env ?? []) {
    const eq = entry.indexOf("=");
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(config.env)) env.set(k, v);
  return env;
}

/**
 * The process environment: {@linkcode containerEnv}, then `HOME` from passwd and `HOSTNAME`,
 * each only when still unset.
 */
export function buildEnv(
  config: ContainerConfig,
  image: ImageRuntimeConfig,
  home: string | null,
  hostname: string,
): string[] {
  const env = containerEnv(config, image);
  if (!env.has("HOME") && home !== null && home !== "") env.set("HOME", home);
  if (!env.has("HOSTNAME")) env.set("HOSTNAME", hostname);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Inputs of {@linkcode buildCapabilities}. */
export interface CapabilityInput {
  config: ContainerConfig;
  user: ResolvedUser;
  /** The caller's bounding set: what ALL and --privileged grant. */
  bounding: readonly string[];
}

/**
 * `process.capabilities` as podman 4.3.1 builds it. Root: bounding = effective = permitted =
 * the merged set (default, or every capability with --privileged, then --cap-add/--cap-drop).
 * Any other uid: bounding = the merged set, and only the `--cap-add` names (that the bounding
 * set allows) go to effective, permitted, inheritable and ambient. Empty sets are left out.
 */
export function buildCapabilities(input: CapabilityInput): OciCapabilities {
  const { config, user, bounding } = input;
  const base = config.privileged ? bounding : undefined;
  const caps = mergeCapabilities(config.capAdd, config.capDrop, {
    ...(base ? { base } : {}),
    all: bounding,
  });
  const out: OciCapabilities = {};
  if (caps.length) out.bounding = caps;
  if (user.uid === 0) {
    if (caps.length) {
      out.effective = caps;
      out.permitted = caps;
    }
    return out;
  }
  const userCaps = userCapabilities(config.capAdd, caps);
  if (userCaps.length) {
    out.effective = userCaps;
    out.inheritable = userCaps;
    out.permitted = userCaps;
    out.ambient = userCaps;
  }
  return out;
}

/** `--ulimit` type names and the rlimit each one sets. */
const ULIMIT_TYPES: Record<string, string> = {
  core: "RLIMIT_CORE",
  cpu: "RLIMIT_CPU",
  data: "RLIMIT_DATA",
  fsize: "RLIMIT_FSIZE",
  locks: "RLIMIT_LOCKS",
  memlock: "RLIMIT_MEMLOCK",
  msgqueue: "RLIMIT_MSGQUEUE",
  nice: "RLIMIT_NICE",
  nofile: "RLIMIT_NOFILE",
  nproc: "RLIMIT_NPROC",
  rss: "RLIMIT_RSS",
  rtprio: "RLIMIT_RTPRIO",
  rttime: "RLIMIT_RTTIME",
  sigpending: "RLIMIT_SIGPENDING",
  stack: "RLIMIT_STACK",
};

function rlimitName(u: Ulimit): string {
  const t = u.type.toLowerCase().replace(/^rlimit_/, "");
  const name = ULIMIT_TYPES[t];
  if (!name) throw new UsageError(`invalid ulimit type: ${u.type}`);
  return name;
}

/**
 * `process.rlimits`: the `--ulimit` entries in order, then podman's defaults for NOFILE and
 * NPROC (1048576) when not given — clamped to the caller's hard limits, since a process without
 * CAP_SYS_RESOURCE cannot raise them (podman fails with exit 126 there).
 * @throws {UsageError} for an unknown type, soft above hard, a negative value, or a hard limit
 * above the caller's (`ulimit nofile=30000:30000 exceeds the hard limit 20000 of this process`).
 */
export function buildRlimits(
  ulimits: readonly Ulimit[],
  host: Record<string, { soft: number; hard: number }>,
): OciRlimit[] {
  const out: OciRlimit[] = [];
  for (const u of ulimits) {
    const type = rlimitName(u);
    const text = `${u.type}=${u.soft}:${u.hard}`;
    if (
      !Number.isSafeInteger(u.soft) || !Number.isSafeInteger(u.hard) || u.soft < 0 || u.hard < 0
    ) {
      throw new UsageError(`invalid ulimit ${text}: limits must be non-negative integers`);
    }
    if (u.soft > u.hard) {
      throw new UsageError(
        `ulimit soft limit must be less than or equal to hard limit: ${u.soft} > ${u.hard}`,
      );
    }
    const max = host[type]?.hard;
    if (max !== undefined && Number.isFinite(max) && max >= 0 && u.hard > max) {
      throw new UsageError(`ulimit ${text} exceeds the hard limit ${max} of this process`);
    }
    const existing = out.findIndex((r) => r.type === type);
    const r = { type, hard: u.hard, soft: u.soft };
    if (existing >= 0) out[existing] = r;
    else out.push(r);
  }
  for (const type of ["RLIMIT_NOFILE", "RLIMIT_NPROC"]) {
    if (out.some((r) => r.type === type)) continue;
    const max = host[type]?.hard;
    const v = max !== undefined && Number.isFinite(max) && max >= 0
      ? Math.min(RLIMIT_DEFAULT, max)
      : RLIMIT_DEFAULT;
    out.push({ type, hard: v, soft: v });
  }
  return out;
}

/** `/proc/<pid>/limits` row names and the rlimits they show. */
const LIMITS_ROWS: Record<string, string> = {
  "Max cpu time": "RLIMIT_CPU",
  "Max file size": "RLIMIT_FSIZE",
  "Max data size": "RLIMIT_DATA",
  "Max stack size": "RLIMIT_STACK",
  "Max core file size": "RLIMIT_CORE",
  "Max resident set": "RLIMIT_RSS",
  "Max processes": "RLIMIT_NPROC",
  "Max open files": "RLIMIT_NOFILE",
  "Max locked memory": "RLIMIT_MEMLOCK",
  "Max address space": "RLIMIT_AS",
  "Max file locks": "RLIMIT_LOCKS",
  "Max pending signals": "RLIMIT_SIGPENDING",
  "Max msgqueue size": "RLIMIT_MSGQUEUE",
  "Max nice priority": "RLIMIT_NICE",
  "Max realtime priority": "RLIMIT_RTPRIO",
  "Max realtime timeout": "RLIMIT_RTTIME",
};

/** Parses `/proc/<pid>/limits` text; `unlimited` becomes `Infinity`. */
export function parseProcLimits(text: string): Record<string, { soft: number; hard: number }> {
  const out: Record<string, { soft: number; hard: number }> = {};
  for (const line of text.split("\n")) {
    const m = /^(Max [a-z ]+?)\s{2,}(\d+|unlimited)\s+(\d+|unlimited)/.exec(line);
    const type = m ? LIMITS_ROWS[m[1]!] : undefined;
    if (!m || !type) continue;
    const num = (v: string) => (v === "unlimited" ? Infinity : Number(v));
    out[type] = { soft: num(m[2]!), hard: num(m[3]!) };
  }
  return out;
}

/** This process's rlimits (for `SpecInput.hostRlimits`), read from `/proc/self/limits`. */
export async function readProcessRlimits(
  path = "/proc/self/limits",
): Promise<Record<string, { soft: number; hard: number }>> {
  return parseProcLimits(await Deno.readTextFile(path));
}
