/**
 * Reading a container's processes and cgroup from the host's /proc and /sys/fs/cgroup, for
 * `top` and `stats`: host pids come from the container's cgroup, and `/proc/<pid>/status`
 * `NSpid` gives each one's pid inside the container's pid namespace.
 * @module
 */

/** Where a process's cgroups are: one path per v1 controller, or the unified v2 path. */
export interface CgroupPaths {
  /** True on a cgroup v2 (unified) host. */
  unified: boolean;
  /** v1: controller → path below /sys/fs/cgroup/<controller>; v2: "" → path. */
  paths: Map<string, string>;
}

/** The cgroups of process `pid` (from `/proc/<pid>/cgroup`), or null when it is gone. */
export function processCgroups(pid: number): CgroupPaths | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/cgroup`);
  } catch {
    return null;
  }
  const paths = new Map<string, string>();
  let v2: string | null = null;
  for (const line of text.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === "0" && m[2] === "") v2 = m[3]!;
    for (const c of m[2]!.split(",")) if (c) paths.set(c, m[3]!);
  }
  const unified = paths.size === 0 || !isDir("/sys/fs/cgroup/pids");
  if (unified && v2 !== null) return { unified: true, paths: new Map([["", v2]]) };
  return { unified: false, paths };
}

function isDir(p: string): boolean {
  try {
    return Deno.statSync(p).isDirectory;
  } catch {
    return false;
  }
}

/** The directory of `controller` (v1) or the unified directory (v2) of the cgroups. */
export function cgroupDir(cg: CgroupPaths, controller: string): string | null {
  const path = cg.unified ? cg.paths.get("") : cg.paths.get(controller);
  if (path === undefined) return null;
  return cg.unified ? `/sys/fs/cgroup${path}` : `/sys/fs/cgroup/${controller}${path}`;
}

/** Reads a cgroup file as text, or null. */
export function readCgroupFile(dir: string | null, file: string): string | null {
  if (dir === null) return null;
  try {
    return Deno.readTextFileSync(`${dir}/${file}`);
  } catch {
    return null;
  }
}

/** Host pids of every process in the container's cgroup (and cgroups below it). */
export function cgroupPids(initPid: number): number[] {
  const cg = processCgroups(initPid);
  const dir = cg ? cgroupDir(cg, "pids") ?? cgroupDir(cg, "memory") : null;
  const pids = new Set<number>();
  const walk = (d: string) => {
    for (const l of (readCgroupFile(d, "cgroup.procs") ?? "").split("\n")) {
      if (/^\d+$/.test(l)) pids.add(Number(l));
    }
    try {
      for (const e of Deno.readDirSync(d)) if (e.isDirectory) walk(`${d}/${e.name}`);
    } catch { /* gone meanwhile */ }
  };
  if (dir) walk(dir);
  if (pids.size === 0) pids.add(initPid);
  return [...pids].sort((a, b) => a - b);
}

/** What `top` shows of one process, read on the host. */
export interface ProcInfo {
  hostPid: number;
  /** The pid inside the innermost pid namespace (the container's). */
  pid: number;
  hostPpid: number;
  hostPgrp: number;
  /** Process name (`comm`). */
  comm: string;
  /** Command line arguments; empty for kernel threads and zombies. */
  cmdline: string[];
  /** One-letter state (`S`, `R` …). */
  state: string;
  nice: number;
  ttyNr: number;
  /** User + system CPU time, in clock ticks. */
  cpuTicks: number;
  /** Start time after boot, in clock ticks. */
  startTicks: number;
  /** Virtual memory size in bytes. */
  vsize: number;
  /** Resident set, in KiB (VmRSS). */
  rssKiB: number;
  /** Real, effective, saved, filesystem uids (and gids). */
  uids: number[];
  gids: number[];
  groups: number[];
  caps: { inh: string; prm: string; eff: string; bnd: string; amb: string };
  seccomp: string;
}

/** Reads `/proc/<pid>` of the host; null when the process is gone. */
export function readProc(pid: number): ProcInfo | null {
  let stat: string;
  let status: string;
  let cmdline: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
    cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return null;
  }
  const close = stat.lastIndexOf(")");
  const comm = stat.slice(stat.indexOf("(") + 1, close);
  // fields after "comm": state is field 3 of stat(5), so index i here is field i + 3
  const f = stat.slice(close + 2).split(" ");
  const num = (field: number) => Number(f[field - 3] ?? 0);
  const st = new Map<string, string>();
  for (const line of status.split("\n")) {
    const c = line.indexOf(":");
    if (c > 0) st.set(line.slice(0, c), line.slice(c + 1).trim());
  }
  const ints = (k: string) => (st.get(k) ?? "").split(/\s+/).filter((x) => x).map(Number);
  const nspid = ints("NSpid");
  const args = cmdline.split("\0");
  return {
    hostPid: pid,
    pid: nspid.length ? nspid[nspid.length - 1]! : pid,
    hostPpid: num(4),
    hostPgrp: num(5),
    comm,
    cmdline: cmdline === "" ? [] : args,
    state: f[0] ?? "?",
    nice: num(19),
    ttyNr: num(7),
    cpuTicks: num(14) + num(15),
    startTicks: num(22),
    vsize: num(23),
    rssKiB: Number((st.get("VmRSS") ?? "0").split(/\s+/)[0]),
    uids: ints("Uid"),
    gids: ints("Gid"),
    groups: ints("Groups"),
    caps: {
      inh: st.get("CapInh") ?? "0",
      prm: st.get("CapPrm") ?? "0",
      eff: st.get("CapEff") ?? "0",
      bnd: st.get("CapBnd") ?? "0",
      amb: st.get("CapAmb") ?? "0",
    },
    seccomp: st.get("Seccomp") ?? "",
  };
}

/** The boot time (seconds since the epoch) from /proc/stat. */
export function bootTime(): number {
  const m = /^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"));
  return m ? Number(m[1]) : 0;
}

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux). */
export const CLOCK_TICKS = 100;
