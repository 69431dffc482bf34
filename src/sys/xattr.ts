/**
 * Extended attributes through libc's `l*xattr` calls, which act on a symlink itself rather
 * than its target. Used to mark overlay opaque directories (`trusted.overlay.opaque`) and by
 * tests to read back what tar restored.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { libc } from "./libc.ts";

// The symbols live in the single table of libc.ts.

const ERRNO_NAMES = new Map<number, string>([
  [1, "EPERM"],
  [2, "ENOENT"],
  [7, "E2BIG"],
  [13, "EACCES"],
  [20, "ENOTDIR"],
  [22, "EINVAL"],
  [28, "ENOSPC"],
  [30, "EROFS"],
  [34, "ERANGE"],
  [61, "ENODATA"],
  [95, "EOPNOTSUPP"],
  [122, "EDQUOT"],
]);
const ENODATA = 61;
const ERANGE = 34;

function sym() {
  return libc();
}

function errno(): number {
  const p = sym().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32(0);
}

/** A failed xattr call; `code` is the errno name (`EOPNOTSUPP`, `EPERM` …). */
export class XattrError extends SkiffError {
  /** The errno name. */
  readonly code: string;
  constructor(call: string, path: string, name: string, errnoValue: number) {
    const code = ERRNO_NAMES.get(errnoValue) ?? `errno ${errnoValue}`;
    super(`${call} "${path}" ${name}: ${code}`);
    this.code = code;
  }
}

const encoder = new TextEncoder();

function cString(s: string): Uint8Array<ArrayBuffer> {
  const bytes = encoder.encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Sets the attribute `name` of `path` (not following a final symlink) to `value`. */
export function setXattr(path: string, name: string, value: Uint8Array | string): void {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  const buf = new Uint8Array(bytes.length);
  buf.set(bytes);
  const rc = sym().lsetxattr(cString(path), cString(name), buf, BigInt(buf.length), 0);
  if (rc === -1) throw new XattrError("lsetxattr", path, name, errno());
}

/** Returns the value of attribute `name` of `path`, or null when it has none. */
export function getXattr(path: string, name: string): Uint8Array | null {
  const p = cString(path);
  const n = cString(name);
  // The value can change between asking its size and reading it: retry on ERANGE.
  for (;;) {
    const size = Number(sym().lgetxattr(p, n, null, 0n));
    if (size === -1) {
      const e = errno();
      if (e === ENODATA) return null;
      throw new XattrError("lgetxattr", path, name, e);
    }
    const buf = new Uint8Array(size);
    const got = Number(sym().lgetxattr(p, n, buf, BigInt(size)));
    if (got >= 0) return buf.subarray(0, got);
    const e = errno();
    if (e === ENODATA) return null;
    if (e !== ERANGE) throw new XattrError("lgetxattr", path, name, e);
  }
}

/** Lists the attribute names of `path` (not following a final symlink). */
export function listXattrs(path: string): string[] {
  const p = cString(path);
  for (;;) {
    const size = Number(sym().llistxattr(p, null, 0n));
    if (size === -1) throw new XattrError("llistxattr", path, "", errno());
    const buf = new Uint8Array(size);
    const got = Number(sym().llistxattr(p, buf, BigInt(size)));
    if (got >= 0) {
      return new TextDecoder().decode(buf.subarray(0, got)).split("\0").filter((s) => s !== "");
    }
    const e = errno();
    if (e !== ERANGE) throw new XattrError("llistxattr", path, "", e);
  }
}
