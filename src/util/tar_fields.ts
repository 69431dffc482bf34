/**
 * Tar header field codecs shared by the image tar reader and the layer scanner: the block size,
 * typeflags, NUL-terminated strings, numbers (octal and GNU base-256), the header checksum and
 * PAX records.
 *
 * The layer scanner must read every header exactly as GNU tar does, or a header hidden in what
 * one of them takes for file data slips past the checks. So where GNU tar would read a field
 * differently from the obvious reading, these decoders refuse it rather than guess: a number
 * with a leading NUL or trailing junk, a PAX length that is not plain decimal digits, a PAX key
 * that starts with a blank or holds a NUL.
 * @module
 */

/** Tar's unit: headers, data padding and the end-of-archive marker are 512-byte blocks. */
export const BLOCK = 512;

/** What a standard typeflag creates. */
export type TarType = "file" | "hardlink" | "symlink" | "char" | "block" | "dir" | "fifo";

/** The standard typeflags ("\0" is the old regular file, "7" a contiguous file). */
export const TYPEFLAGS: ReadonlyMap<string, TarType> = new Map([
  ["0", "file"],
  ["\0", "file"],
  ["7", "file"],
  ["1", "hardlink"],
  ["2", "symlink"],
  ["3", "char"],
  ["4", "block"],
  ["5", "dir"],
  ["6", "fifo"],
]);

const decoder = new TextDecoder();

/** Whether a block is all zero bytes (the end-of-archive marker). */
export function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** A NUL-terminated (or field-filling) string, UTF-8 decoded. */
export function cString(b: Uint8Array, at: number, len: number): string {
  const field = b.subarray(at, at + len);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

/**
 * An octal field: digits after optional spaces, then optional spaces and NULs; all blank is 0.
 * Null for anything else (GNU tar would skip a leading NUL or ignore what follows one) and for
 * values past Number.MAX_SAFE_INTEGER.
 */
export function parseOctal(b: Uint8Array, at: number, len: number): number | null {
  let i = at;
  let end = Math.min(at + len, b.length);
  while (end > i && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  while (i < end && b[i] === 0x20) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c < 0x30 || c > 0x37) return null;
    v = v * 8 + (c - 0x30);
  }
  return Number.isSafeInteger(v) ? v : null;
}

/**
 * A numeric field: octal, or GNU base-256 when the high bit of the first byte is set. Null when
 * malformed, negative or past Number.MAX_SAFE_INTEGER.
 */
export function parseNumber(b: Uint8Array, at: number, len: number): number | null {
  const first = b[at] ?? 0;
  if ((first & 0x80) === 0) return parseOctal(b, at, len);
  if ((first & 0x40) !== 0) return null; // base-256's sign bit: negative
  let v = first & 0x3f;
  for (let i = at + 1; i < at + len; i++) v = v * 256 + (b[i] ?? 0);
  return Number.isSafeInteger(v) ? v : null;
}

/**
 * Whether a header block's checksum field (octal only, as GNU tar reads it) matches the sum of
 * its bytes, counting the field as spaces; old tars summed signed bytes, which is accepted too.
 */
export function checksumOk(block: Uint8Array): boolean {
  const stored = parseOctal(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : block[i] ?? 0;
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return stored === unsigned || stored === signed;
}

/**
 * Parses PAX records `"<len> <key>=<value>\n"` into `into` (later records win); returns what
 * is wrong with them, or undefined. A NUL where a record would start ends the records, as in
 * GNU tar (some writers pad them with NULs).
 */
export function parsePaxRecords(data: Uint8Array, into: Map<string, string>): string | undefined {
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break;
    const space = data.indexOf(0x20, at);
    if (space < 0) return "malformed pax record";
    let len = space > at ? 0 : NaN;
    for (let i = at; i < space; i++) {
      const c = data[i]!;
      len = c >= 0x30 && c <= 0x39 ? len * 10 + (c - 0x30) : NaN;
    }
    if (!Number.isSafeInteger(len) || len <= space - at || at + len > data.length) {
      return "malformed pax record length";
    }
    const record = data.subarray(space + 1, at + len);
    const eq = record.indexOf(0x3d);
    if (eq <= 0 || record[record.length - 1] !== 0x0a) return "malformed pax record";
    const key = record.subarray(0, eq);
    // GNU tar skips blanks before the key and stops at a NUL in it: refuse both.
    if (key[0] === 0x20 || key[0] === 0x09 || key.includes(0)) return "malformed pax record key";
    into.set(decoder.decode(key), decoder.decode(record.subarray(eq + 1, record.length - 1)));
    at += len;
  }
  return undefined;
}
