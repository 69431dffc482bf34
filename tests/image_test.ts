/**
 * The image store through the CLI: load, import, save, images, inspect, history, tag, untag,
 * rmi, prune, exists — and every kind of bad input leaving the store as it was.
 */
import assert from "node:assert/strict";
import { EVIL_LAYERS, tarArchive } from "../src/storage/_testdata.ts";
import { sha256Hex } from "../src/util/digest.ts";
import { isRoot, testImages, TestStore } from "./_lib/skiff.ts";

/** A fingerprint of the store: images, layer rows, layer dirs, blobs. */
async function storeState(s: TestStore): Promise<string> {
  const ids = await s.ok([
    "images",
    "-a",
    "--no-trunc",
    "--format",
    "{{.ID}} {{.Repository}}:{{.Tag}}",
  ]);
  const list = async (d: string) => {
    try {
      return (await Array.fromAsync(Deno.readDir(d))).map((e) => e.name).filter((n) =>
        n !== "tmp" && n !== "l"
      ).sort().join(",");
    } catch {
      return "";
    }
  };
  return [ids, await list(`${s.dir}/root/overlay`), await list(`${s.dir}/root/blobs/sha256`)].join(
    "\n",
  );
}

Deno.test({
  name: "load of docker-archive and oci-archive keeps image IDs; images lists them podman-style",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    assert.equal(
      await s.ok(["load", "-i", img.file("busybox.docker.tar")]),
      "Loaded image: localhost/busybox:latest",
    );
    // from stdin, and an oci-archive
    assert.equal(
      await s.ok(["load"], { stdin: await Deno.readFile(img.file("busybox-user.oci.tar")) }),
      "Loaded image: localhost/busybox-user:latest",
    );
    const out = await s.ok(["images"]);
    const lines = out.split("\n");
    assert.match(lines[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.ok(
      lines.some((l) =>
        /^localhost\/busybox\s+latest\s+ced24409d440\s+\d+ years ago\s+2\.14 MB$/.test(l)
      ),
      out,
    );
    assert.equal(
      await s.ok(["images", "--no-trunc", "--format", "{{.ID}}", "localhost/busybox"]),
      `sha256:${img.busybox}`,
    );
    assert.deepEqual(
      (await s.ok(["images", "-q"])).split("\n").sort(),
      [img.busybox.slice(0, 12), img.busyboxUser.slice(0, 12)].sort(),
    );
    const json = JSON.parse(await s.ok(["images", "--format", "json"]));
    assert.deepEqual(
      json.map((i: { Id: string }) => i.Id).sort(),
      [img.busybox, img.busyboxUser].sort(),
    );
    assert.equal(await s.ok(["image", "exists", "busybox"]), "");
    assert.equal((await s.run(["image", "exists", "nosuch"])).code, 1);
    // both images share the base layer: it was extracted once
    const layers = (await Array.fromAsync(Deno.readDir(`${s.dir}/root/overlay`))).filter((e) =>
      /^[0-9a-f]{64}$/.test(e.name)
    );
    assert.equal(layers.length, 2);
  },
});

Deno.test({
  name: "image inspect and history show podman's fields",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    await s.ok(["load", "-i", img.file("busybox.docker.tar")]);
    await s.ok(["load", "-i", img.file("busybox-user.docker.tar")]);
    const [i] = JSON.parse(await s.ok(["image", "inspect", "busybox-user"]));
    assert.equal(i.Id, img.busyboxUser);
    assert.deepEqual(i.RepoTags, ["localhost/busybox-user:latest"]);
    assert.equal(i.Parent, img.busybox);
    assert.equal(i.Config.User, "tester");
    assert.deepEqual(i.Config.Entrypoint, ["/bin/sh", "-c"]);
    assert.deepEqual(i.Config.ExposedPorts, { "8080/tcp": {} });
    assert.equal(i.Architecture, "amd64");
    assert.equal(i.RootFS.Layers.length, 2);
    assert.equal(i.GraphDriver.Name, "overlay");
    assert.match(i.GraphDriver.Data.UpperDir, /\/overlay\/[0-9a-f]{64}\/diff$/);
    assert.equal(
      await s.ok(["inspect", "--format", "{{.Config.User}} {{.Os}}", "busybox-user"]),
      "tester linux",
    );
    const hist = (await s.ok(["history", "busybox-user"])).split("\n");
    assert.match(hist[0]!, /^ID\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    assert.match(
      hist[1]!,
      new RegExp(
        `^${
          img.busyboxUser.slice(0, 12)
        }\\s+\\d+ years ago\\s+skiff-build-images: add /data/hello.txt, r\\.\\.\\.\\s+10\\.2 kB`,
      ),
    );
    assert.match(hist[2]!, new RegExp(`^${img.busybox.slice(0, 12)}\\s`));
    assert.equal(await s.ok(["history", "-q", "--no-trunc", "busybox"]), img.busybox);
  },
});

Deno.test({
  name: "import makes an image from a rootfs tarball with --change and --message",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    const id = await s.ok([
      "import",
      "--change",
      'CMD ["sh"]',
      "--change",
      "ENV A=1",
      "--change",
      "LABEL x=y",
      "--change",
      "EXPOSE 80",
      "--change",
      "USER tester",
      "--change",
      "WORKDIR /tmp",
      "--change",
      "VOLUME /v",
      "--change",
      'ENTRYPOINT ["/bin/sh","-c"]',
      "-m",
      "my message",
      img.file("busybox.rootfs.tar"),
      "imp1",
    ]);
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const [i] = JSON.parse(await s.ok(["image", "inspect", "imp1"]));
    assert.equal(`sha256:${i.Id}`, id);
    assert.deepEqual(i.RepoTags, ["localhost/imp1:latest"]);
    assert.deepEqual(i.Config, {
      Cmd: ["sh"],
      Env: ["A=1"],
      Labels: { x: "y" },
      ExposedPorts: { "80/tcp": {} },
      User: "tester",
      WorkingDir: "/tmp",
      Volumes: { "/v": {} },
      Entrypoint: ["/bin/sh", "-c"],
    });
    assert.equal(i.Comment, "my message");
    // the layer is the very same as the busybox image's base layer
    const [b] = JSON.parse(await s.ok(["image", "inspect", "imp1", "--format", "json"]));
    assert.deepEqual(b.RootFS.Layers, [
      "sha256:" + (await sha256File(img.file("busybox.rootfs.tar"))),
    ]);
    // from stdin, without a name: <none>
    const anon = await s.ok(["import", "-"], {
      stdin: await Deno.readFile(img.file("busybox.rootfs.tar")),
    });
    assert.match(
      await s.ok(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]),
      new RegExp(`<none>:<none> ${anon.slice(7, 19)}`),
    );
    const bad = await s.run(["import", "--change", "BOGUS x", img.file("busybox.rootfs.tar")]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^Error: invalid change "BOGUS x" - invalid instruction BOGUS\n$/);
  },
});

