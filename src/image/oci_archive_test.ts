import assert from "node:assert/strict";
import { goArch } from "../sys/host_info.ts";
import { writeOciArchive, writeOciDir } from "./oci_archive_write.ts";
import { readImageArchive } from "./archive_detect.ts";
import { readTar } from "./tar_reader.ts";
import {
  collector,
  hex,
  listTree,
  NO_IMAGES,
  NO_PODMAN,
  Podman,
  saveFromRead,
  syntheticImage,
  testImages,
  testUnless,
  withTempDir,
  writeTemp,
} from "./_test_archive.ts";

const encoder = new TextEncoder();
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

Deno.test("writeOciArchive() writes podman's layout with gzip layers, and reads back", async () => {
  const img = await syntheticImage(["localhost/app:1", "localhost/app:2"], ["a", "b"]);
  const c = collector();
  await writeOciArchive(c.stream, [img]);
  const data = c.bytes();
  const headers = [];
  for await (const { header } of readTar(ReadableStream.from([data]))) headers.push(header);
  const names = headers.map((h) => h.name);
  assert.deepEqual(names.slice(0, 2), ["blobs/", "blobs/sha256/"]);
  assert.deepEqual(names.slice(-2), ["index.json", "oci-layout"]);
  const blobs = names.slice(2, -2);
  assert.equal(blobs.length, 4); // config, manifest, two layers
  assert.deepEqual(blobs, [...blobs].sort());
  for (const h of headers) {
    assert.deepEqual([h.uid, h.gid, h.uname, h.gname, h.mtime], [0, 0, "root", "root", 0], h.name);
    assert.equal(h.mode, h.type === "dir" ? 0o40755 : 0o100644, h.name);
  }
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/spool`);
    const r = await readImageArchive(await writeTemp(dir, "o.tar", data), `${dir}/spool`);
    assert.equal(r.format, "oci-archive");
    const [i] = r.images;
    assert.equal(r.images.length, 1);
    assert.equal(i!.configDigest, `sha256:${await hex(img.config)}`);
    assert.deepEqual(i!.names, ["localhost/app:1"]); // the first name only, as podman
    assert.deepEqual(i!.layers.map((l) => [l.compression, l.diffId]), [
      ["gzip", img.layers[0]!.diffId],
      ["gzip", img.layers[1]!.diffId],
    ]);
    assert.equal(i!.manifestDigest, `sha256:${await hex(i!.manifest!)}`);
    const manifest = JSON.parse(new TextDecoder().decode(i!.manifest!));
    assert.equal(manifest.mediaType, OCI_MANIFEST);
    assert.equal(manifest.layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
    const { gunzipSync } = await import("node:zlib");
    assert.deepEqual(
      new Uint8Array(gunzipSync(await Deno.readFile(i!.layers[1]!.path))),
      img.layerTars[1],
    );
  });
});

Deno.test("writeOciArchive() with compress false stores the layer tars as they are", async () => {
  const img = await syntheticImage([], ["a"]);
  const c = collector();
  await writeOciArchive(c.stream, [img], { compress: false });
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/spool`);
    const r = await readImageArchive(ReadableStream.from([c.bytes()]), `${dir}/spool`);
    const l = r.images[0]!.layers[0]!;
    assert.deepEqual([l.compression, l.digest, l.mediaType], [
      "none",
      img.layers[0]!.diffId,
      "application/vnd.oci.image.layer.v1.tar",
    ]);
    assert.deepEqual(r.images[0]!.names, []);
  });
});

Deno.test("writeOciArchive() and writeOciDir() refuse several images, as podman does", async () => {
  const a = await syntheticImage(["a:1"], ["a"]);
  const b = await syntheticImage(["b:1"], ["b"]);
  await assert.rejects(
    writeOciArchive(collector().stream, [a, b]),
    /^ArchiveError: unsupported format "oci-archive" for saving multiple images \(only docker-archive\)$/m,
  );
  await withTempDir(async (dir) => {
    await assert.rejects(
      writeOciDir(`${dir}/l`, [a, b]),
      /unsupported format "oci-dir" for saving multiple images/,
    );
    await assert.rejects(writeOciDir(`${dir}/l`, []), /no images to save/);
  });
});

