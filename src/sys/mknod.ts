/**
 * Device nodes through libc's `mknod`, used to write overlay whiteouts (a character device
 * 0:0) without starting a `mknod` process per file.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { libc } from "./libc.ts";

// The symbols live in the single table of libc.ts.

/** File type bits of `mode_t`. */
export const S_IFCHR = 0o020000;
/** File type bits of `mode_t`. */
export const S_IFBLK = 0o060000;
/** File type bits of `mode_t`. */
export const S_IFIFO = 0o010000;

const ERRNO_NAMES = new Map<number, string>([
  [1, "EPERM"],
  [2, "ENOENT"],
  [13, "EACCES"],
  [17, "EEXIST"],
  [20, "ENOTDIR"],
  [22, "EINVAL"],
  [28, "ENOSPC"],
  [30, "EROFS"],
]);

function sym() {
  return libc();
}

/** A failed mknod; `code` is the errno name (`EEXIST`, `EPERM` …). */
export class MknodError extends SkiffError {
  /** The errno name. */
  readonly code: string;
  constructor(path: string, errnoValue: number) {
    const code = ERRNO_NAMES.get(errnoValue) ?? `errno ${errnoValue}`;
    super(`mknod "${path}": ${code}`);
    this.code = code;
  }
}

/** glibc's `makedev`: packs a major and minor number into a 64-bit `dev_t`. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) |
    (mi & 0xffn);
}

/** Creates the node `path` with type and permission bits `mode` and device number `dev`. */
export function mknod(path: string, mode: number, dev: bigint = 0n): void {
  const bytes = new TextEncoder().encode(path);
  const cpath = new Uint8Array(bytes.length + 1);
  cpath.set(bytes);
  if (sym().mknod(cpath, mode, dev) === -1) {
    const p = sym().__errno_location();
    throw new MknodError(path, p === null ? 0 : new Deno.UnsafePointerView(p).getInt32(0));
  }
}
