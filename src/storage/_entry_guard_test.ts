import assert from "node:assert/strict";
import { EntryGuard, EntryRefusal } from "./_entry_guard.ts";
import type { TarEntry, TarEntryKind } from "./_tar_scanner.ts";

function entry(name: string, kind: TarEntryKind = "file", linkname = ""): TarEntry {
  return {
    name,
    otherNames: [],
    linkname,
    kind,
    typeflag: "0",
    size: 0,
    mode: 0o644,
    uid: 0,
    gid: 0,
    offset: 0,
  };
}

/** Runs the entries through a fresh guard; returns the refusal message or "ok". */
function verdict(...entries: TarEntry[]): string {
  const g = new EntryGuard();
  try {
    for (const e of entries) g.check(e);
  } catch (e) {
    if (e instanceof EntryRefusal) return e.message;
    throw e;
  }
  return "ok";
}

Deno.test("EntryGuard accepts what a real rootfs holds", () => {
  assert.equal(
    verdict(
      entry("./", "dir"),
      entry("./usr/lib/", "dir"),
      entry("usr/lib/libc.so.6"),
      entry("usr/lib/libc.so", "symlink", "libc.so.6"),
      entry("lib", "symlink", "usr/lib"),
      entry("etc/localtime", "symlink", "/usr/share/zoneinfo/UTC"),
      entry("usr/lib/x/up", "symlink", "../../../etc/passwd"),
      entry("usr/bin/x", "hardlink", "usr/lib/libc.so.6"),
      entry("a//b/./c"),
      entry("..foo/..bar..", "dir"),
    ),
    "ok",
  );
});

Deno.test("EntryGuard refuses absolute names and .. components", () => {
  assert.equal(
    verdict(entry("/etc/passwd")),
    'layer entry "/etc/passwd" escapes the layer root: is an absolute path',
  );
  assert.equal(
    verdict(entry("../etc/passwd")),
    'layer entry "../etc/passwd" escapes the layer root: has a ".." component',
  );
  assert.match(verdict(entry("a/../../b")), /has a "\.\." component/);
  assert.match(verdict(entry("a/b/..", "dir")), /has a "\.\." component/);
  assert.match(verdict({ ...entry("fine"), otherNames: ["../hidden"] }), /"\.\.\/hidden"/);
  assert.match(verdict(entry(".", "symlink", "/")), /cannot replace the layer root/);
});

Deno.test("EntryGuard refuses relative symlinks that climb out, keeps absolute ones", () => {
  assert.match(
    verdict(entry("a/esc", "symlink", "../../outside")),
    /^layer entry "a\/esc" escapes the layer root: symlink target "..\/..\/outside" leaves/,
  );
  assert.match(verdict(entry("esc", "symlink", "x/../../y")), /leaves the layer root/);
  assert.equal(verdict(entry("abs", "symlink", "/../../../etc")), "ok");
});

Deno.test("EntryGuard refuses anything written through or over a symlink of the layer", () => {
  const link = entry("esc", "symlink", "/outside");
  assert.match(verdict(link, entry("esc/pwned")), /goes through symlink "esc" created earlier/);
  assert.match(verdict(link, entry("esc/a/b", "dir")), /goes through symlink "esc"/);
  assert.match(verdict(link, entry("esc")), /would be written over symlink "esc"/);
  assert.match(verdict(link, entry("./esc/", "dir")), /would be written over symlink "esc"/);
});

Deno.test("EntryGuard checks hardlink targets", () => {
  assert.match(verdict(entry("hl", "hardlink", "/etc/shadow")), /hardlink target.*absolute/);
  assert.match(verdict(entry("hl", "hardlink", "../x")), /hardlink target "..\/x" has a "\.\."/);
  assert.match(verdict(entry("hl", "hardlink", "./")), /hardlink to the layer root/);
  const link = entry("esc", "symlink", "/outside/keep");
  assert.match(verdict(link, entry("hl", "hardlink", "esc")), /target "esc" is a symlink created/);
  assert.match(
    verdict(link, entry("hl", "hardlink", "esc/x")),
    /hardlink target "esc\/x" goes through symlink "esc"/,
  );
});

Deno.test("EntryGuard records whiteouts and opaque directories", () => {
  const g = new EntryGuard();
  for (
    const e of [
      entry(".wh.top"),
      entry("a/b/.wh.gone"),
      entry("a/.wh..wh..opq"),
      entry(".wh..wh..opq"),
      entry("a/.wh..wh.plnk", "dir"),
      entry("a/.wh..wh.aufs"),
    ]
  ) g.check(e);
  assert.deepEqual(g.whiteouts, ["top", "a/b/gone"]);
  assert.deepEqual(g.opaqueDirs, ["a", "."]);
  assert.match(verdict(entry("a/.wh...")), /whiteout of "\.\."/);
});
