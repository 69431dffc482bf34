import assert from "node:assert/strict";
import { detectArchiveFormat, readImageArchive } from "./archive_detect.ts";
import { ArchiveError } from "./archive_types.ts";
import { writeDockerArchive } from "./docker_archive.ts";
import { writeOciArchive, writeOciDir } from "./oci_archive_write.ts";
import {
  collector,
  hex,
  listTree,
  syntheticImage,
  tarBytes,
  withTempDir,
  writeTemp,
} from "./_test_archive.ts";

const encoder = new TextEncoder();

async function dockerArchive(): Promise<{ data: Uint8Array; layerHex: string; configHex: string }> {
  const img = await syntheticImage(["localhost/x:latest"], ["a"]);
  const c = collector();
  await writeDockerArchive(c.stream, [img]);
  return {
    data: c.bytes(),
    layerHex: img.layers[0]!.diffId.slice(7),
    configHex: await hex(img.config),
  };
}

Deno.test("detectArchiveFormat() tells the formats apart by their members", async () => {
  const { data } = await dockerArchive();
  const img = await syntheticImage(["y:1"], ["a"]);
  const oci = collector();
  await writeOciArchive(oci.stream, [img]);
  const { gzipSync } = await import("node:zlib");
  await withTempDir(async (dir) => {
    assert.equal(await detectArchiveFormat(await writeTemp(dir, "d.tar", data)), "docker-archive");
    assert.equal(
      await detectArchiveFormat(await writeTemp(dir, "d.tgz", new Uint8Array(gzipSync(data)))),
      "docker-archive",
    );
    assert.equal(
      await detectArchiveFormat(await writeTemp(dir, "o.tar", oci.bytes())),
      "oci-archive",
    );
    await writeOciDir(`${dir}/layout`, [img]);
    assert.equal(await detectArchiveFormat(`${dir}/layout`), "oci-dir");
    assert.equal(await detectArchiveFormat(dir), null);
    assert.equal(
      await detectArchiveFormat(await writeTemp(dir, "t.txt", encoder.encode("hello\n"))),
      null,
    );
    const plain = await tarBytes([[{ name: "etc/passwd", type: "file" }, "root"]]);
    assert.equal(await detectArchiveFormat(await writeTemp(dir, "rootfs.tar", plain)), null);
    await assert.rejects(detectArchiveFormat(`${dir}/nope`), Deno.errors.NotFound);
  });
});

Deno.test("readImageArchive() reads a gzip-compressed archive and a stream", async () => {
  const { data, configHex } = await dockerArchive();
  const { gzipSync } = await import("node:zlib");
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/spool`);
    const gz = await readImageArchive(
      await writeTemp(dir, "d.tar.gz", new Uint8Array(gzipSync(data))),
      `${dir}/spool`,
    );
    assert.equal(gz.images[0]!.configDigest, `sha256:${configHex}`);
    const progress: number[] = [];
    const chunks = Array.from(
      { length: Math.ceil(data.length / 1000) },
      (_, i) => data.subarray(i * 1000, (i + 1) * 1000),
    );
    const s = await readImageArchive(
      ReadableStream.from(chunks),
      `${dir}/spool`,
      (n) => progress.push(n),
    );
    assert.equal(s.format, "docker-archive");
    assert.deepEqual(s.images[0]!.names, ["localhost/x:latest"]);
    assert.ok(progress.length > 0 && progress.at(-1)! >= data.length - 1024);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
  });
});

/** Reads `data` as an archive next to a sentinel dir; asserts one clear error and no leftovers. */
async function refuses(data: Uint8Array, pattern: RegExp): Promise<void> {
  await withTempDir(async (dir) => {
    const spool = `${dir}/spool`;
    await Deno.mkdir(spool);
    await Deno.mkdir(`${dir}/sentinel`);
    await Deno.writeTextFile(`${dir}/sentinel/keep`, "untouched");
    const path = await writeTemp(dir, "bad.tar", data);
    const before = await listTree(dir);
    let err: unknown;
    try {
      await readImageArchive(path, spool);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ArchiveError, `expected an ArchiveError, got ${err}`);
    assert.ok(err.message.startsWith(`reading image archive "${path}": `), err.message);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes("\n"), "one line");
    assert.deepEqual(await listTree(dir), before, "nothing created or left behind");
    assert.equal(await Deno.readTextFile(`${dir}/sentinel/keep`), "untouched");
  });
}

function replaceMember(data: Uint8Array, search: string, replace: string): Uint8Array {
  const text = new TextDecoder("latin1").decode(data);
  const at = text.indexOf(search);
  assert.ok(at >= 0, `${search} not found`);
  const out = data.slice();
  out.set(encoder.encode(replace), at);
  return out;
}

Deno.test("readImageArchive() refuses a truncated archive", async () => {
  const { data } = await dockerArchive();
  await refuses(
    data.subarray(0, 1500),
    /invalid tar: unexpected end of archive inside "[0-9a-f]{64}\.tar" \(\d+ bytes from byte 512\) at byte 1500$/,
  );
  await refuses(
    data.subarray(0, data.length - 1024),
    /no end-of-archive marker \(truncated\?\) at byte \d+$/,
  );
});

Deno.test("readImageArchive() refuses a layer with a flipped byte", async () => {
  const { data, layerHex } = await dockerArchive();
  const bad = data.slice();
  bad[512 + 600] = bad[512 + 600]! ^ 0x01; // inside the layer's file data
  await refuses(
    bad,
    new RegExp(
      `layer "${layerHex}\\.tar" has digest sha256:[0-9a-f]{64}, but the config's diff ID is sha256:${layerHex}$`,
    ),
  );
});

