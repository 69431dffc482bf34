/**
 * Where a copy reads and writes: the source as entries of a directory for tar, the
 * destination as a directory plus the name the copied item takes there, following podman's
 * rules (`dir` into an existing directory, `dir/.` for its contents, a new name, a file over
 * a file). Container paths are opened with `openat2(RESOLVE_IN_ROOT)`, so they resolve as
 * inside a chroot.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { childFdPath, closeFd, fdPath, openInRoot } from "../sys/safe_path.ts";
import { type ContainerRoot, pathBelow } from "./_ops_rootfs.ts";

/** What to archive: entries of a directory (tar runs there), and the copied item's name. */
export interface Source {
  dir: string;
  names: string[];
  /** The copied item's own name; null when copying a directory's contents (`dir/.`). */
  base: string | null;
  isDir: boolean;
  /** Mode and times of the copied item (given to a directory made for `dir/.`). */
  mode: number;
  mtime: number;
}

const basename = (p: string) => p.replace(/\/+$/, "").split("/").pop() ?? "";
const dirname = (p: string) => {
  const t = p.replace(/\/+$/, "");
  const i = t.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : t.slice(0, i);
};
const contentsOnly = (p: string) => p === "." || p.endsWith("/.");

function notFound(path: string, where: string): SkiffError {
  return new SkiffError(`"${path}" could not be found on ${where}: no such file or directory`);
}

function code(e: unknown): string {
  return String((e as { code?: unknown }).code ?? "");
}

function attrs(st: Deno.FileInfo): { mode: number; mtime: number } {
  return { mode: (st.mode ?? 0o755) & 0o7777, mtime: (st.mtime?.getTime() ?? Date.now()) / 1000 };
}

/** The host side as a source. */
export function hostSource(path: string): Source {
  let real: string;
  let st: Deno.FileInfo;
  try {
    real = Deno.realPathSync(path);
    st = Deno.statSync(real);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw notFound(path, "the host");
    throw e;
  }
  if (path.endsWith("/") && !st.isDirectory) {
    throw new SkiffError(`"${path}" is not a directory`);
  }
  if (st.isDirectory && (contentsOnly(path) || real === "/")) {
    const names = Array.from(Deno.readDirSync(real), (e) => e.name).sort();
    return { dir: real, names, base: null, isDir: true, ...attrs(st) };
  }
  return {
    dir: dirname(real),
    names: [basename(real)],
    base: basename(real),
    isDir: st.isDirectory,
    ...attrs(st),
  };
}

/** The container side as a source; `fds` collects descriptors to close after the copy. */
export function containerSource(
  root: ContainerRoot,
  path: string,
  name: string,
  fds: number[],
): Source {
  let fd: number;
  try {
    fd = openInRoot(root.fd, path);
  } catch (e) {
    if (["ENOENT", "ENOTDIR", "ELOOP"].includes(code(e))) throw notFound(path, `container ${name}`);
    throw e;
  }
  fds.push(fd);
  const st = Deno.statSync(fdPath(fd));
  const canon = pathBelow(root, fd);
  if (path.endsWith("/") && !st.isDirectory) throw new SkiffError(`"${path}" is not a directory`);
  if (st.isDirectory && (contentsOnly(path) || canon === "/")) {
    const names = Array.from(Deno.readDirSync(fdPath(fd)), (e) => e.name).sort();
    return { dir: childFdPath(fd), names, base: null, isDir: true, ...attrs(st) };
  }
  const parent = openInRoot(root.fd, dirname(canon), { directory: true });
  fds.push(parent);
  return {
    dir: childFdPath(parent),
    names: [basename(canon)],
    base: basename(canon),
    isDir: st.isDirectory,
    ...attrs(st),
  };
}

/** Where to extract: a directory, and the name the copied item takes there. */
export interface Target {
  dir: string;
  rename: { from: string; to: string } | null;
  /** Make this directory in `dir` first and extract into it (`dir/.` to a new name). */
  create: string | null;
}

/** The target for an item that does not exist yet at `dir/name`. */
function newItem(src: Source, dir: string, name: string): Target {
  if (src.base === null) return { dir, rename: null, create: name };
  return { dir, rename: src.base === name ? null : { from: src.base, to: name }, create: null };
}

/** The host side as a destination. */
export function hostTarget(path: string, src: Source): Target {
  let st: Deno.FileInfo | null = null;
  try {
    st = Deno.statSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
  }
  if (st?.isDirectory) return { dir: path, rename: null, create: null };
  if (st) {
    if (src.isDir) throw new SkiffError("destination must be a directory when copying a directory");
    return newItem(src, dirname(path), basename(path));
  }
  let parentOk = false;
  try {
    parentOk = Deno.statSync(dirname(path)).isDirectory;
  } catch { /* reported below */ }
  if (path.endsWith("/") || !parentOk) throw notFound(path, "the host");
  return newItem(src, dirname(path), basename(path));
}

/**
 * The container side as a destination: a canonical directory below the root. A dangling
 * symlink as the last component is followed (inside the root), as a copy in a chroot would.
 */
export function containerTarget(
  root: ContainerRoot,
  path: string,
  src: Source | null,
  name: string,
): Target {
  const where = `container ${name}`;
  let want = path;
  for (let hops = 0; hops < 40; hops++) {
    let fd = -1;
    try {
      fd = openInRoot(root.fd, want);
    } catch (e) {
      if (code(e) !== "ENOENT") {
        if (["ENOTDIR", "ELOOP"].includes(code(e))) throw notFound(path, where);
        throw e;
      }
    }
    if (fd >= 0) {
      try {
        const st = Deno.statSync(fdPath(fd));
        const canon = pathBelow(root, fd);
        if (st.isDirectory) return { dir: canon, rename: null, create: null };
        if (!src) throw new SkiffError("destination must be a directory when copying from stdin");
        if (src.isDir) {
          throw new SkiffError("destination must be a directory when copying a directory");
        }
        return newItem(src, dirname(canon), basename(canon));
      } finally {
        closeFd(fd);
      }
    }
    if (!src) throw new SkiffError("destination must be a directory when copying from stdin");
    if (want.endsWith("/")) throw notFound(path, where);
    let parent: number;
    try {
      parent = openInRoot(root.fd, dirname(want), { directory: true });
    } catch (e) {
      if (["ENOENT", "ENOTDIR", "ELOOP"].includes(code(e))) throw notFound(path, where);
      throw e;
    }
    try {
      const last = basename(want);
      const dir = pathBelow(root, parent);
      let link: string;
      try {
        link = Deno.readLinkSync(`${fdPath(parent)}/${last}`);
      } catch {
        return newItem(src, dir, last); // nothing there: a new item
      }
      want = link.startsWith("/") ? link : `${dir === "/" ? "" : dir}/${link}`;
    } finally {
      closeFd(parent);
    }
  }
  throw new SkiffError(`"${path}" could not be resolved: too many levels of symbolic links`);
}
