/**
 * Extracting a tar stream into a container's root filesystem without ever leaving it. GNU tar
 * follows symlinks already present in its target, so it is never pointed at a container's
 * files; instead every member's parent directory is opened with `openat2(RESOLVE_IN_ROOT)`
 * (chroot semantics: a symlink `/x -> /etc` means the container's /etc, `..` stops at its
 * root) and the member is created in that directory with calls that do not follow a symlink
 * in the last component (mkdir, symlink, link, mknod, O_CREAT|O_EXCL, lchown, utimensat with
 * AT_SYMLINK_NOFOLLOW). A running container that swaps a directory for a symlink meanwhile
 * gains nothing: the kernel keeps the walk inside the root.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { readTar, type TarHeader } from "../image/tar_reader.ts";
import { makedev, mknod, S_IFBLK, S_IFCHR, S_IFIFO } from "../sys/mknod.ts";
import { chmodAt, chownAt, closeFd, fdPath, openInRoot, utimesAt } from "../sys/safe_path.ts";

/** Options of {@linkcode extractIntoRoot}. */
export interface ExtractIntoRootOptions {
  /** `O_PATH` descriptor of the container's root directory. */
  rootFd: number;
  /** The directory (a container path, `/`-rooted) that member names are relative to. */
  destDir: string;
  /** Give the archive's top-level entry `from` the name `to` (cp to a new name). */
  rename?: { from: string; to: string } | null;
  /** Owner of everything extracted (`cp --archive`), else the archive's numeric owners. */
  owner?: { uid: number; gid: number } | null;
  /** Replace a directory by a non-directory and vice versa. @default false */
  overwrite?: boolean;
  /** What the copy is, for error messages. @default "copying to container" */
  what?: string;
}

/** Splits a member name into clean components below the destination (`..` clamps there). */
export function memberParts(name: string): string[] {
  const out: string[] = [];
  for (const p of name.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") out.pop();
    else out.push(p);
  }
  return out;
}

function errnoCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" ? code : "";
}

