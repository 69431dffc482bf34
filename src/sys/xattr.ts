/**
 * Extended attributes through libc's `l*xattr` calls, which act on a symlink itself rather
 * than its target. Used to mark overlay opaque directories (`trusted.overlay.opaque`) and by
 * tests to read back what tar restored.
 * @module
 */

import { check, cString, Errno, errno, ErrnoError, libc } from "./libc.ts";

const encoder = new TextEncoder();

/**
 * Sets the attribute `name` of `path` (not following a final symlink) to `value`.
 * @throws {ErrnoError} e.g. `lsetxattr "/x" trusted.overlay.opaque: EPERM`.
 */
export function setXattr(path: string, name: string, value: Uint8Array | string): void {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  const buf = new Uint8Array(bytes.length);
  buf.set(bytes);
  check(
    `lsetxattr "${path}" ${name}`,
    libc().lsetxattr(cString(path), cString(name), buf, BigInt(buf.length), 0),
  );
}

/** Returns the value of attribute `name` of `path`, or null when it has none. */
export function getXattr(path: string, name: string): Uint8Array | null {
  const c = libc();
  const p = cString(path);
  const n = cString(name);
  // The value can change between asking its size and reading it: retry on ERANGE.
  for (;;) {
    const size = Number(c.lgetxattr(p, n, null, 0n));
    if (size === -1) {
      const e = errno();
      if (e === Errno.ENODATA) return null;
      throw new ErrnoError(`lgetxattr "${path}" ${name}`, e);
    }
    const buf = new Uint8Array(size);
    const got = Number(c.lgetxattr(p, n, buf, BigInt(size)));
    if (got >= 0) return buf.subarray(0, got);
    const e = errno();
    if (e === Errno.ENODATA) return null;
    if (e !== Errno.ERANGE) throw new ErrnoError(`lgetxattr "${path}" ${name}`, e);
  }
}

/** Lists the attribute names of `path` (not following a final symlink). */
export function listXattrs(path: string): string[] {
  const c = libc();
  const p = cString(path);
  for (;;) {
    const size = check(`llistxattr "${path}"`, c.llistxattr(p, null, 0n));
    const buf = new Uint8Array(size);
    const got = Number(c.llistxattr(p, buf, BigInt(size)));
    if (got >= 0) {
      return new TextDecoder().decode(buf.subarray(0, got)).split("\0").filter((s) => s !== "");
    }
    const e = errno();
    if (e !== Errno.ERANGE) throw new ErrnoError(`llistxattr "${path}"`, e);
  }
}
