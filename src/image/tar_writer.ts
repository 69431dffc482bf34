/**
 * A streaming tar writer for regular files, directories, symlinks and hard links. Headers are
 * ustar, laid out byte for byte as Go's `archive/tar` writes them (which is what podman's
 * archives contain); a name, link name or value that does not fit gets a PAX extended header.
 * Output depends only on the fields given: no host uid, user name or clock leaks in.
 * @module
 */

import { BLOCK } from "../util/tar_fields.ts";

/** What kind of member to write. */
export type TarWriteType = "file" | "dir" | "symlink" | "hardlink";

/** The fields of one member. Unset fields are 0 or empty, never taken from the host. */
export interface TarWriteHeader {
  /** Member name; a directory gets a trailing `/` if it has none. */
  name: string;
  type: TarWriteType;
  /** Data size; required for files, 0 for the other types. @default 0 */
  size?: number;
  /** Mode bits stored as given (podman's OCI archives include file-type bits). @default 0 */
  mode?: number;
  /** @default 0 */
  uid?: number;
  /** @default 0 */
  gid?: number;
  /** @default "" */
  uname?: string;
  /** @default "" */
  gname?: string;
  /** Seconds since the epoch. @default 0 */
  mtime?: number;
  /** Target of a symlink or hard link. @default "" */
  linkname?: string;
}

const encoder = new TextEncoder();
const TYPEFLAG: Record<TarWriteType, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  dir: 0x35,
};

function isAscii(s: string): boolean {
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}

/** True when `n` fits an octal field of `len` bytes (len-1 digits and a NUL). */
function fitsOctal(n: number, len: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 8 ** (len - 1);
}

function putString(block: Uint8Array, off: number, len: number, s: string): void {
  block.set(encoder.encode(s).subarray(0, len), off);
}

/** Zero-padded octal with a trailing NUL, as Go's formatOctal writes it. */
function putOctal(block: Uint8Array, off: number, len: number, n: number): void {
  putString(block, off, len, n.toString(8).padStart(len - 1, "0"));
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = encoder.encode(body).length;
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length + bodyLen !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}

function ustarBlock(h: Required<TarWriteHeader>, typeflag: number): Uint8Array {
  const b = new Uint8Array(BLOCK);
  putString(b, 0, 100, h.name);
  putOctal(b, 100, 8, h.mode);
  putOctal(b, 108, 8, h.uid);
  putOctal(b, 116, 8, h.gid);
  putOctal(b, 124, 12, h.size);
  putOctal(b, 136, 12, h.mtime);
  b[156] = typeflag;
  putString(b, 157, 100, h.linkname);
  putString(b, 257, 8, "ustar\x0000");
  putString(b, 265, 32, h.uname);
  putString(b, 297, 32, h.gname);
  putOctal(b, 329, 8, 0);
  putOctal(b, 337, 8, 0);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  putString(b, 148, 6, sum.toString(8).padStart(6, "0"));
  b[154] = 0;
  b[155] = 0x20;
  return b;
}

function checkHeader(h: TarWriteHeader): Required<TarWriteHeader> {
  const size = h.type === "file" ? h.size ?? 0 : 0;
  if (h.type !== "file" && (h.size ?? 0) !== 0) {
    throw new RangeError(`tar: ${h.type} ${JSON.stringify(h.name)} cannot have data`);
  }
  const nums: [string, number][] = [
    ["size", size],
    ["mode", h.mode ?? 0],
    ["uid", h.uid ?? 0],
    ["gid", h.gid ?? 0],
    ["mtime", h.mtime ?? 0],
  ];
  for (const [k, v] of nums) {
    if (!Number.isSafeInteger(v) || (v < 0 && k !== "mtime")) {
      throw new RangeError(`tar: invalid ${k} ${v} for ${JSON.stringify(h.name)}`);
    }
  }
  if (h.name === "" || h.name.includes("\0") || (h.linkname ?? "").includes("\0")) {
    throw new RangeError(`tar: invalid member name ${JSON.stringify(h.name)}`);
  }
  const name = h.type === "dir" && !h.name.endsWith("/") ? `${h.name}/` : h.name;
  return {
    name,
    type: h.type,
    size,
    mode: h.mode ?? 0,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    uname: h.uname ?? "",
    gname: h.gname ?? "",
    mtime: h.mtime ?? 0,
    linkname: h.linkname ?? "",
  };
}

