/**
 * A whole-file exclusive lock (`flock(2)`), used to serialise creating and removing shared
 * memory segments.
 *
 * Why FFI `flock` rather than `Deno.FsFile.lockSync()` (which is also flock): the lock files
 * live in a world-writable directory (`/dev/shm`), so the file must be opened with `O_NOFOLLOW`
 * (this host has `fs.protected_symlinks = 0`: a planted symlink would otherwise make root
 * create files elsewhere) and its owner checked on the same descriptor with `fstat` — neither
 * is possible through `Deno.open`. FFI also gives `LOCK_NB`, so a stopped holder makes us fail
 * with a timeout that names the file instead of hanging the process for ever. flock locks belong
 * to the open file description, not to a thread, so the usual FFI thread caveats do not apply.
 * @module
 */

import {
  check,
  cString,
  Errno,
  errno,
  ErrnoError,
  fstat,
  geteuid,
  libc,
  O,
  S_IFMT,
  S_IFREG,
  sleepSync,
} from "./libc.ts";

const LOCK_EX = 2;
const LOCK_NB = 4;

/** A held file lock; dispose of it (or call release) to unlock. */
export interface FileLock extends Disposable {
  /** The locked file. */
  readonly path: string;
  /** Closes the descriptor, which releases the lock; idempotent. */
  release(): void;
}

/** Options for {@linkcode lockFileSync}. */
export interface FileLockOptions {
  /** Give up after this many milliseconds with ETIMEDOUT. @default 30000 */
  timeoutMs?: number;
}

/**
 * Takes an exclusive lock on `path`, creating it (mode 0600) when missing. Refuses a file that
 * is a symlink, not a regular file, or owned by another user. Safe against the file being
 * removed by its holder (the holder of the lock may unlink it; we then retry on the new file).
 * Blocks the calling thread while waiting, with a short back-off: hold these locks briefly.
 */
export function lockFileSync(path: string, options: FileLockOptions = {}): FileLock {
  const c = libc();
  const cpath = cString(path);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let delay = 0.1;
  for (;;) {
    const fd = check(
      `open ${path}`,
      c.open(cpath, O.RDWR | O.CREAT | O.NOFOLLOW | O.CLOEXEC, 0o600),
    );
    let keep = false;
    try {
      const st = fstat(fd, path);
      if ((st.mode & S_IFMT) !== S_IFREG) {
        throw new ErrnoError(`open ${path}`, Errno.EINVAL, "not a regular file");
      }
      const euid = geteuid();
      if (st.uid !== euid) {
        throw new ErrnoError(
          `open ${path}`,
          Errno.EPERM,
          `owned by uid ${st.uid}, not by uid ${euid}: remove it`,
        );
      }
      while (c.flock(fd, LOCK_EX | LOCK_NB) === -1) {
        const err = errno();
        if (err !== Errno.EAGAIN && err !== Errno.EINTR) throw new ErrnoError(`flock ${path}`, err);
        if (Date.now() > deadline) {
          throw new ErrnoError(
            `flock ${path}`,
            Errno.ETIMEDOUT,
            `held by another process for ${options.timeoutMs ?? 30_000} ms`,
          );
        }
        sleepSync(delay);
        delay = Math.min(delay * 2, 20);
      }
      // The previous holder may have unlinked the file before releasing it: then our lock is
      // on an orphaned inode, so start again on whatever the path names now.
      if (sameFile(path, st.ino)) {
        keep = true;
        return new HeldFileLock(path, fd);
      }
    } finally {
      if (!keep) c.close(fd);
    }
  }
}

function sameFile(path: string, ino: number): boolean {
  try {
    return Deno.lstatSync(path).ino === ino;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

class HeldFileLock implements FileLock {
  readonly path: string;
  #fd: number;

  constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  release(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    libc().close(fd);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}
