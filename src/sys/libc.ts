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

/** The symbols skiff uses; add new ones here (and nowhere else), each parameter commented. */
const SYMBOLS = {
  /** int *__errno_location(void): the calling thread's errno. */
  __errno_location: { parameters: [], result: "pointer" },
  shm_open: {
    parameters: [
      "buffer", // const char *name (NUL-terminated)
      "i32", // int oflag
      "u32", // mode_t mode
    ],
    result: "i32", // int fd, -1 + errno
  },
  shm_unlink: {
    parameters: ["buffer"], // const char *name
    result: "i32",
  },
  /** Declared with its three fixed arguments; open is variadic but takes only ints here. */
  open: {
    parameters: [
      "buffer", // const char *pathname
      "i32", // int flags
      "u32", // mode_t mode
    ],
    result: "i32",
  },
  close: { parameters: ["i32"], result: "i32" }, // int fd
  ftruncate: {
    parameters: [
      "i32", // int fd
      "i64", // off_t length
    ],
    result: "i32",
  },
  fchmod: {
    parameters: [
      "i32", // int fd
      "u32", // mode_t mode
    ],
    result: "i32",
  },
  fstat: {
    parameters: [
      "i32", // int fd
      "buffer", // struct stat *statbuf (STAT_SIZE bytes)
    ],
    result: "i32",
  },
  flock: {
    parameters: [
      "i32", // int fd
      "i32", // int operation (LOCK_EX | LOCK_NB …)
    ],
    result: "i32",
  },
  mmap: {
    parameters: [
      "pointer", // void *addr
      "usize", // size_t length
      "i32", // int prot
      "i32", // int flags
      "i32", // int fd
      "i64", // off_t offset
    ],
    result: "pointer", // void *, MAP_FAILED ((void *)-1) + errno
  },
  munmap: {
    parameters: [
      "pointer", // void *addr
      "usize", // size_t length
    ],
    result: "i32",
  },
  usleep: { parameters: ["u32"], result: "i32" }, // useconds_t usec
  geteuid: { parameters: [], result: "u32" }, // uid_t
  pthread_mutexattr_init: { parameters: ["buffer"], result: "i32" }, // pthread_mutexattr_t *
  pthread_mutexattr_destroy: { parameters: ["buffer"], result: "i32" }, // pthread_mutexattr_t *
  pthread_mutexattr_settype: {
    parameters: [
      "buffer", // pthread_mutexattr_t *attr
      "i32", // int type
    ],
    result: "i32",
  },
  pthread_mutexattr_setpshared: {
    parameters: [
      "buffer", // pthread_mutexattr_t *attr
      "i32", // int pshared
    ],
    result: "i32",
  },
  pthread_mutexattr_setrobust: {
    parameters: [
      "buffer", // pthread_mutexattr_t *attr
      "i32", // int robustness
    ],
    result: "i32",
  },
  pthread_mutex_init: {
    parameters: [
      "pointer", // pthread_mutex_t *mutex
      "buffer", // const pthread_mutexattr_t *attr
    ],
    result: "i32", // 0 or an errno value (pthread functions do not set errno)
  },
  pthread_mutex_trylock: { parameters: ["pointer"], result: "i32" }, // pthread_mutex_t *
  pthread_mutex_unlock: { parameters: ["pointer"], result: "i32" }, // pthread_mutex_t *
  pthread_mutex_consistent: { parameters: ["pointer"], result: "i32" }, // pthread_mutex_t *
  /** Declared with one int argument: skiff uses only F_GETFD/F_SETFD (fcntl is variadic). */
  fcntl: {
    parameters: [
      "i32", // int fd
      "i32", // int cmd
      "i32", // int arg
    ],
    result: "i32",
  },
  kill: {
    parameters: [
      "i32", // pid_t pid
      "i32", // int sig
    ],
    result: "i32",
  },
  socket: {
    parameters: [
      "i32", // int domain
      "i32", // int type (| SOCK_CLOEXEC …)
      "i32", // int protocol
    ],
    result: "i32",
  },
  connect: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  send: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const void *buf
      "usize", // size_t len
      "i32", // int flags (MSG_DONTWAIT | MSG_NOSIGNAL)
    ],
    result: "isize", // ssize_t
  },
  recv: {
    parameters: [
      "i32", // int sockfd
      "buffer", // void *buf
      "usize", // size_t len
      "i32", // int flags (MSG_DONTWAIT)
    ],
    result: "isize", // ssize_t
  },
  shutdown: {
    parameters: [
      "i32", // int sockfd
      "i32", // int how (SHUT_RD, SHUT_WR, SHUT_RDWR)
    ],
    result: "i32",
  },
  /**
   * The one exception to "synchronous only": poll(2) run on a blocking pool thread, so that
   * waiting for a socket (conmon's attach socket) does not stall the event loop. It only waits;
   * its caller reads `revents` and never `errno` (which belongs to the pool thread), then does
   * the actual recv/send synchronously on the main thread.
   */
  poll_nonblocking: {
    name: "poll",
    parameters: [
      "buffer", // struct pollfd *fds
      "u64", // nfds_t nfds
      "i32", // int timeout (ms)
    ],
    result: "i32",
    nonblocking: true,
  },
  // --- network port reservation (src/network/ports.ts): bind + listen host ports ---
  bind: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  listen: {
    parameters: [
      "i32", // int sockfd
      "i32", // int backlog
    ],
    result: "i32",
  },
  setsockopt: {
    parameters: [
      "i32", // int sockfd
      "i32", // int level (SOL_SOCKET …)
      "i32", // int optname (SO_REUSEADDR …)
      "buffer", // const void *optval
      "u32", // socklen_t optlen
    ],
    result: "i32",
  },
  // --- end of network port reservation ---
  // --- files: device nodes and extended attributes (overlay whiteouts, opaque dirs) ---
  /** glibc >= 2.33 exports mknod itself (older versions only had __xmknod). */
  mknod: {
    parameters: [
      "buffer", // const char *pathname
      "u32", // mode_t mode: file type bits | permissions
      "u64", // dev_t dev
    ],
    result: "i32", // 0, or -1 + errno
  },
  lsetxattr: {
    parameters: [
      "buffer", // const char *path
      "buffer", // const char *name
      "buffer", // const void *value
      "usize", // size_t size
      "i32", // int flags (XATTR_CREATE / XATTR_REPLACE, 0 = either)
    ],
    result: "i32", // 0, or -1 + errno
  },
  lgetxattr: {
    parameters: [
      "buffer", // const char *path
      "buffer", // const char *name
      "buffer", // void *value (may be null with size 0 to ask for the length)
      "usize", // size_t size
    ],
    result: "isize", // ssize_t length, or -1 + errno
  },
  llistxattr: {
    parameters: [
      "buffer", // const char *path
      "buffer", // char *list: NUL-separated names
      "usize", // size_t size
    ],
    result: "isize", // ssize_t length, or -1 + errno
  },
  // --- confined path resolution (cp into and out of containers) ---
  /** long syscall(long number, ...): used for openat2, which glibc 2.36 does not wrap. */
  syscall: {
    parameters: [
      "i64", // long number (SYS_openat2)
      "i64", // int dirfd
      "buffer", // const char *pathname
      "buffer", // struct open_how *how
      "u64", // size_t size
    ],
    result: "i64", // fd, or -1 + errno
  },
  fchownat: {
    parameters: [
      "i32", // int dirfd
      "buffer", // const char *pathname
      "u32", // uid_t owner
      "u32", // gid_t group
      "i32", // int flags (AT_SYMLINK_NOFOLLOW)
    ],
    result: "i32",
  },
  fchmodat: {
    parameters: [
      "i32", // int dirfd
      "buffer", // const char *pathname
      "u32", // mode_t mode
      "i32", // int flags (AT_SYMLINK_NOFOLLOW: glibc refuses symlinks with EOPNOTSUPP)
    ],
    result: "i32",
  },
  utimensat: {
    parameters: [
      "i32", // int dirfd
      "buffer", // const char *pathname
      "buffer", // const struct timespec times[2]
      "i32", // int flags (AT_SYMLINK_NOFOLLOW)
    ],
    result: "i32",
  },
  // --- terminals (raw mode for -t) ---
  tcgetattr: {
    parameters: [
      "i32", // int fd
      "buffer", // struct termios *termios_p
    ],
    result: "i32",
  },
  tcsetattr: {
    parameters: [
      "i32", // int fd
      "i32", // int optional_actions (TCSANOW)
      "buffer", // const struct termios *termios_p
    ],
    result: "i32",
  },
  isatty: { parameters: ["i32"], result: "i32" }, // int fd
} as const satisfies Deno.ForeignLibraryInterface;

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
 * otherwise throws an {@linkcode ErrnoError} naming `call`.
 */
export function check(call: string, rc: number): number {
  if (rc === -1) throw new ErrnoError(call, errno());
  return rc;
}

const encoder = new TextEncoder();

/** Encodes `s` as a NUL-terminated C string; rejects strings that contain NUL. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) throw new TypeError(`string "${s.replaceAll("\0", "\\0")}" contains NUL`);
  return encoder.encode(s + "\0");
}

/** `open(2)` flags (Linux, x86_64 and aarch64 share these values). */
export const O = {
  RDONLY: 0,
  RDWR: 0o2,
  CREAT: 0o100,
  EXCL: 0o200,
  NOFOLLOW: 0o400000,
  CLOEXEC: 0o2000000,
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
