/**
 * Headers that GNU tar would read differently from the scanner (a size or PAX key the scanner
 * skipped) could hide the next header from the entry checks: each is refused.
 * @module
 */

import assert from "node:assert/strict";
import { TarFormatError, TarScanner } from "./_tar_scanner.ts";
import { concat, header, setChecksum } from "./_testdata.ts";

const enc = new TextEncoder();

/** A header then a "decoy" whose 512 bytes of data GNU tar reads as the header "hidden". */
function smuggle(first: Uint8Array[]): Uint8Array {
  return concat([
    ...first,
    header({ name: "decoy", typeflag: "0", size: 512 }),
    header({ name: "hidden", typeflag: "2", size: 0, linkname: "/" }),
    new Uint8Array(1024),
  ]);
}

function scanProblem(data: Uint8Array): string {
  try {
    const s = new TarScanner(() => {});
    s.push(data);
    s.end();
  } catch (e) {
    if (e instanceof TarFormatError) return `${e.problem}: ${e.message}`;
    throw e;
  }
  return "no error";
}

Deno.test("TarScanner refuses fields GNU tar would read with a different size", () => {
  const h = header({ name: "a", typeflag: "0", size: 0 });
  h.set(enc.encode("\x000000001000"), 124); // GNU tar: 512 bytes, skipping the NUL
  setChecksum(h);
  assert.match(scanProblem(smuggle([h])), /^corrupt: .*invalid size field/);
  const body = enc.encode("13  size=512\n"); // GNU tar: size 512
  const pax = new Uint8Array(512);
  pax.set(body);
  const x = header({ name: "p", typeflag: "x", size: body.length });
  const f = header({ name: "f", typeflag: "0", size: 0 });
  assert.match(scanProblem(smuggle([x, pax, f])), /^corrupt: .*malformed pax record key/);
});

Deno.test("TarScanner refuses a NUL in a symlink's PAX linkpath", () => {
  const body = enc.encode("18 linkpath=..\0/a\n"); // GNU tar links to ".."
  const pax = new Uint8Array(512);
  pax.set(body);
  const data = concat([
    header({ name: "p", typeflag: "x", size: body.length }),
    pax,
    header({ name: "l", typeflag: "2", size: 0, linkname: "x" }),
    new Uint8Array(1024),
  ]);
  assert.match(scanProblem(data), /^corrupt: .*symlink "l" has a NUL byte in its target/);
});