Deno.test("writeOciDir() adds images to a layout and moves a name like containers/image", async () => {
  const a = await syntheticImage(["localhost/x:latest"], ["a"]);
  const b = await syntheticImage(["localhost/y:latest"], ["a", "b"]);
  await withTempDir(async (dir) => {
    const layout = `${dir}/layout`;
    await writeOciDir(layout, [a]);
    await writeOciDir(layout, [b]);
    await writeOciDir(layout, [{ ...b, names: ["localhost/x:latest"] }]);
    const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
    const ref = (m: { annotations?: Record<string, string> }) =>
      m.annotations?.["org.opencontainers.image.ref.name"] ?? null;
    assert.deepEqual(index.manifests.map(ref), [null, "localhost/y:latest", "localhost/x:latest"]);
    assert.equal(index.manifests[1].digest, index.manifests[2].digest);
    assert.equal(
      await Deno.readTextFile(`${layout}/oci-layout`),
      '{"imageLayoutVersion": "1.0.0"}',
    );
    assert.ok((await listTree(layout)).every((p) => !p.includes(".tmp-")));
    const r = await readImageArchive(layout, `${dir}/unused`);
    assert.equal(r.format, "oci-dir");
    assert.deepEqual(r.images.map((i) => i.names), [[], [
      "localhost/y:latest",
      "localhost/x:latest",
    ]]);
    assert.ok(r.images.every((i) => i.layers.every((l) => !l.owned && l.path.startsWith(layout))));
  });
});

/** Writes a blob into a layout dir; returns its descriptor. */
async function blob(layout: string, mediaType: string, data: Uint8Array | object, extra = {}) {
  const bytes = data instanceof Uint8Array ? data : encoder.encode(JSON.stringify(data));
  const h = await hex(bytes);
  await Deno.mkdir(`${layout}/blobs/sha256`, { recursive: true });
  await Deno.writeFile(`${layout}/blobs/sha256/${h}`, bytes);
  return { mediaType, digest: `sha256:${h}`, size: bytes.length, ...extra };
}

async function nestedLayout(layout: string, arches: string[]) {
  const img = await syntheticImage([], ["a"]);
  const entries = [];
  for (const arch of arches) {
    const config = await blob(layout, "application/vnd.oci.image.config.v1+json", img.config);
    const layer = await blob(layout, "application/vnd.oci.image.layer.v1.tar", img.layerTars[0]!);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [layer],
      annotations: { arch },
    };
    entries.push(
      await blob(layout, OCI_MANIFEST, manifest, { platform: { os: "linux", architecture: arch } }),
    );
  }
  const index = await blob(layout, OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries,
  });
  await Deno.writeTextFile(`${layout}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
  await Deno.writeTextFile(
    `${layout}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{
        ...index,
        annotations: { "org.opencontainers.image.ref.name": "example.com/multi:1" },
      }],
    }),
  );
  return entries;
}

Deno.test("readImageArchive() picks this machine's entry from a nested index", async () => {
  await withTempDir(async (dir) => {
    const entries = await nestedLayout(`${dir}/l`, ["s390x", goArch(), "riscv64"]);
    const r = await readImageArchive(`${dir}/l`, dir);
    assert.equal(r.images.length, 1);
    assert.deepEqual(r.images[0]!.names, ["example.com/multi:1"]);
    assert.equal(r.images[0]!.manifestDigest, entries[1]!.digest);
    await nestedLayout(`${dir}/m`, ["s390x", "riscv64"]);
    await assert.rejects(
      readImageArchive(`${dir}/m`, dir),
      new RegExp(
        `index sha256:[0-9a-f]{64} has no image for linux/${goArch()} \\(it has linux/s390x, linux/riscv64\\)`,
      ),
    );
  });
});

Deno.test("readImageArchive() verifies OCI blobs: missing, wrong size, wrong content", async () => {
  await withTempDir(async (dir) => {
    const img = await syntheticImage(["x:1"], ["a"]);
    const make = async (name: string) => {
      await writeOciDir(`${dir}/${name}`, [img], { compress: false });
      return `${dir}/${name}/blobs/sha256/${img.layers[0]!.diffId.slice(7)}`;
    };
    await Deno.remove(await make("missing"));
    await assert.rejects(
      readImageArchive(`${dir}/missing`, dir),
      /layer 1 of image sha256:[0-9a-f]{64}: blob sha256:[0-9a-f]{64} is missing/,
    );
    await Deno.writeFile(await make("short"), new Uint8Array(3));
    await assert.rejects(readImageArchive(`${dir}/short`, dir), /has digest sha256:[0-9a-f]{64}/);
    const flip = await make("flip");
    const bytes = await Deno.readFile(flip);
    bytes[10] = bytes[10]! ^ 1;
    await Deno.writeFile(flip, bytes);
    await assert.rejects(
      readImageArchive(`${dir}/flip`, dir),
      new RegExp(
        `^ArchiveError: reading image archive "${dir}/flip": layer 1 of image sha256:[0-9a-f]{64}: blob ${
          img.layers[0]!.diffId
        } has digest sha256:`,
        "m",
      ),
    );
  });
});

