/**
 * Persistent network namespaces, laid out as `ip netns add` does: an empty file
 * `<dir>/skiff-<uuid>` with the namespace bind-mounted on it, in a directory that is itself a
 * shared mount point (so that unmounting a namespace here also unmounts the copies that mount
 * namespaces created meanwhile hold, which would otherwise keep the namespace and its veth
 * alive).
 *
 * The namespace is made by util-linux `unshare --net=<file>` running `ip link set lo up`: the
 * new namespace is created, bind-mounted and gets its loopback up in one child process. skiff
 * never switches namespaces on a Deno thread (that would move the process's own sockets).
 * Removal unmounts the file (lazily when busy) and deletes it. Neither needs `ip netns`, so the
 * directory can be anything (tests use a private one); with the default `/run/netns` the
 * namespaces show up in `ip netns list` and work with `ip -n <name>`.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { runCommand } from "../sys/command.ts";
import { unmount } from "../sys/mount.ts";

/** Where network namespaces are bind-mounted by default (iproute2's directory). */
export const DEFAULT_NETNS_DIR = "/run/netns";

interface MountInfo {
  mountPoint: string;
  shared: boolean;
}

async function mountInfo(): Promise<MountInfo[]> {
  const text = await Deno.readTextFile("/proc/self/mountinfo");
  const out: MountInfo[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    const dash = f.indexOf("-");
    if (dash < 6) continue;
    const mountPoint = f[4]!.replace(
      /\\([0-7]{3})/g,
      (_, o: string) => String.fromCharCode(parseInt(o, 8)),
    );
    out.push({ mountPoint, shared: f.slice(6, dash).some((x) => x.startsWith("shared:")) });
  }
  return out;
}

function isSharedMountPoint(mounts: MountInfo[], dir: string): boolean | undefined {
  // The last entry for a path is the one on top, which new mounts land on.
  return mounts.filter((m) => m.mountPoint === dir).at(-1)?.shared;
}

/**
 * Makes `dir` a shared mount point, bind-mounting it onto itself first when it is not a mount
 * point. Callers racing here (in this process or another) are serialised by a `flock` on the
 * directory, so that it is bind-mounted once rather than once per caller.
 */
async function ensureSharedDir(dir: string): Promise<void> {
  if (isSharedMountPoint(await mountInfo(), dir)) return;
  const f = await Deno.open(dir, { read: true });
  try {
    await f.lock(true);
    const state = isSharedMountPoint(await mountInfo(), dir);
    if (state === true) return;
    if (state === undefined) await runCommand(["mount", "--rbind", dir, dir]);
    await runCommand(["mount", "--make-rshared", dir]);
  } finally {
    f.close();
  }
}

/** True when `path` has a namespace (nsfs) mounted on it. */
export async function isNetnsMounted(path: string): Promise<boolean> {
  const text = await Deno.readTextFile("/proc/self/mountinfo");
  return text.split("\n").some((line) => {
    const f = line.split(" ");
    const dash = f.indexOf("-");
    return f[4] === path && f[dash + 1] === "nsfs";
  });
}

/**
 * Creates a network namespace with `lo` up, bind-mounted at `<dir>/skiff-<uuid>`, and returns
 * that path. Nothing is left behind when it fails.
 * @param dir where to mount it @default "/run/netns"
 */
export async function createNetns(dir: string = DEFAULT_NETNS_DIR): Promise<string> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  const real = await Deno.realPath(dir);
  await ensureSharedDir(real);
  const path = `${real}/skiff-${crypto.randomUUID()}`;
  const f = await Deno.open(path, { createNew: true, write: true, mode: 0o444 });
  f.close();
  try {
    await runCommand(["unshare", `--net=${path}`, "ip", "link", "set", "lo", "up"]);
  } catch (e) {
    await removeNetns(path).catch(() => {});
    throw new SkiffError(`creating network namespace ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return path;
}

/**
 * Unmounts and deletes a namespace made by {@linkcode createNetns}. Idempotent: a path that is
 * not mounted or no longer exists is fine.
 */
export async function removeNetns(path: string): Promise<void> {
  // A namespace mounted twice on the same file (a racing caller) needs two unmounts.
  for (let i = 0; i < 4 && await isNetnsMounted(path); i++) {
    try {
      await unmount(path);
    } catch (e) {
      throw new SkiffError(`unmounting network namespace ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new SkiffError(`removing network namespace ${path}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}
