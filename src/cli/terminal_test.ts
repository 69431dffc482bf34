import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { DetachKeyMatcher } from "../runtime/container_attach.ts";
import { rawTermios } from "../sys/tty.ts";
import { DEFAULT_DETACH_KEYS, parseDetachKeys, Terminal } from "./terminal.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

Deno.test("parseDetachKeys() reads podman's default ctrl-p,ctrl-q", () => {
  assert.deepEqual(parseDetachKeys(DEFAULT_DETACH_KEYS), bytes(16, 17));
});

Deno.test("parseDetachKeys() knows every ctrl key and plain characters", () => {
  assert.deepEqual(parseDetachKeys("ctrl-a,ctrl-z"), bytes(1, 26));
  assert.deepEqual(
    parseDetachKeys("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_"),
    bytes(0, 27, 28, 29, 30, 31),
  );
  assert.deepEqual(parseDetachKeys("a,b"), bytes(97, 98));
  assert.deepEqual(parseDetachKeys("x"), bytes(120));
});

Deno.test("parseDetachKeys() with an empty value disables detaching", () => {
  assert.deepEqual(parseDetachKeys(""), bytes());
});

Deno.test("parseDetachKeys() refuses what podman refuses, in its words", () => {
  for (const bad of ["foo", "ctrl-1", "ctrl-A", "ctrl-p,,ctrl-q", ",", "é"]) {
    assert.throws(() => parseDetachKeys(bad), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.exitCode, 125);
      const key = bad.includes(",") ? "" : bad;
      assert.equal(e.message, `invalid detach keys: Unknown character: '${key}'`);
      return true;
    });
  }
});

Deno.test("DetachKeyMatcher detaches on the sequence in one chunk or split across chunks", () => {
  const m = new DetachKeyMatcher(bytes(16, 17));
  assert.deepEqual(m.push(bytes(97, 16, 17, 98)), { forward: bytes(97), detached: true });
  const n = new DetachKeyMatcher(bytes(16, 17));
  assert.deepEqual(n.push(bytes(16)), { forward: bytes(), detached: false });
  assert.deepEqual(n.push(bytes(17)), { forward: bytes(), detached: true });
});

Deno.test("DetachKeyMatcher forwards a broken sequence and what was held back", () => {
  const m = new DetachKeyMatcher(bytes(16, 17));
  assert.deepEqual(m.push(bytes(16)), { forward: bytes(), detached: false });
  assert.deepEqual(m.push(bytes(65)), { forward: bytes(16, 65), detached: false });
  // ctrl-p ctrl-p ctrl-q: the first ctrl-p goes through, the pair detaches
  assert.deepEqual(m.push(bytes(16, 16, 17)), { forward: bytes(16), detached: true });
  assert.deepEqual(m.push(bytes(16)), { forward: bytes(), detached: false });
  assert.deepEqual(m.flush(), bytes(16));
});

Deno.test("DetachKeyMatcher without keys forwards everything", () => {
  const m = new DetachKeyMatcher(bytes());
  assert.deepEqual(m.push(bytes(16, 17)), { forward: bytes(16, 17), detached: false });
});

Deno.test("rawTermios() makes cfmakeraw's mode and keeps the rest", () => {
  const saved = new Uint8Array(64);
  const v = new DataView(saved.buffer);
  // a cooked terminal: icrnl ixon / opost onlcr / cs8 cread / isig icanon echo iexten
  v.setUint32(0, 0o400 | 0o2000, true);
  v.setUint32(4, 0o1 | 0o4, true);
  v.setUint32(8, 0o60 | 0o200, true);
  v.setUint32(12, 0o1 | 0o2 | 0o10 | 0o100000 | 0o20, true);
  saved[17 + 6] = 0;
  saved[17 + 5] = 3;
  const raw = new DataView(rawTermios(saved).buffer);
  assert.equal(raw.getUint32(0, true), 0, "no input processing");
  assert.equal(raw.getUint32(4, true), 0o4, "OPOST off, ONLCR left as it was");
  assert.equal(raw.getUint32(8, true), 0o60 | 0o200, "CS8 CREAD");
  assert.equal(raw.getUint32(12, true), 0o20, "only ECHOE kept");
  assert.equal(raw.getUint8(17 + 6), 1, "VMIN 1");
  assert.equal(raw.getUint8(17 + 5), 0, "VTIME 0");
  assert.equal(v.getUint32(4, true), 0o5, "the saved mode is untouched");
});

Deno.test("Terminal.open() leaves a non-terminal stdin alone and closes twice safely", () => {
  // under `deno test` stdin is not a terminal (or raw is not asked for): nothing to change
  const t = Terminal.open({ raw: Deno.stdin.isTerminal() ? "tty" : true });
  assert.equal(t.raw, false);
  t.attach({
    containerId: "x",
    tty: false,
    detach() {},
    resize: () => Promise.resolve(),
    kill: () => Promise.resolve(),
  });
  assert.equal(t.raw, false);
  t.close();
  t.close();
});