Deno.test({
  name: "import of a directory is not changed by TAR_OPTIONS in skiff's environment",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    const root = `${s.dir}/rootfs`;
    await Deno.mkdir(root);
    const untar = await new Deno.Command("tar", {
      args: ["-xf", img.file("busybox.rootfs.tar"), "-C", root],
    }).output();
    assert.ok(untar.success);
    await Deno.writeTextFile(`${root}/marker`, "kept\n");
    await s.ok(["import", root, "dirimg"], { env: { TAR_OPTIONS: "--exclude=./marker" } });
    assert.equal(
      await s.ok(["run", "--rm", "--network", "none", "dirimg", "cat", "/marker"]),
      "kept",
    );
  },
});

async function sha256File(path: string): Promise<string> {
  return await sha256Hex(await Deno.readFile(path));
}

Deno.test({
  name: "save writes docker-archive, oci-archive and oci-dir that load back with the same IDs",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    await s.ok(["load", "-i", img.file("busybox-user.docker.tar")]);
    for (const format of ["docker-archive", "oci-archive", "oci-dir"]) {
      const out = `${s.dir}/saved-${format}`;
      await s.ok(["save", "--format", format, "-o", out, "localhost/busybox-user"]);
      await using t = await TestStore.create();
      assert.equal(
        await t.ok(["load", "-i", out]),
        "Loaded image: localhost/busybox-user:latest",
        format,
      );
      assert.equal(await t.ok(["images", "--no-trunc", "-q"]), `sha256:${img.busyboxUser}`, format);
    }
    // to stdout when redirected
    const r = await s.run(["save", "localhost/busybox-user"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes("manifest.json"));
    const missing = await s.run(["save", "-o", `${s.dir}/x.tar`, "nosuch"]);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /^Error: nosuch: image not known\n$/);
    await assert.rejects(Deno.stat(`${s.dir}/x.tar`), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "tag, untag, rmi and prune behave as in podman",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    await s.ok(["load", "-i", img.file("busybox.docker.tar")]);
    await s.ok(["tag", "busybox", "foo", "bar:1"]);
    assert.deepEqual(
      (await s.ok(["images", "--format", "{{.Repository}}:{{.Tag}}"])).split("\n").sort(),
      ["localhost/bar:1", "localhost/busybox:latest", "localhost/foo:latest"],
    );
    const bad = await s.run(["tag", "busybox", "UPPER/Case:tag:x"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^Error: invalid reference format: .*"UPPER\/Case:tag:x"\n$/);
    assert.equal(await s.ok(["rmi", "foo"]), "Untagged: localhost/foo:latest");
    await s.ok(["untag", "busybox", "bar:1"]);
    const byId = await s.run(["untag", "busybox", "nosuch"]);
    assert.equal(byId.code, 125);
    const none = await s.run(["rmi", "nosuch"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^Error: nosuch: image not known\n$/);
    await s.ok(["untag", "busybox"]);
    assert.equal(await s.ok(["images", "--format", "{{.Repository}}:{{.Tag}}"]), "<none>:<none>");
    assert.equal(
      await s.ok(["images", "--filter", "dangling=true", "-q"]),
      img.busybox.slice(0, 12),
    );
    assert.equal(await s.ok(["image", "prune", "-f"]), img.busybox);
    assert.equal(await s.ok(["images", "-q"]), "");
    await assert.rejects(Deno.stat(`${s.dir}/root/overlay/${img.busybox}`));
    await s.ok(["load", "-i", img.file("busybox.docker.tar")]);
    assert.equal(
      await s.ok(["rmi", "-a"]),
      `Untagged: localhost/busybox:latest\nDeleted: ${img.busybox}`,
    );
  },
});

Deno.test({
  name: "bad archives and malicious layers give one clear error and leave the store unchanged",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    await s.ok(["load", "-i", img.file("busybox.docker.tar")]);
    const before = await storeState(s);
    const good = await Deno.readFile(img.file("busybox-user.docker.tar"));
    const cases: [string, Uint8Array, RegExp][] = [
      ["truncated", good.subarray(0, Math.floor(good.length / 2)), /truncated|unexpected end/i],
      [
        "not an archive",
        new TextEncoder().encode("hello, I am not a tar file\n".repeat(50)),
        /not a|no image|unknown/i,
      ],
      ["empty tar", new Uint8Array(1024), /no image|empty|manifest/i],
      ["flipped byte in a layer", flip(good, 2000), /digest|checksum|mismatch/i],
    ];
    for (const [what, bytes, re] of cases) {
      const path = `${s.dir}/${what.replaceAll(" ", "-")}.tar`;
      await Deno.writeFile(path, bytes);
      const r = await s.run(["load", "-i", path]);
      assert.equal(r.code, 125, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /^Error: [^\n]+\n$/, what);
      assert.match(r.stderr, re, what);
      assert.equal(await storeState(s), before, `${what} left something behind`);
    }
    // every kind of escaping layer, imported as a rootfs: refused, entry named, nothing left
    for (const evil of EVIL_LAYERS) {
      const path = `${s.dir}/evil.tar`;
      await Deno.mkdir(`${s.dir}/outside`, { recursive: true });
      await Deno.writeFile(path, tarArchive(evil.build(`${s.dir}/outside`)));
      const r = await s.run(["import", path, "evil"]);
      assert.equal(r.code, 125, `${evil.title}: ${r.stderr}`);
      assert.ok(
        r.stderr.startsWith("Error: layer entry ") && r.stderr.includes(`"${evil.refused}"`),
        `${evil.title}: ${r.stderr}`,
      );
      assert.equal(await storeState(s), before, `${evil.title} left something behind`);
      assert.deepEqual(await Array.fromAsync(Deno.readDir(`${s.dir}/outside`)), [], evil.title);
    }
  },
});

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

Deno.test({
  name: "archives round-trip with podman in both directions, keeping image IDs",
  ignore: !isRoot || !(await hasPodman()),
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    const conf = `${s.dir}/containers.conf`;
    await Deno.writeTextFile(
      conf,
      '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n',
    );
    const podman = async (...args: string[]) => {
      const out = await new Deno.Command("podman", {
        args: [
          "--root",
          `${s.dir}/p-root`,
          "--runroot",
          `${s.dir}/p-run`,
          "--tmpdir",
          `${s.dir}/p-tmp`,
          ...args,
        ],
        env: { CONTAINERS_CONF: conf },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim();
    };
    try {
      // skiff save -> podman load
      await s.ok(["load", "-i", img.file("busybox-user.docker.tar")]);
      for (const format of ["docker-archive", "oci-archive"]) {
        await s.ok([
          "save",
          "--format",
          format,
          "-o",
          `${s.dir}/s-${format}.tar`,
          "localhost/busybox-user",
        ]);
        await podman("load", "-i", `${s.dir}/s-${format}.tar`);
        assert.equal(
          await podman("images", "--no-trunc", "--format", "{{.ID}}", "localhost/busybox-user"),
          `sha256:${img.busyboxUser}`,
        );
        await podman("rmi", "-a", "-f");
      }
      // podman save -> skiff load
      await podman("load", "-i", img.file("busybox.docker.tar"));
      for (const format of ["docker-archive", "oci-archive"]) {
        await podman(
          "save",
          "--format",
          format,
          "-o",
          `${s.dir}/p-${format}.tar`,
          "localhost/busybox",
        );
        await using t = await TestStore.create();
        await t.ok(["load", "-i", `${s.dir}/p-${format}.tar`]);
        assert.equal(await t.ok(["images", "--no-trunc", "-q"]), `sha256:${img.busybox}`, format);
      }
    } finally {
      await podman("rmi", "-a", "-f").catch(() => {});
    }
  },
});

async function hasPodman(): Promise<boolean> {
  try {
    return (await new Deno.Command("podman", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "load shows progress on a terminal and prints only the result when piped",
  ignore: !isRoot,
  async fn() {
    const img = await testImages();
    await using s = await TestStore.create();
    const argv = [
      Deno.execPath(),
      "run",
      "-P",
      "--quiet",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      new URL("../main.ts", import.meta.url).pathname,
      ...s.flags,
      "load",
      "-i",
      img.file("busybox.docker.tar"),
    ];
    // on a pty (python's pty.spawn relays the terminal's output to its stdout)
    const tty = await new Deno.Command("python3", {
      args: ["-c", "import pty, sys; pty.spawn(sys.argv[1:])", ...argv],
      env: { SKIFF_LOCK_SEGMENT: s.lockSegment },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const seen = new TextDecoder().decode(tty.stdout);
    assert.match(seen, /Copying blob sha256:[0-9a-f]{64}/);
    assert.match(seen, /Loaded image: localhost\/busybox:latest/);
    // piped: no progress at all
    await s.ok(["rmi", "-a"]);
    const piped = await s.run(["load", "-i", img.file("busybox.docker.tar")]);
    assert.equal(piped.stderr, "");
    assert.equal(piped.stdout, "Loaded image: localhost/busybox:latest\n");
  },
});
