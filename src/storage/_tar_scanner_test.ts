import assert from "node:assert/strict";
import { type TarEntry, TarFormatError, TarScanner } from "./_tar_scanner.ts";
import {
  concat,
  header,
  paxRecords,
  setChecksum,
  tarArchive,
  tarEntry,
  type TarSpec,
} from "./_testdata.ts";

/** Feeds `data` in chunks of `size` bytes; returns the entries and the released bytes. */
function scan(
  data: Uint8Array,
  size = data.length,
  onEntry: (e: TarEntry) => void = () => {},
): { entries: TarEntry[]; out: Uint8Array } {
  const entries: TarEntry[] = [];
  const s = new TarScanner((e) => {
    onEntry(e);
    entries.push(e);
  });
  const parts: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(...s.push(data.subarray(i, i + size)));
  s.end();
  return { entries, out: concat(parts) };
}

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof TarFormatError) return `${e.problem}: ${e.message}`;
    throw e;
  }
  return "no error";
}

const SAMPLE: TarSpec[] = [
  { name: "./", type: "dir" },
  { name: "a/file", data: "hello", mode: 0o4755, uid: 100000, gid: 42 },
  { name: "a/link", type: "symlink", linkname: "file" },
  { name: `deep/${"x".repeat(200)}`, data: "long" },
  { name: "hl", type: "hardlink", linkname: `deep/${"x".repeat(200)}` },
];

Deno.test("TarScanner reports entries with PAX names, owners and modes", () => {
  const { entries } = scan(tarArchive(SAMPLE));
  assert.deepEqual(
    entries.map((e) => [e.name, e.kind, e.linkname, e.size]),
    [
      ["./", "dir", "", 0],
      ["a/file", "file", "", 5],
      ["a/link", "symlink", "file", 0],
      [`deep/${"x".repeat(200)}`, "file", "", 4],
      ["hl", "hardlink", `deep/${"x".repeat(200)}`, 0],
    ],
  );
  assert.equal(entries[1]?.mode, 0o4755);
  assert.equal(entries[1]?.uid, 100000);
  assert.equal(entries[1]?.gid, 42);
  assert.deepEqual(entries[3]?.otherNames, [`deep/${"x".repeat(95)}`]);
});

Deno.test("TarScanner reads GNU long names and links", () => {
  const long = `g/${"n".repeat(150)}`;
  const data = tarArchive([
    { name: long, data: "x", gnuLong: true },
    { name: "s", type: "symlink", linkname: `${"t".repeat(120)}`, gnuLong: true },
  ]);
  const { entries } = scan(data);
  assert.equal(entries[0]?.name, long);
  assert.equal(entries[1]?.linkname, "t".repeat(120));
});

Deno.test("TarScanner joins the ustar prefix and name fields", () => {
  const h = header({ name: "name.txt", typeflag: "0", size: 0 });
  h.set(new TextEncoder().encode("some/prefix"), 345);
  setChecksum(h);
  const { entries } = scan(concat([h, new Uint8Array(1024)]));
  assert.equal(entries[0]?.name, "some/prefix/name.txt");
});

Deno.test("TarScanner releases the same bytes whatever the chunking", () => {
  const data = tarArchive(SAMPLE);
  const whole = scan(data);
  assert.deepEqual(whole.out, data);
  for (const size of [1, 7, 511, 512, 513, 4096]) {
    const r = scan(data, size);
    assert.deepEqual(r.out, data, `chunk size ${size}`);
    assert.deepEqual(r.entries, whole.entries, `chunk size ${size}`);
  }
});

Deno.test("TarScanner swallows what follows the end-of-archive marker", () => {
  const data = tarArchive(SAMPLE);
  const trailing = concat([data, tarEntry({ name: "../after-the-end", data: "x" })]);
  const { entries, out } = scan(trailing, 700);
  assert.deepEqual(out, data);
  assert.equal(entries.length, SAMPLE.length);
  // a lone zero block ends the archive too, without releasing the next header
  const lone = concat([tarEntry(SAMPLE[1]!), new Uint8Array(512), tarEntry(SAMPLE[2]!)]);
  const r = scan(lone, 100);
  assert.deepEqual(r.out, lone.subarray(0, tarEntry(SAMPLE[1]!).length + 512));
  assert.equal(r.entries.length, 1);
});

