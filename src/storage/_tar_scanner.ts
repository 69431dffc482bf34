/**
 * A streaming tar header parser that sits between the decompressor and GNU tar: it sees every
 * header (ustar, v7, GNU `L`/`K` long names, PAX `x`/`g`) before the bytes reach tar, hands
 * each resolved entry to a callback that may refuse it, and only then releases the header's
 * bytes. Data is never copied except for metadata entries and headers split across chunks, so
 * memory stays flat whatever the layer size.
 *
 * The scanner must find headers exactly where GNU tar does, or a header hidden in what we take
 * for file data could slip past the checks. So anything where the readers disagree is refused
 * as corrupt: a bad checksum (tar would resync by scanning forward), numbers and PAX records
 * GNU tar would read otherwise (see util/tar_fields.ts), a non-zero size on a header-only type,
 * a size or path in a global PAX header, a NUL in a symlink target, old GNU multi-volume and
 * name-list entries.
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

/** What an entry creates, from its typeflag. */
export type TarEntryKind = TarType | "label";

/** Why the stream is not a well-formed tar archive. */
export type TarFormatProblem = "not-tar" | "truncated" | "corrupt";

/** The byte stream is not a tar archive we can safely hand to GNU tar. */
export class TarFormatError extends SkiffError {
  /** What is wrong. */
  readonly problem: TarFormatProblem;
  constructor(problem: TarFormatProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** One archive member with its long names and PAX overrides applied. */
export interface TarEntry {
  /** The path tar creates (UTF-8 decoded; "/" and "." survive any invalid bytes). */
  name: string;
  /** Other spellings of the name the archive carries (header, GNU long name, PAX path). */
  otherNames: string[];
  /** The link target for hardlinks and symlinks, else "". */
  linkname: string;
  kind: TarEntryKind;
  /** The raw typeflag character. */
  typeflag: string;
  /** Size of the entry's data in the archive. */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Offset of the entry's header in the uncompressed stream. */
  offset: number;
}

const MAX_PAX = 8 * 1024 * 1024;
const MAX_LONGNAME = 1024 * 1024;
const decoder = new TextDecoder();

const enum State {
  Header,
  SparseExt,
  Data,
  EndCheck,
  Done,
}

/** What an entry of `typeflag` named `name` creates when GNU tar extracts it. */
function kindOf(typeflag: string, name: string): TarEntryKind {
  if (typeflag === "V") return "label";
  if (typeflag === "D") return "dir"; // a GNU dumpdir: a directory whose data lists its contents
  const kind = TYPEFLAGS.get(typeflag);
  // "S" and unknown types are extracted as regular files
  if (kind === undefined) return "file";
  // GNU tar follows the old BSD convention: a "file" whose name ends in a slash is a dir
  return kind === "file" && name.endsWith("/") ? "dir" : kind;
}

/** Incremental tar parser; see the module doc. */
export class TarScanner {
  #onEntry: (entry: TarEntry) => void;
  #state = State.Header;
  #carry = new Uint8Array(BLOCK);
  #carryLen = 0;
  /** Stream offset of the next byte to be consumed. */
  #offset = 0;
  #remaining = 0;
  /** Bytes of the current entry's data still wanted as metadata (PAX / long name). */
  #metaWant = 0;
  #metaType = "";
  #metaParts: Uint8Array[] = [];
  #longName: string | undefined;
  #longLink: string | undefined;
  #pax = new Map<string, string>();
  #headers = 0;
  #entries = 0;

  /** `onEntry` is called for every real entry before its header is released; it may throw. */
  constructor(onEntry: (entry: TarEntry) => void) {
    this.#onEntry = onEntry;
  }

  /** Entries seen so far (metadata headers excluded). */
  get entries(): number {
    return this.#entries;
  }

  /** True once the end-of-archive marker was seen; later bytes are swallowed. */
  get finished(): boolean {
    return this.#state === State.EndCheck || this.#state === State.Done;
  }

  /**
   * Consumes `chunk` and returns the parts that may be passed on to tar (views into `chunk`,
   * or copies of headers that straddled chunks). Throws TarFormatError, or whatever
   * `onEntry` throws; after a throw the scanner must not be used again.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let pos = 0;
    let from = 0; // start of the not yet released region of `chunk`
    while (pos < chunk.length) {
      if (this.#state === State.Done) {
        if (pos > from) out.push(chunk.subarray(from, pos));
        this.#offset += chunk.length - pos;
        return out;
      }
      if (this.#state === State.Data) {
        const n = Math.min(this.#remaining, chunk.length - pos);
        if (this.#metaWant > 0) {
          const take = Math.min(n, this.#metaWant);
          this.#metaParts.push(chunk.slice(pos, pos + take));
          this.#metaWant -= take;
        }
        pos += n;
        this.#offset += n;
        this.#remaining -= n;
        if (this.#remaining === 0) {
          this.#state = State.Header;
          if (this.#metaType !== "") this.#finishMeta();
        }
        continue;
      }
      // A 512-byte block is needed: take it in place, or gather it across chunks.
      let block: Uint8Array;
      let gathered = false;
      const start = pos;
      if (this.#carryLen === 0 && chunk.length - pos >= BLOCK) {
        block = chunk.subarray(pos, pos + BLOCK);
        pos += BLOCK;
      } else {
        // Release what came before; the partial header itself is held back.
        if (pos > from) out.push(chunk.subarray(from, pos));
        const n = Math.min(BLOCK - this.#carryLen, chunk.length - pos);
        this.#carry.set(chunk.subarray(pos, pos + n), this.#carryLen);
        this.#carryLen += n;
        pos += n;
        from = pos;
        if (this.#carryLen < BLOCK) break;
        block = this.#carry;
        this.#carryLen = 0;
        gathered = true;
      }
      const release = this.#block(block);
      this.#offset += BLOCK;
      if (gathered && release) out.push(block.slice());
      if (!release) {
        // swallowed (what follows the end marker): release only what came before it
        if (start > from) out.push(chunk.subarray(from, start));
        from = pos;
      }
    }
    if (pos > from) out.push(chunk.subarray(from, pos));
    return out;
  }

  /** Declares the end of the stream; throws TarFormatError when it ended too early. */
  end(): void {
    if (this.finished) return;
    if (this.#headers === 0) {
      throw new TarFormatError(
        "not-tar",
        this.#offset + this.#carryLen === 0 ? "empty stream" : "too short for a tar header",
      );
    }
    if (this.#state !== State.Header || this.#carryLen !== 0 || this.#metaType !== "") {
      throw new TarFormatError(
        "truncated",
        `unexpected end of stream at offset ${this.#offset + this.#carryLen}`,
      );
    }
  }

  /** Handles one block; returns whether it may be passed on to tar. */
  #block(b: Uint8Array): boolean {
    if (this.#state === State.EndCheck) {
      // GNU tar stops at the first zero block and peeks at one more: give it only a second
      // zero block, so that nothing after the end marker can be read as an entry.
      this.#state = State.Done;
      return isZeroBlock(b);
    }
    if (this.#state === State.SparseExt) {
      if (b[504] === 0) this.#enterData(this.#remaining);
      return true;
    }
    if (isZeroBlock(b)) {
      if (this.#headers === 0) throw new TarFormatError("not-tar", "starts with a zero block");
      if (this.#metaType !== "" || this.#pax.size > 0 || this.#longName !== undefined) {
        throw this.#corrupt("end-of-archive marker right after an extended header");
      }
      this.#state = State.EndCheck;
      return true;
    }
    this.#checksum(b);
    this.#headers++;
    const typeflag = String.fromCharCode(b[156] ?? 0);
    let size = this.#num(b, 124, 12, "size");
    if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
      if (this.#pax.has("size")) throw this.#corrupt("extended header after a pax size");
      const max = typeflag === "x" || typeflag === "g" ? MAX_PAX : MAX_LONGNAME;
      if (size > max) throw this.#corrupt(`extended header of ${size} bytes`);
      this.#metaType = typeflag;
      this.#metaWant = size;
      this.#metaParts = [];
      this.#enterData(size);
      return true;
    }
    if (typeflag === "M" || typeflag === "N") {
      throw this.#corrupt(`unsupported old GNU entry type "${typeflag}"`);
    }
    const magic = decoder.decode(b.subarray(257, 263));
    let headerName = cString(b, 0, 100);
    if (magic === "ustar\0" && b[345] !== 0) headerName = `${cString(b, 345, 155)}/${headerName}`;
    const paxSize = this.#pax.get("size");
    if (paxSize !== undefined) size = this.#decimal(paxSize, "pax size");
    const candidates = [
      this.#pax.get("GNU.sparse.name"),
      this.#pax.get("path"),
      this.#longName,
      headerName,
    ].filter((n): n is string => n !== undefined);
    const name = candidates[0] ?? headerName;
    const kind = kindOf(typeflag, name);
    // Readers disagree on whether these are followed by data (GNU tar extracts a regular
    // file whose name ends in a slash as a directory): a zero size settles it.
    const headerOnly = (kind !== "file" && typeflag !== "D") || name.endsWith("/");
    if (headerOnly && size !== 0) {
      throw this.#corrupt(`entry "${name}" of type ${kind} has a size of ${size}`);
    }
    const linkname = kind === "hardlink" || kind === "symlink"
      ? this.#pax.get("linkpath") ?? this.#longLink ?? cString(b, 157, 100)
      : "";
    // GNU tar reads a PAX linkpath as a C string: the guard would check more of the target
    // than tar creates. (It refuses NUL bytes in names and hardlink targets itself.)
    if (kind === "symlink" && linkname.includes("\0")) {
      throw this.#corrupt(`symlink "${name}" has a NUL byte in its target`);
    }
    const entry: TarEntry = {
      name,
      otherNames: [...new Set(candidates.slice(1))].filter((n) => n !== name),
      linkname,
      kind,
      typeflag,
      size,
      mode: this.#num(b, 100, 8, "mode"),
      uid: this.#num(b, 108, 8, "uid"),
      gid: this.#num(b, 116, 8, "gid"),
      offset: this.#offset,
    };
    this.#pax.clear();
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#onEntry(entry);
    this.#entries++;
    // Old GNU sparse files carry more sparse maps in extension blocks before their data.
    if (typeflag === "S" && magic === "ustar " && b[482] !== 0) {
      this.#remaining = size;
      this.#state = State.SparseExt;
    } else {
      this.#enterData(size);
    }
    return true;
  }

  #enterData(size: number): void {
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    this.#remaining = padded;
    this.#state = padded === 0 ? State.Header : State.Data;
    if (padded === 0 && this.#metaType !== "") this.#finishMeta();
  }

  #finishMeta(): void {
    const total = this.#metaParts.reduce((s, p) => s + p.length, 0);
    const data = new Uint8Array(total);
    let at = 0;
    for (const p of this.#metaParts) {
      data.set(p, at);
      at += p.length;
    }
    const type = this.#metaType;
    this.#metaType = "";
    this.#metaParts = [];
    if (type === "L") this.#longName = cString(data, 0, data.length);
    else if (type === "K") this.#longLink = cString(data, 0, data.length);
    else if (type === "x") this.#parsePax(data, this.#pax);
    else {
      const global = new Map<string, string>();
      this.#parsePax(data, global);
      for (const key of global.keys()) {
        // What GNU tar does with these in a global header differs from other readers; a
        // real layer never has them, so refuse rather than guess.
        if (key === "path" || key === "linkpath" || key === "size" || key.startsWith("GNU.")) {
          throw this.#corrupt(`global pax header sets "${key}"`);
        }
      }
    }
  }

  #parsePax(data: Uint8Array, into: Map<string, string>): void {
    const problem = parsePaxRecords(data, into);
    if (problem !== undefined) throw this.#corrupt(problem);
  }

  #checksum(b: Uint8Array): void {
    if (checksumOk(b)) return;
    if (this.#headers === 0) throw new TarFormatError("not-tar", "no valid tar header at offset 0");
    throw this.#corrupt("bad header checksum");
  }

  #num(b: Uint8Array, at: number, len: number, what: string): number {
    const v = parseNumber(b, at, len);
    if (v === null) throw this.#corrupt(`invalid ${what} field`);
    return v;
  }

  #decimal(s: string, what: string): number {
    const v = /^[0-9]+$/.test(s) ? Number(s) : NaN;
    if (!Number.isSafeInteger(v)) throw this.#corrupt(`invalid ${what} "${s}"`);
    return v;
  }

  #corrupt(detail: string): TarFormatError {
    return new TarFormatError("corrupt", `corrupt tar header at offset ${this.#offset}: ${detail}`);
  }
}
