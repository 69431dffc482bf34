/**
 * Seccomp profiles in the docker/podman JSON format: loading skiff's profile (override path,
 * system path, or the copy built into the binary) and turning it into the OCI
 * `linux.seccomp` for one container's capabilities and the host architecture.
 * @module
 */

import { ConfigError } from "../define/errors.ts";
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from "./types.ts";

/** An argument condition as the profile writes it. */
export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

/** Conditions on a rule: all listed capabilities / one of the arches / a minimum kernel. */
export interface SeccompFilter {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}

/** One rule of a profile. `name` is the old single-name form. */
export interface SeccompRule {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number | null;
  args?: SeccompArg[] | null;
  comment?: string;
  includes?: SeccompFilter | null;
  excludes?: SeccompFilter | null;
}

/** A docker/podman-format seccomp profile (`/usr/share/containers/seccomp.json` style). */
export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number | null;
  architectures?: string[] | null;
  archMap?: { architecture: string; subArchitectures?: string[] | null }[] | null;
  flags?: string[] | null;
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompRule[] | null;
}

/** Where {@linkcode loadSeccompProfile} looks. */
export interface SeccompPaths {
  /** Used when it exists. @default "/etc/skiff/seccomp.json" */
  override: string;
  /** Used when the override does not exist. @default "/usr/share/skiff/seccomp.json" */
  system: string;
}

/** skiff's own paths for the profile. */
export const DEFAULT_SECCOMP_PATHS: SeccompPaths = {
  override: "/etc/skiff/seccomp.json",
  system: "/usr/share/skiff/seccomp.json",
};

const EMBEDDED = new URL("../../conf/seccomp.json", import.meta.url);

const ACTIONS = new Set([
  "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE",
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",
]);
const OPS = new Set([
  "SCMP_CMP_NE",
  "SCMP_CMP_LT",
  "SCMP_CMP_LE",
  "SCMP_CMP_EQ",
  "SCMP_CMP_GE",
  "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ",
]);

/**
 * Loads the seccomp profile: `paths.override` if it exists, else `paths.system`, else the copy
 * of `conf/seccomp.json` embedded in skiff (the seed's override-path rule).
 * @throws {ConfigError} naming the file when it cannot be read or is not a valid profile.
 */
