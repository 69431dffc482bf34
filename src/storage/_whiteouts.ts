/**
 * Turns OCI whiteouts into the form overlayfs understands, after tar has finished: a
 * `.wh.X` file becomes a character device 0:0 named `X`, and `.wh..wh..opq` becomes the
 * `trusted.overlay.opaque=y` xattr on its directory. The parent directory keeps the mtime tar
 * gave it.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { mknod, S_IFCHR } from "../sys/mknod.ts";
import { setXattr } from "../sys/xattr.ts";

const OPAQUE_MARKER = ".wh..wh..opq";

/** Joins path parts; the parts come from the guard, normalised and without "..". */
function join(...parts: string[]): string {
  return parts.filter((p) => p !== "" && p !== ".").join("/").replace(/\/+/g, "/");
}
const OPAQUE_XATTR = "trusted.overlay.opaque";

/**
 * Converts the whiteouts the guard recorded (`whiteouts`: deleted paths, `opaqueDirs`:
 * directories, "." for the root) inside the freshly extracted `root`.
 */
export async function applyOverlayWhiteouts(
  root: string,
  whiteouts: string[],
  opaqueDirs: string[],
): Promise<void> {
  const realRoot = await Deno.realPath(root);
  for (const path of whiteouts) {
    const slash = path.lastIndexOf("/");
    const dir = slash < 0 ? "." : path.slice(0, slash);
    const name = path.slice(slash + 1);
    await inDirectory(realRoot, root, dir, async (parent) => {
      const marker = join(parent, `.wh.${name}`);
      const info = await lstatOrNull(marker);
      if (info === null) return;
      await Deno.remove(marker);
      // The layer may also carry X itself; then X shadows the lower layers already.
      if (await lstatOrNull(join(parent, name)) !== null) return;
      const device = join(parent, name);
      mknod(device, S_IFCHR, 0n);
      await Deno.chown(device, info.uid, info.gid);
    });
  }
  for (const dir of opaqueDirs) {
    await inDirectory(realRoot, root, dir, async (parent) => {
      const marker = join(parent, OPAQUE_MARKER);
      if (await lstatOrNull(marker) === null) return;
      setXattr(parent, OPAQUE_XATTR, "y");
      await Deno.remove(marker);
    });
  }
}

/** Runs `fn` on `root/dir`, checked to be a real directory inside the root, then restores its times. */
async function inDirectory(
  realRoot: string,
  root: string,
  dir: string,
  fn: (parent: string) => Promise<void>,
): Promise<void> {
  const parent = join(root, dir);
  // The guard already refused paths through symlinks; this makes sure of it before we write.
  const real = await Deno.realPath(parent);
  if (real !== realRoot && !real.startsWith(realRoot + "/")) {
    throw new SkiffError(`whiteout directory "${dir}" resolves outside the layer root`);
  }
  const before = await Deno.lstat(parent);
  if (!before.isDirectory) {
    throw new SkiffError(`whiteout directory "${dir}" is not a directory`);
  }
  await fn(parent);
  if (before.atime !== null && before.mtime !== null) {
    await Deno.utime(parent, before.atime, before.mtime);
  }
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
