/**
 * Host port reservation (podman's `enable_port_reservation`): before a container starts, every
 * published host port is bound (TCP: bind + listen; UDP: bind) so that nothing else can take it
 * while DNAT rules send its traffic to the container. The raw socket fds are handed to conmon,
 * which holds them for the container's life; skiff then closes its own copies.
 *
 * Deno's own listeners do not expose their fd, so the sockets are made with libc through
 * `src/sys/libc.ts`. They are close-on-exec: only the child they are explicitly passed to (at a
 * chosen fd number, which clears the flag) inherits them. Like podman, an empty host IP binds
 * IPv4 `0.0.0.0`, and `SO_REUSEADDR` is set as Go's listeners do.
 * @module
 */

import type { PortMapping } from "../define/container.ts";
import { SkiffError, UsageError } from "../define/errors.ts";
import { Errno, errno, ErrnoError, libc } from "../sys/libc.ts";
import { formatIp, parseIp } from "./cidr.ts";

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const IPPROTO_IPV6 = 41;
const IPV6_V6ONLY = 26;
const BACKLOG = 128;

/** A host port that something else already holds. */
export class PortInUseError extends SkiffError {
  readonly hostPort: number;
  readonly protocol: string;
  constructor(hostPort: number, protocol: string, hostIp: string) {
    super(`host port ${hostPort} is already in use`, {
      cause: new ErrnoError(`bind ${hostIp}:${hostPort}/${protocol}`, Errno.EADDRINUSE),
    });
    this.hostPort = hostPort;
    this.protocol = protocol;
  }
}

/** Reserved host ports: their socket fds, and a way to close ours. */
export interface PortReservation extends Disposable {
  /** One socket fd per distinct (host IP, host port, protocol). */
  readonly fds: number[];
  /** Closes every socket; idempotent. */
  close(): void;
}

function sockaddr(ip: { family: 4 | 6; value: bigint }, port: number): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(ip.family === 4 ? 16 : 28);
  const v = new DataView(buf.buffer);
  v.setUint16(0, ip.family === 4 ? AF_INET : AF_INET6, true);
  v.setUint16(2, port, false);
  if (ip.family === 4) v.setUint32(4, Number(ip.value), false);
  else {for (let i = 0; i < 16; i++) {
      v.setUint8(8 + i, Number((ip.value >> BigInt(120 - 8 * i)) & 0xffn));
    }}
  return buf;
}

function bindOne(p: PortMapping): number {
  const hostIp = p.hostIp === "" ? "0.0.0.0" : p.hostIp;
  const ip = parseIp(hostIp);
  if (!ip) throw new UsageError(`invalid host ip "${p.hostIp}" for host port ${p.hostPort}`);
  const c = libc();
  const udp = p.protocol === "udp";
  const fd = c.socket(
    ip.family === 4 ? AF_INET : AF_INET6,
    (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC,
    0,
  );
  if (fd === -1) throw new ErrnoError(`socket for host port ${p.hostPort}`, errno());
  try {
    const one = new Uint8Array(new Int32Array([1]).buffer);
    if (!udp && c.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4) === -1) {
      throw new ErrnoError(`setsockopt SO_REUSEADDR for host port ${p.hostPort}`, errno());
    }
    if (ip.family === 6) c.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, one, 4);
    const addr = sockaddr(ip, p.hostPort);
    if (c.bind(fd, addr, addr.length) === -1) {
      const err = errno();
      if (err === Errno.EADDRINUSE) throw new PortInUseError(p.hostPort, p.protocol, formatIp(ip));
      throw new SkiffError(
        `cannot bind host port ${p.hostPort} on ${formatIp(ip)}`,
        { cause: new ErrnoError(`bind ${formatIp(ip)}:${p.hostPort}/${p.protocol}`, err) },
      );
    }
    if (!udp && c.listen(fd, BACKLOG) === -1) {
      throw new ErrnoError(`listen ${formatIp(ip)}:${p.hostPort}/tcp`, errno());
    }
    return fd;
  } catch (e) {
    c.close(fd);
    throw e;
  }
}

/**
 * Binds every host port of `ports` and returns the socket fds. All or nothing: when one port
 * cannot be bound, the ones already bound are closed again.
 * @throws {PortInUseError} `host port 8080 is already in use`
 * @throws {UsageError} a host port outside 1–65535 or a malformed host IP
 */
export function reservePorts(ports: PortMapping[]): PortReservation {
  const fds: number[] = [];
  const seen = new Set<string>();
  try {
    for (const p of ports) {
      if (!Number.isInteger(p.hostPort) || p.hostPort < 1 || p.hostPort > 65535) {
        throw new UsageError(`invalid host port ${p.hostPort}: must be between 1 and 65535`);
      }
      const key = `${p.hostIp}|${p.hostPort}|${p.protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      fds.push(bindOne(p));
    }
  } catch (e) {
    for (const fd of fds) libc().close(fd);
    throw e;
  }
  let open = true;
  return {
    fds,
    close() {
      if (!open) return;
      open = false;
      for (const fd of fds) libc().close(fd);
    },
    [Symbol.dispose]() {
      this.close();
    },
  };
}
