import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { BUSYBOX_GROUP as G, BUSYBOX_PASSWD as P } from "./_spec_testdata.ts";
import { parseGroup, parsePasswd, resolveUser } from "./user.ts";

// Expected values observed in podman 4.3.1's config.json for the busybox test image.
const CASES: [
  string,
  { uid: number; gid: number; additionalGids: number[]; home: string | null },
][] = [
  ["", { uid: 0, gid: 0, additionalGids: [], home: "/root" }],
  ["root", { uid: 0, gid: 0, additionalGids: [0], home: "/root" }],
  ["0", { uid: 0, gid: 0, additionalGids: [0], home: "/root" }],
  ["0:0", { uid: 0, gid: 0, additionalGids: [0], home: "/root" }],
  ["root:", { uid: 0, gid: 0, additionalGids: [0], home: "/root" }],
  [":1001", { uid: 0, gid: 1001, additionalGids: [1001], home: "/root" }],
  ["tester", { uid: 1000, gid: 1000, additionalGids: [1000, 1001], home: "/home/tester" }],
  ["1000", { uid: 1000, gid: 1000, additionalGids: [1000, 1001], home: "/home/tester" }],
  ["tester:", { uid: 1000, gid: 1000, additionalGids: [1000], home: "/home/tester" }],
  ["1000:1001", { uid: 1000, gid: 1001, additionalGids: [1001], home: "/home/tester" }],
  ["tester:extra", { uid: 1000, gid: 1001, additionalGids: [1001], home: "/home/tester" }],
  ["tester:1001", { uid: 1000, gid: 1001, additionalGids: [1001], home: "/home/tester" }],
  ["1000:5555", { uid: 1000, gid: 5555, additionalGids: [5555], home: "/home/tester" }],
  ["nobody", { uid: 65534, gid: 65534, additionalGids: [65534], home: "/nonexistent" }],
  ["4242", { uid: 4242, gid: 0, additionalGids: [0], home: null }],
  ["4242:4242", { uid: 4242, gid: 4242, additionalGids: [4242], home: null }],
];

for (const [spec, want] of CASES) {
  Deno.test(`resolveUser() "${spec}" gives what podman 4.3.1 gives`, () => {
    assert.deepEqual(resolveUser(spec, P, G), want);
  });
}

Deno.test("resolveUser() rejects an unknown name with podman's wording and exit code 126", () => {
  assert.throws(() => resolveUser("nosuch", P, G), (e) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, "unable to find user nosuch: no matching entries in passwd file");
    assert.equal(e.exitCode, 126);
    return true;
  });
  assert.throws(() => resolveUser("tester:nogrp", P, G), {
    message: "unable to find group nogrp: no matching entries in group file",
  });
  assert.throws(() => resolveUser("tester", null, null), /unable to find user tester/);
  assert.throws(() => resolveUser("99999999999", P, G), /unable to find user 99999999999/);
});

Deno.test("resolveUser() works without passwd and group files for numeric IDs", () => {
  assert.deepEqual(resolveUser("", null, null), { uid: 0, gid: 0, additionalGids: [], home: null });
  assert.deepEqual(resolveUser("7:8", null, null), {
    uid: 7,
    gid: 8,
    additionalGids: [8],
    home: null,
  });
});

Deno.test("parsePasswd() and parseGroup() skip comments and malformed lines", () => {
  const users = parsePasswd("# c\n\nbad\nx:x:notnum:0::/:/bin/sh\na:x:5:6:A:/home/a:/bin/sh\n");
  assert.deepEqual(users, [{ name: "a", uid: 5, gid: 6, home: "/home/a" }]);
  const groups = parseGroup("g:x:7:a, b ,\nbad:x:\n");
  assert.deepEqual(groups, [{ name: "g", gid: 7, members: ["a", "b"] }]);
});
