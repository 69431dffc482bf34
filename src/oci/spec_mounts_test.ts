/** generateSpec()'s mounts: --read-only tmpfs, --init, user bind/tmpfs/volume mounts. */
import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { assertSnapshot } from "../testing/snapshot.ts";
import { brief, gen, mount } from "./_spec_testdata.ts";

Deno.test("generateSpec() --read-only --tmpfs /scratch", async (t) => {
  const spec = gen({
    readOnly: true,
    mounts: [{ type: "tmpfs", source: "", destination: "/scratch", options: [] }],
  });
  await assertSnapshot(t, brief(spec));
  assert.equal(spec.root.readonly, true);
  const tmpfs = ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"];
  for (const d of ["/run", "/tmp", "/var/tmp", "/scratch"]) {
    assert.deepEqual(mount(spec, d), {
      destination: d,
      type: "tmpfs",
      source: "tmpfs",
      options: tmpfs,
    });
  }
  assert.deepEqual(mount(spec, "/etc/hosts")?.options, [
    "bind",
    "rprivate",
    "ro",
    "nosuid",
    "noexec",
    "nodev",
  ]);
  // /run (depth 1) is mounted before /run/.containerenv (depth 2)
  const dests = spec.mounts.map((m) => m.destination);
  assert.ok(dests.indexOf("/run") < dests.indexOf("/run/.containerenv"));
});

Deno.test("generateSpec() --init runs catatonit mounted read-only", async (t) => {
  const spec = gen({ init: true });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.args, ["/run/skiff-init", "--", "sh"]);
  assert.deepEqual(mount(spec, "/run/skiff-init"), {
    destination: "/run/skiff-init",
    type: "bind",
    source: "/usr/bin/catatonit",
    options: ["bind", "ro", "rprivate"],
  });
  assert.equal(spec.annotations?.["io.podman.annotations.init"], "TRUE");
  assert.throws(
    () => gen({ init: true }, { initPath: undefined }),
    (e) => e instanceof UsageError && /init_path/.test(e.message),
  );
});

Deno.test("generateSpec() user mounts: podman's options, replacing engine files, sorted", () => {
  const spec = gen({
    mounts: [
      { type: "bind", source: "/srv/data/", destination: "/data/sub/", options: ["ro", "z"] },
      { type: "bind", source: "/srv/hosts", destination: "/etc/hosts", options: [] },
      { type: "tmpfs", source: "", destination: "/data", options: ["size=1m"] },
      { type: "volume", source: "/var/lib/skiff/volumes/v/_data", destination: "/v", options: [] },
    ],
  });
  assert.deepEqual(mount(spec, "/data/sub"), {
    destination: "/data/sub",
    type: "bind",
    source: "/srv/data/",
    options: ["ro", "rprivate", "rbind"],
  });
  assert.deepEqual(mount(spec, "/etc/hosts")?.source, "/srv/hosts");
  assert.equal(spec.mounts.filter((m) => m.destination === "/etc/hosts").length, 1);
  assert.deepEqual(mount(spec, "/data")?.options, [
    "size=1m",
    "rw",
    "rprivate",
    "nosuid",
    "nodev",
    "tmpcopyup",
  ]);
  assert.deepEqual(mount(spec, "/v")?.options, ["rw", "rprivate", "rbind"]);
  const dests = spec.mounts.map((m) => m.destination);
  assert.ok(dests.indexOf("/data") < dests.indexOf("/data/sub"));
  assert.throws(
    () =>
      gen({
        mounts: [
          { type: "bind", source: "/a", destination: "/x", options: [] },
          { type: "tmpfs", source: "", destination: "/x/", options: [] },
        ],
      }),
    { name: "UsageError", message: "/x: duplicate mount destination" },
  );
  assert.throws(
    () => gen({ mounts: [{ type: "tmpfs", source: "", destination: "rel", options: [] }] }),
    /invalid container path rel/,
  );
});
