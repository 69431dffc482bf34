/**
 * File operations confined to a root directory, for `cp` into and out of a container whose
 * files may hold hostile symlinks. A path is opened with `openat2(RESOLVE_IN_ROOT)`: the kernel
 * resolves every component as if the root were `/` (absolute symlinks and `..` stay inside),
 * which holds even while a running container swaps directories for symlinks. The last
 * component is then created, changed or removed relative to that directory's descriptor with
 * calls that never follow a symlink (`fchownat`/`utimensat` with `AT_SYMLINK_NOFOLLOW`).
 *
 * Descriptors are `O_PATH`; other code reaches them as `/proc/self/fd/N` (or
 * `/proc/<our pid>/fd/N` from a child such as tar), which names exactly the opened directory.
 * @module
 */

import { check, cString, libc, O } from "./libc.ts";

// The symbols (openat2 through syscall, fchownat, fchmodat, utimensat) live in libc.ts.

/** openat2's number; new syscalls share one number on every architecture. */
const SYS_OPENAT2 = 437n;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_IN_ROOT = 0x10;
const AT_SYMLINK_NOFOLLOW = 0x100;

/** Opens a trusted directory (e.g. a container's mounted rootfs) as an `O_PATH` descriptor. */
export function openDirectory(path: string): number {
  return check(
    `open ${path}`,
    libc().open(cString(path), O.PATH | O.DIRECTORY | O.CLOEXEC, 0),
  );
}

/** openat2(2) of `path` below `rootFd` with `flags`, confined to the root (chroot semantics). */
function openat2InRoot(rootFd: number, path: string, flags: number): number {
  // struct open_how { u64 flags; u64 mode (only with O_CREAT); u64 resolve; }
  const how = new BigUint64Array([
    BigInt(flags),
    0n,
    BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
  ]);
  const rel = path.replace(/^\/+/, "") || ".";
  return check(
    `openat2 ${path}`,
    libc().syscall(
      SYS_OPENAT2,
      BigInt(rootFd),
      cString(rel),
      new Uint8Array(how.buffer),
      BigInt(how.byteLength),
    ),
  );
}

/** How {@linkcode openInRoot} opens the last component. */
export interface OpenInRootOptions {
  /** Require a directory (`O_DIRECTORY`). @default false */
  directory?: boolean;
  /** Do not follow a symlink in the last component (`O_NOFOLLOW`). @default false */
  noFollow?: boolean;
}

/**
 * Opens `path` below the directory `rootFd` with chroot semantics (`RESOLVE_IN_ROOT`): `..`
 * stops at the root and absolute symlinks start from it. Returns an `O_PATH` descriptor.
 * @throws {ErrnoError} ENOENT, ENOTDIR, ELOOP … naming `path`.
 */
export function openInRoot(rootFd: number, path: string, options: OpenInRootOptions = {}): number {
  return openat2InRoot(
    rootFd,
    path,
    O.PATH | O.CLOEXEC | (options.directory ? O.DIRECTORY : 0) |
      (options.noFollow ? O.NOFOLLOW : 0),
  );
}

/**
 * Opens `path` below `rootFd` read-only with chroot semantics, never following a symlink in
 * the last component; read it through {@linkcode fdPath} and close it afterwards.
 */
export function openFileInRoot(rootFd: number, path: string): number {
  return openat2InRoot(rootFd, path, O.RDONLY | O.CLOEXEC | O.NOFOLLOW);
}

/** Closes a descriptor from this module; an already closed one is ignored. */
export function closeFd(fd: number): void {
  if (fd >= 0) libc().close(fd);
}

/** The path through which this process reaches descriptor `fd` (the exact file it names). */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** The same for a child process (tar), which must go through our pid. */
export function childFdPath(fd: number): string {
  return `/proc/${Deno.pid}/fd/${fd}`;
}

function checkName(name: string): void {
  if (name === "" || name.includes("/") || name === "." || name === "..") {
    throw new TypeError(`"${name}" is not a single path component`);
  }
}

/** `lchown` of `name` in directory `dirFd` (a symlink itself is changed, never its target). */
export function chownAt(dirFd: number, name: string, uid: number, gid: number): void {
  checkName(name);
  check(`fchownat ${name}`, libc().fchownat(dirFd, cString(name), uid, gid, AT_SYMLINK_NOFOLLOW));
}

/** Sets the permission bits of `name` in `dirFd`; fails (EOPNOTSUPP) on a symlink. */
export function chmodAt(dirFd: number, name: string, mode: number): void {
  checkName(name);
  check(`fchmodat ${name}`, libc().fchmodat(dirFd, cString(name), mode, AT_SYMLINK_NOFOLLOW));
}

/** Sets access and modification time (seconds, fractional allowed) of `name` in `dirFd`. */
export function utimesAt(dirFd: number, name: string, atime: number, mtime: number): void {
  checkName(name);
  const ts = new BigInt64Array(4);
  for (const [i, t] of [atime, mtime].entries()) {
    const sec = Math.floor(t);
    ts[i * 2] = BigInt(sec);
    ts[i * 2 + 1] = BigInt(Math.min(999_999_999, Math.round((t - sec) * 1e9)));
  }
  check(
    `utimensat ${name}`,
    libc().utimensat(dirFd, cString(name), new Uint8Array(ts.buffer), AT_SYMLINK_NOFOLLOW),
  );
}
