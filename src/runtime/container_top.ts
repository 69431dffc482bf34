/**
 * `top CONTAINER [DESCRIPTORS|PS-ARGS]`: the container's processes as podman shows them with
 * psgo's AIX format descriptors (`user pid ppid pcpu etime tty time args` by default, or
 * `%U %p …`), with pids as seen inside the container's pid namespace and user and group names
 * from the container's own /etc/passwd and /etc/group. Arguments that are not descriptors are
 * handed to `ps` run inside the container's pid and mount namespaces (argv only, no shell).
 * @module
 */

import { StateError } from "../define/errors.ts";
import { capabilitiesFromMask } from "../oci/capabilities.ts";
import { DEFAULT_PATH } from "../oci/spec.ts";
import { parseGroup, parsePasswd } from "../oci/user.ts";
import { runCommand } from "../sys/command.ts";
import { goDuration } from "./_ops_duration.ts";
import { bootTime, cgroupPids, CLOCK_TICKS, type ProcInfo, readProc } from "./_ops_proc.ts";
import { isLive, readFileInRoot, withContainerRoot } from "./_ops_rootfs.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

interface Ctx {
  byHost: Map<number, ProcInfo>;
  users: Map<number, string>;
  groups: Map<number, string>;
  hostUsers: Map<number, string>;
  hostGroups: Map<number, string>;
  nowMs: number;
  boot: number;
}

type Fn = (p: ProcInfo, c: Ctx) => string;

const nsPid = (host: number, c: Ctx) => String(c.byHost.get(host)?.pid ?? 0);
const name = (m: Map<number, string>, id: number | undefined) =>
  id === undefined ? "?" : m.get(id) ?? String(id);
/** Milliseconds since the process started (whole ms: no float noise in the output). */
const elapsedMs = (p: ProcInfo, c: Ctx) =>
  Math.max(0, c.nowMs - c.boot * 1000 - Math.round((p.startTicks * 1000) / CLOCK_TICKS));

function caps(mask: string): string {
  const set = capabilitiesFromMask(mask);
  if (BigInt(`0x${mask || "0"}`) === (1n << 41n) - 1n) return "full";
  return set.length ? set.map((x) => x.replace(/^CAP_/, "")).sort().join(",") : "none";
}

function tty(nr: number): string {
  if (nr === 0) return "?";
  const major = (nr >> 8) & 0xfff;
  const minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return `tty${minor}`;
  if (major === 5 && minor === 1) return "console";
  return "?";
}

/** psgo's descriptors: [code, normal name, header, function]. */
const DESCRIPTORS: [string, string, string, Fn][] = [
  [
    "%C",
    "pcpu",
    "%CPU",
    (p, c) =>
      (100 * (p.cpuTicks / CLOCK_TICKS) / Math.max(elapsedMs(p, c) / 1000, 1e-9)).toFixed(3),
  ],
  ["%G", "group", "GROUP", (p, c) => name(c.groups, p.gids[1])],
  ["", "groups", "GROUPS", (p, c) => p.groups.map((g) => name(c.groups, g)).join(",")],
  ["%P", "ppid", "PPID", (p, c) => nsPid(p.hostPpid, c)],
  ["%U", "user", "USER", (p, c) => name(c.users, p.uids[1])],
  ["", "uid", "UID", (p) => String(p.uids[1] ?? "?")],
  ["%a", "args", "COMMAND", (p) => (p.cmdline.length ? p.cmdline.join(" ") : `[${p.comm}]`)],
  ["%c", "comm", "COMMAND", (p) => p.comm],
  ["%g", "rgroup", "RGROUP", (p, c) => name(c.groups, p.gids[0])],
  ["%n", "nice", "NI", (p) => String(p.nice)],
  ["%p", "pid", "PID", (p) => String(p.pid)],
  ["%r", "pgid", "PGID", (p, c) => nsPid(p.hostPgrp, c)],
  ["%t", "etime", "ELAPSED", (p, c) => goDuration(BigInt(elapsedMs(p, c)) * 1_000_000n)],
  ["%u", "ruser", "RUSER", (p, c) => name(c.users, p.uids[0])],
  ["%x", "time", "TIME", (p) => goDuration(BigInt(p.cpuTicks) * BigInt(1e9 / CLOCK_TICKS))],
  ["%y", "tty", "TTY", (p) => tty(p.ttyNr)],
  ["%z", "vsz", "VSZ", (p) => String(Math.floor(p.vsize / 1024))],
  ["", "capamb", "AMBIENT CAPS", (p) => caps(p.caps.amb)],
  ["", "capinh", "INHERITED CAPS", (p) => caps(p.caps.inh)],
  ["", "capprm", "PERMITTED CAPS", (p) => caps(p.caps.prm)],
  ["", "capeff", "EFFECTIVE CAPS", (p) => caps(p.caps.eff)],
  ["", "capbnd", "BOUNDING CAPS", (p) => caps(p.caps.bnd)],
  [
    "",
    "seccomp",
    "SECCOMP",
    (p) =>
      ({ "0": "disabled", "1": "strict", "2": "filter" } as Record<string, string>)[p.seccomp] ??
        "?",
  ],
  ["", "label", "LABEL", (p) => readLabel(p.hostPid)],
  ["", "hpid", "HPID", (p) => String(p.hostPid)],
  ["", "huser", "HUSER", (p, c) => name(c.hostUsers, p.uids[1])],
  ["", "huid", "HUID", (p) => String(p.uids[1] ?? "?")],
  ["", "hgroup", "HGROUP", (p, c) => name(c.hostGroups, p.gids[1])],
  ["", "hgroups", "HGROUPS", (p) => p.groups.join(",")],
  ["", "rss", "RSS", (p) => String(p.rssKiB)],
  ["", "state", "STATE", (p) => p.state],
  ["", "stime", "STIME", (p, c) => goTime(c.boot + p.startTicks / CLOCK_TICKS)],
];

