/**
 * What a container (or an image's top layer) changed, as podman's `diff` reports it and as
 * `commit` turns it into a layer. With overlay the changes are read from the upper directory:
 * a 0:0 character device is a deleted path, a directory marked `trusted.overlay.opaque=y`
 * replaced the one below it; anything else was added, or changed when a lower layer has it (a
 * directory whose size, mode and time match the lower one is skipped). With vfs, the rootfs is
 * compared with the image's top snapshot. As in containers/storage, the parent directory of an
 * added or deleted path shows as changed unless it was reported already.
 * @module
 */

import { NotFoundError } from "../define/errors.ts";
import { getXattr } from "../sys/xattr.ts";
import type { Store } from "./store.ts";

/** `A` added, `C` changed, `D` deleted. */
export type ChangeKind = "A" | "C" | "D";

/** One changed path (absolute, as seen inside the container). */
export interface Change {
  path: string;
  kind: ChangeKind;
}

/** The changes and where to read the content of added and changed paths. */
export interface ChangeSet {
  changes: Change[];
  /** The directory holding added and changed paths (overlay upper dir, vfs rootfs). */
  contentDir: string;
  /**
   * Directories that replace a lower directory (overlay opaque dirs that a lower layer has);
   * a layer marks them with `.wh..wh..opq`. They are reported as `D` and kept.
   */
  opaque: string[];
}

function lstat(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw e;
  }
}

function isWhiteout(st: Deno.FileInfo): boolean {
  return st.isCharDevice === true && st.rdev === 0;
}

function sortedNames(dir: string): string[] {
  try {
    return Array.from(Deno.readDirSync(dir), (e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
const join = (dir: string, name: string) => (dir === "/" ? `/${name}` : `${dir}/${name}`);

/** Changes of an overlay upper dir `upper` over the lower layer dirs `lowers` (any order). */
export function overlayChanges(upper: string, lowers: string[]): ChangeSet {
  const changes: Change[] = [];
  const opaque: string[] = [];
  const changedDirs = new Set<string>();
  const inLower = (p: string) =>
    lowers.some((l) => {
      const st = lstat(l + p);
      return st !== null && !isWhiteout(st);
    });
  const walk = (dir: string) => {
    for (const name of sortedNames(upper + (dir === "/" ? "" : dir))) {
      const path = join(dir, name);
      const f = Deno.lstatSync(upper + path);
      let kind: ChangeKind | null = null;
      if (isWhiteout(f)) {
        kind = "D";
      } else if (
        f.isDirectory && isOpaque(upper + path) && inLower(path)
      ) {
        kind = "D";
        opaque.push(path);
      } else {
        kind = "A";
        for (const l of lowers) {
          const st = lstat(l + path);
          if (st === null || isWhiteout(st)) continue;
          if (
            st.isDirectory && f.isDirectory && st.size === f.size && st.mode === f.mode &&
            st.mtime?.getTime() === f.mtime?.getTime()
          ) {
            kind = null; // the same directory: only its contents may have changed
          } else {
            kind = "C";
          }
          break;
        }
      }
      if (kind !== null) {
        if (f.isDirectory) changedDirs.add(path);
        if (kind === "A" || kind === "D") {
          const parent = parentOf(path);
          if (parent !== "/" && !changedDirs.has(parent)) {
            changes.push({ path: parent, kind: "C" });
            changedDirs.add(parent);
          }
        }
        changes.push({ path, kind });
      }
      if (f.isDirectory && !isWhiteout(f)) walk(path);
    }
  };
  walk("/");
  return { changes, contentDir: upper, opaque };
}

function isOpaque(path: string): boolean {
  try {
    const v = getXattr(path, "trusted.overlay.opaque");
    return v !== null && v.length === 1 && v[0] === 0x79; // "y"
  } catch {
    return false;
  }
}

function sameEntry(a: Deno.FileInfo, b: Deno.FileInfo, aPath: string, bPath: string): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return false;
  if (a.isDirectory) return true; // a directory's size and time say little
  if (a.size !== b.size || a.mtime?.getTime() !== b.mtime?.getTime()) return false;
  if (a.isSymlink) return Deno.readLinkSync(aPath) === Deno.readLinkSync(bPath);
  return true;
}

/**
 * Changes of the full tree `newRoot` against `oldRoot` (null: empty), as containers/storage's
 * naive diff computes them for vfs: a directory with changes inside shows as changed.
 */
export function treeChanges(newRoot: string, oldRoot: string | null): ChangeSet {
  const changes: Change[] = [];
  const addAll = (dir: string) => {
    for (const name of sortedNames(newRoot + dir)) {
      const path = join(dir, name);
      changes.push({ path, kind: "A" });
      if (Deno.lstatSync(newRoot + path).isDirectory) addAll(path);
    }
  };
  const compare = (dir: string, reported: boolean) => {
    const at = changes.length;
    const olds = new Set(oldRoot === null ? [] : sortedNames(oldRoot + dir));
    const rel = dir === "/" ? "" : dir;
    for (const name of sortedNames(newRoot + rel)) {
      const path = join(dir, name);
      const n = Deno.lstatSync(newRoot + path);
      if (!olds.has(name)) {
        changes.push({ path, kind: "A" });
        if (n.isDirectory) addAll(path);
        continue;
      }
      olds.delete(name);
      const o = Deno.lstatSync(oldRoot + path);
      const same = sameEntry(n, o, newRoot + path, oldRoot + path);
      if (!same) changes.push({ path, kind: "C" });
      if (n.isDirectory && o.isDirectory) compare(path, !same);
      else if (n.isDirectory) addAll(path);
    }
    for (const name of [...olds].sort()) changes.push({ path: join(dir, name), kind: "D" });
    if (changes.length > at && !reported && dir !== "/") {
      changes.splice(at, 0, { path: dir, kind: "C" });
    }
  };
  compare("/", false);
  return { changes, contentDir: newRoot, opaque: [] };
}

/** What container `ctrId` changed in its image. */
export function containerChanges(store: Store, ctrId: string): ChangeSet {
  const row = store.container(ctrId);
  if (!row) throw new NotFoundError("container", `${ctrId} not found: layer not known`);
  const chain = store.layers.chain(row.topLayer);
  if (store.driver.name === "overlay") {
    return overlayChanges(
      store.driver.changesDir(ctrId),
      chain.reverse().map((l) => store.driver.layerDir(l.id)),
    );
  }
  const top = chain[chain.length - 1];
  return treeChanges(store.driver.changesDir(ctrId), top ? store.driver.layerDir(top.id) : null);
}

/** What layer `layerId` changed over its parent (`diff IMAGE`). */
export function layerChanges(store: Store, layerId: string): ChangeSet {
  const layer = store.layers.get(layerId);
  const parents = store.layers.chain(layer.parent).reverse();
  const dir = store.driver.layerDir(layerId);
  if (store.driver.name === "overlay") {
    return overlayChanges(dir, parents.map((l) => store.driver.layerDir(l.id)));
  }
  return treeChanges(dir, layer.parent ? store.driver.layerDir(layer.parent) : null);
}
