/**
 * Test fixtures for layer extraction, built at test time: a small tar writer (ustar headers,
 * PAX `x` records, GNU long names) and the layers the tests use — the features layer, the
 * malicious ones and a whiteout layer — plus gzip/zstd variants made with the real tools.
 * Only `*_test.ts` files import this.
 * @module
 */

import { runCommand } from "../sys/command.ts";

/** One archive member to write. */
export interface TarSpec {
  name: string;
  type?: "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo" | "raw";
  /** The raw typeflag when `type` is "raw". */
  typeflag?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  data?: Uint8Array | string;
  /** Extra PAX records (binary values allowed), e.g. `SCHILY.xattr.user.note`. */
  pax?: Record<string, string | Uint8Array>;
  /** Spell long names with GNU `L`/`K` entries instead of PAX. */
  gnuLong?: boolean;
  /** Put this in the header's size field instead of the data length. */
  sizeField?: number;
}

const enc = new TextEncoder();
const TYPEFLAG = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  char: "3",
  block: "4",
  dir: "5",
  fifo: "6",
} as const;

function bytes(v: string | Uint8Array): Uint8Array {
  return typeof v === "string" ? enc.encode(v) : v;
}

function octal(h: Uint8Array, at: number, len: number, value: number): void {
  h.set(enc.encode(value.toString(8).padStart(len - 1, "0") + "\0"), at);
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** A bare 512-byte header; the checksum is filled in. */
export function header(fields: {
  name: string;
  typeflag: string;
  size: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}): Uint8Array {
  const h = new Uint8Array(512);
  h.set(enc.encode(fields.name).subarray(0, 100), 0);
  octal(h, 100, 8, fields.mode ?? 0o644);
  octal(h, 108, 8, fields.uid ?? 0);
  octal(h, 116, 8, fields.gid ?? 0);
  octal(h, 124, 12, fields.size);
  octal(h, 136, 12, fields.mtime ?? 1_600_000_000);
  h[156] = fields.typeflag.charCodeAt(0);
  h.set(enc.encode(fields.linkname ?? "").subarray(0, 100), 157);
  h.set(enc.encode("ustar\x0000"), 257);
  octal(h, 329, 8, fields.devmajor ?? 0);
  octal(h, 337, 8, fields.devminor ?? 0);
  setChecksum(h);
  return h;
}

/** Recomputes the checksum of a header after it was edited. */
export function setChecksum(h: Uint8Array): void {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.set(enc.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
}

/** Encodes PAX records `"<len> key=value\n"`. */
export function paxRecords(records: Record<string, string | Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = [...enc.encode(` ${key}=`), ...bytes(value), 0x0a];
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    parts.push(new Uint8Array([...enc.encode(String(len)), ...body]));
  }
  return concat(parts);
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The bytes of one member: any long-name or PAX headers, the header, the padded data. */
export function tarEntry(spec: TarSpec): Uint8Array {
  const type = spec.type ?? "file";
  const data = bytes(spec.data ?? "");
  const parts: Uint8Array[] = [];
  const pax: Record<string, string | Uint8Array> = { ...spec.pax };
  const linkname = spec.linkname ?? "";
  const longName = enc.encode(spec.name).length > 100;
  const longLink = enc.encode(linkname).length > 100;
  if (spec.gnuLong) {
    for (const [flag, value, long] of [["L", spec.name, longName], ["K", linkname, longLink]]) {
      if (!long) continue;
      const body = enc.encode(`${value}\0`);
      parts.push(header({ name: "././@LongLink", typeflag: String(flag), size: body.length }));
      parts.push(padded(body));
    }
  } else {
    if (longName) pax.path = spec.name;
    if (longLink) pax.linkpath = linkname;
  }
  if (Object.keys(pax).length > 0) {
    const body = paxRecords(pax);
    parts.push(header({ name: "PaxHeaders/entry", typeflag: "x", size: body.length }));
    parts.push(padded(body));
  }
  parts.push(header({
    ...spec,
    linkname,
    typeflag: type === "raw" ? spec.typeflag ?? "0" : TYPEFLAG[type],
    size: spec.sizeField ?? data.length,
    mode: spec.mode ?? (type === "dir" ? 0o755 : 0o644),
  }));
  parts.push(padded(data));
  return concat(parts);
}

/** A whole archive: the members and the two zero blocks that end it. */
export function tarArchive(specs: TarSpec[]): Uint8Array {
  return concat([...specs.map(tarEntry), new Uint8Array(1024)]);
}

/** The `security.capability` value granting cap_net_bind_service (VFS_CAP_REVISION_2). */
export const CAPABILITY = new Uint8Array([
  0x01,
  0x00,
  0x00,
  0x02, // magic_etc: revision 2, no effective bit
  0x00,
  0x04,
  0x00,
  0x00,
  0,
  0,
  0,
  0, // permitted[0], inheritable[0]: bit 10
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0, // permitted[1], inheritable[1]
]);

/** A long PAX path with components below NAME_MAX. */
export const LONG_NAME = `long/${"d".repeat(120)}/${"f".repeat(150)}.txt`;
/** A unicode file name. */
export const UNICODE_NAME = "unicode/ünïcødé-文件.txt";

/** The features layer: owners, special modes, links, devices, xattrs, long names, mtimes. */
export function featuresLayer(): TarSpec[] {
  return [
    { name: "./", type: "dir", mode: 0o755, mtime: 1_500_000_000 },
    { name: "etc/", type: "dir", mode: 0o755, mtime: 1_500_000_001 },
    { name: "etc/hostname", data: "skiff\n", mode: 0o644, mtime: 1_234_567_890 },
    { name: "etc/hostname.hard", type: "hardlink", linkname: "etc/hostname" },
    { name: "etc/localtime", type: "symlink", linkname: "/usr/share/zoneinfo/UTC" },
    { name: "usr/", type: "dir" },
    { name: "usr/bin/", type: "dir" },
    { name: "usr/bin/su", data: "#!su\n", mode: 0o4755 },
    { name: "usr/bin/wall", data: "#!wall\n", mode: 0o2755, gid: 5 },
    {
      name: "usr/bin/ping",
      data: "#!ping\n",
      mode: 0o755,
      pax: { "SCHILY.xattr.security.capability": CAPABILITY, "SCHILY.xattr.user.note": "hello" },
    },
    { name: "usr/lib/", type: "dir" },
    { name: "usr/lib/libx.so.1", data: "elf" },
    { name: "usr/lib/libx.so", type: "symlink", linkname: "libx.so.1" },
    { name: "lib", type: "symlink", linkname: "usr/lib" },
    { name: "hostname-link", type: "symlink", linkname: "etc/hostname" },
    { name: "tmp/", type: "dir", mode: 0o1777 },
    { name: "root/", type: "dir", mode: 0o700 },
    { name: "root/.secret", data: "s3cret", mode: 0o600 },
    { name: "home/user/", type: "dir", uid: 100000, gid: 100000, mode: 0o750 },
    { name: "home/user/file", data: "mine", uid: 100000, gid: 100000 },
    { name: "ro/", type: "dir", mode: 0o555, mtime: 1_400_000_000 },
    { name: "ro/inside", data: "in a read-only dir", mode: 0o444 },
    { name: "dev/", type: "dir" },
    { name: "dev/null", type: "char", devmajor: 1, devminor: 3, mode: 0o666 },
    { name: "dev/sda", type: "block", devmajor: 8, devminor: 0, mode: 0o660, gid: 6 },
    { name: "run/", type: "dir" },
    { name: "run/fifo", type: "fifo", mode: 0o600 },
    { name: LONG_NAME, data: "long" },
    { name: "long/link", type: "symlink", linkname: `../${LONG_NAME}` },
    { name: UNICODE_NAME, data: "ü" },
  ];
}

/** A layer with an OCI whiteout and an opaque directory. */
export function whiteoutLayer(): TarSpec[] {
  return [
    { name: "etc/", type: "dir", mtime: 1_300_000_000 },
    { name: "etc/.wh.removed", data: "", uid: 7, gid: 8 },
    { name: "opq/", type: "dir" },
    { name: "opq/.wh..wh..opq", data: "" },
    { name: "opq/kept", data: "kept" },
    {
      name: "forged/",
      type: "dir",
      // overlay attributes smuggled in as xattrs: must not reach the layer dir
      pax: {
        "SCHILY.xattr.trusted.overlay.opaque": "y",
        "SCHILY.xattr.user.overlay.redirect": "/elsewhere",
        "SCHILY.xattr.user.kept": "yes",
      },
    },
    { name: ".wh.gone-at-root", data: "" },
  ];
}

/** A malicious layer, the entry that must be named in the refusal, and its builder. */
export interface EvilLayer {
  title: string;
  refused: string;
  /** `outside` is an absolute directory next to the destination that must stay untouched. */
  build(outside: string): TarSpec[];
}

/** The attacks every extraction must refuse. */
export const EVIL_LAYERS: EvilLayer[] = [
  {
    title: "../ traversal",
    refused: "../outside/pwned",
    build: () => [{ name: "ok", data: "x" }, { name: "../outside/pwned", data: "pwned" }],
  },
  {
    title: "absolute path",
    refused: "/pwned-by-skiff-test",
    build: () => [{ name: "/pwned-by-skiff-test", data: "x" }],
  },
  {
    title: "absolute symlink to outside, then a file through it",
    refused: "esc/pwned",
    build: (o) => [
      { name: "esc", type: "symlink", linkname: o },
      { name: "esc/pwned", data: "pwned" },
    ],
  },
  {
    title: "relative symlink to outside, then a file through it",
    refused: "esc",
    build: () => [
      { name: "esc", type: "symlink", linkname: "../outside" },
      { name: "esc/pwned", data: "pwned" },
    ],
  },
  {
    title: "relative symlink inside, then a file through it",
    refused: "in/pwned",
    build: () => [
      { name: "sub/", type: "dir" },
      { name: "in", type: "symlink", linkname: "sub" },
      { name: "in/pwned", data: "through a symlink" },
    ],
  },
  {
    title: "symlink, then a regular file of the same name",
    refused: "esc",
    build: (o) => [
      { name: "esc", type: "symlink", linkname: `${o}/keep` },
      { name: "esc", data: "overwrite the target" },
    ],
  },
  {
    title: "hardlink to an absolute outside file",
    refused: "hl",
    build: (o) => [
      { name: "hl", type: "hardlink", linkname: `${o}/keep` },
      { name: "hl", data: "pwned" },
    ],
  },
  {
    title: "hardlink with ../",
    refused: "hl",
    build: () => [{ name: "hl", type: "hardlink", linkname: "../outside/keep" }],
  },
  {
    title: "symlink to outside, then a hardlink to it, then content",
    refused: "hl",
    build: (o) => [
      { name: "esc", type: "symlink", linkname: `${o}/keep` },
      { name: "hl", type: "hardlink", linkname: "esc" },
      { name: "hl", data: "pwned" },
    ],
  },
];

/** Compresses `data` with the `gzip` or `zstd` command (stdin → stdout). */
export async function compress(data: Uint8Array, kind: "gzip" | "zstd"): Promise<Uint8Array> {
  const argv = kind === "gzip" ? ["gzip", "-c", "-6"] : ["zstd", "-c", "-q", "-3"];
  return (await runCommand(argv, { stdin: data })).stdout;
}

/** A zstd file of two frames, each holding half of `data`. */
export async function zstdTwoFrames(data: Uint8Array): Promise<Uint8Array> {
  const half = Math.floor(data.length / 2);
  return concat([
    await compress(data.subarray(0, half), "zstd"),
    await compress(data.subarray(half), "zstd"),
  ]);
}

/**
 * Writes a plain tar of `files` members of `fileSize` bytes each to `path`, streaming, so the
 * test process never holds the layer; the content is varied enough to keep gzip honest.
 */
export async function writeBigLayer(path: string, files: number, fileSize: number): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const data = new Uint8Array(fileSize);
    let x = 2463534242;
    for (let i = 0; i < files; i++) {
      // xorshift32 picking from 16 letters: 4 bits of entropy per byte, gzip gets ~2:1
      for (let j = 0; j < data.length; j += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        data[j] = 0x61 + (x & 15);
        data[j + 1] = 0x61 + ((x >>> 4) & 15);
        data[j + 2] = 0x61 + ((x >>> 8) & 15);
        data[j + 3] = 0x61 + ((x >>> 12) & 15);
      }
      await f.write(tarEntry({ name: `big/file-${i}`, data }));
    }
    await f.write(new Uint8Array(1024));
  } finally {
    f.close();
  }
}
