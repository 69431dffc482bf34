import assert from "node:assert/strict";
import { mknod, S_IFCHR } from "../sys/mknod.ts";
import { setXattr } from "../sys/xattr.ts";
import { overlayChanges, treeChanges } from "./container_changes.ts";

const T = 1_000_000_000;

async function tree(root: string, files: Record<string, string | null>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = `${root}${path}`;
    if (content === null) {
      await Deno.mkdir(full, { recursive: true });
    } else {
      await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(full, content);
    }
  }
}

/** Gives every path under `root` the same time, so only real changes differ. */
async function settle(root: string, dir = ""): Promise<void> {
  for await (const e of Deno.readDir(root + dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) await settle(root, p);
    if (!e.isSymlink) await Deno.utime(root + p, T, T);
  }
  await Deno.utime(root + (dir || "/"), T, T);
}

const show = (set: { changes: { kind: string; path: string }[] }) =>
  set.changes.map((c) => `${c.kind} ${c.path}`);

Deno.test("treeChanges() reports added, changed and deleted paths as the naive diff does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-changes-" });
  try {
    const base = {
      "/bin/sh": "sh",
      "/etc/passwd": "root\n",
      "/etc/group": "root\n",
      "/home/u/x": "x",
      "/var": null,
    };
    await tree(`${dir}/old`, base);
    await tree(`${dir}/new`, { ...base, "/etc/passwd": "root\nx\n", "/new": "", "/d/e": null });
    await Deno.remove(`${dir}/new/etc/group`);
    await Deno.remove(`${dir}/new/var`);
    await settle(`${dir}/old`);
    await settle(`${dir}/new`);
    await Deno.symlink("/etc", `${dir}/new/link`);
    await Deno.chmod(`${dir}/new/home/u/x`, 0o600);
    const set = treeChanges(`${dir}/new`, `${dir}/old`);
    assert.deepEqual(show(set), [
      "A /d",
      "A /d/e",
      "C /etc",
      "C /etc/passwd",
      "D /etc/group",
      "C /home",
      "C /home/u",
      "C /home/u/x",
      "A /link",
      "A /new",
      "D /var",
    ]);
    assert.equal(set.contentDir, `${dir}/new`);
    assert.deepEqual(set.opaque, []);
    // a first layer: everything is added
    assert.deepEqual(show(treeChanges(`${dir}/old`, null)).slice(0, 3), [
      "A /bin",
      "A /bin/sh",
      "A /etc",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "overlayChanges() reads whiteouts and opaque dirs and marks the parents of A and D",
  ignore: Deno.uid() !== 0, // whiteouts are device nodes, opaque marks trusted xattrs
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "skiff-changes-" });
    try {
      await tree(`${dir}/lower`, {
        "/bin/ls": "ls",
        "/bin/sh": "sh",
        "/etc/passwd": "root\n",
        "/usr/lib/a": "a",
        "/tmp": null,
      });
      await settle(`${dir}/lower`);
      await tree(`${dir}/upper`, {
        "/bin": null, // copied up for the whiteout below
        "/etc/passwd": "root\nx\n",
        "/usr/new": "n",
        "/tmp/t": "t",
        "/a/b": "b",
      });
      await settle(`${dir}/upper`);
      await Deno.utime(`${dir}/upper/tmp`, T + 5, T + 5); // changed by the new file
      mknod(`${dir}/upper/bin/ls`, S_IFCHR, 0n);
      setXattr(`${dir}/upper/usr`, "trusted.overlay.opaque", "y");
      const set = overlayChanges(`${dir}/upper`, [`${dir}/lower`]);
      assert.deepEqual(show(set), [
        "A /a",
        "A /a/b",
        "C /bin",
        "D /bin/ls",
        "C /etc/passwd",
        "C /tmp",
        "A /tmp/t",
        "D /usr",
        "A /usr/new",
      ]);
      assert.deepEqual(set.opaque, ["/usr"]);
      assert.equal(set.contentDir, `${dir}/upper`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