Deno.test("readImageArchive() refuses a manifest naming a missing member, or one outside the archive", async () => {
  const { data, layerHex } = await dockerArchive();
  const missing = replaceMember(
    data,
    `"Layers":["${layerHex}.tar"]`,
    `"Layers":["${"0".repeat(64)}.tar"]`,
  );
  await refuses(
    missing,
    new RegExp(`layer "${"0".repeat(64)}\\.tar" named by manifest\\.json is missing$`),
  );
  const dotdot = replaceMember(
    data,
    `"Layers":["${layerHex}.tar"]`,
    `"Layers":["../${layerHex.slice(3)}.tar"]`,
  );
  await refuses(dotdot, /manifest\.json: invalid layer member name "\.\.\/[0-9a-f]{61}\.tar"$/);
  const abs = replaceMember(
    data,
    `"Layers":["${layerHex}.tar"]`,
    `"Layers":["/${layerHex.slice(1)}.tar"]`,
  );
  await refuses(abs, /manifest\.json: invalid layer member name "\/[0-9a-f]{63}\.tar"$/);
});

Deno.test("readImageArchive() never writes member names: traversal members and escaping links", async () => {
  const img = await syntheticImage(["x:1"], ["a"]);
  const id = await hex(img.config);
  const data = await tarBytes([
    [{ name: "../../escape", type: "file" }, "outside?"],
    [{ name: "/abs", type: "file" }, "outside?"],
    [{ name: "l", type: "symlink", linkname: "../../../etc/passwd" }],
    [{ name: `${id}.json`, type: "file" }, img.config],
    [
      { name: "manifest.json", type: "file" },
      JSON.stringify([{ Config: `${id}.json`, RepoTags: [], Layers: ["l"] }]),
    ],
  ]);
  await refuses(data, /member "l" is a link that leaves the archive or loops$/);
});

Deno.test("readImageArchive() refuses plain text, empty files, empty tars and foreign tars", async () => {
  await refuses(
    encoder.encode("just some text\n".repeat(100)),
    /: not a tar archive: bad header checksum at byte 0$/,
  );
  await refuses(new Uint8Array(0), /: empty file: not a tar archive$/);
  await refuses(new Uint8Array(10240), /: the archive is empty$/);
  await refuses(
    await tarBytes([[{ name: "etc/passwd", type: "file" }, "root"]]),
    /not an image archive: it has neither manifest\.json \(docker-archive\) nor index\.json \(oci-archive\)$/,
  );
  await refuses(
    await tarBytes([[{ name: "manifest.json", type: "file" }, "[]"]]),
    /manifest\.json lists no images$/,
  );
  await refuses(
    await tarBytes([[{ name: "manifest.json", type: "file" }, "{"]]),
    /manifest\.json is not valid JSON/,
  );
  const { data } = await dockerArchive();
  const { gzipSync } = await import("node:zlib");
  const gz = new Uint8Array(gzipSync(data));
  await refuses(gz.subarray(0, gz.length >> 1), /: gzip data ends early \(truncated archive\?\)$/);
});

Deno.test("readImageArchive() refuses a config whose name and content disagree", async () => {
  const other = "f".repeat(64);
  const img = await syntheticImage(["x:1"], ["a"]);
  const tar = await tarBytes([
    [{ name: `${other}.json`, type: "file" }, img.config],
    [{ name: `${img.layers[0]!.diffId.slice(7)}.tar`, type: "file" }, img.layerTars[0]!],
    [
      { name: "manifest.json", type: "file" },
      JSON.stringify([{
        Config: `${other}.json`,
        RepoTags: [],
        Layers: [`${img.layers[0]!.diffId.slice(7)}.tar`],
      }]),
    ],
  ]);
  await refuses(
    tar,
    new RegExp(`config "${other}\\.json" has digest sha256:[0-9a-f]{64}, not sha256:${other}$`),
  );
});

Deno.test("readImageArchive() names stdin and missing paths in its errors", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      readImageArchive(ReadableStream.from([encoder.encode("nope")]), dir),
      /^ArchiveError: reading image archive "stdin": not a tar archive: only 4 bytes at byte 0$/m,
    );
    await assert.rejects(
      readImageArchive(`${dir}/missing.tar`, dir),
      new RegExp(`reading image archive "${dir}/missing\\.tar": no such file or directory`),
    );
    await assert.rejects(
      readImageArchive(dir, dir),
      /a directory without index\.json is not an OCI layout/,
    );
  });
});