/** Extracts a tar stream below `destDir` of the container root `rootFd`. */
export async function extractIntoRoot(
  source: ReadableStream<Uint8Array>,
  options: ExtractIntoRootOptions,
): Promise<void> {
  const what = options.what ?? "copying to container";
  const dirs = new Map<string, number>();
  const dirTimes: { parent: string; name: string; header: TarHeader }[] = [];
  const base = memberParts(options.destDir);
  const ctrPath = (parts: string[]) => "/" + [...base, ...parts].join("/");
  const fail = (parts: string[], why: string, cause?: unknown): never => {
    throw new SkiffError(`${what}: error creating "${ctrPath(parts)}": ${why}`, { cause });
  };

  /** The directory `parts` (below destDir) as an O_PATH fd, created when missing. */
  const dirFd = (parts: string[]): number => {
    const key = parts.join("/");
    const cached = dirs.get(key);
    if (cached !== undefined) return cached;
    let fd: number;
    try {
      fd = openInRoot(options.rootFd, ctrPath(parts), { directory: true });
    } catch (e) {
      if (errnoCode(e) !== "ENOENT" || parts.length === 0) {
        return fail(parts, errnoCode(e) === "ENOTDIR" ? "not a directory" : String(e), e);
      }
      // An archive may name a file before (or without) its directory: make it, like tar.
      const parent = dirFd(parts.slice(0, -1));
      const name = parts[parts.length - 1]!;
      try {
        Deno.mkdirSync(`${fdPath(parent)}/${name}`, { mode: 0o755 });
        if (options.owner) chownAt(parent, name, options.owner.uid, options.owner.gid);
      } catch (e2) {
        if (!(e2 instanceof Deno.errors.AlreadyExists)) fail(parts, String(e2), e2);
      }
      try {
        fd = openInRoot(options.rootFd, ctrPath(parts), { directory: true });
      } catch (e3) {
        return fail(parts, "no such directory (a dangling symlink?)", e3);
      }
    }
    dirs.set(key, fd);
    return fd;
  };

  const forget = (parts: string[]) => {
    const key = parts.join("/");
    for (const [k, fd] of dirs) {
      if (k === key || k.startsWith(key + "/")) {
        closeFd(fd);
        dirs.delete(k);
      }
    }
  };

  /**
   * Clears the way for a new member: a directory stays for a directory and a regular file for
   * a file (written in place, which keeps a bind-mounted file's mount); other non-directories
   * go; a directory goes only with `overwrite`.
   */
  const makeRoom = async (parent: number, name: string, parts: string[], type: string) => {
    let st: Deno.FileInfo;
    try {
      st = Deno.lstatSync(`${fdPath(parent)}/${name}`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return "absent";
      throw e;
    }
    const isDir = type === "dir";
    if (st.isDirectory && isDir) return "dir";
    if (st.isFile && type === "file") return "file";
    if ((st.isDirectory || isDir) && !options.overwrite) fail(parts, "file exists");
    forget(parts);
    await Deno.remove(`${fdPath(parent)}/${name}`, { recursive: st.isDirectory });
    return "absent";
  };

  try {
    for await (const { header: h, body } of readTar(source)) {
      const parts = memberParts(h.name);
      if (parts.length === 0) continue; // the destination itself ("./"): left as it is
      if (options.rename && parts[0] === options.rename.from) parts[0] = options.rename.to;
      const name = parts[parts.length - 1]!;
      const parentParts = parts.slice(0, -1);
      const parent = dirFd(parentParts);
      const at = `${fdPath(parent)}/${name}`;
      const isDir = h.type === "dir";
      try {
        const present = await makeRoom(parent, name, parts, h.type);
        switch (h.type) {
          case "dir":
            if (present === "absent") Deno.mkdirSync(at, { mode: 0o700 });
            break;
          case "file": {
            let f: Deno.FsFile;
            if (present === "file") {
              // the parent as root, the name not followed: exactly the file that is there
              const fd = openInRoot(parent, name, { noFollow: true });
              try {
                f = await Deno.open(fdPath(fd), { write: true, truncate: true });
              } finally {
                closeFd(fd);
              }
            } else {
              f = await Deno.open(at, { write: true, createNew: true, mode: 0o600 });
            }
            try {
              await body.pipeTo(f.writable);
            } catch (e) {
              if (present !== "file") await Deno.remove(at).catch(() => {});
              throw e;
            }
            break;
          }
          case "symlink":
            Deno.symlinkSync(h.linkname, at);
            break;
          case "hardlink": {
            const target = memberParts(h.linkname);
            if (options.rename && target[0] === options.rename.from) {
              target[0] = options.rename.to;
            }
            if (target.length === 0) fail(parts, `bad hard link target "${h.linkname}"`);
            const tdir = dirFd(target.slice(0, -1));
            Deno.linkSync(`${fdPath(tdir)}/${target[target.length - 1]}`, at);
            break;
          }
          case "char":
          case "block":
          case "fifo": {
            const type = h.type === "char" ? S_IFCHR : h.type === "block" ? S_IFBLK : S_IFIFO;
            mknod(at, type | (h.mode & 0o7777), makedev(h.devmajor, h.devminor));
            break;
          }
          default:
            continue; // nothing a filesystem can hold
        }
        const owner = options.owner ?? { uid: h.uid, gid: h.gid };
        if (h.type !== "hardlink") chownAt(parent, name, owner.uid, owner.gid);
        if (isDir) {
          dirTimes.push({ parent: parentParts.join("/"), name, header: h });
        } else if (h.type !== "symlink" && h.type !== "hardlink") {
          chmodAt(parent, name, h.mode & 0o7777);
          utimesAt(parent, name, h.mtime, h.mtime);
        } else if (h.type === "symlink") {
          utimesAt(parent, name, h.mtime, h.mtime);
        }
      } catch (e) {
        if (e instanceof SkiffError && e.message.startsWith(what)) throw e;
        fail(parts, e instanceof Error ? e.message : String(e), e);
      }
    }
    // Directory modes and times last: children would have changed the times, and a
    // read-only mode would have stopped us from adding them.
    for (const d of dirTimes.reverse()) {
      const parent = dirFd(memberParts(d.parent));
      chmodAt(parent, d.name, d.header.mode & 0o7777);
      utimesAt(parent, d.name, d.header.mtime, d.header.mtime);
    }
  } finally {
    for (const fd of dirs.values()) closeFd(fd);
  }
}
