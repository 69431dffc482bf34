import assert from "node:assert/strict";
import { legacyLayerIds, writeDockerArchive } from "./docker_archive.ts";
import { readImageArchive } from "./archive_detect.ts";
import { readTar } from "./tar_reader.ts";
import {
  collector,
  hex,
  NO_IMAGES,
  NO_PODMAN,
  Podman,
  saveFromRead,
  syntheticImage,
  tarBytes,
  testImages,
  testUnless,
  withTempDir,
  writeTemp,
} from "./_test_archive.ts";

const decoder = new TextDecoder();

async function members(
  data: Uint8Array,
): Promise<Map<string, { mode: number; link: string; text: string }>> {
  const out = new Map<string, { mode: number; link: string; text: string }>();
  for await (const { header, body } of readTar(ReadableStream.from([data]))) {
    const text = header.size < 4096 ? decoder.decode(await new Response(body).bytes()) : "";
    out.set(header.name, { mode: header.mode, link: header.linkname, text });
  }
  return out;
}

Deno.test("writeDockerArchive() writes podman's layout, sharing layers, and reads back", async () => {
  const base = await syntheticImage(["localhost/base:latest"], ["a"]);
  const top = await syntheticImage(["localhost/top:latest", "localhost/top:v1"], ["a", "b"]);
  const c = collector();
  await writeDockerArchive(c.stream, [top, base]);
  const data = c.bytes();
  const m = await members(data);
  const [a, b] = top.layers.map((l) => l.diffId.slice(7));
  const topId = await hex(top.config);
  const baseId = await hex(base.config);
  const names = [...m.keys()];
  assert.deepEqual(names.filter((n) => !n.includes("/")), [
    `${a}.tar`,
    `${b}.tar`,
    `${topId}.json`,
    `${baseId}.json`,
    "manifest.json",
    "repositories",
  ]);
  assert.equal(names.length, 6 + 3 * 3); // two legacy dirs for top, one for base
  for (const [name, e] of m) {
    if (name.endsWith("/layer.tar")) {
      assert.equal(e.mode, 0);
      assert.match(e.link, /^\.\.\/[0-9a-f]{64}\.tar$/);
    } else assert.equal(e.mode, 0o444, name);
  }
  assert.deepEqual(JSON.parse(m.get("manifest.json")!.text), [
    { Config: `${topId}.json`, RepoTags: top.names, Layers: [`${a}.tar`, `${b}.tar`] },
    { Config: `${baseId}.json`, RepoTags: base.names, Layers: [`${a}.tar`] },
  ]);
  const legacyTop = (await legacyLayerIds(top.config, top.layers.map((l) => l.diffId))).at(-1)!.id;
  assert.equal(
    m.get("repositories")!.text,
    `{"localhost/base":{"latest":"${
      (await legacyLayerIds(base.config, [base.layers[0]!.diffId]))[0]!.id
    }"},` +
      `"localhost/top":{"latest":"${legacyTop}","v1":"${legacyTop}"}}`,
  );

  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/spool`);
    const r = await readImageArchive(await writeTemp(dir, "x.tar", data), `${dir}/spool`);
    assert.equal(r.format, "docker-archive");
    assert.deepEqual(r.images.map((i) => [i.configDigest, i.names]), [
      [`sha256:${topId}`, top.names],
      [`sha256:${baseId}`, base.names],
    ]);
    assert.deepEqual(r.images[0]!.layers.map((l) => [l.diffId, l.digest, l.compression]), [
      [top.layers[0]!.diffId, top.layers[0]!.diffId, "none"],
      [top.layers[1]!.diffId, top.layers[1]!.diffId, "none"],
    ]);
    assert.equal(r.images[1]!.layers[0]!.path, r.images[0]!.layers[0]!.path);
    assert.deepEqual(await Deno.readFile(r.images[0]!.layers[1]!.path), top.layerTars[1]);
    assert.equal((await Array.fromAsync(Deno.readDir(`${dir}/spool`))).length, 2);
  });
});

Deno.test("writeDockerArchive() merges duplicate images and sorts repositories like Go maps", async () => {
  const img = await syntheticImage(["r/x:9"], ["a"]);
  const c = collector();
  await writeDockerArchive(c.stream, [img, { ...img, names: ["r/x:10", "r/x"] }, {
    ...img,
    names: ["r/x:9"],
  }]);
  const m = await members(c.bytes());
  const manifest = JSON.parse(m.get("manifest.json")!.text);
  assert.equal(manifest.length, 1);
  assert.deepEqual(manifest[0].RepoTags, ["r/x:9", "r/x:10", "r/x:latest"]);
  assert.match(
    m.get("repositories")!.text,
    /^\{"r\/x":\{"10":"[0-9a-f]{64}","9":"[0-9a-f]{64}","latest":"[0-9a-f]{64}"\}\}$/,
  );
  assert.equal([...m.keys()].filter((n) => n.endsWith(".tar") && !n.includes("/")).length, 1);
});

Deno.test("legacyLayerIds() keeps the config's raw values the way Go re-encodes them", async () => {
  const img = await syntheticImage([], ["a", "b"]);
  const [first, last] = await legacyLayerIds(img.config, img.layers.map((l) => l.diffId));
  assert.equal(first!.json, `{"id":"${first!.id}"}`);
  assert.ok(
    last!.json.startsWith(
      '{"architecture":"amd64","config":{"Cmd":["sh"],"Labels":{"10":"ten","b":"\\u003c\\u0026\\u003e"}},"container":null,',
    ),
  );
  assert.ok(
    last!.json.endsWith(
      `"docker_version":null,"id":"${last!.id}","os":"linux","parent":"${first!.id}"}`,
    ),
  );
});

Deno.test("writeDockerArchive() refuses a layer that does not hash to its diff ID", async () => {
  const img = await syntheticImage(["x:1"], ["a"]);
  const bad = {
    ...img,
    layers: [{
      ...img.layers[0]!,
      open: () => Promise.resolve(ReadableStream.from([new Uint8Array(1024)])),
    }],
  };
  let aborted = false;
  const out = new WritableStream<Uint8Array>({ abort: () => void (aborted = true) });
  await assert.rejects(writeDockerArchive(out, [bad]), /its content hashes to sha256:/);
  assert.ok(aborted, "the output stream is aborted");
  const sized = { ...bad, layers: [{ ...bad.layers[0]!, size: 1024 }] };
  await assert.rejects(writeDockerArchive(collector().stream, [sized]), /its content hashes to/);
  const mismatch = { ...img, layers: [] };
  await assert.rejects(
    writeDockerArchive(collector().stream, [mismatch]),
    /do not match the config's diff IDs/,
  );
  await assert.rejects(writeDockerArchive(collector().stream, []), /no images to save/);
});

Deno.test("readImageArchive() reads docker's older layout and gzip layers", async () => {
  const img = await syntheticImage(["docker.io/library/old:1"], ["a"]);
  const { gzipSync } = await import("node:zlib");
  const gz = new Uint8Array(gzipSync(img.layerTars[0]!));
  const id = await hex(img.config);
  const data = await tarBytes([
    [{ name: "abc/", type: "dir", mode: 0o755 }],
    [{ name: "abc/layer.tar", type: "file" }, gz],
    [{ name: "abc/VERSION", type: "file" }, "1.0"],
    [{ name: `${id}.json`, type: "file" }, img.config],
    [
      { name: "manifest.json", type: "file" },
      JSON.stringify([{ Config: `${id}.json`, RepoTags: null, Layers: ["./abc/layer.tar"] }]),
    ],
  ]);
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/spool`);
    const r = await readImageArchive(await writeTemp(dir, "old.tar", data), `${dir}/spool`);
    const layer = r.images[0]!.layers[0]!;
    assert.deepEqual(r.images[0]!.names, []);
    assert.equal(layer.compression, "gzip");
    assert.equal(layer.digest, `sha256:${await hex(gz)}`);
    assert.equal(layer.diffId, img.layers[0]!.diffId);
    assert.equal(layer.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
  });
});

