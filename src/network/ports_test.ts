import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { PortInUseError, reservePorts } from "./ports.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("reservePorts() refuses a port something already listens on, naming it", () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  try {
    assert.throws(
      () =>
        reservePorts([{ hostIp: "127.0.0.1", hostPort: port, containerPort: 80, protocol: "tcp" }]),
      (e: Error) => {
        assert.ok(e instanceof PortInUseError);
        assert.equal(e.message, `host port ${port} is already in use`);
        assert.equal(e.hostPort, port);
        return true;
      },
    );
  } finally {
    l.close();
  }
});

Deno.test("reservePorts() holds TCP and UDP ports until closed", () => {
  const tcp = freePort();
  const ports = [
    { hostIp: "127.0.0.1", hostPort: tcp, containerPort: 80, protocol: "tcp" as const },
    { hostIp: "127.0.0.1", hostPort: tcp, containerPort: 80, protocol: "tcp" as const }, // duplicate: one fd
    { hostIp: "127.0.0.1", hostPort: tcp, containerPort: 53, protocol: "udp" as const },
  ];
  const r = reservePorts(ports);
  try {
    assert.equal(r.fds.length, 2);
    assert.ok(r.fds.every((fd) => fd > 2));
    assert.throws(() => Deno.listen({ hostname: "127.0.0.1", port: tcp }), Deno.errors.AddrInUse);
    assert.throws(() => reservePorts([ports[2]!]), PortInUseError);
    assert.throws(() => reservePorts([ports[0]!]), PortInUseError);
  } finally {
    r.close();
    r.close();
  }
  const again = reservePorts([ports[0]!]);
  again.close();
});

Deno.test("reservePorts() is all or nothing", () => {
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busy = (held.addr as Deno.NetAddr).port;
  const free = freePort();
  try {
    assert.throws(() =>
      reservePorts([
        { hostIp: "127.0.0.1", hostPort: free, containerPort: 1, protocol: "tcp" },
        { hostIp: "127.0.0.1", hostPort: busy, containerPort: 2, protocol: "tcp" },
      ]), new RegExp(`host port ${busy} is already in use`));
    // The first port was released again.
    Deno.listen({ hostname: "127.0.0.1", port: free }).close();
  } finally {
    held.close();
  }
});

Deno.test("reservePorts() refuses invalid ports and host IPs", () => {
  assert.throws(
    () => reservePorts([{ hostIp: "", hostPort: 70000, containerPort: 1, protocol: "tcp" }]),
    (e: Error) => e instanceof UsageError && /invalid host port 70000/.test(e.message),
  );
  assert.throws(
    () =>
      reservePorts([{ hostIp: "localhost", hostPort: 8080, containerPort: 1, protocol: "tcp" }]),
    /invalid host ip "localhost" for host port 8080/,
  );
  assert.deepEqual(reservePorts([]).fds, []);
});
