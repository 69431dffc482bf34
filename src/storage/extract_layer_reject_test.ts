/** extractLayer() refusals: escaping entries, digest mismatches, bad blobs, existing dest. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SkiffError } from "../define/errors.ts";
import { exists, notRoot, withWorkDir, writeBlob } from "./_extract_testdata.ts";
import {
  DigestMismatchError,
  extractLayer,
  type ExtractOptions,
  LayerEscapeError,
} from "./extract_layer.ts";
import { compress, EVIL_LAYERS, featuresLayer, tarArchive } from "./_testdata.ts";

/** Extracts and returns the error it must throw. */
async function failure(options: ExtractOptions): Promise<Error> {
  try {
    await extractLayer(options);
  } catch (e) {
    assert.ok(e instanceof Error);
    return e;
  }
  assert.fail(`extracting ${options.blobPath} succeeded`);
}

for (const evil of EVIL_LAYERS) {
  Deno.test({
    name: `extractLayer() refuses a layer with ${evil.title}`,
    ignore: notRoot,
    async fn() {
      await withWorkDir(async (w) => {
        const outside = join(w, "outside");
        await Deno.mkdir(outside);
        await Deno.writeTextFile(join(outside, "keep"), "keep");
        const tar = tarArchive(evil.build(outside));
        for (const [kind, data] of [["plain", tar], ["gzip", await compress(tar, "gzip")]]) {
          const dest = join(w, `dest-${kind}`);
          const err = await failure({
            blobPath: await writeBlob(w, `evil-${kind}`, data as Uint8Array),
            dest,
            whiteouts: "overlay",
          });
          assert.ok(err instanceof LayerEscapeError, `${kind}: ${err}`);
          assert.ok(
            err.message.startsWith(`layer entry "${evil.refused}" escapes the layer root: `),
            err.message,
          );
          assert.match(err.message, /\(layer .*evil-/);
          assert.equal(await exists(dest), false, `${kind}: dest left behind`);
        }
        assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["keep"]);
        assert.equal(await Deno.readTextFile(join(outside, "keep")), "keep");
        assert.equal(await exists("/pwned-by-skiff-test"), false);
      });
    },
  });
}

Deno.test({
  name: "extractLayer() checks the blob digest and the diff ID, removing dest on a mismatch",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const gz = await compress(tarArchive(featuresLayer()), "gzip");
      const blobPath = await writeBlob(w, "f.tar.gz", gz);
      const good = await extractLayer({ blobPath, dest: join(w, "good"), whiteouts: "keep" });
      const again = await extractLayer({
        blobPath,
        dest: join(w, "again"),
        whiteouts: "keep",
        blobDigest: good.blobDigest,
        diffId: good.diffId,
      });
      assert.deepEqual(again, good);
      const wrong = `sha256:${"a".repeat(64)}`;
      const dest = join(w, "bad");
      const e1 = await failure({ blobPath, dest, whiteouts: "keep", blobDigest: wrong });
      assert.ok(e1 instanceof DigestMismatchError);
      assert.equal(
        e1.message,
        `layer ${wrong}: digest mismatch: expected ${wrong}, got ${good.blobDigest}`,
      );
      assert.equal(await exists(dest), false);
      const e2 = await failure({ blobPath, dest, whiteouts: "keep", diffId: wrong });
      assert.ok(e2 instanceof DigestMismatchError);
      assert.match(e2.message, new RegExp(`diff ID mismatch: expected ${wrong}, got sha256:`));
      assert.equal(await exists(dest), false);
      const e3 = await failure({ blobPath, dest, whiteouts: "keep", diffId: "md5:abc" });
      assert.match(e3.message, /unsupported digest "md5:abc"/);
      assert.equal(await exists(dest), false);
    });
  },
});

Deno.test({
  name: "extractLayer() reports truncated, corrupt and non-tar blobs and removes dest",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const tar = tarArchive(featuresLayer());
      const gz = await compress(tar, "gzip");
      const zst = await compress(tar, "zstd");
      const cases: [string, Uint8Array, RegExp][] = [
        ["half.tar.gz", gz.subarray(0, gz.length >> 1), /^truncated layer .*half\.tar\.gz: .*gzip/],
        ["half.tar", tar.subarray(0, 3000), /^truncated layer .*half\.tar: unexpected end/],
        ["half.tar.zst", zst.subarray(0, zst.length >> 1), /^truncated layer .*zstd/],
        ["bad.gz", new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7]), /^corrupt layer .*gzip/],
        ["notes.txt", new TextEncoder().encode("no tar\n".repeat(200)), /is not a tar archive/],
        ["empty", new Uint8Array(0), /^layer .*empty is not a tar archive: empty stream/],
        [
          "dangling-hardlink.tar",
          tarArchive([{ name: "hl", type: "hardlink", linkname: "missing" }]),
          /^extracting layer .*: tar exited with status 2: .*missing/,
        ],
      ];
      for (const [name, data, want] of cases) {
        const dest = join(w, `dest-${name}`);
        const err = await failure({
          blobPath: await writeBlob(w, name, data),
          dest,
          whiteouts: "overlay",
        });
        assert.ok(err instanceof SkiffError, name);
        assert.match(err.message, want, name);
        assert.equal(await exists(dest), false, `${name}: dest left behind`);
      }
    });
  },
});

Deno.test("extractLayer() refuses an existing dest and a missing blob without touching them", async () => {
  await withWorkDir(async (w) => {
    const blobPath = await writeBlob(w, "l.tar", tarArchive([{ name: "f", data: "x" }]));
    const dest = join(w, "exists");
    await Deno.mkdir(dest);
    await Deno.writeTextFile(join(dest, "mine"), "mine");
    const e1 = await failure({ blobPath, dest, whiteouts: "keep" });
    assert.match(e1.message, /^layer destination ".*exists" already exists$/);
    assert.equal(await Deno.readTextFile(join(dest, "mine")), "mine");
    const e2 = await failure({ blobPath: join(w, "nope"), dest: join(w, "d"), whiteouts: "keep" });
    assert.match(e2.message, /^opening layer blob ".*nope": /);
    assert.equal(await exists(join(w, "d")), false);
  });
});
