import assert from "node:assert/strict";
import { buildImages, type BuildResult } from "./build_images.ts";

const isRoot = Deno.uid() === 0;
const PODMAN_CONF = "/etc/podman-ref/containers.conf";
const PODMAN_CONF_TEXT = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
`;

async function onPath(cmd: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if ((await Deno.stat(`${dir}/${cmd}`)).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

const hasPodman = await onPath("podman");
/** Why a test cannot run here ("" when it can). */
const NOT_ROOT = isRoot ? "" : "building the images needs root (files owned by 1000:1000)";
const NO_PODMAN = NOT_ROOT !== ""
  ? NOT_ROOT
  : !hasPodman
  ? "podman is not installed (apt-get install podman)"
  : "";

/** Deno.test that is ignored, with the reason in its name, when `skip` is not empty. */
function testUnless(skip: string, name: string, fn: () => Promise<void>): void {
  Deno.test({ name: skip === "" ? name : `${name} [ignored: ${skip}]`, ignore: skip !== "", fn });
}

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(cmd: string, args: string[], env?: Record<string, string>): Promise<Out> {
  const out = await new Deno.Command(cmd, { args, env, stdin: "null" }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function ok(cmd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const out = await exec(cmd, args, env);
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")} failed (${out.code}): ${out.stderr}`);
  return out.stdout;
}