// ---------------------------------------------------------------------------------------------
// compatibility with podman 4.3.1

testUnless(
  NO_IMAGES,
  "readImageArchive() reads the test docker-archives with their IDs and names",
  async () => {
    const built = await testImages();
    await withTempDir(async (dir) => {
      for (const img of Object.values(built.images)) {
        const spool = await Deno.makeTempDir({ dir });
        const r = await readImageArchive(`${built.outDir}/${img.files.docker}`, spool);
        assert.equal(r.format, "docker-archive");
        assert.equal(r.images.length, 1);
        assert.equal(r.images[0]!.configDigest, img.configDigest);
        assert.deepEqual(r.images[0]!.names, [img.name]);
        assert.deepEqual(r.images[0]!.layers.map((l) => l.digest), img.diffIds);
      }
    });
  },
);

testUnless(
  NO_PODMAN,
  "docker-archives: podman save is read, our writer matches it byte for byte, podman loads and runs ours",
  async () => {
    const built = await testImages();
    const bb = built.images.busybox;
    const bu = built.images["busybox-user"];
    await using podman = await Podman.create();
    await withTempDir(async (dir) => {
      await podman.ok(["load", "-i", `${built.outDir}/${bu.files.docker}`]);
      await podman.ok(["load", "-i", `${built.outDir}/${bb.files.docker}`]);
      await podman.ok(["save", "-o", `${dir}/one.tar`, bu.name]);
      await podman.ok(["save", "-m", "-o", `${dir}/two.tar`, bu.name, bb.name]);

      await Deno.mkdir(`${dir}/spool`);
      const two = await readImageArchive(`${dir}/two.tar`, `${dir}/spool`);
      assert.deepEqual(
        two.images.map((i) => [i.configDigest, i.names, i.layers.map((l) => l.diffId)]),
        [
          [bu.configDigest, [bu.name], bu.diffIds],
          [bb.configDigest, [bb.name], bb.diffIds],
        ],
      );
      const [u, b] = two.images as [typeof two.images[0], typeof two.images[0]];

      const write = async (path: string, images: Parameters<typeof writeDockerArchive>[1]) => {
        const f = await Deno.open(path, { write: true, createNew: true });
        await writeDockerArchive(f.writable, images);
      };
      await write(`${dir}/our-one.tar`, [saveFromRead(u, [bu.name])]);
      await write(`${dir}/our-two.tar`, [saveFromRead(u, [bu.name]), saveFromRead(b, [bb.name])]);
      assert.deepEqual(
        await Deno.readFile(`${dir}/our-one.tar`),
        await Deno.readFile(`${dir}/one.tar`),
      );
      assert.deepEqual(
        await Deno.readFile(`${dir}/our-two.tar`),
        await Deno.readFile(`${dir}/two.tar`),
      );

      await podman.ok(["rmi", "-a", "-f"]);
      await podman.ok(["load", "-i", `${dir}/our-two.tar`]);
      const ids =
        (await podman.ok(["images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"]))
          .trim().split("\n").sort();
      assert.deepEqual(
        ids,
        [`${bu.configDigest} ${bu.name}`, `${bb.configDigest} ${bb.name}`].sort(),
      );
      const run = await podman.ok(["run", "--rm", "--network", "none", bu.name]);
      assert.match(run, /^uid=1000\(tester\) gid=1000\(tester\)/);
    });
  },
);
