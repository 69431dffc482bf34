import assert from "node:assert/strict";
import { readTar, TarError, type TarHeader, type TarSource } from "./tar_reader.ts";
import { exec, NO_TAR, tarBytes, testUnless, withTempDir } from "./_test_archive.ts";

const decoder = new TextDecoder();

async function readAll(
  source: TarSource | Uint8Array,
  readBodies = true,
): Promise<{ h: TarHeader; body: string }[]> {
  const src = source instanceof Uint8Array ? ReadableStream.from([source]) : source;
  const out: { h: TarHeader; body: string }[] = [];
  for await (const { header, body } of readTar(src, { name: "test.tar" })) {
    out.push({
      h: header,
      body: readBodies ? decoder.decode(await new Response(body).bytes()) : "",
    });
  }
  return out;
}

async function rejects(data: Uint8Array, pattern: RegExp): Promise<TarError> {
  let err: unknown;
  try {
    await readAll(data);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof TarError, `expected a TarError, got ${err}`);
  assert.match(err.message, pattern);
  assert.match(err.message, /^invalid tar archive "test\.tar": /);
  return err;
}

/** Recomputes the checksum of the header block at `off` after a test changed it. */
function fixChecksum(t: Uint8Array, off = 0): void {
  t.fill(0x20, off + 148, off + 156);
  let sum = 0;
  for (let i = off; i < off + 512; i++) sum += t[i]!;
  t.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), off + 148);
}

const LONG = `${"d".repeat(120)}/${"f".repeat(150)}.txt`;

async function sample(): Promise<Uint8Array> {
  return await tarBytes([
    [{ name: "dir", type: "dir", mode: 0o755, mtime: 1000 }],
    [{ name: "dir/a.txt", type: "file", mode: 0o640, uid: 1000, gid: 1001, uname: "u" }, "hello"],
    [{ name: LONG, type: "file", mode: 0o644 }, "long"],
    [{ name: "link", type: "symlink", linkname: "/etc/passwd" }],
    [{ name: "hard", type: "hardlink", linkname: "dir/a.txt" }],
  ]);
}

Deno.test("readTar() reads files, dirs, links and pax long names", async () => {
  const entries = await readAll(await sample());
  assert.deepEqual(entries.map((e) => [e.h.name, e.h.type, e.h.size, e.body]), [
    ["dir/", "dir", 0, ""],
    ["dir/a.txt", "file", 5, "hello"],
    [LONG, "file", 4, "long"],
    ["link", "symlink", 0, ""],
    ["hard", "hardlink", 0, ""],
  ]);
  const a = entries[1]!.h;
  assert.deepEqual([a.mode, a.uid, a.gid, a.uname, a.offset], [0o640, 1000, 1001, "u", 512]);
  assert.equal(entries[0]!.h.mtime, 1000);
  assert.equal(entries[2]!.h.pax.path, LONG);
  assert.equal(entries[3]!.h.linkname, "/etc/passwd");
});