/** The descriptors podman shows by default (`ps -ef` like). */
export const DEFAULT_TOP_DESCRIPTORS = [
  "user",
  "pid",
  "ppid",
  "pcpu",
  "etime",
  "tty",
  "time",
  "args",
];

function readLabel(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/attr/current`).replace(/\0/g, "").trim() || "?";
  } catch {
    return "?";
  }
}

/** Go's default time format in UTC, e.g. `2026-11-29 10:10:57 +0000 UTC`. */
function goTime(seconds: number): string {
  const iso = new Date(Math.floor(seconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

function idNames(text: string | null, kind: "passwd" | "group"): Map<number, string> {
  const m = new Map<number, string>();
  const entries = kind === "passwd"
    ? parsePasswd(text).map((u) => [u.uid, u.name] as const)
    : parseGroup(text).map((g) => [g.gid, g.name] as const);
  for (const [id, n] of entries) if (!m.has(id)) m.set(id, n);
  return m;
}

function hostFile(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** Resolves descriptors (comma-separated too); null when one is unknown (use ps instead). */
function translate(args: string[]): [string, Fn][] | null {
  const wanted = args.flatMap((a) => a.split(",")).map((d) => d.trim()).filter((d) => d);
  const out: [string, Fn][] = [];
  for (const d of wanted.length ? wanted : DEFAULT_TOP_DESCRIPTORS) {
    const hit = DESCRIPTORS.find(([code, normal]) => d === normal || (code !== "" && d === code));
    if (!hit) return null;
    out.push([hit[2], hit[3]]);
  }
  return out;
}

/**
 * `top`: lines of tab-separated cells (header first) for the descriptors, or the output lines
 * of `ps ARGS` run in the container when the arguments are not all descriptors.
 */
export function containerTop(rt: Runtime, idOrName: string, args: string[]): Promise<string[]> {
  return withContainer(rt, idOrName, async (rec) => {
    if (rec.state.status !== "running" || !isLive(rec)) {
      throw new StateError("top can only be used on running containers");
    }
    const pid = rec.state.pid;
    const columns = translate(args);
    if (columns === null) {
      const out = await runCommand(
        ["nsenter", `--target=${pid}`, "--pid", "--mount", "--", "ps", ...args],
        {
          env: { PATH: DEFAULT_PATH },
          clearEnv: true,
        },
      ).catch((e) => {
        throw new StateError(`executing ps(1) in the container: ${(e as Error).message}`, {
          cause: e,
        });
      });
      const cmd = args.join(" ");
      return out.text.split("\n").filter((l) => l !== "" && !l.includes(cmd));
    }
    const procs = cgroupPids(pid).map(readProc).filter((p): p is ProcInfo => p !== null)
      .sort((a, b) => a.pid - b.pid);
    const files = await withContainerRoot(rt, rec, (root) =>
      Promise.resolve({
        passwd: readFileInRoot(root, "/etc/passwd"),
        group: readFileInRoot(root, "/etc/group"),
      }));
    const ctx: Ctx = {
      byHost: new Map(procs.map((p) => [p.hostPid, p])),
      users: idNames(files.passwd, "passwd"),
      groups: idNames(files.group, "group"),
      hostUsers: idNames(hostFile("/etc/passwd"), "passwd"),
      hostGroups: idNames(hostFile("/etc/group"), "group"),
      nowMs: Date.now(),
      boot: bootTime(),
    };
    const lines = [columns.map(([h]) => h).join("\t")];
    for (const p of procs) lines.push(columns.map(([, fn]) => fn(p, ctx)).join("\t"));
    return lines;
  });
}
