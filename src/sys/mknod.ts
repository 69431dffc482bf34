/**
 * Device nodes through libc's `mknod`, used to write overlay whiteouts (a character device
 * 0:0) without starting a `mknod` process per file.
 * @module
 */

import { check, cString, libc } from "./libc.ts";

/** File type bits of `mode_t`. */
export const S_IFCHR = 0o020000;
/** File type bits of `mode_t`. */
export const S_IFBLK = 0o060000;
/** File type bits of `mode_t`. */
export const S_IFIFO = 0o010000;

/** glibc's `makedev`: packs a major and minor number into a 64-bit `dev_t`. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) |
    (mi & 0xffn);
}

/**
 * Creates the node `path` with type and permission bits `mode` and device number `dev`.
 * @throws {ErrnoError} e.g. `mknod "/x/y": EEXIST`; `code` is the errno name.
 */
export function mknod(path: string, mode: number, dev: bigint = 0n): void {
  check(`mknod "${path}"`, libc().mknod(cString(path), mode, dev));
}
