/**
 * Reaching a container's files for cp, export and top: the live root of a running container
 * (`/proc/<pid>/root`, which also shows its volumes and bind mounts), or its root filesystem
 * mounted for the duration of the operation and unmounted afterwards when it was not mounted
 * before. Callers hold the container's lock.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { processAlive } from "../sys/process.ts";
import { closeFd, fdPath, openDirectory, openFileInRoot } from "../sys/safe_path.ts";
import { log } from "../util/logger.ts";
import type { Runtime } from "./runtime.ts";

/** An opened container root. */
export interface ContainerRoot {
  /** `O_PATH` descriptor of the root directory. */
  fd: number;
  /** What `readlink /proc/self/fd/N` shows for the root (to turn descriptors into paths). */
  link: string;
  /** True when this is a running container's live root. */
  live: boolean;
}

/** True when the container has a live process whose root we can enter. */
export function isLive(rec: ContainerRecord): boolean {
  const s = rec.state.status;
  return (s === "running" || s === "paused") && rec.state.pid > 0 && processAlive(rec.state.pid);
}

/**
 * Runs `fn` with the rootfs of `rec` mounted (when it is not running, it is mounted now and
 * unmounted afterwards unless it was mounted before). Returns the rootfs path to `fn`.
 */
export async function withMountedRootfs<T>(
  rt: Runtime,
  rec: ContainerRecord,
  fn: (rootfs: string) => Promise<T>,
): Promise<T> {
  const id = rec.config.id;
  const wasMounted = rt.store.driver.isMounted(id);
  const rootfs = await rt.store.mountContainer(id);
  try {
    return await fn(rootfs);
  } finally {
    if (!wasMounted) {
      await rt.store.unmountContainer(id).catch((e) =>
        log.warn(`unmounting the rootfs of ${id}: ${(e as Error).message}`)
      );
    }
  }
}

/** Runs `fn` with the container's root opened (live root when running, else its rootfs). */
export async function withContainerRoot<T>(
  rt: Runtime,
  rec: ContainerRecord,
  fn: (root: ContainerRoot) => Promise<T>,
): Promise<T> {
  const open = async (path: string, live: boolean) => {
    const fd = openDirectory(path);
    try {
      return await fn({ fd, link: Deno.readLinkSync(fdPath(fd)), live });
    } finally {
      closeFd(fd);
    }
  };
  if (isLive(rec)) return await open(`/proc/${rec.state.pid}/root`, true);
  return await withMountedRootfs(rt, rec, (rootfs) => open(rootfs, false));
}

/** The container path (`/`-rooted) that descriptor `fd` below `root` names. */
export function pathBelow(root: ContainerRoot, fd: number): string {
  const link = Deno.readLinkSync(fdPath(fd));
  if (root.link === "/") return link;
  if (link === root.link) return "/";
  return link.startsWith(root.link + "/") ? link.slice(root.link.length) : link;
}

/** Reads a small file of the container (like /etc/passwd) inside its root; null if absent. */
export function readFileInRoot(root: ContainerRoot, path: string): string | null {
  let fd: number;
  try {
    fd = openFileInRoot(root.fd, path);
  } catch {
    return null;
  }
  try {
    return Deno.readTextFileSync(fdPath(fd));
  } catch {
    return null;
  } finally {
    closeFd(fd);
  }
}
