/**
 * The single `Deno.dlopen` symbol table of glibc's `libc.so.6`, opened lazily on first use so
 * that `--help` and unit tests that never touch the kernel never load it.
 *
 * Every symbol is synchronous: it runs on the calling (main) JS thread. Never mark a symbol
 * `nonblocking: true` — those calls run on a pool thread, which breaks anything that belongs to
 * a thread (pthread mutexes) and makes `errno` unreadable. The single exception is
 * `poll_nonblocking`, which only waits for a socket to become ready (see its comment).
 *
 * C failures become {@linkcode ErrnoError}s whose message names the call and the errno name,
 * e.g. `shm_open /skiff_lock: EACCES`.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { SYMBOLS } from "./_libc_symbols.ts";

// The symbol table lives in _libc_symbols.ts (it is long): add new symbols there, and nowhere
// else, each parameter commented. This file binds it.

/** The typed symbols of libc. */
export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let errnoView: Deno.UnsafePointerView | undefined;
const bound: Record<string, unknown> = {};

/**
 * libc's symbols, each bound on first use. Deno compiles a trampoline per symbol when it
 * opens a library (~0.2 ms each), so binding the whole table up front would cost every
 * command ~8 ms of start-up for symbols it never calls; the table stays the single source.
 */
const symbols = new Proxy({} as LibcSymbols, {
  get(_target, name) {
    if (typeof name !== "string" || !(name in SYMBOLS)) return undefined;
    if (!(name in bound)) {
      const def = { [name]: SYMBOLS[name as keyof typeof SYMBOLS] } as Deno.ForeignLibraryInterface;
      bound[name] = Deno.dlopen("libc.so.6", def).symbols[name];
    }
    return bound[name];
  },
});

/** Returns libc's symbols (each opened lazily on first use). */
export function libc(): LibcSymbols {
  return symbols;
}

/** Reads the main thread's `errno`; call it immediately after the failing call. */
export function errno(): number {
  if (errnoView === undefined) {
    // errno is thread-local; JS (and every symbol above) runs on this one thread, so the
    // address __errno_location returns never changes and can be cached.
    const p = libc().__errno_location();
    if (p === null) throw new Error("__errno_location returned null");
    errnoView = new Deno.UnsafePointerView(p);
  }
  return errnoView.getInt32(0);
}

/** Linux errno values skiff names in messages and branches on. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ENOTTY: 25,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EPIPE: 32,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENODATA: 61,
  EOVERFLOW: 75,
  ENOTSOCK: 88,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  ECONNRESET: 104,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EINPROGRESS: 115,
  EDQUOT: 122,
  EOWNERDEAD: 130,
  ENOTRECOVERABLE: 131,
} as const;

const ERRNO_NAMES = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

/** The symbolic name of an errno value (`13` → `EACCES`), or `errno 200` when unknown. */
export function errnoName(value: number): string {
  return ERRNO_NAMES.get(value) ?? `errno ${value}`;
}

/** A failed C call: the message is `<call>: <ERRNO>` plus an optional detail. */
export class ErrnoError extends SkiffError {
  /** The call and its main argument, e.g. `shm_open /skiff_lock`. */
  readonly call: string;
  /** The numeric errno. */
  readonly errno: number;
  /** The errno name, e.g. `EACCES`. */
  readonly code: string;
  constructor(call: string, errnoValue: number, detail?: string) {
    const code = errnoName(errnoValue);
    super(detail === undefined ? `${call}: ${code}` : `${call}: ${code} (${detail})`);
    this.call = call;
    this.errno = errnoValue;
    this.code = code;
  }
}

/**
 * Checks the result of a call that returns -1 and sets errno: returns `rc` when it is not -1,
 * otherwise throws an {@linkcode ErrnoError} naming `call`. A bigint `rc` (an `i64`/`isize`
 * result such as `syscall`'s) comes back as a number: fds and lengths fit.
 */
export function check(call: string, rc: number | bigint): number {
  const n = Number(rc);
  if (n === -1) throw new ErrnoError(call, errno());
  return n;
}

const encoder = new TextEncoder();

/** Encodes `s` as a NUL-terminated C string; rejects strings that contain NUL. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) throw new TypeError(`string "${s.replaceAll("\0", "\\0")}" contains NUL`);
  return encoder.encode(s + "\0");
}

// aarch64 (like arm) moves O_DIRECTORY and O_NOFOLLOW; its 0o200000 and 0o400000 are
// O_DIRECT and O_LARGEFILE. Every other flag below is the same on both.
const ARM64 = Deno.build.arch === "aarch64";

/** `open(2)` flags (Linux, for the architecture skiff runs on). */
export const O = {
  RDONLY: 0,
  RDWR: 0o2,
  CREAT: 0o100,
  EXCL: 0o200,
  DIRECTORY: ARM64 ? 0o40000 : 0o200000,
  NOFOLLOW: ARM64 ? 0o100000 : 0o400000,
  CLOEXEC: 0o2000000,
  PATH: 0o10000000,
} as const;

/** The fields of `struct stat` that skiff reads. */
export interface FileStat {
  /** st_mode: type and permission bits. */
  mode: number;
  uid: number;
  ino: number;
  size: number;
}

// struct stat offsets. x86_64 has its own layout; aarch64 uses the generic one.
const STAT_SIZE = 144;
const STAT = Deno.build.arch === "x86_64"
  ? { ino: 8, mode: 24, uid: 28, size: 48 }
  : { ino: 8, mode: 16, uid: 24, size: 48 };

/** `fstat(2)` of an open file descriptor. */
export function fstat(fd: number, what: string): FileStat {
  const buf = new Uint8Array(STAT_SIZE);
  check(`fstat ${what}`, libc().fstat(fd, buf));
  const v = new DataView(buf.buffer);
  return {
    mode: v.getUint32(STAT.mode, true),
    uid: v.getUint32(STAT.uid, true),
    ino: Number(v.getBigUint64(STAT.ino, true)),
    size: Number(v.getBigInt64(STAT.size, true)),
  };
}

/** `S_IFMT` and `S_IFREG`, to tell a regular file from the rest. */
export const S_IFMT = 0o170000;
/** See {@linkcode S_IFMT}. */
export const S_IFREG = 0o100000;

/** Sleeps the calling thread (and so the whole event loop) for `ms` milliseconds; keep it short. */
export function sleepSync(ms: number): void {
  libc().usleep(Math.max(0, Math.round(ms * 1000)));
}

/** The effective user ID of this process. */
export function geteuid(): number {
  return libc().geteuid();
}