Deno.test("TarScanner withholds a header its callback refuses", () => {
  const first = tarEntry({ name: "ok", data: "fine" });
  const data = concat([first, tarEntry({ name: "bad", data: "x" }), new Uint8Array(1024)]);
  for (const size of [data.length, 100, 512]) {
    const s = new TarScanner((e) => {
      if (e.name === "bad") throw new Error("refused");
    });
    const released: Uint8Array[] = [];
    assert.throws(() => {
      for (let i = 0; i < data.length; i += size) {
        released.push(...s.push(data.subarray(i, i + size)));
      }
    }, /refused/);
    const out = concat(released);
    assert.ok(out.length <= first.length, `chunk size ${size}: released ${out.length}`);
  }
});

Deno.test("TarScanner applies a PAX size over the header's", () => {
  const body = paxRecords({ size: "3" });
  const data = concat([
    header({ name: "p", typeflag: "x", size: body.length }),
    new Uint8Array(512).fill(0).map((_, i) => body[i] ?? 0),
    header({ name: "f", typeflag: "0", size: 0 }),
    new Uint8Array(512).fill(0x41, 0, 3),
    new Uint8Array(1024),
  ]);
  const { entries } = scan(data);
  assert.deepEqual(entries.map((e) => [e.name, e.size]), [["f", 3]]);
});

Deno.test("TarScanner reads base-256 sizes", () => {
  const h = header({ name: "big", typeflag: "0", size: 0 });
  h.fill(0, 124, 136);
  h[124] = 0x80;
  h[135] = 5;
  setChecksum(h);
  const data = concat([h, new Uint8Array(512).fill(1, 0, 5), new Uint8Array(1024)]);
  assert.equal(scan(data).entries[0]?.size, 5);
});

Deno.test("TarScanner skips old GNU sparse extension blocks", () => {
  const h = header({ name: "sparse", typeflag: "S", size: 3 });
  h.set(new TextEncoder().encode("ustar  \0"), 257);
  h[482] = 1; // isextended: one extension block follows
  setChecksum(h);
  const ext = new Uint8Array(512); // its own isextended (byte 504) is 0
  const data = concat([h, ext, new Uint8Array(512).fill(7, 0, 3), tarEntry({ name: "after" })]);
  const { entries } = scan(concat([data, new Uint8Array(1024)]), 300);
  assert.deepEqual(entries.map((e) => e.name), ["sparse", "after"]);
});

Deno.test("TarScanner refuses what GNU tar might read differently", () => {
  const symlinkWithData = concat([
    header({ name: "l", typeflag: "2", size: 5, linkname: "x" }),
    new Uint8Array(512),
  ]);
  assert.match(problem(() => scan(symlinkWithData)), /^corrupt: .*type symlink has a size of 5/);
  const dirFile = concat([header({ name: "d/", typeflag: "0", size: 1 }), new Uint8Array(512)]);
  assert.match(problem(() => scan(dirFile)), /^corrupt: .*type dir has a size of 1/);
  const global = paxRecords({ path: "elsewhere" });
  const g = concat([
    header({ name: "g", typeflag: "g", size: global.length }),
    concat([global, new Uint8Array(512 - global.length)]),
    tarEntry({ name: "f" }),
  ]);
  assert.match(problem(() => scan(g)), /^corrupt: .*global pax header sets "path"/);
  const names = concat([header({ name: "n", typeflag: "N", size: 0 }), new Uint8Array(1024)]);
  assert.match(problem(() => scan(names)), /unsupported old GNU entry type "N"/);
});

Deno.test("TarScanner tells a non-tar, a corrupt and a truncated stream apart", () => {
  assert.match(problem(() => scan(new Uint8Array(0))), /^not-tar: empty stream/);
  assert.match(problem(() => scan(new TextEncoder().encode("hello"))), /^not-tar: too short/);
  const text = new TextEncoder().encode("just some text\n".repeat(100));
  assert.match(problem(() => scan(text)), /^not-tar: no valid tar header at offset 0/);
  const data = tarArchive(SAMPLE);
  const bad = data.slice();
  bad[512 + 10] = (bad[512 + 10] ?? 0) ^ 0xff; // inside the second header
  assert.match(
    problem(() => scan(bad)),
    /^corrupt: corrupt tar header at offset 512: bad header checksum/,
  );
  assert.match(problem(() => scan(data.subarray(0, 1024 + 100))), /^truncated: .*offset 1124/);
  assert.match(problem(() => scan(data.subarray(0, 1024 + 512 + 2))), /^truncated/);
  // a stream that stops cleanly at a header boundary, without the end marker, is accepted
  assert.equal(scan(data.subarray(0, data.length - 1024)).entries.length, SAMPLE.length);
});
