/** The operational verbs through the CLI: pause, top, stats, export, diff, commit, mount, port. */
import assert from "node:assert/strict";
import { assertNothingLeft, eventually, storeWithImages } from "./_lib/containers.ts";
import { isRoot } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  ...opts,
  name: "pause freezes a counter loop, unpause resumes it; wrong states are refused like podman",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok([
      "run",
      "-d",
      "--name",
      "counter",
      "busybox",
      "sh",
      "-c",
      "i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done",
    ]);
    const count = async () => (await s.ok(["logs", "counter"])).split("\n").length;
    await eventually("the counter to run", async () => (await count()) >= 3);
    assert.equal(await s.ok(["pause", "counter"]), "counter");
    assert.equal(await s.ok(["inspect", "--format", "{{.State.Status}}", "counter"]), "paused");
    assert.equal(await s.ok(["ps", "--format", "{{.Names}} {{.Status}}"]), "counter Paused");
    const frozen = await count();
    await sleep(800);
    assert.equal(await count(), frozen, "no output while paused");
    const again = await s.run(["pause", "counter"]);
    assert.equal(again.code, 125);
    assert.equal(again.stderr, `Error: "${id}" is already paused: container state improper\n`);
    const top = await s.run(["top", "counter"]);
    assert.equal(top.stderr, "Error: top can only be used on running containers\n");
    assert.equal(await s.ok(["unpause", "counter"]), "counter");
    await eventually("the counter to resume", async () => (await count()) > frozen + 3);
    const un = await s.run(["unpause", "counter"]);
    assert.equal(un.code, 125);
    assert.equal(
      un.stderr,
      `Error: "${id}" is not paused, can't unpause: container state improper\n`,
    );
    const created = await s.ok(["create", "busybox", "true"]);
    const p = await s.run(["pause", created]);
    assert.equal(
      p.stderr,
      `Error: "created" is not running, can't pause: container state improper\n`,
    );
    // --all acts on the running (resp. paused) ones only and prints full IDs
    assert.equal(await s.ok(["pause", "-a"]), id);
    assert.equal(await s.ok(["unpause", "--all"]), id);
    assert.equal(
      (await s.run(["pause"])).stderr,
      "Error: you must provide at least one name or id\n",
    );
    await s.ok(["rm", "-a", "-f"]);
    await assertNothingLeft(s, [id, created]);
  },
});

Deno.test({
  ...opts,
  name: "top shows namespaced pids and the container's user names; other arguments go to ps",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-d", "--name", "t", "-u", "tester", "busybox", "sleep", "1000"]);
    const lines = (await s.ok(["top", "t"])).split("\n");
    assert.match(
      lines[0]!,
      /^USER\s+PID\s+PPID\s+%CPU\s+ELAPSED\s+TTY\s+TIME\s+COMMAND$/,
    );
    assert.match(lines[1]!, /^tester\s+1\s+0\s+\d+\.\d{3}\s+\S+s\s+\?\s+\S+s\s+sleep 1000 ?$/);
    assert.equal(lines.length, 2);
    assert.equal(
      await s.ok(["top", "t", "pid,user", "%G", "hpid"]).then((o) =>
        o.split("\n")[1]!.split(/\s+/).slice(0, 3).join(" ")
      ),
      "1 tester tester",
    );
    const hpid = (await s.ok(["top", "t", "hpid"])).split("\n")[1]!.trim();
    assert.equal(hpid, await s.ok(["inspect", "--format", "{{.State.Pid}}", "t"]));
    const ps = await s.ok(["top", "t", "-o", "pid,comm"]);
    assert.match(ps, /^PID\s+COMMAND\n\s*1 sleep\n/);
    const missing = await s.run(["top", "nope"]);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /^Error: unable to look up requested container: no container/);
    await s.ok(["rm", "-f", "t"]);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "stats --no-stream reports plausible numbers in podman's table and json",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok([
      "run",
      "-d",
      "--name",
      "busy",
      "busybox",
      "sh",
      "-c",
      "while true; do sleep 0.1; done",
    ]);
    const idle = await s.ok(["create", "--name", "idle", "busybox", "true"]);
    await sleep(300);
    const table = (await s.ok(["stats", "--no-stream"])).split("\n");
    assert.match(
      table[0]!,
      /^ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET IO\s+BLOCK IO\s+PIDS\s+CPU TIME\s+AVG CPU %$/,
    );
    assert.equal(table.length, 2, "only running containers without -a");
    const json = JSON.parse(await s.ok(["stats", "--no-stream", "--format", "json", "busy"]));
    assert.equal(json.length, 1);
    const r = json[0];
    assert.equal(r.id, id.slice(0, 12));
    assert.equal(r.name, "busy");
    assert.ok(Number(r.pids) >= 1, `pids ${r.pids}`);
    const [usage, limit] = r.mem_usage.split(" / ");
    assert.match(usage, /^[0-9.]+(kB|MB|GB)$/, `memory usage ${usage} > 0`);
    assert.match(limit, /^[0-9.]+(MB|GB|TB)$/);
    assert.match(r.cpu_percent, /^\d+\.\d\d%$/);
    assert.match(r.cpu_time, /^[0-9.]+(ms|s|µs)$/);
    const all = await s.ok([
      "stats",
      "-a",
      "--no-stream",
      "--format",
      "{{.Name}} {{.PIDs}} {{.MemUsage}}",
    ]);
    assert.ok(all.split("\n").includes("idle 0 0B / 0B"), all);
    const missing = await s.run(["stats", "--no-stream", "nope"]);
    assert.equal(missing.code, 125);
    await s.ok(["rm", "-a", "-f"]);
    await assertNothingLeft(s, [id, idle]);
  },
});

