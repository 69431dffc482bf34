/**
 * `mount` and `umount`: a container's root filesystem on the host. Like containers/storage,
 * mounts are counted: each `mount` adds one, each `umount` takes one away, and only the last
 * unmounts — and never the live rootfs of a running container, which belongs to the runtime
 * (podman prints the container and leaves it mounted). The count lives in the container's run
 * directory, on tmpfs, so a reboot resets it with the mounts themselves; a count whose mount
 * is gone (the container stopped and was cleaned up) reads as zero.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { atomicWriteSync } from "../util/atomic_write.ts";
import { isLive } from "./_ops_rootfs.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

function countFile(rt: Runtime, id: string): string {
  return `${rt.store.runDir(id)}/user-mounts`;
}

function isMounted(rt: Runtime, rec: ContainerRecord): boolean {
  const id = rec.config.id;
  if (rt.store.driver.name === "vfs") return rec.state.mounted || readCount(rt, id) > 0;
  return rt.store.driver.isMounted(id);
}

function readCount(rt: Runtime, id: string): number {
  try {
    const n = Number(Deno.readTextFileSync(countFile(rt, id)).trim());
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * How many `skiff mount`s of container `id` are outstanding (0 when its rootfs is not
 * mounted). Cleanup should leave a rootfs with user mounts mounted.
 */
export function userMountCount(rt: Runtime, id: string): number {
  if (rt.store.driver.name === "overlay" && !rt.store.driver.isMounted(id)) return 0;
  return readCount(rt, id);
}

function writeCount(rt: Runtime, id: string, n: number): void {
  if (n <= 0) {
    try {
      Deno.removeSync(countFile(rt, id));
    } catch { /* no count: nothing to reset */ }
    return;
  }
  Deno.mkdirSync(rt.store.runDir(id), { recursive: true, mode: 0o700 });
  atomicWriteSync(countFile(rt, id), `${n}\n`, { mode: 0o600, sync: false });
}

/** `mount`: mounts the container's rootfs (again) and returns its path. */
export function mountContainer(rt: Runtime, idOrName: string): Promise<string> {
  return withContainer(rt, idOrName, async (rec) => {
    const id = rec.config.id;
    const before = userMountCount(rt, id);
    const path = await rt.store.mountContainer(id);
    writeCount(rt, id, before + 1);
    return path;
  });
}

/** Options of {@linkcode unmountContainer}. */
export interface UnmountOptions {
  /** Drop every user mount at once instead of one. @default false */
  force?: boolean;
}

/**
 * `umount`: takes one user mount away and unmounts with the last one, unless the container
 * runs (its rootfs stays). Not being mounted is fine. Returns the container's ID.
 */
export function unmountContainer(
  rt: Runtime,
  idOrName: string,
  options: UnmountOptions = {},
): Promise<string> {
  return withContainer(rt, idOrName, async (rec) => {
    const id = rec.config.id;
    const n = userMountCount(rt, id);
    if (n > 1 && !options.force) {
      writeCount(rt, id, n - 1);
      return id;
    }
    writeCount(rt, id, 0);
    const busy = isLive(rec) || rec.state.status === "created" || rec.state.mounted;
    if (!busy && rt.store.driver.isMounted(id)) await rt.store.unmountContainer(id);
    return id;
  });
}

/** A mounted container, as `mount` lists it. */
export interface MountedContainer {
  id: string;
  names: string[];
  mountpoint: string;
}

/** Every container whose rootfs is mounted (by `mount` or because it runs), by ID. */
export function listMountedContainers(rt: Runtime): MountedContainer[] {
  const out: MountedContainer[] = [];
  for (const rec of rt.state.allContainers()) {
    if (!isMounted(rt, rec)) continue;
    const sub = rt.store.driver.name === "overlay" ? "merged" : "rootfs";
    const mountpoint = `${rt.store.containerDir(rec.config.id)}/${sub}`;
    out.push({ id: rec.config.id, names: [rec.config.name], mountpoint });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** IDs of all containers whose rootfs is mounted and that do not run (`umount --all`). */
export function unmountableContainers(rt: Runtime): string[] {
  return rt.state.allContainers().filter((rec) => isMounted(rt, rec) && !isLive(rec))
    .map((rec) => rec.config.id).sort();
}
