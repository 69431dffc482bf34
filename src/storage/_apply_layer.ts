/**
 * Applying an extracted layer (whiteouts kept as `.wh.` files) onto a full snapshot of its
 * parent, for the vfs driver. Nothing here follows a symlink: every path is walked component by
 * component with lstat, so a symlink in the snapshot (absolute ones are normal in a rootfs)
 * can never redirect a deletion or a write onto the host.
 * @module
 */

const WH = ".wh.";
const OPAQUE = ".wh..wh..opq";

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw e;
  }
}

/**
 * Resolves `rel` inside `root` without following symlinks: returns the path when every parent
 * component is a real directory, else null (a whiteout or entry under a symlink or file means
 * nothing for the snapshot and is skipped).
 */
async function safePath(root: string, rel: string): Promise<string | null> {
  const parts = rel.split("/").filter((p) => p && p !== ".");
  let cur = root;
  for (const part of parts.slice(0, -1)) {
    if (part === "..") return null;
    cur = `${cur}/${part}`;
    const st = await lstatOrNull(cur);
    if (!st || !st.isDirectory) return null;
  }
  const last = parts[parts.length - 1];
  if (last === undefined) return root;
  if (last === "..") return null;
  return `${cur}/${last}`;
}

async function removeAny(path: string): Promise<void> {
  const st = await lstatOrNull(path);
  if (!st) return;
  if (st.isDirectory) {
    const { removeTree } = await import("./drivers/driver.ts");
    await removeTree(path);
  } else {
    await Deno.remove(path);
  }
}

/** Empties a directory of the snapshot (an opaque directory hides everything below). */
async function emptyDir(path: string): Promise<void> {
  for await (const e of Deno.readDir(path)) await removeAny(`${path}/${e.name}`);
}

/**
 * Moves the entries of `src` (a directory of the extracted layer) into `dst` (the matching
 * directory of the snapshot): directories merge, anything else replaces what was there.
 */
async function mergeInto(src: string, dst: string): Promise<void> {
  for await (const e of Deno.readDir(src)) {
    if (e.name.startsWith(WH)) continue;
    const from = `${src}/${e.name}`;
    const to = `${dst}/${e.name}`;
    const s = await Deno.lstat(from);
    const d = await lstatOrNull(to);
    if (s.isDirectory && d?.isDirectory) {
      await mergeInto(from, to);
      // The layer's directory carries the new mode, owner and times.
      await Deno.chmod(to, s.mode! & 0o7777);
      if (s.uid !== null && s.gid !== null) await Deno.chown(to, s.uid, s.gid).catch(() => {});
      await Deno.utime(to, s.atime ?? new Date(), s.mtime ?? new Date()).catch(() => {});
      continue;
    }
    if (d) await removeAny(to);
    await Deno.rename(from, to);
  }
}

/** Applies the extracted layer at `layerDir` onto `snapshot`, consuming `layerDir`. */
export async function applyLayer(
  layerDir: string,
  snapshot: string,
  whiteouts: string[],
  opaqueDirs: string[],
): Promise<void> {
  for (const dir of opaqueDirs) {
    const target = await safePath(snapshot, dir);
    const st = target ? await lstatOrNull(target) : null;
    if (target && st?.isDirectory) await emptyDir(target);
    await Deno.remove(`${layerDir}/${dir === "." ? "" : dir + "/"}${OPAQUE}`).catch(() => {});
  }
  for (const path of whiteouts) {
    const target = await safePath(snapshot, path);
    if (target) await removeAny(target);
  }
  await mergeInto(layerDir, snapshot);
}
