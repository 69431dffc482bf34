/**
 * The single table of every libc symbol skiff calls, each parameter commented with its C type.
 * Only `libc.ts` binds it (lazily, symbol by symbol); add new symbols here, grouped by use.
 * @module
 */

/** libc's symbols as Deno FFI declarations. */
export const SYMBOLS = {
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
