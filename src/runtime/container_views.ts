/**
 * What `ps` and `inspect` show. Listing takes no locks (a hung process holding a container's
 * lock must never hang `ps`): it reads the stored state and peeks at exit files.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { isActive, statusName } from "../define/container_status.ts";
import { UsageError } from "../define/errors.ts";
import { parseImageConfig } from "../image/image_config.ts";
import { readExitFile } from "../oci/exit_file.ts";
import { containerPaths } from "./container_paths.ts";
import type { Runtime } from "./runtime.ts";

/** A container as `ps` sees it. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string[];
  Created: number;
  CreatedAt: string;
  State: string;
  StartedAt: number;
  ExitedAt: number;
  Exited: boolean;
  ExitCode: number;
  Pid: number;
  Labels: Record<string, string>;
  AutoRemove: boolean;
  Ports: { hostIp: string; hostPort: number; containerPort: number; protocol: string }[] | null;
  Mounts: string[];
  Networks: string[];
  Pod: string;
  PodName: string;
  Namespaces: Record<string, never>;
  IsInfra: boolean;
  Size: null;
}

function processArgs(rec: ContainerRecord): string[] {
  const p = rec.config.extra?.process as { args?: string[] } | undefined;
  return p?.args ?? rec.config.command;
}

function labels(rt: Runtime, rec: ContainerRecord): Record<string, string> {
  const img = rt.store.images.find(rec.config.image.id);
  const imgLabels = img
    ? parseImageConfig(new TextEncoder().encode(img.config)).config?.Labels ?? {}
    : {};
  return { ...imgLabels, ...rec.config.labels };
}

/** The state after peeking at the exit file, without saving (no lock held). */
export function peekState(rt: Runtime, rec: ContainerRecord): ContainerRecord["state"] {
  const st = { ...rec.state };
  if (isActive(st.status)) {
    const exit = readExitFile(containerPaths(rt, rec.config.id).exitDir, rec.config.id);
    if (exit) {
      Object.assign(st, {
        status: "exited",
        exitCode: exit.code,
        exited: true,
        finishedAt: exit.finishedAt.toISOString(),
        pid: 0,
      });
    }
  }
  return st;
}

const unix = (t: string | null) => (t ? Math.floor(new Date(t).getTime() / 1000) : -62135596800);

function summary(rt: Runtime, rec: ContainerRecord): ContainerSummary {
  const st = peekState(rt, rec);
  const c = rec.config;
  return {
    Id: c.id,
    Names: [c.name],
    Image: c.image.name,
    ImageID: c.image.id,
    Command: processArgs(rec),
    Created: unix(c.createdAt),
    CreatedAt: c.createdAt,
    State: st.status === "stopped" ? "exited" : statusName(st.status),
    StartedAt: unix(st.startedAt),
    ExitedAt: unix(st.finishedAt),
    Exited: st.exited,
    ExitCode: st.exitCode,
    Pid: st.pid,
    Labels: labels(rt, rec),
    AutoRemove: c.autoRemove,
    Ports: c.network.ports.length ? c.network.ports : null,
    Mounts: c.mounts.map((m) => m.destination),
    Networks: c.network.mode === "bridge"
      ? (c.network.networks.length ? c.network.networks : [rt.config.runtime.cniDefaultNetwork])
      : [],
    Pod: "",
    PodName: "",
    Namespaces: {},
    IsInfra: false,
    Size: null,
  };
}

/** Filters `ps --filter` understands. */
function containerFilter(filters: string[]): (s: ContainerSummary) => boolean {
  const tests: ((s: ContainerSummary) => boolean)[] = [];
  for (const f of filters) {
    const eq = f.indexOf("=");
    if (eq < 0) throw new UsageError(`invalid filter "${f}": expected key=value`);
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    switch (key) {
      case "id":
        tests.push((s) => s.Id.startsWith(value));
        break;
      case "name":
        tests.push((s) => new RegExp(value).test(s.Names[0]!));
        break;
      case "status": {
        const ok = [
          "created",
          "running",
          "paused",
          "exited",
          "stopped",
          "stopping",
          "removing",
          "unknown",
          "configured",
        ];
        if (!ok.includes(value)) {
          throw new UsageError(`invalid filter "${f}": ${value} is not a valid status`);
        }
        tests.push((s) => s.State === value || (value === "stopped" && s.State === "exited"));
        break;
      }
      case "label": {
        const [k, v] = value.split(/=(.*)/s);
        tests.push((s) => k! in s.Labels && (v === undefined || s.Labels[k!] === v));
        break;
      }
      case "exited":
        if (!/^\d+$/.test(value)) {
          throw new UsageError(`invalid filter "${f}": exit code must be a number`);
        }
        tests.push((s) => s.Exited && s.ExitCode === Number(value));
        break;
      case "ancestor":
        tests.push((s) =>
          s.ImageID.startsWith(value) || s.Image === value ||
          s.Image.replace(/:[^:/]+$/, "") === value || s.Image.endsWith(`/${value}`) ||
          s.Image.endsWith(`/${value}:latest`)
        );
        break;
      default:
        throw new UsageError(`invalid filter "${f}": unknown key "${key}"`);
    }
  }
  return (s) => tests.every((t) => t(s));
}

/** Options of {@linkcode listContainers}. */
export interface ListOptions {
  all?: boolean;
  filters?: string[];
  /** The n most recently created (all states). */
  last?: number;
  /** Only the latest created container. */
  latest?: boolean;
}

/** The containers `ps` shows, newest first. */
export function listContainers(rt: Runtime, options: ListOptions = {}): ContainerSummary[] {
  const keep = containerFilter(options.filters ?? []);
  let list = rt.state.allContainers().map((r) => summary(rt, r))
    .sort((a, b) => b.CreatedAt.localeCompare(a.CreatedAt));
  const everything = options.all || options.latest || (options.last ?? -1) >= 0 ||
    (options.filters?.length ?? 0) > 0;
  if (!everything) list = list.filter((s) => s.State === "running" || s.State === "paused");
  list = list.filter(keep);
  if (options.latest) list = list.slice(0, 1);
  if ((options.last ?? -1) >= 0) list = list.slice(0, options.last);
  return list;
}

/** True when the container exists. */
export function containerExists(rt: Runtime, idOrName: string): boolean {
  try {
    rt.state.lookupContainer(idOrName);
    return true;
  } catch {
    return false;
  }
}

/** The newest container's ID (`--latest`). */
export function latestContainer(rt: Runtime): string {
  const all = rt.state.allContainers().sort((a, b) =>
    b.config.createdAt.localeCompare(a.config.createdAt)
  );
  if (!all[0]) {
    throw new UsageError("no containers to act on: --latest needs at least one container");
  }
  return all[0].config.id;
}

export { inspectContainer } from "./container_inspect.ts";
