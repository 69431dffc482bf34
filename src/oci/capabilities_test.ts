import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import {
  ALL_CAPABILITIES,
  capabilitiesFromMask,
  DEFAULT_CAPABILITIES,
  mergeCapabilities,
  normalizeCapability,
  readBoundingSet,
  userCapabilities,
} from "./capabilities.ts";

Deno.test("normalizeCapability() accepts names with or without CAP_, any case", () => {
  assert.equal(normalizeCapability("net_admin"), "CAP_NET_ADMIN");
  assert.equal(normalizeCapability("CAP_SYS_ADMIN"), "CAP_SYS_ADMIN");
  assert.equal(normalizeCapability("cap_kill"), "CAP_KILL");
  assert.equal(normalizeCapability("all"), "ALL");
});

Deno.test("normalizeCapability() names an unknown capability as podman does", () => {
  assert.throws(() => normalizeCapability("foo"), (e) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, '"CAP_FOO": unknown capability');
    return true;
  });
});

Deno.test("ALL_CAPABILITIES has the 41 capabilities of Linux 6.x", () => {
  assert.equal(ALL_CAPABILITIES.length, 41);
  assert.equal(ALL_CAPABILITIES[21], "CAP_SYS_ADMIN");
  assert.equal(ALL_CAPABILITIES[40], "CAP_CHECKPOINT_RESTORE");
  assert.equal(DEFAULT_CAPABILITIES.length, 11);
});

Deno.test("mergeCapabilities() with no flags gives the sorted default set", () => {
  assert.deepEqual(mergeCapabilities([], []), [...DEFAULT_CAPABILITIES].sort());
});

Deno.test("mergeCapabilities() adds and drops", () => {
  const got = mergeCapabilities(["NET_ADMIN", "cap_kill"], ["CHOWN"]);
  assert.ok(got.includes("CAP_NET_ADMIN"));
  assert.ok(!got.includes("CAP_CHOWN"));
  assert.equal(got.filter((c) => c === "CAP_KILL").length, 1);
  assert.deepEqual(got, [...got].sort());
});

Deno.test("mergeCapabilities() --cap-add ALL takes the bounding set given as `all`", () => {
  const all = ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"];
  assert.deepEqual(mergeCapabilities(["ALL"], [], { all }), all);
  assert.deepEqual(mergeCapabilities(["all"], ["kill"], { all }), ["CAP_CHOWN", "CAP_SYS_ADMIN"]);
  assert.equal(mergeCapabilities(["ALL"], []).length, 41);
});

Deno.test("mergeCapabilities() --cap-drop ALL keeps only the added ones", () => {
  assert.deepEqual(mergeCapabilities(["chown", "KILL"], ["all"]), ["CAP_CHOWN", "CAP_KILL"]);
  assert.deepEqual(mergeCapabilities([], ["ALL"]), []);
});

Deno.test("mergeCapabilities() refuses contradictions", () => {
  assert.throws(() => mergeCapabilities(["ALL"], ["ALL"]), /adding all caps and removing all/);
  assert.throws(
    () => mergeCapabilities(["CHOWN"], ["chown"]),
    { message: 'capability "CAP_CHOWN" cannot be dropped and added' },
  );
  assert.throws(() => mergeCapabilities([], ["nope"]), /"CAP_NOPE": unknown capability/);
});

Deno.test("mergeCapabilities() starts from `base` (--privileged)", () => {
  assert.deepEqual(mergeCapabilities([], ["KILL"], { base: ["CAP_KILL", "CAP_BPF"] }), [
    "CAP_BPF",
  ]);
});

Deno.test("userCapabilities() keeps the explicit adds the bounding set allows", () => {
  const bounding = ["CAP_CHOWN", "CAP_NET_ADMIN"];
  assert.deepEqual(userCapabilities(["net_admin", "SYS_ADMIN"], bounding), ["CAP_NET_ADMIN"]);
  assert.deepEqual(userCapabilities([], bounding), []);
  assert.deepEqual(userCapabilities(["ALL"], bounding), bounding);
});

Deno.test("capabilitiesFromMask() decodes a CapBnd mask", () => {
  assert.deepEqual(capabilitiesFromMask("0000000000000003"), ["CAP_CHOWN", "CAP_DAC_OVERRIDE"]);
  // every bit but CAP_SYS_RESOURCE (24), as on this test host
  const got = capabilitiesFromMask("000001fffeffffff");
  assert.equal(got.length, 40);
  assert.ok(!got.includes("CAP_SYS_RESOURCE"));
  assert.deepEqual(capabilitiesFromMask("ffffffffffffffff"), [...ALL_CAPABILITIES]);
});

Deno.test("readBoundingSet() reads a status file, and falls back to all when missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/status`, "Name:\tx\nCapBnd:\t00000000000000a0\n");
    assert.deepEqual(await readBoundingSet(`${dir}/status`), ["CAP_KILL", "CAP_SETUID"]);
    assert.equal((await readBoundingSet(`${dir}/missing`)).length, 41);
    assert.ok((await readBoundingSet()).length > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
