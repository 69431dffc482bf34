import assert from "node:assert/strict";
import { TarWriter } from "./tar_writer.ts";
import { readTar } from "./tar_reader.ts";
import { collector, exec, NO_TAR, tarBytes, testUnless, withTempDir } from "./_test_archive.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const LONG = `${"d".repeat(120)}/${"f".repeat(150)}.txt`;
const UNICODE = "données/é😀.txt";

async function sample(): Promise<Uint8Array> {
  return await tarBytes([
    [{ name: "etc", type: "dir", mode: 0o755 }],
    [
      { name: "etc/passwd", type: "file", mode: 0o644, uid: 1000, gid: 1000, mtime: 86400 },
      "root:x:0:0\n",
    ],
    [{ name: LONG, type: "file", mode: 0o600, uid: 3_000_000 }, "long name\n"],
    [{ name: UNICODE, type: "file", mode: 0o644 }, "unicode\n"],
    [{ name: "bin/sh", type: "symlink", mode: 0o777, linkname: `/${"l".repeat(120)}` }],
    [{ name: "hard", type: "hardlink", linkname: "etc/passwd" }],
  ]);
}

Deno.test("TarWriter round-trips through readTar, with pax for long and non-ascii fields", async () => {
  const out: [string, string, number, number, number, string, string][] = [];
  for await (const { header: h, body } of readTar(ReadableStream.from([await sample()]))) {
    const text = decoder.decode(await new Response(body).bytes());
    out.push([h.name, h.type, h.mode, h.uid, h.mtime, h.linkname, text]);
  }
  assert.deepEqual(out, [
    ["etc/", "dir", 0o755, 0, 0, "", ""],
    ["etc/passwd", "file", 0o644, 1000, 86400, "", "root:x:0:0\n"],
    [LONG, "file", 0o600, 3_000_000, 0, "", "long name\n"],
    [UNICODE, "file", 0o644, 0, 0, "", "unicode\n"],
    ["bin/sh", "symlink", 0o777, 0, 0, `/${"l".repeat(120)}`, ""],
    ["hard", "hardlink", 0, 0, 0, "etc/passwd", ""],
  ]);
});

Deno.test("TarWriter writes Go's ustar header bytes and no host data", async () => {
  const t = await tarBytes([[{ name: "manifest.json", type: "file", mode: 0o444 }, "[]"]]);
  const field = (a: number, b: number) => decoder.decode(t.subarray(a, b));
  assert.equal(field(100, 108), "0000444\0");
  assert.equal(field(108, 124), "0000000\u00000000000\0");
  assert.equal(field(124, 136), "00000000002\0");
  assert.equal(field(136, 148), "00000000000\0");
  assert.match(field(148, 156), /^[0-7]{6}\0 $/);
  assert.equal(field(257, 265), "ustar\u000000");
  assert.equal(field(265, 329), "\0".repeat(64)); // no uname / gname
  assert.equal(field(329, 345), "0000000\u00000000000\0");
  assert.equal(t.length, 512 + 512 + 1024); // header, data block, end marker; no record padding
  assert.deepEqual(
    t,
    await tarBytes([[{ name: "manifest.json", type: "file", mode: 0o444 }, "[]"]]),
  );
});

Deno.test("TarWriter copies streamed bodies and checks their size", async () => {
  const c = collector();
  const tar = new TarWriter(c.stream);
  const chunks = [encoder.encode("abc"), encoder.encode("defg")];
  await tar.add({ name: "f", type: "file", size: 7 }, ReadableStream.from(chunks));
  await assert.rejects(
    tar.add({ name: "short", type: "file", size: 10 }, ReadableStream.from(chunks)),
    /"short" has 7 of its 10 bytes/,
  );
  const c2 = collector();
  const tar2 = new TarWriter(c2.stream);
  await assert.rejects(
    tar2.add({ name: "long", type: "file", size: 2 }, ReadableStream.from(chunks)),
    /"long" has more than its 2 bytes/,
  );
  await assert.rejects(tar2.add({ name: "d", type: "dir", size: 1 }), /cannot have data/);
  await assert.rejects(tar2.add({ name: "", type: "file" }), /invalid member name/);
});

testUnless(NO_TAR, "TarWriter output is listed and extracted by GNU tar", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/out.tar`, await sample());
    const list = await exec(["tar", "--numeric-owner", "-tvf", `${dir}/out.tar`], {
      TZ: "UTC",
      LC_ALL: "C.UTF-8",
    });
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split("\n");
    assert.equal(lines.length, 6);
    assert.match(lines[0]!, /^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 etc\/$/);
    assert.match(lines[1]!, /^-rw-r--r-- 1000\/1000 +11 1970-01-02 00:00 etc\/passwd$/);
    assert.match(lines[2]!, new RegExp(`^-rw------- 3000000/0 +10 1970-01-01 00:00 ${LONG}$`));
    assert.match(lines[4]!, new RegExp(`^lrwxrwxrwx 0/0 +0 1970-01-01 00:00 bin/sh -> /l{120}$`));
    assert.match(lines[3]!, new RegExp(`^-rw-r--r-- 0/0 +8 1970-01-01 00:00 ${UNICODE}$`));
    assert.match(lines[5]!, /^h--------- 0\/0 +0 1970-01-01 00:00 hard link to etc\/passwd$/);
    await Deno.mkdir(`${dir}/x`);
    const x = await exec(["tar", "-xf", `${dir}/out.tar`, "-C", `${dir}/x`]);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(await Deno.readTextFile(`${dir}/x/${LONG}`), "long name\n");
    assert.equal(await Deno.readTextFile(`${dir}/x/${UNICODE}`), "unicode\n");
    assert.equal(await Deno.readTextFile(`${dir}/x/hard`), "root:x:0:0\n");
  });
});
