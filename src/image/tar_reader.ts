/**
 * A streaming tar reader: ustar and v7 headers, PAX extended (`x`) and global (`g`) headers,
 * GNU long names (`L`) and long link names (`K`), base-256 numbers. It yields one entry at a
 * time with a body stream that reads straight from the source, so memory stays flat whatever
 * the member sizes. Malformed or truncated input is refused with a {@linkcode TarError} that
 * names the archive and the byte offset.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import {
  BLOCK,
  checksumOk,
  cString,
  isZeroBlock,
  parseNumber,
  parsePaxRecords,
  type TarType,
  TYPEFLAGS,
} from "../util/tar_fields.ts";
import { ByteReader, READ_SIZE } from "./_byte_reader.ts";

/** What a tar entry creates. */
export type TarEntryType = TarType | "other";

/** The header of one member, with long names and PAX records applied. */
export interface TarHeader {
  name: string;
  type: TarEntryType;
  /** The raw typeflag character ("0", "5", …; "\0" for old regular files). */
  typeflag: string;
  /** Link target of symlinks and hard links, else "". */
  linkname: string;
  /** Data bytes that follow the header. */
  size: number;
  /** Permission and mode bits as stored (may include file-type bits). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Modification time in seconds since the epoch (fractional with PAX). */
  mtime: number;
  devmajor: number;
  devminor: number;
  /** PAX records that applied to this entry (global ones included). */
  pax: Record<string, string>;
  /** Byte offset of this member's first header (its PAX or long-name header, if any). */
  offset: number;
}

/** One member: its header and a stream of its data. */
export interface TarEntry {
  header: TarHeader;
  /**
   * The member's data. Read it, or leave it, before asking for the next entry: unread data is
   * skipped then, and the stream must not be read afterwards.
   */
  body: ReadableStream<Uint8Array>;
}

/** A source of tar bytes: a stream, or an open file (unread bodies are then skipped by seeking). */
export type TarSource = ReadableStream<Uint8Array> | { file: Deno.FsFile };

/** Options for {@linkcode readTar}. */
export interface ReadTarOptions {
  /** Name of the archive in error messages. @default "stdin" */
  name?: string;
  /** Called with the number of archive bytes consumed so far. */
  onProgress?: (bytes: number) => void;
}

/** The input is not a well-formed tar archive; `detail` says what, at which byte. */
export class TarError extends SkiffError {
  /** The archive name. */
  readonly archive: string;
  /** Byte offset of the problem. */
  readonly offset: number;
  /** The message without the archive name: what is wrong and where. */
  readonly detail: string;
  constructor(archive: string, offset: number, what: string) {
    const detail = `${what} at byte ${offset}`;
    super(`invalid tar archive ${JSON.stringify(archive)}: ${detail}`);
    this.archive = archive;
    this.offset = offset;
    this.detail = detail;
  }
}

/** Cap for PAX and GNU long-name data, which is held in memory. */
const MAX_META = 1 << 20;
const decoder = new TextDecoder();

/**
 * Reads a tar archive entry by entry. The archive must end with its end-of-archive zero
 * block(s); input that ends before them is reported as truncated.
 */