Deno.test("readImageArchive() refuses a blob whose size differs from its descriptor", async () => {
  await withTempDir(async (dir) => {
    const img = await syntheticImage([], ["a"]);
    const layout = `${dir}/l`;
    const config = await blob(layout, "application/vnd.oci.image.config.v1+json", img.config);
    const layer = await blob(layout, "application/vnd.oci.image.layer.v1.tar", img.layerTars[0]!);
    const manifest = await blob(layout, OCI_MANIFEST, {
      schemaVersion: 2,
      config,
      layers: [{ ...layer, size: layer.size + 1 }],
    });
    await Deno.writeTextFile(
      `${layout}/index.json`,
      JSON.stringify({ schemaVersion: 2, manifests: [manifest] }),
    );
    await assert.rejects(
      readImageArchive(layout, dir),
      new RegExp(`blob ${layer.digest} has ${layer.size} bytes, not ${layer.size + 1}$`, "m"),
    );
    await Deno.writeTextFile(
      `${layout}/index.json`,
      JSON.stringify({ schemaVersion: 2, manifests: [] }),
    );
    await assert.rejects(readImageArchive(layout, dir), /index\.json lists no images$/m);
  });
});

// ---------------------------------------------------------------------------------------------
// compatibility with podman 4.3.1

testUnless(
  NO_IMAGES,
  "readImageArchive() reads the test oci-archives with their IDs and names",
  async () => {
    const built = await testImages();
    await withTempDir(async (dir) => {
      for (const img of Object.values(built.images)) {
        const spool = await Deno.makeTempDir({ dir });
        const r = await readImageArchive(`${built.outDir}/${img.files.oci}`, spool);
        assert.equal(r.format, "oci-archive");
        assert.deepEqual(r.images.map((i) => [i.configDigest, i.names, i.manifestDigest]), [
          [img.configDigest, [img.name], img.ociManifestDigest],
        ]);
        assert.deepEqual(
          r.images[0]!.layers.map((l) => [l.digest, l.diffId]),
          img.ociLayerDigests.map((d, i) => [d, img.diffIds[i]]),
        );
      }
    });
  },
);

testUnless(
  NO_PODMAN,
  "oci formats: podman's save is read; podman loads and runs our oci-archive and oci-dir",
  async () => {
    const built = await testImages();
    const bu = built.images["busybox-user"];
    await using podman = await Podman.create();
    await withTempDir(async (dir) => {
      await podman.ok(["load", "-i", `${built.outDir}/${bu.files.docker}`]);
      await podman.ok(["save", "--format", "oci-archive", "-o", `${dir}/podman.tar`, bu.name]);
      await podman.ok(["save", "--format", "oci-dir", "-o", `${dir}/podman-dir`, bu.name]);
      for (
        const [src, format] of [[`${dir}/podman.tar`, "oci-archive"], [
          `${dir}/podman-dir`,
          "oci-dir",
        ]]
      ) {
        const r = await readImageArchive(src!, await Deno.makeTempDir({ dir }));
        assert.equal(r.format, format);
        assert.deepEqual(
          r.images.map((i) => [i.configDigest, i.names, i.layers.map((l) => l.diffId)]),
          [
            [bu.configDigest, [bu.name], bu.diffIds],
          ],
        );
      }
      const fromDocker = await readImageArchive(
        `${built.outDir}/${bu.files.docker}`,
        await Deno.makeTempDir({ dir }),
      );
      const save = saveFromRead(fromDocker.images[0]!, [bu.name]);
      const f = await Deno.open(`${dir}/ours.tar`, { write: true, createNew: true });
      await writeOciArchive(f.writable, [save]);
      await writeOciDir(`${dir}/ours-dir`, [save]);

      await podman.ok(["rmi", "-a", "-f"]);
      await podman.ok(["load", "-i", `${dir}/ours.tar`]);
      const listed = await podman.ok([
        "images",
        "--no-trunc",
        "--format",
        "{{.ID}} {{.Repository}}:{{.Tag}}",
      ]);
      assert.equal(listed.trim(), `${bu.configDigest} ${bu.name}`);
      assert.match(
        await podman.ok(["run", "--rm", "--network", "none", bu.name]),
        /^uid=1000\(tester\) gid=1000\(tester\)/,
      );

      await podman.ok(["rmi", "-a", "-f"]);
      await podman.ok(["load", "-i", `${dir}/ours-dir`]); // podman 4.3.1 names it after the dir
      const ids = await podman.ok(["images", "--no-trunc", "--format", "{{.ID}}"]);
      assert.equal(ids.trim(), bu.configDigest);
      assert.match(
        await podman.ok(["run", "--rm", "--network", "none", bu.id]),
        /^uid=1000\(tester\)/,
      );
    });
  },
);
