import assert from "node:assert/strict";
import {
  goCompact,
  goJson,
  ImageJsonError,
  isSha256Digest,
  parseImageConfig,
  parseManifest,
  rawTopLevelMembers,
} from "./image_config.ts";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const D = `sha256:${"a".repeat(64)}`;

Deno.test("goJson() escapes like Go's encoding/json", () => {
  assert.equal(
    goJson({ a: "<&>\u2028", b: [1, "é"] }),
    '{"a":"\\u003c\\u0026\\u003e\\u2028","b":[1,"é"]}',
  );
});

Deno.test("goCompact() strips whitespace outside strings and keeps everything else", () => {
  assert.equal(
    goCompact('{ "b" : 1.0 ,\n "a": [ "x y", "<" ] }'),
    '{"b":1.0,"a":["x y","\\u003c"]}',
  );
  assert.equal(goCompact('"a\\"b <"'), '"a\\"b \\u003c"');
});

Deno.test("rawTopLevelMembers() returns each member's raw text, last one winning", () => {
  const m = rawTopLevelMembers(
    '{"created": "1970", "config": {"Labels": {"10": "x", "b": "}"}}, "n": 1.50, "x": null, "n": 2}',
    "config",
  );
  assert.deepEqual([...m.entries()], [
    ["created", '"1970"'],
    ["config", '{"Labels": {"10": "x", "b": "}"}}'],
    ["n", "2"],
    ["x", "null"],
  ]);
  assert.throws(() => rawTopLevelMembers("[1]", "config"), ImageJsonError);
});

Deno.test("parseImageConfig() checks rootfs.diff_ids", () => {
  const c = parseImageConfig(
    enc({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [D] } }),
  );
  assert.deepEqual(c.rootfs.diff_ids, [D]);
  assert.throws(() => parseImageConfig(enc("{"), "config x"), /parsing config x: /);
  assert.throws(
    () => parseImageConfig(enc({}), "config x"),
    /invalid config x: no rootfs\.diff_ids/,
  );
  assert.throws(
    () => parseImageConfig(enc({ rootfs: { diff_ids: ["sha256:zz"] } })),
    /bad diff ID "sha256:zz"/,
  );
});

Deno.test("parseManifest() tells manifests from indexes and checks descriptors", () => {
  const desc = { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: D, size: 3 };
  const m = parseManifest(enc({ schemaVersion: 2, config: desc, layers: [desc] }));
  assert.equal(m.kind, "manifest");
  const i = parseManifest(enc({ schemaVersion: 2, manifests: [desc] }));
  assert.equal(i.kind, "index");
  const list = parseManifest(enc({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
    manifests: [desc],
  }));
  assert.equal(list.kind, "index");
  assert.throws(
    () => parseManifest(enc({ schemaVersion: 1 })),
    /unsupported manifest: schemaVersion 1/,
  );
  assert.throws(
    () => parseManifest(enc({ schemaVersion: 2, config: desc, layers: [{ ...desc, size: -1 }] })),
    /invalid manifest: layers\[0\]: bad size -1/,
  );
  assert.ok(isSha256Digest(D));
  assert.ok(!isSha256Digest("sha256:abc"));
});
