/**
 * `stats`: resource use of a container read from its cgroup (v1: cpuacct.usage,
 * memory.usage_in_bytes, pids.current, blkio.throttle.io_service_bytes; v2: cpu.stat,
 * memory.current, pids.current, io.stat) and, with a network namespace of its own, from
 * `/proc/<pid>/net/dev`. CPU % is computed as podman does: the CPU time used between two
 * samples over the wall time between them, the first sample measured from the start.
 * @module
 */

import { memInfo } from "../sys/host_info.ts";
import { cgroupDir, type CgroupPaths, processCgroups, readCgroupFile } from "./_ops_proc.ts";
import { isLive } from "./_ops_rootfs.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

/** One raw reading of a container's counters. */
export interface StatsSample {
  id: string;
  name: string;
  /** Whether the container had processes to measure. */
  running: boolean;
  /** Cumulative CPU time in nanoseconds. */
  cpuNano: number;
  /** When the sample was taken, nanoseconds since the epoch. */
  systemNano: number;
  /** When the container started, nanoseconds since the epoch. */
  startedNano: number;
  memUsage: number;
  memLimit: number;
  netInput: number;
  netOutput: number;
  blockInput: number;
  blockOutput: number;
  pids: number;
}

/** A sample turned into what `stats` shows (podman's ContainerStats). */
export interface StatsReport extends StatsSample {
  /** CPU % since the previous sample (or since the start). */
  cpuPercent: number;
  /** The running average of the CPU % samples. */
  avgCpu: number;
  memPercent: number;
  /** How many samples the average covers. */
  dataPoints: number;
}

function num(text: string | null): number {
  const n = Number((text ?? "").trim());
  return Number.isFinite(n) ? n : 0;
}

function keyed(text: string | null, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, "m").exec(text ?? "");
  return m ? Number(m[1]) : 0;
}

function blockIo(cg: CgroupPaths): [number, number] {
  let read = 0;
  let write = 0;
  if (cg.unified) {
    for (const line of (readCgroupFile(cgroupDir(cg, ""), "io.stat") ?? "").split("\n")) {
      read += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
      write += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
    }
    return [read, write];
  }
  const dir = cgroupDir(cg, "blkio");
  const text = readCgroupFile(dir, "blkio.throttle.io_service_bytes_recursive") ??
    readCgroupFile(dir, "blkio.throttle.io_service_bytes") ?? "";
  for (const line of text.split("\n")) {
    const [, op, value] = line.trim().split(/\s+/);
    if (op === "Read") read += Number(value);
    if (op === "Write") write += Number(value);
  }
  return [read, write];
}

function netIo(pid: number): [number, number] {
  let rx = 0;
  let tx = 0;
  let text = "";
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/net/dev`);
  } catch {
    return [0, 0];
  }
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0 || line.slice(0, colon).trim() === "lo") continue;
    const f = line.slice(colon + 1).trim().split(/\s+/);
    rx += Number(f[0] ?? 0);
    tx += Number(f[8] ?? 0);
  }
  return [rx, tx];
}

/** Reads the counters of `idOrName` now. */
export function containerStats(rt: Runtime, idOrName: string): Promise<StatsSample> {
  return withContainer(rt, idOrName, (rec) => {
    const sample: StatsSample = {
      id: rec.config.id,
      name: rec.config.name,
      running: false,
      cpuNano: 0,
      systemNano: Date.now() * 1e6,
      startedNano: rec.state.startedAt ? new Date(rec.state.startedAt).getTime() * 1e6 : 0,
      memUsage: 0,
      memLimit: 0,
      netInput: 0,
      netOutput: 0,
      blockInput: 0,
      blockOutput: 0,
      pids: 0,
    };
    const cg = isLive(rec) ? processCgroups(rec.state.pid) : null;
    if (!cg) return Promise.resolve(sample);
    sample.running = true;
    const physical = memInfo().memTotal;
    let limit: number;
    if (cg.unified) {
      const dir = cgroupDir(cg, "");
      sample.cpuNano = keyed(readCgroupFile(dir, "cpu.stat"), "usage_usec") * 1000;
      sample.memUsage = num(readCgroupFile(dir, "memory.current"));
      limit = num(readCgroupFile(dir, "memory.max")) || Infinity;
      sample.pids = num(readCgroupFile(dir, "pids.current"));
    } else {
      sample.cpuNano = num(readCgroupFile(cgroupDir(cg, "cpuacct"), "cpuacct.usage"));
      const mem = cgroupDir(cg, "memory");
      sample.memUsage = num(readCgroupFile(mem, "memory.usage_in_bytes"));
      limit = num(readCgroupFile(mem, "memory.limit_in_bytes")) || Infinity;
      sample.pids = num(readCgroupFile(cgroupDir(cg, "pids"), "pids.current"));
    }
    sample.memLimit = limit > 0 && limit < physical ? limit : physical;
    [sample.blockInput, sample.blockOutput] = blockIo(cg);
    if (rec.state.netNs || rec.config.network.mode !== "host") {
      [sample.netInput, sample.netOutput] = netIo(rec.state.pid);
    }
    return Promise.resolve(sample);
  });
}

/** Turns a sample into a report, computing CPU % against `prev` (or the start time). */
export function statsReport(cur: StatsSample, prev: StatsReport | null): StatsReport {
  const prevCpu = prev ? prev.cpuNano : 0;
  const prevSystem = prev ? prev.systemNano : cur.startedNano;
  const cpuDelta = cur.cpuNano - prevCpu;
  const systemDelta = cur.systemNano - prevSystem;
  const cpuPercent = cur.running && cpuDelta > 0 && systemDelta > 0
    ? (cpuDelta / systemDelta) * 100
    : 0;
  const points = prev ? prev.dataPoints : 0;
  return {
    ...cur,
    cpuPercent,
    avgCpu: ((prev?.avgCpu ?? 0) * points + cpuPercent) / (points + 1),
    memPercent: cur.memLimit > 0 ? (cur.memUsage / cur.memLimit) * 100 : 0,
    dataPoints: points + 1,
  };
}