/** The PAX records a header needs (empty when plain ustar can hold it). */
function paxRecords(h: Required<TarWriteHeader>): string {
  let out = "";
  const str = (key: string, value: string, len: number) => {
    if (!isAscii(value) || encoder.encode(value).length > len) out += paxRecord(key, value);
  };
  str("path", h.name, 100);
  str("linkpath", h.linkname, 100);
  str("uname", h.uname, 32);
  str("gname", h.gname, 32);
  if (!fitsOctal(h.uid, 8)) out += paxRecord("uid", String(h.uid));
  if (!fitsOctal(h.gid, 8)) out += paxRecord("gid", String(h.gid));
  if (!fitsOctal(h.size, 12)) out += paxRecord("size", String(h.size));
  if (!fitsOctal(h.mtime, 12)) out += paxRecord("mtime", String(h.mtime));
  return out;
}

/** Replaces what a ustar field cannot hold; the PAX record carries the real value. */
function ustarSafe(s: string, len: number): string {
  // deno-lint-ignore no-control-regex
  const ascii = s.replace(/[^\x00-\x7f]/g, "_");
  return ascii.length > len ? ascii.slice(0, len) : ascii;
}

/**
 * Writes a tar archive to a stream. Call {@linkcode TarWriter.add} for each member in order,
 * then {@linkcode TarWriter.finish}, which writes the two zero blocks that end the archive
 * (without padding to a 10 KiB record, as Go's writer does).
 */
export class TarWriter {
  #out: WritableStreamDefaultWriter<Uint8Array>;
  #ownsWriter: boolean;
  #bytes = 0;

  /**
   * Writes to `out` (through its own writer when given a stream, released by finish()); the
   * caller closes `out` after finish().
   */
  constructor(out: WritableStream<Uint8Array> | WritableStreamDefaultWriter<Uint8Array>) {
    this.#ownsWriter = out instanceof WritableStream;
    this.#out = out instanceof WritableStream ? out.getWriter() : out;
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.#bytes;
  }

  async #write(chunk: Uint8Array): Promise<void> {
    await this.#out.ready;
    await this.#out.write(chunk);
    this.#bytes += chunk.length;
  }

  /**
   * Adds one member. `body` (files only) must hold exactly `header.size` bytes; a stream is
   * copied chunk by chunk. Throws RangeError on a size mismatch or an unusable field.
   */
  async add(
    header: TarWriteHeader,
    body?: Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  ): Promise<void> {
    const h = checkHeader(header);
    const pax = paxRecords(h);
    if (pax !== "") {
      const data = encoder.encode(pax);
      const slash = h.name.replace(/\/$/, "").lastIndexOf("/");
      const dir = slash < 0 ? "" : h.name.slice(0, slash + 1);
      const base = h.name.slice(slash + 1).replace(/\/$/, "");
      const paxName = ustarSafe(`${dir}PaxHeaders.0/${base}`, 100);
      await this.#write(ustarBlock({
        ...h,
        name: paxName,
        size: data.length,
        mode: 0,
        uid: 0,
        gid: 0,
        uname: "",
        gname: "",
        mtime: 0,
        linkname: "",
      }, 0x78));
      await this.#writeData(data, data.length, paxName);
    }
    const plain = {
      ...h,
      name: ustarSafe(h.name, 100),
      linkname: ustarSafe(h.linkname, 100),
      uname: ustarSafe(h.uname, 32),
      gname: ustarSafe(h.gname, 32),
      uid: fitsOctal(h.uid, 8) ? h.uid : 0,
      gid: fitsOctal(h.gid, 8) ? h.gid : 0,
      size: fitsOctal(h.size, 12) ? h.size : 0,
      mtime: fitsOctal(h.mtime, 12) ? h.mtime : 0,
    };
    await this.#write(ustarBlock(plain, TYPEFLAG[h.type]));
    if (h.type !== "file") {
      if (body !== undefined) throw new RangeError(`tar: ${h.type} ${h.name} cannot have data`);
      return;
    }
    await this.#writeData(body ?? new Uint8Array(0), h.size, h.name);
  }

  async #writeData(
    body: Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
    size: number,
    name: string,
  ): Promise<void> {
    let written = 0;
    const tooMuch = () =>
      new RangeError(`tar: ${JSON.stringify(name)} has more than its ${size} bytes`);
    if (body instanceof Uint8Array) {
      if (body.length > size) throw tooMuch();
      if (body.length > 0) await this.#write(body);
      written = body.length;
    } else {
      for await (const chunk of body) {
        if (written + chunk.length > size) throw tooMuch();
        if (chunk.length > 0) await this.#write(chunk);
        written += chunk.length;
      }
    }
    if (written !== size) {
      throw new RangeError(`tar: ${JSON.stringify(name)} has ${written} of its ${size} bytes`);
    }
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad > 0) await this.#write(new Uint8Array(pad));
  }

  /** Writes the end-of-archive marker (two zero blocks) and releases the stream's writer. */
  async finish(): Promise<void> {
    await this.#write(new Uint8Array(BLOCK * 2));
    if (this.#ownsWriter) this.#out.releaseLock();
  }
}
