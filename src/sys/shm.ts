/**
 * POSIX shared memory: `shm_open` / `ftruncate` / `mmap` / `munmap` / `close` / `shm_unlink`,
 * returning a mapping with a typed view of the segment. glibc keeps segments as files in
 * `/dev/shm`, so `/skiff_lock` is the file `/dev/shm/skiff_lock`.
 * @module
 */

import { check, cString, Errno, errno, ErrnoError, fstat, libc, O } from "./libc.ts";

/** The directory glibc's `shm_open` keeps segments in. */
export const SHM_DIR = "/dev/shm";

const PROT_READ = 0x1;
const PROT_WRITE = 0x2;
const MAP_SHARED = 0x01;
const MAP_FAILED = 0xffffffffffffffffn;

/** A segment mapped read-write and shared into this process. */
export interface ShmMapping {
  /** The segment name, e.g. `/skiff_lock`. */
  readonly name: string;
  /** The mapped length in bytes (the file size when it was opened). */
  readonly size: number;
  /** Owner of the segment file. */
  readonly uid: number;
  /** Permission and type bits of the segment file. */
  readonly mode: number;
  /** A little-endian view of the whole mapping; invalid after {@linkcode ShmMapping.unmap}. */
  readonly view: DataView;
  /** A pointer `offset` bytes into the mapping (for FFI calls such as pthread_mutex_*). */
  pointerAt(offset: number): Deno.PointerObject;
  /** Unmaps the segment; idempotent. Touching `view` afterwards crashes the process. */
  unmap(): void;
}

/** The file behind a segment name: `/skiff_lock` → `/dev/shm/skiff_lock`. */
export function shmFilePath(name: string): string {
  return SHM_DIR + name;
}

/** Checks glibc's naming rule: one leading `/`, no other `/`, at most 255 bytes. */
export function validateShmName(name: string): void {
  if (!/^\/[^/\0]+$/.test(name) || name === "/." || name === "/..") {
    throw new TypeError(
      `shared memory name "${name}" is invalid: it must start with "/" and contain no other "/"`,
    );
  }
  if (new TextEncoder().encode(name).length > 255) {
    throw new TypeError(`shared memory name "${name}" is longer than 255 bytes`);
  }
}

/**
 * Creates a new segment of `size` bytes (zero-filled) with `O_EXCL` and maps it. The mode is
 * set with `fchmod` so that the umask cannot change it. On failure nothing is left behind.
 */
export function shmCreate(name: string, size: number, mode = 0o600): ShmMapping {
  validateShmName(name);
  const c = libc();
  const cname = cString(name);
  const fd = check(`shm_open ${name}`, c.shm_open(cname, O.RDWR | O.CREAT | O.EXCL, mode));
  try {
    check(`fchmod ${name}`, c.fchmod(fd, mode));
    check(`ftruncate ${name}`, c.ftruncate(fd, BigInt(size)));
    return mapFd(name, fd);
  } catch (e) {
    c.shm_unlink(cname);
    throw e;
  } finally {
    c.close(fd);
  }
}

/**
 * Creates segment `name` so that nobody can ever map it half-built: the segment is created
 * under a temporary name, `init` fills it in, and only then is it published under `name` with
 * `link(2)` (atomic; fails if the name exists). If `name` appeared meanwhile, ours is dropped
 * and the existing one is opened instead. A creator killed midway leaves at most a stray
 * temporary segment, never a broken `name`.
 */
export function shmCreatePublished(
  name: string,
  size: number,
  init: (mapping: ShmMapping) => void,
  mode = 0o600,
): ShmMapping {
  validateShmName(name);
  const tmp = `${name}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const seg = shmCreate(tmp, size, mode);
  try {
    init(seg);
    Deno.linkSync(shmFilePath(tmp), shmFilePath(name));
    return seg;
  } catch (e) {
    seg.unmap();
    const other = e instanceof Deno.errors.AlreadyExists ? shmOpen(name) : undefined;
    if (other === undefined) throw e;
    return other;
  } finally {
    shmUnlink(tmp);
  }
}

/**
 * Opens an existing segment and maps all of it (its current file size, so that no access can
 * run past the end of the file). Returns `undefined` when it does not exist.
 */
export function shmOpen(name: string): ShmMapping | undefined {
  validateShmName(name);
  const c = libc();
  const fd = c.shm_open(cString(name), O.RDWR, 0);
  if (fd === -1) {
    const err = errno();
    if (err === Errno.ENOENT) return undefined;
    throw new ErrnoError(`shm_open ${name}`, err);
  }
  try {
    return mapFd(name, fd);
  } finally {
    c.close(fd);
  }
}

/** Removes a segment name; returns false when it did not exist. Mappings stay valid. */
export function shmUnlink(name: string): boolean {
  validateShmName(name);
  if (libc().shm_unlink(cString(name)) === 0) return true;
  const err = errno();
  if (err === Errno.ENOENT) return false;
  throw new ErrnoError(`shm_unlink ${name}`, err);
}

function mapFd(name: string, fd: number): ShmMapping {
  const st = fstat(fd, name);
  if (st.size === 0) return emptyMapping(name, st.uid, st.mode);
  const p = libc().mmap(null, BigInt(st.size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0n);
  if (p === null || Deno.UnsafePointer.value(p) === MAP_FAILED) {
    throw new ErrnoError(`mmap ${name}`, errno());
  }
  return new Mapping(name, st.size, st.uid, st.mode, p);
}

class Mapping implements ShmMapping {
  readonly name: string;
  readonly size: number;
  readonly uid: number;
  readonly mode: number;
  readonly view: DataView;
  #base: Deno.PointerObject | null;

  constructor(name: string, size: number, uid: number, mode: number, base: Deno.PointerObject) {
    this.name = name;
    this.size = size;
    this.uid = uid;
    this.mode = mode;
    this.#base = base;
    // An ArrayBuffer over the shared pages themselves (no copy): writes are seen by every
    // process that maps the segment.
    this.view = new DataView(Deno.UnsafePointerView.getArrayBuffer(base, size));
  }

  pointerAt(offset: number): Deno.PointerObject {
    if (this.#base === null) throw new TypeError(`segment ${this.name} is unmapped`);
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) {
      throw new RangeError(`offset ${offset} is outside segment ${this.name} (${this.size} bytes)`);
    }
    const p = Deno.UnsafePointer.offset(this.#base, offset);
    if (p === null) throw new RangeError(`offset ${offset} of segment ${this.name} is null`);
    return p;
  }

  unmap(): void {
    if (this.#base === null) return;
    const base = this.#base;
    this.#base = null;
    check(`munmap ${this.name}`, libc().munmap(base, BigInt(this.size)));
  }
}

function emptyMapping(name: string, uid: number, mode: number): ShmMapping {
  return {
    name,
    size: 0,
    uid,
    mode,
    view: new DataView(new ArrayBuffer(0)),
    pointerAt(offset: number): Deno.PointerObject {
      throw new RangeError(`offset ${offset} is outside segment ${name} (0 bytes)`);
    },
    unmap(): void {},
  };
}
