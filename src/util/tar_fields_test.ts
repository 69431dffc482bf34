/** The tar header field codecs read numbers, checksums and PAX records as GNU tar does. */

import assert from "node:assert/strict";
import { checksumOk, parseNumber, parseOctal, parsePaxRecords } from "./tar_fields.ts";
import { header, setChecksum } from "../storage/_testdata.ts";

const enc = new TextEncoder();
const field = (s: string | number[]) => typeof s === "string" ? enc.encode(s) : new Uint8Array(s);

Deno.test("parseOctal() reads what GNU tar reads and refuses what it would read differently", () => {
  assert.equal(parseOctal(field("0000644\0"), 0, 8), 0o644);
  assert.equal(parseOctal(field("000644 \0"), 0, 8), 0o644);
  assert.equal(parseOctal(field("  644 \0\0"), 0, 8), 0o644);
  assert.equal(parseOctal(field("\0\0\0\0\0\0\0\0"), 0, 8), 0);
  assert.equal(parseOctal(field("        "), 0, 8), 0);
  assert.equal(parseOctal(field("\x000001000"), 0, 8), null); // GNU tar skips the NUL: 512
  assert.equal(parseOctal(field("644\0junk"), 0, 8), null);
  assert.equal(parseOctal(field("64 4\0\0\0\0"), 0, 8), null);
  assert.equal(parseOctal(field("0000089\0"), 0, 8), null);
});

Deno.test("parseNumber() reads base-256 and refuses negative or unsafe values", () => {
  assert.equal(parseNumber(field([0x80, 0, 0, 0, 1, 0, 0, 0]), 0, 8), 1 << 24);
  assert.equal(parseNumber(field([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 8), null);
  assert.equal(parseNumber(field([0x81, 0, 0, 0, 0, 0, 0, 0]), 0, 8), null);
  assert.equal(parseNumber(field("77777777777\0"), 0, 12), 8 ** 11 - 1);
});

Deno.test("checksumOk() reads the checksum as octal only", () => {
  const h = header({ name: "f", typeflag: "0", size: 0 });
  assert.ok(checksumOk(h));
  h[0] = 0x67;
  assert.ok(!checksumOk(h));
  setChecksum(h);
  assert.ok(checksumOk(h));
});

Deno.test("parsePaxRecords() refuses records GNU tar would read differently", () => {
  const parse = (s: string | Uint8Array) => {
    const m = new Map<string, string>();
    return parsePaxRecords(typeof s === "string" ? enc.encode(s) : s, m) ?? Object.fromEntries(m);
  };
  assert.deepEqual(parse("12 size=512\n11 uid=100\n"), { size: "512", uid: "100" });
  assert.deepEqual(parse("12 size=512\n\0\0\0\0"), { size: "512" });
  assert.equal(parse("0xc size=512\n"), "malformed pax record length");
  assert.equal(parse("+12 size=512\n"), "malformed pax record length");
  assert.equal(parse("15e0 size=512\n"), "malformed pax record length");
  assert.equal(parse("13  size=512\n"), "malformed pax record key");
  assert.equal(parse("13 \tsize=512\n"), "malformed pax record key");
  assert.equal(parse("8 a\0b=1\n12 size=512\n"), "malformed pax record key");
  assert.equal(parse("12 size=512"), "malformed pax record length");
});
