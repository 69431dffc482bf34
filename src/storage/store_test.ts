import assert from "node:assert/strict";
import { ConflictError } from "../define/errors.ts";
import { Db } from "../util/sqlite.ts";
import { isMountPoint } from "../sys/mount.ts";
import { Store } from "./store.ts";

const isRoot = Deno.uid() === 0;
const IMAGES = new URL("../../tests/images/build_images.ts", import.meta.url).pathname;

/** The busybox-user test image unpacked: its config and its two layer tars (bottom first). */
async function userImage(
  dir: string,
): Promise<{ config: string; layers: string[]; diffIds: string[] }> {
  const out = `${dir}/images`;
  const b = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P", "--quiet", IMAGES, out],
    stdout: "null",
  }).output();
  assert.ok(b.success, "building test images");
  await Deno.mkdir(`${dir}/unpacked`);
  await new Deno.Command("tar", {
    args: ["-xf", `${out}/busybox-user.docker.tar`, "-C", `${dir}/unpacked`],
  }).output();
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/unpacked/manifest.json`))[0];
  const config = await Deno.readTextFile(`${dir}/unpacked/${manifest.Config}`);
  return {
    config,
    layers: manifest.Layers.map((l: string) => `${dir}/unpacked/${l}`),
    diffIds: JSON.parse(config).rootfs.diff_ids,
  };
}

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

for (const driver of ["overlay", "vfs"]) {
  Deno.test({
    name:
      `Store (${driver}) builds an image from layers, gives containers a rootfs, and refuses to drop what is in use`,
    ignore: !isRoot,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: `skiff-store-${driver}-` });
      const db = Db.open(`${dir}/skiff.db`);
      try {
        const img = await userImage(dir);
        const store = Store.open(db, { graphRoot: `${dir}/root`, runRoot: `${dir}/run`, driver });
        const base = await store.layers.create({
          blobPath: img.layers[0]!,
          parent: null,
          diffId: img.diffIds[0],
          keepBlob: "copy",
        });
        const top = await store.layers.create({
          blobPath: img.layers[1]!,
          parent: base.id,
          diffId: img.diffIds[1],
          keepBlob: "copy",
        });
        assert.equal(base.id, img.diffIds[0]!.slice(7), "the base layer's chain ID is its diff ID");
        assert.notEqual(
          top.id,
          top.diffId.slice(7),
          "an upper layer's chain ID differs from its diff ID",
        );
        // creating the same layer again reuses it
        const again = await store.layers.create({
          blobPath: img.layers[0]!,
          parent: null,
          diffId: img.diffIds[0],
        });
        assert.equal(again.created, base.created);
        const id = await sha256(img.config);
        const image = store.transaction(() =>
          store.images.put({
            id,
            topLayer: top.id,
            config: img.config,
            manifest: null,
            digest: null,
            created: "1970-01-01T00:00:00Z",
            loaded: Date.now(),
            size: base.size + top.size,
          }, ["localhost/busybox-user:latest"])
        );
        assert.deepEqual(store.images.byName("localhost/busybox-user:latest")?.id, id);
        assert.deepEqual(store.images.idsByPrefix(id.slice(0, 6)), [id]);
        assert.deepEqual(store.imageChain(image).map((l) => l.id), [base.id, top.id]);

        const rec = await store.createContainerFiles("c1", image);
        store.transaction(() => store.recordContainer(rec));
        const rootfs = await store.mountContainer("c1");
        if (driver === "overlay") assert.ok(isMountPoint(rootfs));
        // the upper layer's whiteout hides /etc/hostname; its file is there
        await assert.rejects(Deno.lstat(`${rootfs}/etc/hostname`), Deno.errors.NotFound);
        assert.equal((await Deno.readTextFile(`${rootfs}/data/hello.txt`)).length > 0, true);
        assert.equal((await Deno.lstat(`${rootfs}/home/tester`)).uid, 1000);
        assert.equal(await Deno.readLink(`${rootfs}/bin/sh`), "/bin/busybox");
        // writes go to the container only
        await Deno.writeTextFile(`${rootfs}/etc/new-file`, "x");
        const second = await store.createContainerFiles("c2", image);
        store.transaction(() => store.recordContainer(second));
        const rootfs2 = await store.mountContainer("c2");
        await assert.rejects(Deno.lstat(`${rootfs2}/etc/new-file`), Deno.errors.NotFound);

        // in use: the image by containers, the base layer by the top layer
        await assert.rejects(
          store.removeImage(id),
          (e: unknown) => e instanceof ConflictError && /in use by a container/.test(e.message),
        );
        assert.throws(
          () => store.transaction(() => store.layers.deleteRow(base.id)),
          /in use by layer/,
        );

        for (const c of ["c1", "c2"]) {
          await store.unmountContainer(c);
          store.transaction(() => store.forgetContainer(c));
          await store.removeContainerFiles(c);
        }
        assert.equal(isMountPoint(rootfs), false);
        await store.removeImage(id);
        assert.equal(store.layers.all().length, 0, "layers only this image used are gone");
        assert.equal(store.driver.hasLayer(base.id), false);
        assert.equal(store.blobs.has(base.diffId), false);
      } finally {
        db.close();
        await new Deno.Command("umount", { args: ["-R", "-l", `${dir}/root`], stderr: "null" })
          .output();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
