/**
 * Mounts: overlay mounts for container root filesystems, unmounting, and reading the mount
 * table. Mounting goes through util-linux `mount`/`umount` (argv only, no shell) so that the
 * overlay's lower dirs can be given relative to a working directory, which keeps the option
 * string short however many layers an image has.
 * @module
 */

import { runCommand } from "./command.ts";

/** One line of /proc/self/mountinfo that matters to us. */
export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  options: string;
}

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/self/mountinfo. */
export function readMounts(): MountEntry[] {
  const text = Deno.readTextFileSync("/proc/self/mountinfo");
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const f = line.split(" ");
    const dash = f.indexOf("-");
    out.push({
      mountPoint: unescape(f[4] ?? ""),
      fsType: f[dash + 1] ?? "",
      source: unescape(f[dash + 2] ?? ""),
      options: f[dash + 3] ?? "",
    });
  }
  return out;
}

/** True when `path` is a mount point. */
export function isMountPoint(path: string): boolean {
  return readMounts().some((m) => m.mountPoint === path);
}

/** Mount points at or below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith("/") ? dir : dir + "/";
  return readMounts().map((m) => m.mountPoint)
    .filter((p) => p === dir || p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** Options for {@linkcode mountOverlay}. */
export interface OverlayMount {
  /** Lower dirs, topmost first, relative to `cwd` (or absolute). */
  lower: string[];
  upper?: string;
  work?: string;
  target: string;
  /** Directory the relative lower dirs are resolved from. */
  cwd: string;
  /** Extra mount options. */
  options?: string[];
}

/** Mounts an overlay filesystem. */
export async function mountOverlay(m: OverlayMount): Promise<void> {
  const opts = [`lowerdir=${m.lower.join(":")}`];
  if (m.upper) opts.push(`upperdir=${m.upper}`, `workdir=${m.work}`);
  opts.push(...(m.options ?? []));
  await runCommand(["mount", "-t", "overlay", "overlay", "-o", opts.join(","), m.target], {
    cwd: m.cwd,
  });
}

/** Bind-mounts `source` on `target`. */
export async function bindMount(source: string, target: string, readOnly = false): Promise<void> {
  await runCommand(["mount", "--bind", source, target]);
  if (readOnly) await runCommand(["mount", "-o", "remount,bind,ro", target]);
}

/** Mounts a tmpfs on `target`. */
export async function mountTmpfs(target: string, options: string[] = []): Promise<void> {
  const args = ["mount", "-t", "tmpfs"];
  if (options.length) args.push("-o", options.join(","));
  await runCommand([...args, "tmpfs", target]);
}

/** Unmounts `target`; lazily detaches it when busy. A path that is not mounted is fine. */
export async function unmount(target: string): Promise<void> {
  if (!isMountPoint(target)) return;
  const r = await runCommand(["umount", target], { allowFailure: true });
  if (r.code === 0 || !isMountPoint(target)) return;
  await runCommand(["umount", "-l", target]);
}
