import assert from "node:assert/strict";
import { ConfigError } from "../define/errors.ts";
import {
  bridgeNameOf,
  compareVersions,
  ipamLeaseDir,
  isInternal,
  labelsOf,
  parseConflist,
  rangesOf,
  readConflists,
  writeConflist,
} from "./conflist.ts";

const DEFAULT = new URL("../../conf/skiff.conflist", import.meta.url);

Deno.test("conf/skiff.conflist is skiff's default bridge network", async () => {
  const conf = parseConflist(await Deno.readTextFile(DEFAULT), "conf/skiff.conflist");
  assert.equal(conf.cniVersion, "0.4.0");
  assert.equal(conf.name, "skiff");
  assert.deepEqual(conf.plugins.map((p) => p.type), ["bridge", "portmap", "firewall", "tuning"]);
  const bridge = conf.plugins[0]!;
  assert.equal(bridgeNameOf(conf), "skiff0");
  assert.equal(bridge.isGateway, true);
  assert.equal(bridge.ipMasq, true);
  assert.equal(bridge.hairpinMode, true);
  assert.deepEqual(rangesOf(conf), [{ subnet: "10.77.0.0/24", gateway: "10.77.0.1" }]);
  assert.deepEqual((bridge.ipam as { routes: unknown }).routes, [{ dst: "0.0.0.0/0" }]);
  assert.deepEqual(conf.plugins[1]!.capabilities, { portMappings: true });
  assert.equal(isInternal(conf), false);
  assert.equal(ipamLeaseDir(conf), "/var/lib/cni/networks/skiff");
});

Deno.test("parseConflist() refuses what libcni would, naming the file and the problem", () => {
  const cases: [string, RegExp][] = [
    ["{", /f\.conflist: invalid json/],
    ["[]", /must be a json object/],
    [
      `{"cniVersion":"0.4.0","name":"bad name","plugins":[{"type":"bridge"}]}`,
      /invalid network name "bad name"/,
    ],
    [`{"name":"n","plugins":[{"type":"bridge"}]}`, /invalid cniVersion null/],
    [`{"cniVersion":"0.4.0","name":"n","plugins":[]}`, /"plugins" must be a non-empty array/],
    [
      `{"cniVersion":"0.4.0","name":"n","plugins":[{"bridge":"x"}]}`,
      /plugin 0 has no valid "type"/,
    ],
    [
      `{"cniVersion":"0.4.0","name":"n","plugins":[{"type":"../../bin/sh"}]}`,
      /plugin 0 has no valid "type"/,
    ],
    [
      `{"cniVersion":"0.4.0","name":"n","plugins":[{"type":"x","capabilities":[]}]}`,
      /"capabilities" must be an object/,
    ],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseConflist(text, "f.conflist"), (e: Error) => {
      assert.ok(e instanceof ConfigError, text);
      assert.match(e.message, re);
      assert.match(e.message, /^f\.conflist: /);
      return true;
    });
  }
});

Deno.test("readConflists() loads only *.conflist, sorted, skipping broken files and duplicate names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const net = (name: string) =>
      JSON.stringify({ cniVersion: "0.4.0", name, plugins: [{ type: "bridge" }] });
    await Deno.writeTextFile(`${dir}/b.conflist`, net("beta"));
    await Deno.writeTextFile(`${dir}/a.conflist`, net("alpha"));
    await Deno.writeTextFile(`${dir}/c.conflist`, net("alpha")); // duplicate name: ignored
    await Deno.writeTextFile(`${dir}/d.conflist`, "{broken");
    await Deno.writeTextFile(`${dir}/e.conf`, net("old-style"));
    await Deno.writeTextFile(`${dir}/f.json`, net("json"));
    const all = await readConflists(dir);
    assert.deepEqual(all.map((l) => [l.conf.name, l.path]), [
      ["alpha", `${dir}/a.conflist`],
      ["beta", `${dir}/b.conflist`],
    ]);
    assert.deepEqual(new TextDecoder().decode(all[0]!.bytes), net("alpha"));
    assert.deepEqual(await readConflists(`${dir}/missing`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeConflist() writes <name>.conflist that reads back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const conf = { cniVersion: "0.4.0", name: "n1", plugins: [{ type: "bridge", bridge: "br9" }] };
    assert.equal(await writeConflist(`${dir}/sub/`, conf), `${dir}/sub/n1.conflist`);
    assert.deepEqual((await readConflists(`${dir}/sub`))[0]!.conf, conf);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rangesOf(), labelsOf() and ipamLeaseDir() read old and new IPAM layouts", () => {
  const old = parseConflist(
    JSON.stringify({
      cniVersion: "0.3.0",
      name: "old",
      plugins: [{
        type: "bridge",
        ipam: { type: "host-local", subnet: "10.88.0.0/16", dataDir: "/x/" },
      }],
      args: { podman_labels: { a: "1", n: 2 } },
    }),
    "old",
  );
  assert.deepEqual(rangesOf(old), [{ subnet: "10.88.0.0/16" }]);
  assert.deepEqual(labelsOf(old), { a: "1" });
  assert.equal(ipamLeaseDir(old), "/x/old");
  assert.equal(isInternal(old), true);
});

Deno.test("compareVersions() orders CNI versions numerically", () => {
  assert.ok(compareVersions("0.4.0", "0.3.1") > 0);
  assert.ok(compareVersions("0.10.0", "0.4.0") > 0);
  assert.equal(compareVersions("1.0.0", "1.0.0"), 0);
  assert.ok(compareVersions("0.3.0", "0.4.0") < 0);
});
