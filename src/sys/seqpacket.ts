/**
 * An AF_UNIX SOCK_SEQPACKET client through libc, for conmon's attach socket: Deno's own Unix
 * sockets are stream-only, and conmon refuses a SOCK_STREAM peer with EPROTOTYPE.
 *
 * The socket stays in blocking mode; every recv/send passes MSG_DONTWAIT and runs synchronously
 * on the main thread (so errno is readable). Waiting for data or buffer space is a poll(2) on a
 * blocking pool thread (`poll_nonblocking`), which keeps the event loop running while conmon is
 * quiet. {@linkcode SeqpacketSocket.close} shuts the socket down first, which wakes that poll,
 * and closes the fd only after the poll returned, so a pool thread never polls a reused fd.
 * @module
 */

import { check, cString, Errno, errno, ErrnoError, libc, O } from "./libc.ts";

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SHUT_WR = 1;
const SHUT_RDWR = 2;
const POLLIN = 0x1;
const POLLOUT = 0x4;
/** sizeof(struct sockaddr_un): sa_family_t + sun_path[108]. */
const SOCKADDR_UN_SIZE = 110;
/** sun_path holds 108 bytes including the terminating NUL. */
const SUN_PATH_MAX = 107;
/**
 * Upper bound of one poll(2) wait. close() wakes a waiting poll at once through shutdown(2);
 * the bound only keeps a pool thread from waiting forever should that ever not happen.
 */
const POLL_SLICE_MS = 1000;

/** Options for {@linkcode SeqpacketSocket.connect}. */
export interface SeqpacketOptions {
  /** The largest packet recv() accepts; longer packets are truncated by the kernel. @default 65536 */
  maxPacket?: number;
}

function sockaddrUn(path: string): Uint8Array<ArrayBuffer> {
  const bytes = cString(path);
  if (bytes.length - 1 > SUN_PATH_MAX) {
    throw new RangeError(`socket path "${path}" is longer than ${SUN_PATH_MAX} bytes`);
  }
  const addr = new Uint8Array(SOCKADDR_UN_SIZE);
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true);
  addr.set(bytes, 2);
  return addr;
}

/** A connected SOCK_SEQPACKET socket: each recv returns one packet, each send sends one. */
export class SeqpacketSocket {
  #fd: number;
  #path: string;
  #buf: Uint8Array<ArrayBuffer>;
  #closed = false;
  /** Polls in flight; close() waits for them before it releases the fd number. */
  #polls = new Set<Promise<unknown>>();

  private constructor(fd: number, path: string, maxPacket: number) {
    this.#fd = fd;
    this.#path = path;
    this.#buf = new Uint8Array(maxPacket);
  }

  /**
   * Connects to the socket at `path`. A path longer than `sun_path` allows is reached through
   * `/proc/self/fd/N` of an `O_PATH` descriptor of the socket file, as podman does.
   * Throws an ErrnoError such as `connect /x/attach: ENOENT` or `ECONNREFUSED`.
   */
  static connect(path: string, options: SeqpacketOptions = {}): SeqpacketSocket {
    const c = libc();
    let pathFd = -1;
    let target = path;
    if (new TextEncoder().encode(path).length > SUN_PATH_MAX) {
      pathFd = check(`open ${path}`, c.open(cString(path), O.PATH | O.CLOEXEC, 0));
      target = `/proc/self/fd/${pathFd}`;
    }
    try {
      const fd = check(`socket ${path}`, c.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
      const addr = sockaddrUn(target);
      for (;;) {
        if (c.connect(fd, addr, addr.length) === 0) break;
        const e = errno();
        if (e === Errno.EINTR) continue;
        c.close(fd);
        throw new ErrnoError(`connect ${path}`, e);
      }
      return new SeqpacketSocket(fd, path, options.maxPacket ?? 65536);
    } finally {
      if (pathFd >= 0) c.close(pathFd);
    }
  }

  /** The path this socket was connected to. */
  get path(): string {
    return this.#path;
  }

  /**
   * Receives the next packet, or null at end of stream (the peer closed or reset the
   * connection, or this socket was closed). Only one recv may be pending at a time.
   */
  async recv(): Promise<Uint8Array | null> {
    const c = libc();
    for (;;) {
      if (this.#closed) return null;
      const n = Number(c.recv(this.#fd, this.#buf, BigInt(this.#buf.length), MSG_DONTWAIT));
      if (n > 0) return this.#buf.slice(0, n);
      // SEQPACKET: 0 is end of stream (conmon never sends empty packets)
      if (n === 0) return null;
      const e = errno();
      if (e === Errno.ECONNRESET) return null;
      if (e === Errno.EAGAIN || e === Errno.EINTR) {
        await this.#wait(POLLIN);
        continue;
      }
      throw new ErrnoError(`recv ${this.#path}`, e);
    }
  }

  /** Sends `data` as one packet, waiting for buffer space; throws ErrnoError (EPIPE …). */
  async send(data: Uint8Array): Promise<void> {
    const c = libc();
    const packet = new Uint8Array(data); // a private copy: the caller may reuse its buffer
    for (;;) {
      if (this.#closed) throw new ErrnoError(`send ${this.#path}`, Errno.EBADF, "socket closed");
      const n = Number(
        c.send(this.#fd, packet, BigInt(packet.length), MSG_DONTWAIT | MSG_NOSIGNAL),
      );
      if (n >= 0) return; // a SEQPACKET send is all or nothing
      const e = errno();
      if (e === Errno.EAGAIN || e === Errno.EINTR) {
        await this.#wait(POLLOUT);
        continue;
      }
      throw new ErrnoError(`send ${this.#path}`, e);
    }
  }

  /** shutdown(SHUT_WR): tells the peer no more data follows (conmon closes the container's stdin). */
  shutdownWrite(): void {
    if (this.#closed) return;
    check(`shutdown ${this.#path}`, libc().shutdown(this.#fd, SHUT_WR));
  }

  /** Closes the socket; a pending recv returns null. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const c = libc();
    // wakes a poll waiting on a pool thread (the socket becomes readable: end of stream)
    c.shutdown(this.#fd, SHUT_RDWR);
    await Promise.allSettled([...this.#polls]);
    c.close(this.#fd);
  }

  async #wait(events: number): Promise<void> {
    if (this.#closed) return;
    const pfd = new Uint8Array(8); // struct pollfd { int fd; short events; short revents; }
    const view = new DataView(pfd.buffer);
    view.setInt32(0, this.#fd, true);
    view.setInt16(4, events, true);
    const p = libc().poll_nonblocking(pfd, 1n, POLL_SLICE_MS);
    this.#polls.add(p);
    try {
      // -1 (EINTR on the pool thread) and 0 (timeout) both mean: try the call again
      await p;
    } finally {
      this.#polls.delete(p);
    }
  }
}
