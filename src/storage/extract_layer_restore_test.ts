/** extractLayer() on good layers: compression, every tar feature, whiteouts, owners, memory. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCommand } from "../sys/command.ts";
import { makedev } from "../sys/mknod.ts";
import { getXattr, listXattrs } from "../sys/xattr.ts";
import { exists, notRoot, withWorkDir, writeBlob } from "./_extract_testdata.ts";
import { detectCompression, extractLayer } from "./extract_layer.ts";
import {
  CAPABILITY,
  compress,
  featuresLayer,
  LONG_NAME,
  tarArchive,
  UNICODE_NAME,
  whiteoutLayer,
  writeBigLayer,
  zstdTwoFrames,
} from "./_testdata.ts";

Deno.test("detectCompression() reads gzip, zstd and plain magic", () => {
  assert.equal(detectCompression(new Uint8Array([0x1f, 0x8b, 8, 0])), "gzip");
  assert.equal(detectCompression(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd])), "zstd");
  assert.equal(detectCompression(new Uint8Array([0x5e, 0x2a, 0x4d, 0x18])), "zstd");
  assert.equal(detectCompression(new TextEncoder().encode("etc/")), "none");
  assert.equal(detectCompression(new Uint8Array([0x1f])), "none");
});

Deno.test({
  name: "extractLayer() restores every feature of the features layer",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const tar = tarArchive(featuresLayer());
      const dest = join(w, "layer");
      const res = await extractLayer({
        blobPath: await writeBlob(w, "f.tar.gz", await compress(tar, "gzip")),
        dest,
        whiteouts: "overlay",
      });
      assert.equal(res.entries, featuresLayer().length);
      assert.equal(res.uncompressedSize, tar.length);
      const st = (p: string) => Deno.lstat(join(dest, p));
      const perm = async (p: string) => (await st(p)).mode! & 0o7777;
      assert.equal(await perm("."), 0o755);
      assert.equal(await perm("usr/bin/su"), 0o4755);
      assert.equal(await perm("usr/bin/wall"), 0o2755);
      assert.equal((await st("usr/bin/wall")).gid, 5);
      assert.equal(await perm("tmp"), 0o1777);
      assert.equal(await perm("root"), 0o700);
      assert.equal(await Deno.readTextFile(join(dest, "root/.secret")), "s3cret");
      assert.equal(await perm("ro"), 0o555);
      assert.equal(await Deno.readTextFile(join(dest, "ro/inside")), "in a read-only dir");
      for (const p of ["home/user", "home/user/file"]) {
        assert.deepEqual([(await st(p)).uid, (await st(p)).gid], [100000, 100000], p);
      }
      assert.equal(await Deno.readLink(join(dest, "etc/localtime")), "/usr/share/zoneinfo/UTC");
      assert.equal(await Deno.readLink(join(dest, "lib")), "usr/lib");
      assert.equal(await Deno.readLink(join(dest, "usr/lib/libx.so")), "libx.so.1");
      assert.equal(await Deno.readLink(join(dest, "long/link")), `../${LONG_NAME}`);
      assert.equal(await Deno.readTextFile(join(dest, "hostname-link")), "skiff\n");
      const [a, b] = [await st("etc/hostname"), await st("etc/hostname.hard")];
      assert.equal(a.ino, b.ino);
      assert.equal(a.nlink, 2);
      const nul = await st("dev/null");
      assert.ok(nul.isCharDevice);
      assert.equal(BigInt(nul.rdev!), makedev(1, 3));
      assert.equal(nul.mode! & 0o7777, 0o666);
      const sda = await st("dev/sda");
      assert.ok(sda.isBlockDevice);
      assert.equal(BigInt(sda.rdev!), makedev(8, 0));
      assert.ok((await st("run/fifo")).isFifo);
      assert.deepEqual(getXattr(join(dest, "usr/bin/ping"), "security.capability"), CAPABILITY);
      assert.equal(
        new TextDecoder().decode(getXattr(join(dest, "usr/bin/ping")!, "user.note")!),
        "hello",
      );
      assert.equal(await Deno.readTextFile(join(dest, LONG_NAME)), "long");
      assert.equal(await Deno.readTextFile(join(dest, UNICODE_NAME)), "ü");
      assert.equal((await st("etc/hostname")).mtime?.getTime(), 1_234_567_890_000);
      assert.equal((await st("etc")).mtime?.getTime(), 1_500_000_001_000);
      assert.equal((await st("ro")).mtime?.getTime(), 1_400_000_000_000);
      assert.equal((await st(".")).mtime?.getTime(), 1_500_000_000_000);
    });
  },
});

Deno.test({
  name: "extractLayer() gives one diff ID for plain, gzip, zstd and 2-frame zstd blobs",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const tar = tarArchive(featuresLayer());
      const twoFrames = await zstdTwoFrames(tar);
      const blobs: [string, Uint8Array][] = [
        ["plain", tar],
        ["gzip", await compress(tar, "gzip")],
        ["zstd", await compress(tar, "zstd")],
        ["zstd2", twoFrames],
      ];
      const ids = new Set<string>();
      for (const [name, data] of blobs) {
        const res = await extractLayer({
          blobPath: await writeBlob(w, name, data),
          dest: join(w, `out-${name}`),
          whiteouts: "overlay",
        });
        ids.add(res.diffId);
        assert.equal(res.uncompressedSize, tar.length, name);
        assert.equal(res.compressedSize, data.length, name);
        assert.equal(res.entries, featuresLayer().length, name);
        // the entries of the second frame arrived too
        assert.ok(await exists(join(w, `out-${name}`, UNICODE_NAME)), name);
      }
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(tar)));
      const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
      assert.deepEqual([...ids], [`sha256:${hex}`]);
    });
  },
});

Deno.test({
  name: "extractLayer() turns whiteouts into overlay form, or keeps them",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const blobPath = await writeBlob(w, "wo.tar", tarArchive(whiteoutLayer()));
      const dest = join(w, "overlay");
      const res = await extractLayer({ blobPath, dest, whiteouts: "overlay" });
      assert.deepEqual(res.whiteouts, ["etc/removed", "gone-at-root"]);
      assert.deepEqual(res.opaqueDirs, ["opq"]);
      for (const p of ["etc/removed", "gone-at-root"]) {
        const st = await Deno.lstat(join(dest, p));
        assert.ok(st.isCharDevice, p);
        assert.equal(st.rdev, 0, p);
      }
      assert.deepEqual(
        [
          (await Deno.lstat(join(dest, "etc/removed"))).uid,
          (await Deno.lstat(join(dest, "etc/removed"))).gid,
        ],
        [7, 8],
      );
      assert.equal((await Deno.lstat(join(dest, "etc"))).mtime?.getTime(), 1_300_000_000_000);
      assert.equal(await exists(join(dest, "etc/.wh.removed")), false);
      assert.equal(await exists(join(dest, "opq/.wh..wh..opq")), false);
      assert.deepEqual(
        getXattr(join(dest, "opq"), "trusted.overlay.opaque"),
        new Uint8Array([0x79]),
      );
      assert.equal(await Deno.readTextFile(join(dest, "opq/kept")), "kept");
      assert.deepEqual(listXattrs(join(dest, "forged")), ["user.kept"]);

      const kept = join(w, "keep");
      const res2 = await extractLayer({ blobPath, dest: kept, whiteouts: "keep" });
      assert.deepEqual([res2.whiteouts, res2.opaqueDirs], [res.whiteouts, res.opaqueDirs]);
      assert.ok((await Deno.lstat(join(kept, "etc/.wh.removed"))).isFile);
      assert.ok((await Deno.lstat(join(kept, "opq/.wh..wh..opq"))).isFile);
      assert.equal(getXattr(join(kept, "opq"), "trusted.overlay.opaque"), null);
    });
  },
});

Deno.test({
  name: "extractLayer() ignores TAR_OPTIONS from the environment",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const blobPath = await writeBlob(w, "l.tar", tarArchive([{ name: "a/b", data: "x" }]));
      Deno.env.set("TAR_OPTIONS", "--strip-components=1");
      try {
        await extractLayer({ blobPath, dest: join(w, "out"), whiteouts: "keep" });
      } finally {
        Deno.env.delete("TAR_OPTIONS");
      }
      assert.equal(await Deno.readTextFile(join(w, "out/a/b")), "x");
    });
  },
});

Deno.test({
  name: "extractLayer() with sameOwner false leaves files to the extracting user",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const blobPath = await writeBlob(
        w,
        "o.tar",
        tarArchive([{ name: "f", uid: 4242, gid: 4242 }]),
      );
      await extractLayer({ blobPath, dest: join(w, "same"), whiteouts: "keep" });
      assert.equal((await Deno.lstat(join(w, "same/f"))).uid, 4242);
      await extractLayer({ blobPath, dest: join(w, "mine"), whiteouts: "keep", sameOwner: false });
      assert.equal((await Deno.lstat(join(w, "mine/f"))).uid, Deno.uid());
    });
  },
});

Deno.test({
  name: "extractLayer() keeps memory flat on a 200 MB layer and reports progress",
  ignore: notRoot,
  async fn() {
    await withWorkDir(async (w) => {
      const plain = join(w, "big.tar");
      await writeBigLayer(plain, 200, 1024 * 1024);
      await runCommand(["gzip", "-1", "-k", plain]);
      await runCommand(["zstd", "-1", "-q", "-k", plain]);
      const diffIds = new Set<string>();
      for (const blobPath of [plain, `${plain}.gz`, `${plain}.zst`]) {
        const size = (await Deno.stat(blobPath)).size;
        const base = Deno.memoryUsage().rss;
        let peak = base;
        let last = 0;
        const res = await extractLayer({
          blobPath,
          dest: join(w, `out-${blobPath.split(".").pop()}`),
          whiteouts: "overlay",
          onProgress(n) {
            assert.ok(n >= last);
            last = n;
            peak = Math.max(peak, Deno.memoryUsage().rss);
          },
        });
        assert.equal(last, size);
        assert.equal(res.entries, 200);
        assert.ok(res.uncompressedSize > 200 * 1024 * 1024);
        diffIds.add(res.diffId);
        const growth = (peak - base) / 1024 / 1024;
        assert.ok(growth < 100, `${blobPath}: rss grew by ${growth.toFixed(0)} MiB`);
      }
      // the read buffer is reused: one diff ID and identical files show no chunk was clobbered
      assert.equal(diffIds.size, 1);
      for (const kind of ["gz", "zst"]) {
        await runCommand(["diff", "-r", join(w, "out-tar"), join(w, `out-${kind}`)]);
      }
    });
  },
});