Deno.test({
  ...opts,
  name: "diff, export and commit see a container's changes; the committed image runs them",
  async fn() {
    await using s = await storeWithImages();
    await s.ok([
      "run",
      "--name",
      "changer",
      "busybox",
      "sh",
      "-c",
      "touch /new; rm /etc/group; echo x >> /etc/passwd; mkdir -p /a/b; echo 1 > /a/b/f; rm -rf /home; mkdir /home; touch /home/h",
    ]);
    const id = await s.ok(["inspect", "--format", "{{.Id}}", "changer"]);
    // removed through the mounted rootfs: a whiteout, but podman hides the runtime's own files
    const mnt = await s.ok(["mount", "changer"]);
    await Deno.remove(`${mnt}/etc/hostname`);
    await s.ok(["umount", "changer"]);
    const diff = await s.ok(["diff", "changer"]);
    assert.deepEqual(diff.split("\n"), [
      "A /a",
      "A /a/b",
      "A /a/b/f",
      "C /etc",
      "D /etc/group",
      "C /etc/passwd",
      "D /home",
      "A /home/h",
      "A /new",
    ]);
    const json = JSON.parse(await s.ok(["diff", "--format", "json", "changer"]));
    assert.deepEqual(json.changed, ["/etc", "/etc/passwd"]);
    assert.deepEqual(json.deleted, ["/etc/group", "/home"]);
    assert.equal((await s.run(["diff", "--format", "x", "changer"])).code, 125);
    assert.deepEqual((await s.ok(["diff", "busybox-user"])).split("\n"), [
      "A /data",
      "A /data/hello.txt",
      "C /etc",
    ]);
    const nope = await s.run(["diff", "nope"]);
    assert.equal(nope.stderr, "Error: nope not found: layer not known\n");

    const tarPath = `${s.dir}/changer.tar`;
    await s.ok(["export", "-o", tarPath, "changer"]);
    const list = new TextDecoder().decode(
      (await new Deno.Command("tar", { args: ["tf", tarPath], stdout: "piped" }).output()).stdout,
    ).split("\n");
    for (const f of ["bin/busybox", "new", "etc/passwd", "a/b/f", "home/h"]) {
      assert.ok(list.includes(f), `export has ${f}`);
    }
    assert.ok(!list.includes("etc/group"), "no deleted file");
    assert.ok(!list.some((f) => f.includes(".wh.")), "no whiteouts");
    assert.ok(!list.some((f) => f.startsWith("./")), "no ./ prefix");

    const img = await s.ok([
      "commit",
      "-q",
      "-m",
      "my message",
      "-a",
      "Tester <t@example.com>",
      "--change",
      'CMD ["echo","hi"]',
      "--change",
      "ENV FOO=bar",
      "changer",
      "committed",
    ]);
    assert.match(img, /^[0-9a-f]{64}$/);
    assert.equal(await s.ok(["run", "--rm", "committed"]), "hi");
    assert.equal(
      await s.ok([
        "run",
        "--rm",
        "committed",
        "sh",
        "-c",
        "cat /a/b/f; tail -1 /etc/passwd; ls /home; test -e /etc/group || echo gone; echo $FOO",
      ]),
      "1\nx\nh\ngone\nbar",
    );
    const history = await s.ok(["history", "--format", "{{.Comment}}", "committed"]);
    assert.equal(history.split("\n")[0], "my message");
    assert.equal(
      await s.ok(["image", "inspect", "--format", "{{.Author}}", "committed"]),
      "Tester <t@example.com>",
    );
    const bad = await s.run(["commit", "changer", "Bad Name"]);
    assert.equal(bad.code, 125);
    await s.ok(["rm", "-a", "-f"]);
    await s.ok(["rmi", "committed"]);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "mount prints the rootfs and counts mounts; umount unmounts with the last one",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["create", "--name", "m", "busybox", "true"]);
    const path = await s.ok(["mount", "m"]);
    assert.ok((await Deno.stat(`${path}/bin/busybox`)).isFile);
    assert.equal(await s.ok(["mount", "m"]), path);
    assert.equal(await s.ok(["mount"]), `${id.slice(0, 12)}  ${path}`);
    assert.equal(await s.ok(["mount", "--no-trunc"]), `${id}  ${path}`);
    const json = JSON.parse(await s.ok(["mount", "--format", "json"]));
    assert.deepEqual(json, [{ id, Names: ["m"], mountpoint: path }]);
    assert.equal(await s.ok(["umount", "m"]), "m");
    assert.ok((await Deno.stat(`${path}/bin/busybox`)).isFile, "still mounted once");
    assert.equal(await s.ok(["unmount", "m"]), "m");
    await assert.rejects(Deno.stat(`${path}/bin/busybox`), Deno.errors.NotFound);
    assert.equal(await s.ok(["mount"]), "");
    assert.equal(await s.ok(["umount", "m"]), "m", "not mounted is fine");
    // a running container's rootfs belongs to the runtime: umount leaves it
    const run = await s.ok(["run", "-d", "--name", "r", "busybox", "sleep", "1000"]);
    const rpath = await s.ok(["mount", "r"]);
    assert.equal(await s.ok(["umount", "r"]), "r");
    assert.equal(await s.ok(["umount", "r"]), "r");
    assert.ok((await Deno.stat(`${rpath}/bin/busybox`)).isFile);
    assert.equal(await s.ok(["mount"]), `${run.slice(0, 12)}  ${rpath}`);
    assert.equal(
      (await s.run(["mount", "--format", "{{.ID}}"])).stderr,
      'Error: unknown --format argument: "{{.ID}}"\n',
    );
    await s.ok(["mount", "m"]);
    assert.equal(await s.ok(["umount", "-a"]), id);
    await s.ok(["rm", "-a", "-f"]);
    await assertNothingLeft(s, [id, run]);
  },
});

