/** `cp` through the CLI: podman's path rules, tar streams, stopped containers, hostile symlinks. */
import assert from "node:assert/strict";
import { TarWriter } from "../src/image/tar_writer.ts";
import { assertNothingLeft, eventually, storeWithImages } from "./_lib/containers.ts";
import { isRoot, type TestStore } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };
const ROOT = new URL("../", import.meta.url).pathname;
const dec = new TextDecoder();

/** Runs skiff against `s` and returns its stdout as bytes (for tar archives). */
async function bytesOf(s: TestStore, args: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-P",
      "--quiet",
      "--no-prompt",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}main.ts`,
      ...s.flags,
      ...args,
    ],
    env: { SKIFF_LOCK_SEGMENT: s.lockSegment },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(`skiff ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return out.stdout;
}

/** The lines of `tar --numeric-owner -tvf -` for an archive. */
async function listTar(bytes: Uint8Array): Promise<string[]> {
  const child = new Deno.Command("tar", {
    args: ["--numeric-owner", "-tvf", "-"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(bytes);
  await w.close();
  const out = dec.decode((await child.output()).stdout);
  return out.split("\n").filter((l) => l);
}

/** `type owner name[ -> target]` of each listed member (no size or time). */
function members(lines: string[]): string[] {
  return lines.map((l) => {
    const f = l.split(/\s+/);
    return `${f[0]![0]} ${f[1]} ${f.slice(5).join(" ")}`;
  });
}

/** Every path under `dir` with its type, mode and content: to prove nothing changed. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      const st = await Deno.lstat(p);
      const data = st.isFile
        ? await Deno.readTextFile(p)
        : st.isSymlink
        ? await Deno.readLink(p)
        : "";
      out.push(`${p} ${st.mode} ${st.mtime?.getTime()} ${data}`);
      if (st.isDirectory) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

async function tarOf(entries: [string, "file" | "dir" | "symlink" | "hardlink", string][]) {
  const chunks: Uint8Array[] = [];
  const ws = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
  const tar = new TarWriter(ws);
  for (const [name, type, arg] of entries) {
    if (type === "file") {
      const body = new TextEncoder().encode(arg);
      await tar.add({ name, type, size: body.length, mode: 0o644 }, body);
    } else if (type === "dir") {
      await tar.add({ name, type, mode: 0o755 });
    } else {
      await tar.add({ name, type, linkname: arg });
    }
  }
  await tar.finish();
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

async function ctrFile(s: TestStore, ref: string): Promise<string> {
  const bytes = await bytesOf(s, ["cp", ref, "-"]);
  const child = new Deno.Command("tar", { args: ["-xOf", "-"], stdin: "piped", stdout: "piped" })
    .spawn();
  const w = child.stdin.getWriter();
  await w.write(bytes);
  await w.close();
  return dec.decode((await child.output()).stdout);
}

Deno.test({
  ...opts,
  name: "cp copies files and directories both ways with podman's dir, dir/ and dir/. rules",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-d", "--name", "c", "-u", "tester", "busybox", "sleep", "1000"]);
    const h = `${s.dir}/host`;
    await Deno.mkdir(`${h}/src/sub`, { recursive: true });
    await Deno.writeTextFile(`${h}/src/a.txt`, "hello\n");
    await Deno.writeTextFile(`${h}/src/sub/b`, "deep\n");
    await Deno.symlink("a.txt", `${h}/src/link`);
    await Deno.utime(`${h}/src/a.txt`, 981173106, 981173106);
    await Deno.chmod(`${h}/src/a.txt`, 0o640);
    await s.ok(["cp", `${h}/src`, "c:/tmp/d1"]); // new name
    await s.ok(["cp", `${h}/src/`, "c:/tmp/d2"]);
    await s.ok(["cp", `${h}/src/.`, "c:/tmp/d3"]);
    await s.ok(["cp", `${h}/src`, "c:/tmp"]); // into an existing dir
    await s.ok(["cp", `${h}/src/a.txt`, "c:/tmp/renamed"]);
    const lines = await listTar(await bytesOf(s, ["cp", "c:/tmp", "-"]));
    const list = members(lines);
    for (const d of ["d1", "d2", "d3", "src"]) {
      assert.ok(list.includes(`d 1000/1000 tmp/${d}/`), `tmp/${d}/ owned by the container user`);
      assert.ok(list.includes(`l 1000/1000 tmp/${d}/link -> a.txt`), `symlink kept in ${d}`);
      assert.ok(list.includes(`- 1000/1000 tmp/${d}/sub/b`), `tmp/${d}/sub/b`);
    }
    // archive mode: owned by the container's user; mode and time kept
    assert.ok(
      lines.some((l) => /^-rw-r----- 1000\/1000\s+6 2001-02-03 04:05 tmp\/d1\/a\.txt$/.test(l)),
    );
    assert.ok(list.includes("- 1000/1000 tmp/renamed"));
    // container to host
    const out = `${s.dir}/out`;
    await Deno.mkdir(out);
    await s.ok(["cp", "c:/tmp/d1", out]); // into an existing dir
    await s.ok(["cp", "c:/tmp/d1", `${out}/new`]); // new name
    await s.ok(["cp", "c:/tmp/d1/.", `${out}/contents`]);
    await s.ok(["cp", "c:/tmp/d1/a.txt", `${out}/f`]);
    await s.ok(["cp", "c:/tmp/d1/a.txt", out]);
    for (const p of ["d1/a.txt", "new/a.txt", "contents/a.txt", "f", "a.txt", "new/sub/b"]) {
      assert.equal(await Deno.readTextFile(`${out}/${p}`), p.endsWith("b") ? "deep\n" : "hello\n");
    }
    assert.equal(await Deno.readLink(`${out}/new/link`), "a.txt");
    const st = await Deno.stat(`${out}/f`);
    assert.equal(st.uid, 0, "owned by the calling user on the host");
    assert.equal(st.mode! & 0o777, 0o640);
    assert.equal(st.mtime!.getTime(), 981173106000);
    // a source symlink is followed inside the container and takes the target's name
    await s.ok(["cp", "c:/bin/sh", out]);
    assert.ok((await Deno.lstat(`${out}/busybox`)).isFile);
    // errors
    const dirOnFile = await s.run(["cp", "c:/tmp/d1", `${out}/f`]);
    assert.equal(dirOnFile.code, 125);
    assert.equal(
      dirOnFile.stderr,
      "Error: destination must be a directory when copying a directory\n",
    );
    const missing = await s.run(["cp", "c:/nope", out]);
    assert.equal(missing.code, 125);
    assert.equal(
      missing.stderr,
      'Error: "/nope" could not be found on container c: no such file or directory\n',
    );
    const noHost = await s.run(["cp", `${h}/nope`, "c:/tmp"]);
    assert.equal(
      noHost.stderr,
      `Error: "${h}/nope" could not be found on the host: no such file or directory\n`,
    );
    const noDir = await s.run(["cp", `${h}/src/a.txt`, "c:/nodir/x"]);
    assert.equal(
      noDir.stderr,
      'Error: "/nodir/x" could not be found on container c: no such file or directory\n',
    );
    const noCtr = await s.run(["cp", "nope:/x", out]);
    assert.equal(noCtr.stderr, 'Error: container "nope" does not exist\n');
    const dirOverFile = await s.run(["cp", `${h}/src`, "c:/tmp/renamed"]);
    assert.equal(dirOverFile.code, 125);
    await s.ok(["rm", "-f", "c"]);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "cp streams tar archives on stdin and stdout and works on a stopped container",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["create", "--name", "stopped", "busybox", "true"]);
    const tar = await tarOf([
      ["in/", "dir", ""],
      ["in/one", "file", "1\n"],
      ["in/l", "symlink", "one"],
      ["top.txt", "file", "top\n"],
    ]);
    const put = await s.run(["cp", "-", "stopped:/tmp"], { stdin: tar });
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(await s.ok(["mount"]), "", "the stopped container is unmounted again");
    assert.deepEqual(members(await listTar(await bytesOf(s, ["cp", "stopped:/tmp/in", "-"]))), [
      "d 0/0 in/",
      "l 0/0 in/l -> one",
      "- 0/0 in/one",
    ]);
    assert.equal(await ctrFile(s, "stopped:/tmp/top.txt"), "top\n");
    const contents = members(await listTar(await bytesOf(s, ["cp", "stopped:/tmp/in/.", "-"])));
    assert.deepEqual(contents, ["l 0/0 l -> one", "- 0/0 one"]);
    const notDir = await s.run(["cp", "-", "stopped:/tmp/top.txt"], { stdin: tar });
    assert.equal(
      notDir.stderr,
      "Error: destination must be a directory when copying from stdin\n",
    );
    // a mounted container stays mounted
    const path = await s.ok(["mount", "stopped"]);
    await s.ok(["cp", "-", "stopped:/"], { stdin: tar });
    assert.equal(await Deno.readTextFile(`${path}/top.txt`), "top\n");
    await s.ok(["umount", "stopped"]);
    await s.ok(["rm", "stopped"]);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "cp never follows a container's symlinks out of its root, writing or reading",
  async fn() {
    await using s = await storeWithImages();
    const victim = `${s.dir}/victim`;
    await Deno.mkdir(`${victim}/sub`, { recursive: true });
    await Deno.writeTextFile(`${victim}/file`, "host original\n");
    const before = await snapshot(victim);
    const up = "../".repeat(12);
    const setup = [
      `mkdir -p ${victim}/sub`,
      `echo inside > ${victim}/file`,
      `ln -s ${victim} /abs`, // absolute
      `ln -s ${up}${victim.slice(1)} /rel`, // relative, climbing past the root
      `ln -s ${victim}/file /fin`, // the final component
      `mkdir /d && ln -s ${victim} /d/parent`, // a symlinked parent directory
      `ln -s ${up}${victim.slice(1)}/gone /dangling`,
    ].join("; ");
    await s.ok(["run", "--name", "box", "busybox", "sh", "-c", setup]);
    const id = await s.ok(["inspect", "--format", "{{.Id}}", "box"]);
    const evil = `${s.dir}/evil`;
    await Deno.writeTextFile(evil, "evil\n");
    await Deno.mkdir(`${s.dir}/evildir`);
    await Deno.writeTextFile(`${s.dir}/evildir/x`, "x\n");
    // writing: every path lands inside the container (chroot semantics)
    await s.ok(["cp", evil, "box:/abs/new1"]);
    await s.ok(["cp", evil, "box:/rel/new2"]);
    await s.ok(["cp", evil, "box:/d/parent/sub/new3"]);
    await s.ok(["cp", evil, "box:/fin"]);
    await s.ok(["cp", `${s.dir}/evildir`, "box:/abs/sub"]);
    await s.ok(["cp", evil, "box:/dangling"]);
    const tar = await tarOf([
      ["lnk", "symlink", "/"],
      ["lnk/tmp/through-link", "file", "t\n"],
      ["../../../../climb", "file", "c\n"],
      ["up", "symlink", `${up}${victim.slice(1)}`],
      ["up/via-up", "file", "u\n"],
    ]);
    const put = await s.run(["cp", "-", "box:/tmp"], { stdin: tar });
    assert.equal(put.code, 0, put.stderr);
    const hl = await s.run(["cp", "-", "box:/tmp"], {
      stdin: await tarOf([["hl", "hardlink", `${up}etc/shadow`]]),
    });
    assert.equal(hl.code, 125, "a hard link to a path the container lacks fails");
    assert.deepEqual(await snapshot(victim), before, "nothing on the host changed");
    await assert.rejects(Deno.lstat("/climb"), Deno.errors.NotFound);
    await assert.rejects(Deno.lstat("/tmp/through-link"), Deno.errors.NotFound);
    // … and inside the container, where chroot semantics put them
    for (const f of ["new1", "new2", "sub/new3", "file", "gone"]) {
      assert.equal(await ctrFile(s, `box:${victim}/${f}`), "evil\n", f);
    }
    assert.equal(await ctrFile(s, `box:${victim}/sub/evildir/x`), "x\n");
    assert.equal(await ctrFile(s, "box:/tmp/through-link"), "t\n");
    assert.equal(await ctrFile(s, "box:/tmp/climb"), "c\n");
    assert.equal(await ctrFile(s, `box:${victim}/via-up`), "u\n");
    // reading: the container's files, never the host's
    const out = `${s.dir}/out`;
    await Deno.mkdir(out);
    await s.ok(["cp", "box:/fin", `${out}/fin`]);
    assert.equal(await Deno.readTextFile(`${out}/fin`), "evil\n");
    await s.ok(["cp", "box:/rel/.", `${out}/rel`]);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(`${out}/rel`))).map((e) => e.name).sort(),
      ["file", "gone", "new1", "new2", "sub", "via-up"],
    );
    // while a container runs (through its live root), too
    const live = await s.ok([
      "run",
      "-d",
      "--name",
      "live",
      "busybox",
      "sh",
      "-c",
      `${setup}; touch /ready; exec sleep 1000`,
    ]);
    await eventually(
      "the symlinks",
      async () => (await s.run(["cp", "live:/ready", "-"])).code === 0,
    );
    await s.ok(["cp", evil, "live:/abs/live"]);
    await s.ok(["cp", evil, "live:/rel/sub/"]);
    await s.ok(["cp", `${s.dir}/evildir`, "live:/d/parent"]);
    assert.equal(await ctrFile(s, "live:/fin"), "inside\n");
    assert.deepEqual(await snapshot(victim), before, "nothing on the host changed");
    assert.equal(await ctrFile(s, `live:${victim}/live`), "evil\n");
    assert.equal(await ctrFile(s, `live:${victim}/sub/evil`), "evil\n");
    assert.equal(await ctrFile(s, `live:${victim}/evildir/x`), "x\n");
    await s.ok(["rm", "-a", "-f"]);
    await assertNothingLeft(s, [id, live]);
  },
});
