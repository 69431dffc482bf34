import assert from "node:assert/strict";
import { attachContainer, attachSocketPath } from "./attach.ts";
import { OciRuntimeError } from "../define/errors.ts";

// Plays conmon's attach socket at <bundle>/attach: sends "\x02out\n" and "\x03err\n", then
// echoes every stdin packet back as stdout ("\x02" + data) until end of stream (our
// SHUT_WR), reports the stdin packet sizes on stderr, and closes.
const CONMON = `
import os, socket, sys
bundle = sys.argv[1]
d = os.open(bundle, os.O_PATH)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("/proc/self/fd/%d/attach" % d)
s.listen(1)
open(os.path.join(bundle, "ready"), "w").close()
c, _ = s.accept()
c.send(b"\\x02out\\n")
c.send(b"\\x03err\\n")
c.send(b"\\x07???")
sizes = []
while True:
    p = c.recv(65536)
    if not p:
        break
    sizes.append(len(p))
    c.send(b"\\x02" + p[:100])
try:
    c.send(b"\\x03" + repr(sizes).encode())
except OSError:
    pass  # the client detached instead of closing stdin
c.close()
`;

async function fakeConmon(bundle: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("python3", {
    args: ["-c", CONMON, bundle],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  // the server creates <bundle>/ready once it listens
  for (let i = 0; i < 500; i++) {
    if (await Deno.stat(`${bundle}/ready`).then(() => true, () => false)) return child;
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill();
  await child.status;
  throw new Error("the fake conmon did not start listening");
}

const dec = new TextDecoder();

Deno.test("attachContainer() splits stdout and stderr and writes raw stdin in 8 KiB packets", async () => {
  // a bundle path longer than sun_path, as under /var/lib/skiff/storage
  const base = await Deno.makeTempDir({ prefix: "skiff-attach-" });
  const bundle = `${base}/${"b".repeat(100)}`;
  await Deno.mkdir(bundle);
  try {
    const server = await fakeConmon(bundle);
    const out: string[] = [];
    const err: string[] = [];
    const streams = await attachContainer(bundle, {
      stdout: (d) => out.push(dec.decode(d)),
      stderr: (d) => err.push(dec.decode(d)),
    }, { stdin: true });
    await streams.write(new TextEncoder().encode("hello\n"));
    await streams.write(new Uint8Array(20000).fill(0x61));
    await streams.closeStdin();
    await streams.closeStdin(); // idempotent
    await assert.rejects(() => streams.write(new Uint8Array(1)), OciRuntimeError);
    await streams.done;
    assert.deepEqual(out.slice(0, 2), ["out\n", "hello\n"]);
    assert.equal(out.length, 5); // out, hello, and three echoes of the 20000-byte write
    assert.deepEqual(err, ["err\n", "[6, 8192, 8192, 3616]"]);
    assert.equal((await server.status).code, 0);
    streams.close(); // after the end: harmless
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("attachContainer() without stdin refuses writes; close() ends done", async () => {
  const bundle = await Deno.makeTempDir({ prefix: "skiff-attach-" });
  try {
    const server = await fakeConmon(bundle);
    const out: string[] = [];
    const streams = await attachContainer(`${bundle}/attach`, {
      stdout: (d) => out.push(dec.decode(d)),
      stderr: () => {},
    });
    await assert.rejects(() => streams.write(new Uint8Array(1)), /stdin is not attached/);
    while (out.length === 0) await new Promise((r) => setTimeout(r, 5));
    streams.close();
    await streams.done;
    assert.deepEqual(out, ["out\n"]);
    await server.status;
  } finally {
    await Deno.remove(bundle, { recursive: true });
  }
});

Deno.test("attachContainer() names the socket it could not reach", async () => {
  const bundle = await Deno.makeTempDir({ prefix: "skiff-attach-" });
  try {
    assert.equal(attachSocketPath(bundle), `${bundle}/attach`);
    assert.equal(attachSocketPath(`${bundle}/x`), `${bundle}/x`);
    await assert.rejects(
      () => attachContainer(bundle, { stdout: () => {}, stderr: () => {} }),
      (e: unknown) =>
        e instanceof OciRuntimeError &&
        e.message === `attaching to ${bundle}/attach: connect ${bundle}/attach: ENOENT`,
    );
  } finally {
    await Deno.remove(bundle, { recursive: true });
  }
});
