/**
 * Field decoding for the tar scanner: numbers (octal and GNU base-256), NUL-terminated
 * strings, PAX records, and what a typeflag creates.
 * @module
 */

const decoder = new TextDecoder();

/** What an entry creates, from its typeflag. */
export type TarEntryKind =
  | "file"
  | "hardlink"
  | "symlink"
  | "char"
  | "block"
  | "dir"
  | "fifo"
  | "label";

/** What an entry of `typeflag` named `name` creates. */
export function kindOf(typeflag: string, name: string): TarEntryKind {
  switch (typeflag) {
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "3":
      return "char";
    case "4":
      return "block";
    case "5":
      return "dir";
    case "6":
      return "fifo";
    case "V":
      return "label";
    case "D":
      return "dir"; // a GNU dumpdir: a directory whose data lists its contents
    case "0":
    case "\0":
    case "7":
      // GNU tar follows the old BSD convention: a "file" whose name ends in a slash is a dir
      return name.endsWith("/") ? "dir" : "file";
    default:
      // "0", "7", "S" and unknown types, which GNU tar extracts as regular files
      return "file";
  }
}

/** Whether a block is all zero bytes (the end-of-archive marker). */
export function isZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** A NUL-terminated (or field-filling) string. */
export function cstr(b: Uint8Array, at: number, len: number): string {
  const field = b.subarray(at, at + len);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** An octal field, space- or NUL-terminated; NaN when it holds anything else. */
export function parseOctal(b: Uint8Array, at: number, len: number): number {
  let i = at;
  const end = at + len;
  while (i < end && b[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = b[i] ?? 0;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return NaN;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : v;
}

/** GNU's base-256 encoding for values too large for octal (the high bit flags it). */
export function parseBase256(b: Uint8Array, at: number, len: number): number {
  const first = b[at] ?? 0;
  if (first === 0xff) return NaN; // negative
  let v = first & 0x7f;
  for (let i = at + 1; i < at + len; i++) v = v * 256 + (b[i] ?? 0);
  return v;
}

/**
 * Parses PAX records `"<len> <key>=<value>\n"` into `into` (later records win); returns what
 * is wrong with them, or undefined.
 */
export function parsePaxRecords(data: Uint8Array, into: Map<string, string>): string | undefined {
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // some writers pad the records with NULs
    const space = data.indexOf(0x20, at);
    if (space < 0) return "malformed pax record";
    const len = Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isSafeInteger(len) || len <= space - at || at + len > data.length) {
      return "malformed pax record length";
    }
    const record = data.subarray(space + 1, at + len);
    const eq = record.indexOf(0x3d);
    if (eq <= 0 || record[record.length - 1] !== 0x0a) return "malformed pax record";
    into.set(
      decoder.decode(record.subarray(0, eq)),
      decoder.decode(record.subarray(eq + 1, record.length - 1)),
    );
    at += len;
  }
  return undefined;
}