async function sha256(path: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Entry {
  mode: string;
  uid: number;
  gid: number;
  size: number;
  date: string;
  name: string;
  target?: string;
}

/** `tar -tvf` listing, parsed (GNU tar's verbose format with numeric owners). */
async function listTar(archive: string): Promise<Entry[]> {
  const text = await ok("tar", ["--numeric-owner", "-tvf", archive]);
  return text.trimEnd().split("\n").map((line) => {
    const m = /^(\S{10}) (\d+)\/(\d+) +(\d+) (\S+ \S+) (.*)$/.exec(line);
    assert.ok(m, `unparsable tar -tv line: ${line}`);
    const [, mode, uid, gid, size, date, rest] = m as unknown as string[];
    const arrow = mode?.startsWith("l") ? rest?.indexOf(" -> ") ?? -1 : -1;
    return {
      mode: mode ?? "",
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
      date: date ?? "",
      name: arrow >= 0 ? rest!.slice(0, arrow) : rest ?? "",
      ...(arrow >= 0 ? { target: rest!.slice(arrow + 4) } : {}),
    };
  });
}

function byName(entries: Entry[]): Map<string, Entry> {
  return new Map(entries.map((e) => [e.name, e]));
}

async function extract(archive: string, dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await ok("tar", ["-xf", archive, "-C", dir]);
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

// One build shared by the structure and podman tests (built lazily, removed at unload).
let shared: Promise<BuildResult> | undefined;
let sharedDir: string | undefined;
function sharedBuild(): Promise<BuildResult> {
  shared ??= (async () => {
    sharedDir = await Deno.makeTempDir({ prefix: "skiff-images-test-" });
    return await buildImages(sharedDir);
  })();
  return shared;
}
globalThis.addEventListener("unload", () => {
  if (sharedDir) Deno.removeSync(sharedDir, { recursive: true });
});

const OUTPUTS = [
  "busybox-user.docker.tar",
  "busybox-user.oci.tar",
  "busybox.docker.tar",
  "busybox.oci.tar",
  "busybox.rootfs.tar",
  "images.json",
];

testUnless(
  NOT_ROOT,
  "build_images: two builds are byte-identical; the stamp skips a rebuild",
  async () => {
    const a = await Deno.makeTempDir({ prefix: "skiff-images-a-" });
    const b = await Deno.makeTempDir({ prefix: "skiff-images-b-" });
    try {
      const ra = await buildImages(a);
      const rb = await buildImages(b, { force: true });
      assert.equal(ra.skipped, false);
      assert.equal(rb.skipped, false);
      const names = [];
      for await (const e of Deno.readDir(a)) names.push(e.name);
      assert.deepEqual(names.sort(), OUTPUTS);
      for (const name of OUTPUTS) {
        const [x, y] = [await Deno.readFile(`${a}/${name}`), await Deno.readFile(`${b}/${name}`)];
        assert.ok(x.length > 0, `${name} is empty`);
        assert.deepEqual(x, y, `${name} differs between two builds`);
      }
      assert.equal(ra.images.busybox.id, rb.images.busybox.id);
      assert.equal(ra.images["busybox-user"].id, rb.images["busybox-user"].id);
      assert.notEqual(ra.images.busybox.id, ra.images["busybox-user"].id);

      // Current outputs: skipped, same result.
      const again = await buildImages(a);
      assert.equal(again.skipped, true);
      assert.deepEqual(again.images, ra.images);

      // A damaged output forces a rebuild that restores it.
      await Deno.writeTextFile(`${a}/busybox.oci.tar`, "garbage");
      const repaired = await buildImages(a);
      assert.equal(repaired.skipped, false);
      assert.deepEqual(
        await Deno.readFile(`${a}/busybox.oci.tar`),
        await Deno.readFile(`${b}/busybox.oci.tar`),
      );

      // A stamp from another busybox / script forces a rebuild too.
      const stamp = await readJson(`${a}/images.json`);
      await Deno.writeTextFile(
        `${a}/images.json`,
        JSON.stringify({ ...stamp, busyboxSha256: "0" }),
      );
      assert.equal((await buildImages(a)).skipped, false);

      // No temporary files are left behind.
      const after = [];
      for await (const e of Deno.readDir(a)) after.push(e.name);
      assert.deepEqual(after.sort(), OUTPUTS);
    } finally {
      await Deno.remove(a, { recursive: true });
      await Deno.remove(b, { recursive: true });
    }
  },
);

testUnless(
  NOT_ROOT,
  "build_images: command line prints the image IDs and skips when current",
  async () => {
    const r = await sharedBuild();
    const script = new URL("./build_images.ts", import.meta.url).pathname;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const out = await exec(Deno.execPath(), [
      "run",
      "-P",
      "--config",
      config,
      "--quiet",
      script,
      r.outDir,
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(
      out.stdout,
      `localhost/busybox:latest ${r.images.busybox.id}\n` +
        `localhost/busybox-user:latest ${r.images["busybox-user"].id}\n`,
    );
    assert.match(out.stderr, /are current, not rebuilding/);
    const bad = await exec(Deno.execPath(), ["run", "-P", "--config", config, "--quiet", script]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /usage:/);
  },
);

testUnless(
  NOT_ROOT,
  "build_images: rootfs tar has busybox, every applet link, users and directories",
  async () => {
    const r = await sharedBuild();
    const entries = await listTar(`${r.outDir}/busybox.rootfs.tar`);
    const m = byName(entries);
    for (const e of entries) {
      assert.equal(e.date, "1970-01-01 00:00", `${e.name} mtime`);
      assert.ok(!e.name.startsWith("./") && !e.name.startsWith("/"), `${e.name} prefix`);
      assert.ok(!e.name.includes("PaxHeaders"), `${e.name} is a pax header`);
      if (e.name !== "home/tester/") assert.deepEqual([e.uid, e.gid], [0, 0], `${e.name} owner`);
    }
    const names = entries.map((e) => e.name);
    assert.deepEqual(names, [...names].sort(), "members are sorted by name");

    assert.equal(m.get("bin/busybox")?.mode, "-rwxr-xr-x");
    assert.equal(m.get("bin/busybox")?.size, (await Deno.stat("/bin/busybox")).size);
    const applets = (await ok("/bin/busybox", ["--list-full"])).trim().split("\n")
      .filter((p) => p !== "bin/busybox");
    assert.ok(applets.length > 100);
    for (const applet of applets) {
      const e = m.get(applet);
      assert.ok(e, `applet ${applet} missing`);
      assert.equal(e.mode, "lrwxrwxrwx", applet);
      assert.equal(e.target, "/bin/busybox", applet);
    }
    for (const p of ["bin/sh", "usr/bin/env", "usr/bin/id", "bin/ls"]) {
      assert.equal(m.get(p)?.target, "/bin/busybox", p);
    }

    const dirs: [string, string, number][] = [
      ["tmp/", "drwxrwxrwt", 0],
      ["root/", "drwx------", 0],
      ["proc/", "dr-xr-xr-x", 0],
      ["sys/", "dr-xr-xr-x", 0],
      ["dev/", "drwxr-xr-x", 0],
      ["var/", "drwxr-xr-x", 0],
      ["run/", "drwxr-xr-x", 0],
      ["etc/", "drwxr-xr-x", 0],
      ["home/tester/", "drwxr-xr-x", 1000],
    ];
    for (const [name, mode, owner] of dirs) {
      assert.equal(m.get(name)?.mode, mode, name);
      assert.equal(m.get(name)?.uid, owner, name);
      assert.equal(m.get(name)?.gid, owner, name);
    }
    assert.equal(m.get("etc/hostname")?.size, 0);
    assert.equal(m.get("etc/hostname")?.mode, "-rw-r--r--");

    const rootfsTar = `${r.outDir}/busybox.rootfs.tar`;
    const passwd = await ok("tar", ["-xOf", rootfsTar, "etc/passwd"]);
    assert.match(passwd, /^root:x:0:0:/m);
    assert.match(passwd, /^tester:x:1000:1000:tester:\/home\/tester:\/bin\/sh$/m);
    assert.match(passwd, /^nobody:x:65534:65534:/m);
    const group = await ok("tar", ["-xOf", rootfsTar, "etc/group"]);
    assert.match(group, /^root:x:0:/m);
    assert.match(group, /^tester:x:1000:$/m);
    assert.match(group, /^extra:x:1001:tester$/m);
    assert.match(group, /^nogroup:x:65534:$/m);
  },
);

testUnless(
  NOT_ROOT,
  "build_images: docker-archives have podman's layout and consistent digests",
  async () => {
    const r = await sharedBuild();
    const work = await Deno.makeTempDir({ prefix: "skiff-images-docker-" });
    try {
      for (const key of ["busybox", "busybox-user"] as const) {
        const img = r.images[key];
        const archive = `${r.outDir}/${img.files.docker}`;
        const dir = `${work}/${key}`;
        await extract(archive, dir);
        const entries = await listTar(archive);
        const layerFiles = img.diffIds.map((d) => `${d.slice("sha256:".length)}.tar`);

        // manifest.json
        const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
        assert.deepEqual(manifest, [{
          Config: `${img.id}.json`,
          RepoTags: [img.name],
          Layers: layerFiles,
        }]);
        // config: named and identified by its own digest
        assert.equal(await sha256(`${dir}/${img.id}.json`), img.id);
        for (const [i, f] of layerFiles.entries()) {
          assert.equal(`sha256:${await sha256(`${dir}/${f}`)}`, img.diffIds[i]);
        }
        // member order as podman writes it: layers, config, legacy dirs, manifest, repositories
        const repositories = await readJson(`${dir}/repositories`);
        const [repo, tag] = img.name.split(":") as [string, string];
        const lastLegacy = (repositories[repo] as Record<string, string>)[tag];
        assert.match(lastLegacy ?? "", /^[0-9a-f]{64}$/);
        const legacyIds = entries.filter((e) => e.name.endsWith("/VERSION")).map((e) =>
          e.name.slice(0, 64)
        );
        assert.equal(legacyIds.length, img.diffIds.length);
        assert.equal(legacyIds.at(-1), lastLegacy);
        assert.deepEqual(entries.map((e) => e.name), [
          ...layerFiles,
          `${img.id}.json`,
          ...legacyIds.flatMap((id) => [`${id}/layer.tar`, `${id}/VERSION`, `${id}/json`]),
          "manifest.json",
          "repositories",
        ]);
        for (const [i, id] of legacyIds.entries()) {
          assert.equal(byName(entries).get(`${id}/layer.tar`)?.target, `../${layerFiles[i]}`);
          assert.equal(await Deno.readTextFile(`${dir}/${id}/VERSION`), "1.0");
          const json = await readJson(`${dir}/${id}/json`);
          assert.equal(json.id, id);
          if (i > 0) assert.equal(json.parent, legacyIds[i - 1]);
        }
        for (const e of entries) {
          assert.deepEqual([e.uid, e.gid, e.date], [0, 0, "1970-01-01 00:00"], e.name);
          if (!e.mode.startsWith("l")) assert.equal(e.mode, "-r--r--r--", e.name);
        }

        const config = await readJson(`${dir}/${img.id}.json`);
        assert.equal(config.architecture, "amd64");
        assert.equal(config.os, "linux");
        assert.equal(config.created, "1970-01-01T00:00:00Z");
        assert.deepEqual(config.rootfs, { type: "layers", diff_ids: img.diffIds });
        assert.equal((config.history as unknown[]).length, img.diffIds.length);
        const c = config.config as Record<string, unknown>;
        assert.deepEqual(c.Env, [
          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ]);
        assert.equal(c.WorkingDir, "/");
        if (key === "busybox") {
          assert.deepEqual(c.Cmd, ["sh"]);
          assert.deepEqual(c.Labels, { "org.skiff.test": "busybox" });
          assert.equal(c.User, undefined);
          assert.equal(c.Entrypoint, undefined);
        } else {
          assert.equal(c.User, "tester");
          assert.deepEqual(c.Entrypoint, ["/bin/sh", "-c"]);
          assert.deepEqual(c.Cmd, ["id"]);
          assert.deepEqual(c.ExposedPorts, { "8080/tcp": {} });
          assert.deepEqual(c.Volumes, { "/data": {} });
          assert.deepEqual(c.Labels, { "org.skiff.test": "busybox-user" });
        }
      }

      // Shared base layer; the user image's top layer adds /data and whites out /etc/hostname.
      const base = r.images.busybox.diffIds[0];
      assert.equal(r.images["busybox-user"].diffIds[0], base);
      assert.deepEqual(
        await Deno.readFile(`${work}/busybox/${base?.slice(7)}.tar`),
        await Deno.readFile(`${r.outDir}/busybox.rootfs.tar`),
      );
      const top = r.images["busybox-user"].diffIds[1]?.slice(7);
      const topEntries = await listTar(`${work}/busybox-user/${top}.tar`);
      assert.deepEqual(
        topEntries.map((e) => [e.name, e.mode, e.uid, e.gid, e.size]),
        [
          ["data/", "drwxr-xr-x", 1000, 1000, 0],
          ["data/hello.txt", "-rw-r--r--", 1000, 1000, 24],
          ["etc/", "drwxr-xr-x", 0, 0, 0],
          ["etc/.wh.hostname", "-rw-r--r--", 0, 0, 0],
        ],
      );
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
);

testUnless(
  NOT_ROOT,
  "build_images: oci-archives have podman's layout and consistent digests",
  async () => {
    const r = await sharedBuild();
    const work = await Deno.makeTempDir({ prefix: "skiff-images-oci-" });
    try {
      for (const key of ["busybox", "busybox-user"] as const) {
        const img = r.images[key];
        const archive = `${r.outDir}/${img.files.oci}`;
        const dir = `${work}/${key}`;
        await extract(archive, dir);
        const blobs = [
          img.id,
          img.ociManifestDigest.slice(7),
          ...img.ociLayerDigests.map((d) => d.slice(7)),
        ]
          .sort().map((h) => `blobs/sha256/${h}`);
        const entries = await listTar(archive);
        assert.deepEqual(entries.map((e) => e.name), [
          "blobs/",
          "blobs/sha256/",
          ...blobs,
          "index.json",
          "oci-layout",
        ]);
        for (const e of entries) {
          assert.deepEqual([e.uid, e.gid, e.date], [0, 0, "1970-01-01 00:00"], e.name);
          assert.equal(e.mode, e.name.endsWith("/") ? "drwxr-xr-x" : "-rw-r--r--", e.name);
        }
        for (const b of blobs) assert.equal(await sha256(`${dir}/${b}`), b.slice(13), b);

        assert.equal(
          await Deno.readTextFile(`${dir}/oci-layout`),
          '{"imageLayoutVersion": "1.0.0"}',
        );
        const index = await readJson(`${dir}/index.json`);
        const manifestBytes = await Deno.readFile(
          `${dir}/blobs/sha256/${img.ociManifestDigest.slice(7)}`,
        );
        assert.deepEqual(index, {
          schemaVersion: 2,
          manifests: [{
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: img.ociManifestDigest,
            size: manifestBytes.length,
            annotations: { "org.opencontainers.image.ref.name": img.name },
          }],
        });
        const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
        const configSize = (await Deno.stat(`${dir}/blobs/sha256/${img.id}`)).size;
        const layerSizes: number[] = [];
        for (const d of img.ociLayerDigests) {
          layerSizes.push((await Deno.stat(`${dir}/blobs/sha256/${d.slice(7)}`)).size);
        }
        assert.deepEqual(manifest, {
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          config: {
            mediaType: "application/vnd.oci.image.config.v1+json",
            digest: img.configDigest,
            size: configSize,
          },
          layers: img.ociLayerDigests.map((digest, i) => ({
            mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
            digest,
            size: layerSizes[i],
          })),
        });
        // gzip layers decompress to the diff IDs; the config is the docker-archive's config
        for (const [i, d] of img.ociLayerDigests.entries()) {
          const plain = `${work}/${key}-layer${i}.tar`;
          await Deno.writeFile(
            plain,
            (await new Deno.Command("gzip", { args: ["-dc", `${dir}/blobs/sha256/${d.slice(7)}`] })
              .output())
              .stdout,
          );
          assert.equal(`sha256:${await sha256(plain)}`, img.diffIds[i]);
        }
        const dockerConfig = await ok("tar", [
          "-xOf",
          `${r.outDir}/${img.files.docker}`,
          `${img.id}.json`,
        ]);
        assert.equal(await Deno.readTextFile(`${dir}/blobs/sha256/${img.id}`), dockerConfig);
      }
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
);

// ---------------------------------------------------------------------------------------------
// podman as the oracle

/** Mount points at or under `dir`, deepest first (from /proc/self/mountinfo). */
async function mountsUnder(dir: string): Promise<string[]> {
  // Deno refuses /proc/self/* without --allow-all; a child reads the same mount namespace.
  const text = await ok("cat", ["/proc/self/mountinfo"]);
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
  return text.split("\n").map((l) => unescape(l.split(" ")[4] ?? ""))
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

testUnless(
  NO_PODMAN,
  "build_images: podman 4.3.1 loads, identifies and runs the images",
  async () => {
    const r = await sharedBuild();
    try {
      await Deno.stat(PODMAN_CONF);
    } catch {
      await Deno.mkdir("/etc/podman-ref", { recursive: true });
      await Deno.writeTextFile(PODMAN_CONF, PODMAN_CONF_TEXT);
    }
    const tmp = await Deno.makeTempDir({ prefix: "skiff-images-podman-" });
    const env = { CONTAINERS_CONF: PODMAN_CONF };
    const store = [
      "--root",
      `${tmp}/root`,
      "--runroot",
      `${tmp}/runroot`,
      "--tmpdir",
      `${tmp}/tmp`,
    ];
    const podman = (...args: string[]) => ok("podman", [...store, ...args], env);
    try {
      for (const key of ["busybox", "busybox-user"] as const) {
        const img = r.images[key];
        for (const format of ["docker", "oci"] as const) {
          const loaded = await podman("load", "-i", `${r.outDir}/${img.files[format]}`);
          assert.match(loaded, new RegExp(`Loaded image: ${img.name}`), `${format}: ${loaded}`);
          assert.equal(
            (await podman("images", "--format", "{{.ID}}", img.name)).trim(),
            img.id.slice(0, 12),
          );
          assert.equal(
            (await podman("image", "inspect", "--format", "{{.Id}}", img.name)).trim(),
            img.id,
          );
          if (format === "docker") await podman("rmi", img.name);
        }
      }

      // `podman save` of what it loaded gives back our docker-archive's members and metadata.
      const resaved = `${tmp}/resaved.tar`;
      await podman(
        "save",
        "--format",
        "docker-archive",
        "-o",
        resaved,
        "localhost/busybox-user:latest",
      );
      const ours = await listTar(`${r.outDir}/busybox-user.docker.tar`);
      const theirs = await listTar(resaved);
      assert.deepEqual(
        theirs.map((e) => [e.name, e.size, e.target]),
        ours.map((e) => [e.name, e.size, e.target]),
      );
      for (const e of theirs) {
        if (e.mode.startsWith("l")) continue;
        const a = await ok("tar", ["-xOf", resaved, e.name]);
        const b = await ok("tar", ["-xOf", `${r.outDir}/busybox-user.docker.tar`, e.name]);
        assert.ok(a === b, `${e.name} differs from podman's save`);
      }

      const inspect =
        JSON.parse(await podman("image", "inspect", "localhost/busybox-user:latest"))[0];
      assert.equal(inspect.Config.User, "tester");
      assert.deepEqual(inspect.Config.Entrypoint, ["/bin/sh", "-c"]);
      assert.deepEqual(inspect.Config.Cmd, ["id"]);
      assert.deepEqual(inspect.Config.ExposedPorts, { "8080/tcp": {} });
      assert.deepEqual(inspect.Config.Volumes, { "/data": {} });
      assert.deepEqual(inspect.RootFS.Layers, r.images["busybox-user"].diffIds);

      const script = "id; ls /data 2>&1; echo ok";
      const plain = await podman(
        "run",
        "--rm",
        "--network",
        "none",
        "localhost/busybox:latest",
        "sh",
        "-c",
        script,
      );
      assert.match(plain, /^uid=0\(root\) gid=0\(root\)/);
      assert.match(plain, /ls: \/data: No such file or directory/);
      assert.match(plain, /ok\n$/);

      const user = await podman(
        "run",
        "--rm",
        "--network",
        "none",
        "localhost/busybox-user:latest",
        script,
      );
      assert.match(
        user,
        /^uid=1000\(tester\) gid=1000\(tester\) groups=1000\(tester\),1001\(extra\)\n/,
      );
      assert.match(user, /\nhello.txt\nok\n$/);
      const defaultCmd = await podman(
        "run",
        "--rm",
        "--network",
        "none",
        "localhost/busybox-user:latest",
      );
      assert.match(defaultCmd, /^uid=1000\(tester\) gid=1000\(tester\)/);

      // The whiteout removed /etc/hostname from the image's merged rootfs.
      const mnt = (await podman("image", "mount", "localhost/busybox-user:latest")).trim();
      try {
        assert.equal(await Deno.readTextFile(`${mnt}/data/hello.txt`), "hello from busybox-user\n");
        await assert.rejects(Deno.lstat(`${mnt}/etc/hostname`), Deno.errors.NotFound);
        assert.equal((await Deno.lstat(`${mnt}/etc/passwd`)).isFile, true);
        assert.equal((await Deno.stat(`${mnt}/home/tester`)).uid, 1000);
      } finally {
        await podman("image", "unmount", "localhost/busybox-user:latest");
      }
    } finally {
      // Not `system reset`: it would also remove networks in the host-wide config directory.
      await exec("podman", [...store, "rm", "-af"], env);
      await exec("podman", [...store, "image", "unmount", "-a", "-f"], env);
      await exec("podman", [...store, "rmi", "-af"], env);
      for (const m of await mountsUnder(tmp)) {
        const out = await exec("umount", [m]);
        if (out.code !== 0) await exec("umount", ["-l", m]);
      }
      assert.deepEqual(await mountsUnder(tmp), []);
      await Deno.remove(tmp, { recursive: true });
    }
  },
);