Deno.test({
  ...opts,
  name: "port lists the published ports of a running container",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok([
      "run",
      "-d",
      "--name",
      "web",
      "-p",
      "127.0.0.1:18080:80",
      "-p",
      "127.0.0.1:18053:53/udp",
      "busybox",
      "sleep",
      "1000",
    ]);
    assert.equal(
      await s.ok(["port", "web"]),
      "80/tcp -> 127.0.0.1:18080\n53/udp -> 127.0.0.1:18053",
    );
    assert.equal(await s.ok(["port", "web", "80"]), "127.0.0.1:18080");
    assert.equal(await s.ok(["port", "web", "53/udp"]), "127.0.0.1:18053");
    assert.equal(
      await s.ok(["port", "-a"]),
      `${id.slice(0, 12)}\t80/tcp -> 127.0.0.1:18080\n${
        id.slice(0, 12)
      }\t53/udp -> 127.0.0.1:18053`,
    );
    const miss = await s.run(["port", "web", "81"]);
    assert.equal(miss.code, 125);
    assert.equal(miss.stderr, 'Error: failed to find published port "81"\n');
    await s.ok(["stop", "-t", "0", "web"]);
    assert.equal(await s.ok(["port", "web"]), "", "a stopped container shows none");
    await s.ok(["rm", "-a", "-f"]);
    await assertNothingLeft(s, [id]);
  },
});
