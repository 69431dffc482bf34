/** generateSpec()'s capabilities and rlimits, and reading the caller's own limits. */
import assert from "node:assert/strict";
import { assertSnapshot } from "../testing/snapshot.ts";
import { brief, gen } from "./_spec_testdata.ts";
import { parseProcLimits, readProcessRlimits } from "./spec.ts";

Deno.test("generateSpec() --cap-add NET_ADMIN --cap-drop CHOWN", async (t) => {
  const spec = gen({ capAdd: ["NET_ADMIN"], capDrop: ["chown"] });
  await assertSnapshot(t, brief(spec));
  const caps = spec.process.capabilities!;
  assert.ok(caps.bounding!.includes("CAP_NET_ADMIN"));
  assert.ok(!caps.bounding!.includes("CAP_CHOWN"));
  assert.equal(caps.bounding!.length, 11);
  assert.deepEqual(caps.bounding, [...caps.bounding!].sort());
  assert.deepEqual(caps.effective, caps.bounding);
  assert.deepEqual(caps.permitted, caps.bounding);
});

Deno.test("generateSpec() --cap-add for a non-root user fills the ambient set", () => {
  const spec = gen({ user: "tester", capAdd: ["NET_ADMIN"] });
  const caps = spec.process.capabilities!;
  assert.equal(caps.bounding!.length, 12);
  for (const set of ["effective", "permitted", "inheritable", "ambient"] as const) {
    assert.deepEqual(caps[set], ["CAP_NET_ADMIN"], set);
  }
});

Deno.test("generateSpec() --ulimit nofile=100:200 replaces only NOFILE", async (t) => {
  const spec = gen({ ulimits: [{ type: "nofile", soft: 100, hard: 200 }] });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.rlimits, [
    { type: "RLIMIT_NOFILE", hard: 200, soft: 100 },
    { type: "RLIMIT_NPROC", hard: 96365, soft: 96365 },
  ]);
});

Deno.test("generateSpec() rejects an unknown capability naming it", () => {
  assert.throws(() => gen({ capAdd: ["FOO"] }), {
    name: "UsageError",
    message: '"CAP_FOO": unknown capability',
  });
});

Deno.test("generateSpec() rejects a ulimit above the caller's hard limit", () => {
  assert.throws(() => gen({ ulimits: [{ type: "nofile", soft: 30000, hard: 30000 }] }), {
    name: "UsageError",
    message: "ulimit nofile=30000:30000 exceeds the hard limit 20000 of this process",
  });
  assert.throws(() => gen({ ulimits: [{ type: "bogus", soft: 1, hard: 1 }] }), /bogus/);
  assert.throws(() => gen({ ulimits: [{ type: "core", soft: 2, hard: 1 }] }), /2 > 1/);
});

Deno.test("parseProcLimits() reads /proc/<pid>/limits, unlimited as Infinity", async () => {
  const text = "Limit                     Soft Limit           Hard Limit           Units     \n" +
    "Max cpu time              unlimited            unlimited            seconds   \n" +
    "Max processes             96365                96365                processes \n" +
    "Max open files            1024                 20000                files     \n" +
    "Max nice priority         0                    0                    \n";
  assert.deepEqual(parseProcLimits(text), {
    RLIMIT_CPU: { soft: Infinity, hard: Infinity },
    RLIMIT_NPROC: { soft: 96365, hard: 96365 },
    RLIMIT_NOFILE: { soft: 1024, hard: 20000 },
    RLIMIT_NICE: { soft: 0, hard: 0 },
  });
  const own = await readProcessRlimits();
  assert.ok(own.RLIMIT_NOFILE && own.RLIMIT_NOFILE.hard >= own.RLIMIT_NOFILE.soft);
  // an unlimited hard limit leaves podman's default as is
  const spec = gen({}, {
    hostRlimits: { RLIMIT_NOFILE: { soft: 1, hard: Infinity }, RLIMIT_NPROC: { soft: 1, hard: 9 } },
  });
  assert.deepEqual(spec.process.rlimits, [
    { type: "RLIMIT_NOFILE", hard: 1048576, soft: 1048576 },
    { type: "RLIMIT_NPROC", hard: 9, soft: 9 },
  ]);
});
