/**
 * A tiny JSON snapshot assertion for tests: `await assertSnapshot(t, value)` compares
 * `JSON.stringify(value, null, 2)` with `<dir of the test file>/__snapshots__/<name>.json`.
 * The file is written when it is missing, or for every call when `UPDATE_SNAPSHOTS=1`.
 * @module
 */

import { AssertionError } from "node:assert/strict";

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "snapshot";
}

/** The directory of the first stack frame outside this file (the calling test). */
function callerDir(): string {
  const self = new URL(import.meta.url).pathname;
  for (const line of (new Error().stack ?? "").split("\n")) {
    const m = /(file:\/\/[^\s)]+?):\d+:\d+/.exec(line);
    if (!m) continue;
    const path = new URL(m[1]!).pathname;
    if (path !== self) return path.slice(0, path.lastIndexOf("/"));
  }
  throw new Error("assertSnapshot: cannot tell which test file called it");
}

function firstDifference(want: string, got: string): string {
  const a = want.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}:\n  snapshot: ${a[i] ?? "(end)"}\n  actual:   ${b[i] ?? "(end)"}`;
    }
  }
  return "(no difference)";
}

/**
 * Asserts that `value` serializes to the stored snapshot.
 * @param t The test context (its name and file decide the snapshot) or a snapshot name (the
 * file is then found from the caller's stack frame).
 * @param value Anything `JSON.stringify` accepts.
 * @throws {AssertionError} naming the snapshot file and the first differing line.
 */
export async function assertSnapshot(t: Deno.TestContext | string, value: unknown): Promise<void> {
  let dir: string;
  let name: string;
  if (typeof t === "string") {
    dir = callerDir();
    name = t;
  } else {
    const origin = new URL(t.origin).pathname;
    dir = origin.slice(0, origin.lastIndexOf("/"));
    const parts: string[] = [];
    for (let c: Deno.TestContext | undefined = t; c; c = c.parent) parts.unshift(c.name);
    name = parts.join(" - ");
  }
  const file = `${dir}/__snapshots__/${safeName(name)}.json`;
  const got = `${JSON.stringify(value, null, 2)}\n`;
  let want: string | null = null;
  if (Deno.env.get("UPDATE_SNAPSHOTS") !== "1") {
    try {
      want = await Deno.readTextFile(file);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  if (want === null) {
    await Deno.mkdir(`${dir}/__snapshots__`, { recursive: true });
    await Deno.writeTextFile(file, got);
    return;
  }
  if (want !== got) {
    throw new AssertionError({
      message: `snapshot ${file} differs (UPDATE_SNAPSHOTS=1 rewrites it), ${
        firstDifference(want, got)
      }`,
      actual: got,
      expected: want,
      operator: "strictEqual",
    });
  }
}