export async function loadSeccompProfile(
  paths: SeccompPaths = DEFAULT_SECCOMP_PATHS,
): Promise<SeccompProfile> {
  for (const path of [paths.override, paths.system]) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw new ConfigError(`reading seccomp profile ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    return parseSeccompProfile(text, path);
  }
  return parseSeccompProfile(await Deno.readTextFile(EMBEDDED), "built-in seccomp.json");
}

/**
 * Parses and checks a profile's JSON text.
 * @throws {ConfigError} naming `source` for bad JSON, an unknown action or operator, or a rule
 * that has both `name` and `names`.
 */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`parsing seccomp profile ${source}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const bad = (why: string) => new ConfigError(`invalid seccomp profile ${source}: ${why}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("not an object");
  const p = raw as SeccompProfile;
  if (!ACTIONS.has(p.defaultAction)) {
    throw bad(`unknown defaultAction ${JSON.stringify(p.defaultAction)}`);
  }
  if (p.architectures?.length && p.archMap?.length) {
    throw bad("'architectures' and 'archMap' were both specified, use one of them");
  }
  for (const [i, r] of (p.syscalls ?? []).entries()) {
    const where = `syscalls[${i}]`;
    if (typeof r !== "object" || r === null) throw bad(`${where} is not an object`);
    if (!ACTIONS.has(r.action)) throw bad(`${where}: unknown action ${JSON.stringify(r.action)}`);
    if (r.name && r.names?.length) throw bad(`${where}: 'name' and 'names' were both specified`);
    if (!r.name && !r.names?.length) throw bad(`${where}: no syscall names`);
    for (const a of r.args ?? []) {
      if (!OPS.has(a.op)) throw bad(`${where}: unknown operator ${JSON.stringify(a.op)}`);
      if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) {
        throw bad(`${where}: argument index ${a.index} out of range`);
      }
    }
  }
  return p;
}

/** The host a profile is converted for. */
export interface SeccompTarget {
  /** The container's bounding capabilities (`CAP_*`): rules' `caps` are checked against them. */
  capabilities: readonly string[];
  /** The native architecture, `uname -m` style: `x86_64`, `aarch64` … */
  arch: string;
  /** The host kernel release (`6.1.0-13-amd64`); rules with `minKernel` above it are dropped. */
  kernel?: string;
}

/** Names for one architecture: uname, Go (used by docker profiles' `arches`), libseccomp. */
const ARCH_ALIASES: Record<string, string[]> = {
  "x86_64": ["x86_64", "amd64", "SCMP_ARCH_X86_64"],
  aarch64: ["aarch64", "arm64", "SCMP_ARCH_AARCH64"],
  i686: ["i686", "i386", "386", "x86", "SCMP_ARCH_X86"],
  armv7l: ["armv7l", "arm", "SCMP_ARCH_ARM"],
  ppc64le: ["ppc64le", "SCMP_ARCH_PPC64LE"],
  s390x: ["s390x", "SCMP_ARCH_S390X"],
  riscv64: ["riscv64", "SCMP_ARCH_RISCV64"],
};

function archNames(arch: string): string[] {
  const key = arch === "amd64" ? "x86_64" : arch === "arm64" ? "aarch64" : arch;
  return ARCH_ALIASES[key] ?? [arch];
}

function capName(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith("CAP_") ? u : `CAP_${u}`;
}

/** Compares `a.b.c` kernel versions numerically; the local part after `-` is ignored. */
export function kernelAtLeast(kernel: string, min: string): boolean {
  const parse = (v: string) => v.split("-")[0]!.split(".").map((x) => parseInt(x, 10) || 0);
  const k = parse(kernel);
  const m = parse(min);
  for (let i = 0; i < Math.max(k.length, m.length); i++) {
    const a = k[i] ?? 0;
    const b = m[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function ruleApplies(r: SeccompRule, t: SeccompTarget, arches: string[], caps: Set<string>) {
  const ex = r.excludes ?? {};
  if (ex.arches?.some((a) => arches.includes(a))) return false;
  if (ex.caps?.some((c) => caps.has(capName(c)))) return false;
  if (ex.minKernel && t.kernel && kernelAtLeast(t.kernel, ex.minKernel)) return false;
  const inc = r.includes ?? {};
  if (inc.arches?.length && !inc.arches.some((a) => arches.includes(a))) return false;
  if (inc.caps?.length && !inc.caps.every((c) => caps.has(capName(c)))) return false;
  if (inc.minKernel && t.kernel && !kernelAtLeast(t.kernel, inc.minKernel)) return false;
  return true;
}

/**
 * Converts a profile to the OCI `linux.seccomp` for a container: `archMap` picks the native
 * architecture and its sub-architectures; a rule is kept when its `includes` hold (every cap in
 * the container's bounding set, the host arch among `arches`, kernel at least `minKernel`) and
 * its `excludes` do not (any cap held, arch listed, kernel at least `minKernel`).
 */
export function convertSeccompProfile(p: SeccompProfile, t: SeccompTarget): LinuxSeccomp {
  const arches = archNames(t.arch);
  const caps = new Set(t.capabilities.map(capName));
  const out: LinuxSeccomp = { defaultAction: p.defaultAction };
  if (typeof p.defaultErrnoRet === "number") out.defaultErrnoRet = p.defaultErrnoRet;
  if (p.archMap?.length) {
    // No entry for this host leaves the list out: libseccomp then filters the native arch.
    const native = p.archMap.find((a) => arches.includes(a.architecture));
    if (native) out.architectures = [native.architecture, ...(native.subArchitectures ?? [])];
  } else if (p.architectures?.length) {
    out.architectures = [...p.architectures];
  }
  if (p.flags?.length) out.flags = [...p.flags];
  if (p.listenerPath) out.listenerPath = p.listenerPath;
  if (p.listenerMetadata) out.listenerMetadata = p.listenerMetadata;
  const syscalls: LinuxSyscall[] = [];
  for (const r of p.syscalls ?? []) {
    if (!ruleApplies(r, t, arches, caps)) continue;
    const names = r.name ? [r.name] : [...(r.names ?? [])];
    const s: LinuxSyscall = { names, action: r.action };
    if (typeof r.errnoRet === "number") s.errnoRet = r.errnoRet;
    if (r.args?.length) {
      s.args = r.args.map((a): LinuxSeccompArg => {
        const arg: LinuxSeccompArg = { index: a.index, value: a.value, op: a.op };
        if (a.valueTwo !== undefined) arg.valueTwo = a.valueTwo;
        return arg;
      });
    }
    syscalls.push(s);
  }
  out.syscalls = syscalls;
  return out;
}
