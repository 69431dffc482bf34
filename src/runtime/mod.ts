/**
 * The runtime's public API: everything the CLI may call. It is a lazy facade: each verb loads
 * its implementation (and what that needs: SQLite, FFI, the image store, conmon, CNI …) on
 * first call, so a command pays at start-up only for what it uses, and `version` or `--help`
 * for nothing. Verbs are therefore async even where the implementation is not. Types are
 * re-exported as types only; the few helpers the CLI needs synchronously come from light
 * modules.
 * @module
 */

import type * as Attach from "./container_attach.ts";
import type * as Cleanup from "./container_cleanup.ts";
import type * as Commit from "./container_commit.ts";
import type * as Cp from "./container_cp.ts";
import type * as Create from "./container_create.ts";
import type * as Diff from "./container_diff.ts";
import type * as Exec from "./container_exec.ts";
import type * as Export from "./container_export.ts";
import type * as Misc from "./container_misc.ts";
import type * as Mount from "./container_mount.ts";
import type * as Pause from "./container_pause.ts";
import type * as Port from "./container_port.ts";
import type * as Remove from "./container_remove.ts";
import type * as Run from "./container_run.ts";
import type * as Start from "./container_start.ts";
import type * as Stats from "./container_stats.ts";
import type * as Stop from "./container_stop.ts";
import type * as Top from "./container_top.ts";
import type * as Views from "./container_views.ts";
import type * as Wait from "./container_wait.ts";
import type * as ImageImport from "./image_import.ts";
import type * as ImageLoad from "./image_load.ts";
import type * as ImageLookup from "./image_lookup.ts";
import type * as ImageOps from "./image_ops.ts";
import type * as ImageSave from "./image_save.ts";
import type * as ImageViews from "./image_views.ts";
import type * as Info from "./info.ts";
import type * as Network from "./network.ts";
import type * as RuntimeMod from "./runtime.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;
type Lazy<F> = F extends AnyFn ? (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>
  : never;

/** A function that loads `key` from a module on its first call, then calls it. */
function lazy<M, K extends keyof M>(load: () => Promise<M>, key: K): Lazy<M[K]> {
  const call = async (...args: unknown[]) => ((await load())[key] as AnyFn)(...args);
  return call as unknown as Lazy<M[K]>;
}

// --- the runtime itself ---------------------------------------------------------------------
export type { OpenOptions, Runtime, StoreCounts } from "./runtime.ts";
/** Opens the runtime (loads everything it is made of). */
export const openRuntime = lazy(
  async () =>
    ({ open: (await import("./runtime.ts")).Runtime.open }) as {
      open: typeof RuntimeMod.Runtime.open;
    },
  "open",
);

// --- light helpers the CLI uses synchronously ------------------------------------------------
export { versionInfo } from "./version_info.ts";
export { parseSignal } from "./signals.ts";
export { SAVE_FORMATS, type SaveFormat } from "./save_formats.ts";
export { goDuration } from "./_ops_duration.ts";
export { makeRaw, restoreTerminal, type SavedTerminal } from "../sys/tty.ts";

// --- info and images -------------------------------------------------------------------------
const info = () => import("./info.ts") as Promise<typeof Info>;
export const runtimeInfo = lazy(info, "runtimeInfo");
const lookup = () => import("./image_lookup.ts") as Promise<typeof ImageLookup>;
export const findImage = lazy(lookup, "findImage");
export const lookupImage = lazy(lookup, "lookupImage");
export type { ImageProgress } from "./image_load.ts";
export const loadImages = lazy(
  () => import("./image_load.ts") as Promise<typeof ImageLoad>,
  "loadImages",
);
export type { ImportOptions } from "./image_import.ts";
export const importImage = lazy(
  () => import("./image_import.ts") as Promise<typeof ImageImport>,
  "importImage",
);
export const saveImages = lazy(
  () => import("./image_save.ts") as Promise<typeof ImageSave>,
  "saveImages",
);
export type { HistoryEntry, ImageSummary } from "./image_views.ts";
const imageViews = () => import("./image_views.ts") as Promise<typeof ImageViews>;
export const imageHistory = lazy(imageViews, "imageHistory");
export const inspectImage = lazy(imageViews, "inspectImage");
export const listImages = lazy(imageViews, "listImages");
export type { RemoveImageOptions, RemoveReport } from "./image_ops.ts";
const imageOps = () => import("./image_ops.ts") as Promise<typeof ImageOps>;
export const imageExists = lazy(imageOps, "imageExists");
export const pruneImages = lazy(imageOps, "pruneImages");
export const removeImages = lazy(imageOps, "removeImages");
export const tagImage = lazy(imageOps, "tagImage");
export const untagImage = lazy(imageOps, "untagImage");

// --- containers ------------------------------------------------------------------------------
export type { CreateOptions } from "./container_create.ts";
export const createContainer = lazy(
  () => import("./container_create.ts") as Promise<typeof Create>,
  "createContainer",
);
const start = () => import("./container_start.ts") as Promise<typeof Start>;
export const initContainer = lazy(start, "initContainer");
export const restartContainer = lazy(start, "restartContainer");
export const startContainer = lazy(start, "startContainer");
const stop = () => import("./container_stop.ts") as Promise<typeof Stop>;
export const killContainer = lazy(stop, "killContainer");
export const stopContainer = lazy(stop, "stopContainer");
export type { RemoveOptions } from "./container_remove.ts";
export const removeContainer = lazy(
  () => import("./container_remove.ts") as Promise<typeof Remove>,
  "removeContainer",
);
export const cleanupContainer = lazy(
  () => import("./container_cleanup.ts") as Promise<typeof Cleanup>,
  "cleanupContainer",
);
export const waitContainer = lazy(
  () => import("./container_wait.ts") as Promise<typeof Wait>,
  "waitContainer",
);
export type { RunResult, RunStreams } from "./container_run.ts";
const run = () => import("./container_run.ts") as Promise<typeof Run>;
export const runContainer = lazy(run, "runContainer");
export const startAttached = lazy(run, "startAttached");
export type { ContainerSummary, ListOptions } from "./container_views.ts";
const views = () => import("./container_views.ts") as Promise<typeof Views>;
export const containerExists = lazy(views, "containerExists");
export const inspectContainer = lazy(views, "inspectContainer");
export const latestContainer = lazy(views, "latestContainer");
export const listContainers = lazy(views, "listContainers");
const misc = () => import("./container_misc.ts") as Promise<typeof Misc>;
export const pruneContainers = lazy(misc, "pruneContainers");
export const renameContainer = lazy(misc, "renameContainer");
/** `logs`: the container's log lines (see container_misc.ts). */
export async function* containerLogs(...args: Parameters<typeof Misc.containerLogs>) {
  yield* (await misc()).containerLogs(...args);
}

// --- operational verbs -----------------------------------------------------------------------
export type { CopyLocation, CopyOptions } from "./container_cp.ts";
const cp = () => import("./container_cp.ts") as Promise<typeof Cp>;
export const copyPaths = lazy(cp, "copyPaths");
export const parseCopyLocation = lazy(cp, "parseCopyLocation");
export const exportContainer = lazy(
  () => import("./container_export.ts") as Promise<typeof Export>,
  "exportContainer",
);
export type { Change, ChangeKind } from "./container_diff.ts";
export const diffObject = lazy(
  () => import("./container_diff.ts") as Promise<typeof Diff>,
  "diffObject",
);
export type { CommitOptions } from "./container_commit.ts";
export const commitContainer = lazy(
  () => import("./container_commit.ts") as Promise<typeof Commit>,
  "commitContainer",
);
export type { MountedContainer, UnmountOptions } from "./container_mount.ts";
const mount = () => import("./container_mount.ts") as Promise<typeof Mount>;
export const listMountedContainers = lazy(mount, "listMountedContainers");
export const mountContainer = lazy(mount, "mountContainer");
export const unmountableContainers = lazy(mount, "unmountableContainers");
export const unmountContainer = lazy(mount, "unmountContainer");
export const userMountCount = lazy(mount, "userMountCount");
const pause = () => import("./container_pause.ts") as Promise<typeof Pause>;
export const pauseContainer = lazy(pause, "pauseContainer");
export const unpauseContainer = lazy(pause, "unpauseContainer");
const top = () => import("./container_top.ts") as Promise<typeof Top>;
export const containerTop = lazy(top, "containerTop");
export type { StatsReport, StatsSample } from "./container_stats.ts";
const stats = () => import("./container_stats.ts") as Promise<typeof Stats>;
export const containerStats = lazy(stats, "containerStats");
export const statsReport = lazy(stats, "statsReport");
export type { ContainerPorts } from "./container_port.ts";
const port = () => import("./container_port.ts") as Promise<typeof Port>;
export const allContainerPorts = lazy(port, "allContainerPorts");
export const containerPorts = lazy(port, "containerPorts");
export const formatPortMapping = lazy(port, "formatPortMapping");
export type { AttachControl, AttachIO, AttachResult, TerminalSize } from "./container_attach.ts";
export const attachToContainer = lazy(
  () => import("./container_attach.ts") as Promise<typeof Attach>,
  "attachToContainer",
);
export type { ExecOptions, ExecResult } from "./container_exec.ts";
const exec = () => import("./container_exec.ts") as Promise<typeof Exec>;
export const execContainer = lazy(exec, "execContainer");
export const listExecSessions = lazy(exec, "listExecSessions");

// --- networks --------------------------------------------------------------------------------
export type { CreateNetworkOptions, NetworkInfo } from "../network/mod.ts";
const network = () => import("./network.ts") as Promise<typeof Network>;
export const createNetwork = lazy(network, "createNetwork");
export const inspectNetwork = lazy(network, "inspectNetwork");
export const listNetworks = lazy(network, "listNetworks");
export const networkExists = lazy(network, "networkExists");
export const pruneNetworks = lazy(network, "pruneNetworks");
export const removeNetwork = lazy(network, "removeNetwork");