export async function* readTar(
  source: TarSource,
  options: ReadTarOptions = {},
): AsyncGenerator<TarEntry> {
  const archive = options.name ?? "stdin";
  const r = new ByteReader(source, options.onProgress);
  const fail = (offset: number, what: string): never => {
    throw new TarError(archive, offset, what);
  };
  let globalPax: Record<string, string> = {};
  let localPax: Record<string, string> | null = null;
  let longName: string | null = null;
  let longLink: string | null = null;
  let metaStart = -1;
  let sawEntry = false;

  const readMeta = async (size: number, at: number, kind: string): Promise<Uint8Array> => {
    if (size > MAX_META) fail(at, `${kind} of ${size} bytes is too large`);
    const data = await r.readExact(size);
    if (data.length < size) fail(r.offset, `unexpected end of archive inside a ${kind}`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (await r.skip(pad) < pad) fail(r.offset, `unexpected end of archive inside a ${kind}`);
    return data;
  };

  for (;;) {
    const at = r.offset;
    const block = await r.readExact(BLOCK);
    if (block.length === 0) {
      if (!sawEntry && at === 0) fail(0, "empty file: not a tar archive");
      fail(at, "unexpected end of archive: no end-of-archive marker (truncated?)");
    }
    if (block.length < BLOCK) {
      fail(
        at,
        sawEntry
          ? "unexpected end of archive inside a header"
          : `not a tar archive: only ${block.length} bytes`,
      );
    }
    if (isZeroBlock(block)) {
      if (localPax !== null || longName !== null || longLink !== null) {
        fail(at, "end of archive right after an extended header");
      }
      const second = await r.readExact(BLOCK);
      if (second.length === BLOCK && !isZeroBlock(second)) {
        fail(at + BLOCK, "data after a lone zero block");
      }
      return;
    }
    if (!checksumOk(block)) {
      fail(at, sawEntry ? "header checksum mismatch" : "not a tar archive: bad header checksum");
    }
    sawEntry = true;
    const typeflag = String.fromCharCode(block[156]!);
    const size = parseNumber(block, 124, 12);
    if (size === null) fail(at, "invalid size field");
    const hdrSize = size!;
    if (metaStart < 0) metaStart = at;

    if (typeflag === "x" || typeflag === "g") {
      const records = new Map<string, string>();
      if (parsePaxRecords(await readMeta(hdrSize, at, "pax header"), records) !== undefined) {
        fail(at, "malformed pax header");
      }
      const pax = Object.fromEntries(records);
      if (typeflag === "g") {
        for (const k of ["path", "linkpath", "size"]) {
          if (records.has(k)) fail(at, `global pax header sets ${JSON.stringify(k)}`);
        }
        globalPax = { ...globalPax, ...pax };
        metaStart = -1;
      } else {
        localPax = { ...(localPax ?? {}), ...pax };
      }
      continue;
    }
    if (typeflag === "L" || typeflag === "K") {
      const data = await readMeta(hdrSize, at, "gnu long name");
      const text = cString(data, 0, data.length);
      if (typeflag === "L") longName = text;
      else longLink = text;
      continue;
    }
    if (typeflag === "S" || typeflag === "M" || typeflag === "N") {
      fail(at, `unsupported gnu entry type ${JSON.stringify(typeflag)}`);
    }

    const magic = decoder.decode(block.subarray(257, 263));
    let name = cString(block, 0, 100);
    if (magic === "ustar\0") {
      const prefix = cString(block, 345, 155);
      if (prefix !== "") name = `${prefix}/${name}`;
    }
    const pax = { ...globalPax, ...(localPax ?? {}) };
    if (longName !== null) name = longName;
    if (pax.path !== undefined) name = pax.path;
    let linkname = longLink ?? cString(block, 157, 100);
    if (pax.linkpath !== undefined) linkname = pax.linkpath;
    let type: TarEntryType = TYPEFLAGS.get(typeflag) ?? "other";
    if (type === "file" && typeflag === "\0" && name.endsWith("/")) type = "dir";

    const num = (key: string, off: number, len: number, field: string): number => {
      const v = pax[key];
      if (v !== undefined) {
        const n = Number(v);
        if (v === "" || !Number.isFinite(n) || (key !== "mtime" && !Number.isSafeInteger(n))) {
          fail(at, `invalid pax ${key} ${JSON.stringify(v)}`);
        }
        return n;
      }
      const n = parseNumber(block, off, len);
      if (n === null) fail(at, `invalid ${field} field`);
      return n!;
    };
    const dataSize = num("size", 124, 12, "size");
    const isDevice = type === "char" || type === "block";
    if (dataSize < 0) fail(at, "negative size");
    const header: TarHeader = {
      name,
      type,
      typeflag,
      linkname,
      size: dataSize,
      mode: num("mode", 100, 8, "mode"),
      uid: num("uid", 108, 8, "uid"),
      gid: num("gid", 116, 8, "gid"),
      uname: pax.uname ?? cString(block, 265, 32),
      gname: pax.gname ?? cString(block, 297, 32),
      mtime: num("mtime", 136, 12, "mtime"),
      devmajor: isDevice ? num("devmajor", 329, 8, "devmajor") : 0,
      devminor: isDevice ? num("devminor", 337, 8, "devminor") : 0,
      pax,
      offset: metaStart,
    };
    if (dataSize !== 0 && type !== "file" && type !== "other") {
      fail(at, `${type} entry ${JSON.stringify(name)} has a data size of ${dataSize}`);
    }
    localPax = null;
    longName = null;
    longLink = null;
    metaStart = -1;

    let remaining = dataSize;
    let broken: TarError | null = null;
    const dataStart = r.offset;
    const truncated = () =>
      new TarError(
        archive,
        r.offset,
        `unexpected end of archive inside ${
          JSON.stringify(name)
        } (${dataSize} bytes from byte ${dataStart})`,
      );
    const body = new ReadableStream<Uint8Array>({
      pull: async (ctrl) => {
        if (remaining === 0) return ctrl.close();
        const chunk = await r.read(Math.min(remaining, READ_SIZE));
        if (chunk === null) {
          broken = truncated();
          return ctrl.error(broken);
        }
        remaining -= chunk.length;
        ctrl.enqueue(chunk);
        if (remaining === 0) ctrl.close();
      },
    }, { highWaterMark: 0 });
    yield { header, body };
    if (broken !== null) throw broken;
    if (remaining > 0) {
      const want = remaining;
      remaining = 0;
      if (await r.skip(want) < want) throw truncated();
    }
    const pad = (BLOCK - (dataSize % BLOCK)) % BLOCK;
    if (await r.skip(pad) < pad) throw truncated();
  }
}