Deno.test("readTar() skips bodies that are not read, from a stream and from a file", async () => {
  const data = await sample();
  const fromStream = await readAll(data, false);
  assert.equal(fromStream.length, 5);
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/s.tar`, data);
    using file = await Deno.open(`${dir}/s.tar`);
    const fromFile = await readAll({ file }, false);
    assert.deepEqual(fromFile.map((e) => e.h.name), fromStream.map((e) => e.h.name));
  });
});

Deno.test("readTar() reports progress in archive bytes", async () => {
  const data = await sample();
  let last = 0;
  for await (const _ of readTar(ReadableStream.from([data]), { onProgress: (n) => (last = n) }));
  assert.ok(last >= data.length - 1024 && last <= data.length, `progress ${last}`);
});

Deno.test("readTar() applies global pax headers and refuses a global path", async () => {
  const rec = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 2;
    if (String(len).length !== 2) len = body.length + String(len).length;
    return `${len}${body}`;
  };
  const globalHeader = async (text: string) => {
    const t = await tarBytes([[{ name: "pax_global", type: "file" }, text]]);
    t[156] = 0x67; // 'g'
    fixChecksum(t);
    return t.subarray(0, 512 + Math.ceil(text.length / 512) * 512);
  };
  const rest = await tarBytes([[{ name: "f", type: "file" }, "x"]]);
  const ok = new Uint8Array([...await globalHeader(rec("uname", "globaluser")), ...rest]);
  const entries = await readAll(ok);
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.h.uname, "globaluser");
  const bad = new Uint8Array([...await globalHeader(rec("path", "x")), ...rest]);
  await rejects(bad, /global pax header sets "path" at byte 0/);
});

Deno.test("readTar() parses gnu base-256 numbers", async () => {
  const t = await tarBytes([[{ name: "big", type: "file", uid: 5 }, "x"]]);
  t.fill(0, 108, 116);
  t[108] = 0x80;
  t.set([0x01, 0x00, 0x00, 0x00], 112); // uid 2^24
  fixChecksum(t);
  assert.equal((await readAll(t))[0]!.h.uid, 1 << 24);
});

Deno.test("readTar() rejects a header checksum error with its offset", async () => {
  const t = await sample();
  t[512 + 3] = t[512 + 3]! ^ 0x01; // a name byte of the second header
  const err = await rejects(t, /header checksum mismatch at byte 512/);
  assert.equal(err.offset, 512);
});

Deno.test("readTar() rejects truncated input: in a header, in data, before the end marker", async () => {
  const t = await sample();
  await rejects(t.subarray(0, 512 + 100), /unexpected end of archive inside a header at byte 512/);
  await rejects(t.subarray(0, 1024 + 3), /unexpected end of archive inside "dir\/a\.txt"/);
  await rejects(t.subarray(0, t.length - 1024), /no end-of-archive marker/);
});

Deno.test("readTar() rejects what is not a tar archive", async () => {
  await rejects(new Uint8Array(0), /empty file: not a tar archive at byte 0/);
  await rejects(new TextEncoder().encode("hello\n"), /not a tar archive: only 6 bytes/);
  await rejects(
    new TextEncoder().encode("x".repeat(2048)),
    /not a tar archive: bad header checksum/,
  );
});

Deno.test("readTar() rejects data after a lone zero block and data on a symlink", async () => {
  const t = await tarBytes([[{ name: "f", type: "file" }, "x"]]);
  const lone = new Uint8Array([
    ...t.subarray(0, 1024),
    ...new Uint8Array(512),
    ...t.subarray(0, 512),
  ]);
  await rejects(lone, /data after a lone zero block at byte 1536/);
  const s = await tarBytes([[{ name: "s", type: "symlink", linkname: "t" }]]);
  s.set(new TextEncoder().encode("00000000001\0"), 124);
  fixChecksum(s);
  await rejects(s, /symlink entry "s" has a data size of 1/);
});

Deno.test("readTar() accepts an empty archive", async () => {
  assert.deepEqual(await readAll(new Uint8Array(10240)), []);
});

testUnless(
  NO_TAR,
  "readTar() reads what GNU tar writes (posix, gnu and ustar formats)",
  async () => {
    await withTempDir(async (dir) => {
      const src = `${dir}/src`;
      const deep = `${"sub".repeat(40)}/${"name".repeat(40)}`;
      const split = `${"p".repeat(120)}/${"n".repeat(50)}`; // needs ustar's prefix field
      for (const p of [deep, split]) {
        await Deno.mkdir(`${src}/${p.slice(0, p.indexOf("/"))}`, { recursive: true });
        await Deno.writeTextFile(`${src}/${p}`, `${p.length}\n`);
      }
      await Deno.writeTextFile(`${src}/a-file`, "small\n");
      await Deno.symlink(`../${"t".repeat(150)}`, `${src}/longlink`);
      await Deno.link(`${src}/a-file`, `${src}/b-hardlink`);
      for (const format of ["posix", "gnu", "ustar"]) {
        const out = `${dir}/${format}.tar`;
        const members = format === "ustar" ? ["a-file", split] : ["."];
        const r = await exec([
          "tar",
          "--create",
          `--format=${format}`,
          "--sort=name",
          "-f",
          out,
          "-C",
          src,
          ...members,
        ]);
        assert.equal(r.code, 0, r.stderr);
        using file = await Deno.open(out);
        const entries = await readAll({ file });
        const byName = new Map(entries.map((e) => [e.h.name.replace(/^\.\//, ""), e]));
        assert.equal(byName.get("a-file")?.body, "small\n", format);
        assert.equal(byName.get(split)?.body, `${split.length}\n`, format);
        if (format === "ustar") continue;
        assert.equal(byName.get(deep)?.body, `${deep.length}\n`, format);
        assert.equal(byName.get("longlink")?.h.type, "symlink");
        assert.equal(byName.get("longlink")?.h.linkname, `../${"t".repeat(150)}`, format);
        assert.equal(byName.get("b-hardlink")?.h.type, "hardlink", format);
        assert.equal(byName.get("b-hardlink")?.h.linkname.replace(/^\.\//, ""), "a-file", format);
      }
    });
  },
);
