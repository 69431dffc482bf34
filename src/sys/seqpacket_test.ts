import assert from "node:assert/strict";
import { SeqpacketSocket } from "./seqpacket.ts";
import { ErrnoError } from "./libc.ts";

// A stand-in for conmon's attach socket: binds through /proc/self/fd/N/<name> (so long paths
// work, as in conmon), accepts one client, sends the packets given as hex on argv, then prints
// every packet it receives (hex, one per line) until end of stream, and closes.
const SERVER = `
import os, socket, sys, time
path = sys.argv[1]
d = os.open(os.path.dirname(path), os.O_PATH)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("/proc/self/fd/%d/%s" % (d, os.path.basename(path)))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
for h in sys.argv[3:]:
    c.send(bytes.fromhex(h))
    time.sleep(float(sys.argv[2]))
while True:
    p = c.recv(65536)
    if not p:
        break
    print(p.hex(), flush=True)
print("eof", flush=True)
c.close()
`;

interface Server {
  lines: AsyncIterator<string>;
  done: Promise<Deno.CommandStatus>;
}

async function startServer(path: string, packets: Uint8Array[], delay = 0): Promise<Server> {
  const hex = packets.map((p) => Array.from(p, (b) => b.toString(16).padStart(2, "0")).join(""));
  const child = new Deno.Command("python3", {
    args: ["-c", SERVER, path, String(delay), ...hex],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter())
    [Symbol.asyncIterator]();
  const first = await lines.next();
  assert.equal(first.value, "ready");
  return { lines, done: child.status };
}

function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, ctl) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const p of parts) ctl.enqueue(p);
    },
    flush(ctl) {
      if (rest) ctl.enqueue(rest);
    },
  });
}

async function rest(lines: AsyncIterator<string>): Promise<string[]> {
  const out: string[] = [];
  for (let r = await lines.next(); !r.done; r = await lines.next()) out.push(r.value);
  return out;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("SeqpacketSocket keeps packet boundaries both ways and sees end of stream", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-seqpacket-" });
  try {
    const big = new Uint8Array(8193).fill(0x78);
    big[0] = 2;
    const server = await startServer(`${dir}/attach`, [
      enc.encode("\x02hello\n"),
      enc.encode("\x03err\n"),
      big,
    ]);
    const sock = SeqpacketSocket.connect(`${dir}/attach`);
    try {
      assert.equal(dec.decode((await sock.recv())!), "\x02hello\n");
      assert.equal(dec.decode((await sock.recv())!), "\x03err\n");
      assert.deepEqual(await sock.recv(), big);
      await sock.send(enc.encode("one"));
      await sock.send(enc.encode("two\n"));
      sock.shutdownWrite();
      // "6f6e65" = "one": the server got two packets, then end of stream after SHUT_WR
      assert.deepEqual(await rest(server.lines), ["6f6e65", "74776f0a", "eof"]);
      assert.equal(await sock.recv(), null);
      assert.equal((await server.done).code, 0);
    } finally {
      await sock.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SeqpacketSocket.connect() reaches a socket whose path is longer than 108 bytes", async () => {
  const base = await Deno.makeTempDir({ prefix: "skiff-seqpacket-" });
  try {
    const dir = `${base}/${"d".repeat(60)}/${"e".repeat(60)}`;
    await Deno.mkdir(dir, { recursive: true });
    const path = `${dir}/attach`;
    assert.ok(path.length > 108);
    const server = await startServer(path, [enc.encode("\x02long\n")]);
    const sock = SeqpacketSocket.connect(path);
    try {
      assert.equal(dec.decode((await sock.recv())!), "\x02long\n");
      sock.shutdownWrite();
      assert.deepEqual(await rest(server.lines), ["eof"]);
      assert.equal(await sock.recv(), null);
      await server.done;
    } finally {
      await sock.close();
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("SeqpacketSocket.recv() waits without blocking the event loop", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-seqpacket-" });
  try {
    // the server sleeps 600 ms after its only packet, then waits for our end of stream
    const server = await startServer(
      `${dir}/attach`,
      [enc.encode("\x02a"), enc.encode("\x02b")],
      0.6,
    );
    const sock = SeqpacketSocket.connect(`${dir}/attach`);
    try {
      assert.equal(dec.decode((await sock.recv())!), "\x02a");
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const t0 = performance.now();
      const second = await sock.recv();
      const waited = performance.now() - t0;
      clearInterval(timer);
      assert.equal(dec.decode(second!), "\x02b");
      assert.ok(waited > 300, `recv returned after ${waited} ms`);
      assert.ok(ticks >= (waited / 10) * 0.5, `${ticks} ticks in ${waited} ms`);
      sock.shutdownWrite();
      await rest(server.lines);
      await server.done;
    } finally {
      await sock.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SeqpacketSocket.close() ends a pending recv at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-seqpacket-" });
  try {
    const server = await startServer(`${dir}/attach`, []);
    const sock = SeqpacketSocket.connect(`${dir}/attach`);
    const pending = sock.recv();
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await sock.close();
    assert.equal(await pending, null);
    assert.ok(performance.now() - t0 < 500, "close() waited for the poll slice");
    await sock.close(); // idempotent
    await assert.rejects(() => sock.send(enc.encode("x")), ErrnoError);
    assert.deepEqual(await rest(server.lines), ["eof"]);
    await server.done;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SeqpacketSocket.connect() names the path and errno when nothing listens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-seqpacket-" });
  try {
    assert.throws(
      () => SeqpacketSocket.connect(`${dir}/missing`),
      (e: unknown) => e instanceof ErrnoError && e.code === "ENOENT" && e.message.includes(dir),
    );
    const long = `${dir}/${"x".repeat(120)}`;
    assert.throws(
      () => SeqpacketSocket.connect(long),
      (e: unknown) => e instanceof ErrnoError && e.code === "ENOENT" && e.call === `open ${long}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
