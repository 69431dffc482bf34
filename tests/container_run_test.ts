/** `run` through the CLI: exit codes, streams, stdin, --rm, and the leak check after each. */
import assert from "node:assert/strict";
import { assertNothingLeft, storeWithImages } from "./_lib/containers.ts";
import { isRoot } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };

Deno.test({
  ...opts,
  name: "run propagates exit codes and keeps stdout and stderr apart",
  async fn() {
    await using s = await storeWithImages();
    const r = await s.run([
      "run",
      "--rm",
      "localhost/busybox",
      "sh",
      "-c",
      "echo out; echo err >&2; exit 3",
    ]);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
    assert.equal((await s.run(["run", "--rm", "busybox", "true"])).code, 0);
    const missing = await s.run(["run", "--rm", "busybox", "/nonexistent"]);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /^Error: .*\/nonexistent.*no such file or directory/);
    const notExec = await s.run(["run", "--rm", "busybox", "/etc/passwd"]);
    assert.equal(notExec.code, 126);
    assert.match(notExec.stderr, /permission denied/);
    const signalled = await s.run(["run", "--rm", "busybox", "sh", "-c", "exit 255"]);
    assert.equal(signalled.code, 255);
    await assertNothingLeft(s);
  },
});

Deno.test({
  ...opts,
  name: "run -i forwards piped stdin and closes it at EOF",
  async fn() {
    await using s = await storeWithImages();
    const r = await s.run(["run", "-i", "--rm", "busybox", "sh", "-c", "wc -l; cat"], {
      stdin: "a\nb\nc\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "3");
    const noStdin = await s.run(["run", "--rm", "busybox", "cat"], { stdin: "ignored\n" });
    assert.equal(noStdin.code, 0);
    assert.equal(noStdin.stdout, "", "without -i the container's stdin is not ours");
    await assertNothingLeft(s);
  },
});

Deno.test({
  ...opts,
  name: "run applies user, env, workdir, hostname, entrypoint, labels, init and read-only",
  async fn() {
    await using s = await storeWithImages();
    const envFile = `${s.dir}/env`;
    await Deno.writeTextFile(envFile, "# comment\nFROM_FILE=1\nB=file\n");
    const out = await s.ok([
      "run",
      "--rm",
      "-u",
      "tester",
      "-w",
      "/tmp",
      "-e",
      "A=1",
      "-e",
      "B=flag",
      "--env-file",
      envFile,
      "--hostname",
      "box",
      "busybox",
      "sh",
      "-c",
      "id -u; pwd; echo $A $B $FROM_FILE; hostname; echo $container",
    ]);
    assert.equal(out, "1000\n/tmp\n1 flag 1\nbox\nskiff");
    // the image's user, entrypoint and cmd
    assert.equal(
      await s.ok(["run", "--rm", "busybox-user"]),
      "uid=1000(tester) gid=1000(tester) groups=1000(tester),1001(extra)",
    );
    assert.equal(
      await s.ok(["run", "--rm", "busybox-user", "echo via entrypoint"]),
      "via entrypoint",
    );
    assert.equal(
      await s.ok(["run", "--rm", "--entrypoint", "echo", "busybox-user", "no", "shell"]),
      "no shell",
    );
    assert.equal(
      await s.ok(["run", "--rm", "-u", "1000:1001", "busybox", "id"]),
      "uid=1000(tester) gid=1001(extra) groups=1001(extra)",
    );
    const ro = await s.run([
      "run",
      "--rm",
      "--read-only",
      "--tmpfs",
      "/scratch",
      "busybox",
      "sh",
      "-c",
      "touch /x 2>&1; touch /scratch/y && echo ok",
    ]);
    assert.match(ro.stdout, /Read-only file system\nok\n$/);
    assert.equal(
      await s.ok([
        "run",
        "--rm",
        "--init",
        "busybox",
        "sh",
        "-c",
        "cat /proc/1/cmdline | tr '\\0' ' '",
      ]),
      "/run/skiff-init -- sh -c cat /proc/1/cmdline | tr '\\0' ' '",
    );
    assert.equal(
      await s.ok([
        "run",
        "--rm",
        "--ulimit",
        "nofile=100:200",
        "busybox",
        "sh",
        "-c",
        "ulimit -n; ulimit -Hn",
      ]),
      "100\n200",
    );
    assert.equal(
      await s.ok([
        "run",
        "--rm",
        "--cap-drop",
        "all",
        "busybox",
        "sh",
        "-c",
        "grep CapEff /proc/self/status",
      ]),
      "CapEff:\t0000000000000000",
    );
    await assertNothingLeft(s);
  },
});

Deno.test({
  ...opts,
  name: "20 concurrent run --rm all succeed and leave nothing behind",
  async fn() {
    await using s = await storeWithImages();
    const runs = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) => s.run(["run", "--rm", "busybox", "sh", "-c", `echo ${i}`]),
      ),
    );
    runs.forEach((r, i) => {
      assert.equal(r.code, 0, `run ${i}: ${r.stderr}`);
      assert.equal(r.stdout, `${i}\n`);
    });
    await assertNothingLeft(s);
  },
});

Deno.test({
  ...opts,
  name: "bad input fails clearly and creates nothing",
  async fn() {
    await using s = await storeWithImages();
    await s.ok(["create", "--name", "taken", "busybox", "true"]);
    const before = JSON.parse(await s.ok(["info", "--format", "json"])).store;
    const cases: [string[], RegExp][] = [
      [["run", "--rm", "nosuch"], /^Error: nosuch: image not known\n$/],
      [
        ["run", "--rm", "-u", "nobody-here", "busybox", "true"],
        /^Error: unable to find user nobody-here: no matching entries in passwd file\n$/,
      ],
      [
        ["run", "--rm", "--ulimit", "nofile=30000:30000", "busybox", "true"],
        /^Error: ulimit nofile=30000:30000 exceeds the hard limit 20000 of this process\n$/,
      ],
      [
        ["run", "--rm", "--ulimit", "bogus=1", "busybox", "true"],
        /^Error: invalid --ulimit "bogus=1"/,
      ],
      [["run", "--rm", "--cap-add", "NOPE", "busybox", "true"], /unknown capability/],
      [
        ["run", "--rm", "--name", "taken", "busybox", "true"],
        /^Error: the container name "taken" is already in use by [0-9a-f]{64}/,
      ],
      [["run", "--rm", "--name", "bad name", "busybox", "true"], /^Error: names must match/],
      [
        ["run", "--rm", "-p", "80:80:80", "busybox", "true"],
        /^Error: invalid publish spec "80:80:80"/,
      ],
      [["create", "--bogus", "busybox"], /^Error: unknown flag: --bogus/],
      [
        ["start", "nosuch"],
        /^Error: no container with name or ID "nosuch" found: no such container\n$/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = await s.run(args);
      assert.ok(r.code === 125 || r.code === 126, `${args.join(" ")}: exit ${r.code}`);
      assert.match(r.stderr, re, args.join(" "));
    }
    const after = JSON.parse(await s.ok(["info", "--format", "json"])).store;
    assert.equal(after.containerStore.number, before.containerStore.number, "no record added");
    assert.equal(after.lockSegment.used, before.lockSegment.used, "no lock left allocated");
    const dirs = await Array.fromAsync(Deno.readDir(`${s.dir}/root/overlay-containers`));
    assert.equal(dirs.length, 1, "only the first container's files");
    assert.equal((await s.run(["rm", "nosuch"])).code, 1);
    await s.ok(["rm", "taken"]);
    await assertNothingLeft(s);
  },
});
