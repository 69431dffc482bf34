/** The container verbs through the CLI: create, init, start, stop, kill, wait, rm, restart … */
import assert from "node:assert/strict";
import { assertNothingLeft, eventually, storeWithImages } from "./_lib/containers.ts";
import { isRoot } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };

Deno.test({
  ...opts,
  name: "create, init, start, stop, kill, wait, restart and rm walk the states as podman does",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok([
      "create",
      "--name",
      "box",
      "-l",
      "team=a",
      "busybox",
      "sh",
      "-c",
      "echo started; trap 'echo got TERM; exit 7' TERM; while true; do sleep 0.1; done",
    ]);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(
      await s.ok(["ps", "-a", "--format", "{{.Names}} {{.State}} {{.Status}}"]),
      "box created Created",
    );
    assert.equal(await s.ok(["ps", "-q"]), "", "ps without -a hides created containers");
    assert.equal(await s.ok(["container", "exists", "box"]), "");
    assert.equal((await s.run(["container", "exists", "nope"])).code, 1);
    assert.equal(await s.ok(["init", "box"]), id);
    assert.equal(await s.ok(["inspect", "--format", "{{.State.Status}}", "box"]), "created");
    assert.equal(await s.ok(["start", "box"]), "box");
    assert.equal(
      await s.ok(["inspect", "--format", "{{.State.Status}} {{.State.Running}}", "box"]),
      "running true",
    );
    const pid = Number(await s.ok(["inspect", "--format", "{{.State.Pid}}", "box"]));
    assert.ok(pid > 0);
    await Deno.stat(`/proc/${pid}`);
    assert.equal(await s.ok(["start", "box"]), "box", "starting a running container is fine");
    await eventually(
      "the trap to be set",
      async () => (await s.ok(["logs", "box"])).includes("started"),
    );
    assert.equal(await s.ok(["stop", "box"]), "box");
    assert.equal(
      await s.ok(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "box"]),
      "exited 7",
    );
    assert.equal(await s.ok(["logs", "box"]), "started\ngot TERM");
    assert.equal(await s.ok(["wait", "box"]), "7");
    assert.match(await s.ok(["ps", "-a", "--format", "{{.Status}}"]), /^Exited \(7\) .* ago$/);
    assert.equal(
      await s.ok(["stop", "box"]),
      "box",
      "stopping a stopped container is not an error",
    );
    // restart brings it back with a new pid
    assert.equal(await s.ok(["restart", "box"]), id);
    assert.equal(await s.ok(["inspect", "--format", "{{.State.Status}}", "box"]), "running");
    assert.equal(await s.ok(["kill", "box"]), "box");
    assert.equal(await s.ok(["wait", "box"]), "137");
    const k = await s.run(["kill", "box"]);
    assert.equal(k.code, 125);
    assert.match(
      k.stderr,
      /^Error: can only kill running containers\. [0-9a-f]{64} is in state exited: container state improper\n$/,
    );
    assert.equal(await s.ok(["rm", "box"]), id);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "stop -t sends SIGKILL after the timeout, and rm refuses a running container without -f",
  async fn() {
    await using s = await storeWithImages();
    // PID 1 ignores SIGTERM when it has no handler
    const id = await s.ok(["run", "-d", "--name", "stubborn", "busybox", "sleep", "1000"]);
    const rm = await s.run(["rm", "stubborn"]);
    assert.equal(rm.code, 125);
    assert.match(
      rm.stderr,
      /^Error: cannot remove container [0-9a-f]{64} as it is running - running or paused containers cannot be removed without force: container state improper\n$/,
    );
    const t0 = Date.now();
    await s.ok(["stop", "-t", "1", "stubborn"]);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 8000, `stop took ${took} ms`);
    assert.equal(await s.ok(["inspect", "--format", "{{.State.ExitCode}}", "stubborn"]), "137");
    // rm -f of a running container
    const id2 = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    assert.equal(await s.ok(["rm", "-f", id2]), id2);
    await s.ok(["rm", "-a"]);
    await assertNothingLeft(s, [id, id2]);
  },
});

Deno.test({
  ...opts,
  name: "kill -s delivers the signal; stop -a and kill -a act on all running containers",
  async fn() {
    await using s = await storeWithImages();
    await s.ok([
      "run",
      "-d",
      "--name",
      "h",
      "busybox",
      "sh",
      "-c",
      "trap 'exit 42' USR1; while true; do sleep 0.1; done",
    ]);
    await new Promise((r) => setTimeout(r, 300));
    await s.ok(["kill", "-s", "USR1", "h"]);
    assert.equal(await s.ok(["wait", "h"]), "42");
    const a = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    const b = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    assert.equal(
      (await s.ok(["ps", "-q", "--no-trunc"])).split("\n").sort().join(),
      [a, b].sort().join(),
    );
    await s.ok(["kill", "-a"]);
    assert.equal(await s.ok(["ps", "-q"]), "");
    await s.ok(["start", a, b]);
    await s.ok(["stop", "-a", "-t", "0"]);
    assert.equal(await s.ok(["ps", "-q"]), "");
    assert.equal((await s.ok(["container", "prune", "-f"])).split("\n").length, 3);
    await assertNothingLeft(s, [a, b]);
  },
});

Deno.test({
  ...opts,
  name: "ps filters, formats, sorts and limits like podman",
  async fn() {
    await using s = await storeWithImages();
    const a = await s.ok([
      "run",
      "-d",
      "--name",
      "alpha",
      "-l",
      "tier=web",
      "busybox",
      "sleep",
      "1000",
    ]);
    await s.ok(["run", "--name", "beta", "busybox", "sh", "-c", "exit 3"]).catch(() => {});
    await s.run(["run", "--name", "beta2", "busybox", "sh", "-c", "exit 3"]);
    await s.ok(["create", "--name", "gamma", "busybox-user"]);
    const header = (await s.ok(["ps"])).split("\n")[0]!;
    assert.match(header, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    const names = (args: string[]) =>
      s.ok(["ps", ...args, "--format", "{{.Names}}"]).then((o) =>
        o.split("\n").filter((x) => x).sort()
      );
    assert.deepEqual(await names([]), ["alpha"]);
    assert.deepEqual(await names(["-a"]), ["alpha", "beta", "beta2", "gamma"]);
    assert.deepEqual(await names(["-a", "--filter", "status=exited"]), ["beta", "beta2"]);
    assert.deepEqual(await names(["-a", "--filter", "exited=3"]), ["beta", "beta2"]);
    assert.deepEqual(await names(["-a", "--filter", "label=tier=web"]), ["alpha"]);
    assert.deepEqual(await names(["-a", "--filter", "name=^beta"]), ["beta", "beta2"]);
    assert.deepEqual(await names(["-a", "--filter", `id=${a.slice(0, 6)}`]), ["alpha"]);
    assert.deepEqual(await names(["-a", "--filter", "ancestor=busybox-user"]), ["gamma"]);
    assert.deepEqual(await names(["-a", "--filter", "status=created"]), ["gamma"]);
    assert.equal(await s.ok(["ps", "-l", "--format", "{{.Names}}"]), "gamma");
    assert.equal((await s.ok(["ps", "-n", "2", "--format", "{{.Names}}"])).split("\n").length, 2);
    assert.equal(
      await s.ok(["ps", "-a", "--sort", "names", "--format", "{{.Names}}"]),
      "alpha\nbeta\nbeta2\ngamma",
    );
    assert.equal(await s.ok(["ps", "--no-trunc", "-q"]), a);
    assert.equal(
      await s.ok(["ps", "--format", "{{.ID}} {{.Command}}"]),
      `${a.slice(0, 12)} sleep 1000`,
    );
    const json = JSON.parse(await s.ok(["ps", "-a", "--format", "json"]));
    const alpha = json.find((c: { Names: string[] }) => c.Names[0] === "alpha");
    assert.equal(alpha.Id, a);
    assert.equal(alpha.State, "running");
    assert.deepEqual(alpha.Command, ["sleep", "1000"]);
    assert.equal(alpha.Labels.tier, "web");
    const bad = await s.run(["ps", "--filter", "color=red"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^Error: invalid filter "color=red"/);
    await s.ok(["rm", "-a", "-f"]);
    await assertNothingLeft(s, [a]);
  },
});

Deno.test({
  ...opts,
  name: "inspect shows podman's container fields; rename renames",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok([
      "run",
      "-d",
      "--name",
      "insp",
      "-e",
      "X=1",
      "-l",
      "k=v",
      "busybox",
      "sleep",
      "1000",
    ]);
    const [i] = JSON.parse(await s.ok(["inspect", "insp"]));
    assert.equal(i.Id, id);
    assert.equal(i.Name, "insp");
    assert.equal(i.Path, "sleep");
    assert.deepEqual(i.Args, ["1000"]);
    assert.equal(i.State.Status, "running");
    assert.equal(i.State.Running, true);
    assert.ok(i.State.Pid > 0 && i.State.ConmonPid > 0);
    assert.match(i.State.StartedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(i.State.OOMKilled, false);
    assert.equal(i.ImageName, "localhost/busybox:latest");
    assert.match(i.Image, /^[0-9a-f]{64}$/);
    assert.ok(i.Config.Env.includes("X=1"));
    assert.ok(i.Config.Env.includes("container=skiff"));
    assert.equal(i.Config.Labels.k, "v");
    assert.deepEqual(i.Config.Cmd, ["sleep", "1000"]);
    assert.ok(i.Config.CreateCommand.includes("--name"));
    assert.equal(i.HostConfig.NetworkMode, "bridge");
    assert.equal(i.Driver, "overlay");
    assert.ok("NetworkSettings" in i && "Mounts" in i);
    assert.equal(
      await s.ok(["container", "inspect", "--format", "{{.Config.Labels.k}}", "insp"]),
      "v",
    );
    await s.ok(["rename", "insp", "renamed"]);
    assert.equal(await s.ok(["inspect", "--format", "{{.Name}}", id]), "renamed");
    const missing = await s.run(["inspect", "nosuch"]);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /^Error: no such object: "nosuch"\n$/);
    await s.ok(["rm", "-f", id]);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "logs: after exit, --tail, -t, --since/--until and -f until the container exits",
  async fn() {
    await using s = await storeWithImages();
    await s.run([
      "run",
      "--name",
      "talk",
      "busybox",
      "sh",
      "-c",
      "echo one; echo two >&2; echo three",
    ]);
    const r = await s.run(["logs", "talk"]);
    assert.equal(r.stdout, "one\nthree\n");
    assert.equal(r.stderr, "two\n");
    // conmon reads stdout and stderr separately: only one stream has a defined order
    await s.run(["run", "--name", "count", "busybox", "sh", "-c", "echo 1; echo 2; echo 3"]);
    assert.equal((await s.run(["logs", "--tail", "2", "count"])).stdout, "2\n3\n");
    assert.match(
      await s.ok(["logs", "-t", "talk"]),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d one\n/,
    );
    assert.equal((await s.run(["logs", "--since", "10m", "talk"])).stdout, "one\nthree\n");
    assert.equal((await s.run(["logs", "--until", "2000-01-01T00:00:00Z", "talk"])).stdout, "");
    await s.ok([
      "run",
      "-d",
      "--name",
      "slow",
      "busybox",
      "sh",
      "-c",
      "for i in 1 2 3; do echo $i; sleep 0.3; done",
    ]);
    const t0 = Date.now();
    const f = await s.run(["logs", "-f", "slow"]);
    assert.equal(f.stdout, "1\n2\n3\n");
    assert.ok(Date.now() - t0 < 10_000);
    const bad = await s.run(["logs", "--since", "yesterday-ish", "talk"]);
    assert.equal(bad.code, 125);
    await s.ok(["rm", "-a", "-f"]);
    await assertNothingLeft(s);
  },
});

Deno.test({
  ...opts,
  name: "rmi refuses an image a container uses; rmi -f removes the container too",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-d", "busybox-user", "sleep 1000"]);
    const r = await s.run(["rmi", "busybox-user"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Error: image used by [0-9a-f]{64}: image is in use by a container/);
    const out = await s.ok(["rmi", "-f", "busybox-user"]);
    assert.match(out, /Untagged: localhost\/busybox-user:latest\nDeleted: [0-9a-f]{64}/);
    assert.equal(await s.ok(["ps", "-a", "-q"]), "");
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "Runtime.shutdown(force) stops running containers first",
  async fn() {
    const { loadConfig } = await import("../src/config/mod.ts");
    const { Runtime } = await import("../src/runtime/runtime.ts");
    await using s = await storeWithImages();
    const id = await s.ok([
      "run",
      "-d",
      "busybox",
      "sh",
      "-c",
      "trap 'exit 0' TERM; while true; do sleep 0.1; done",
    ]);
    await new Promise((r) => setTimeout(r, 300));
    Deno.env.set("SKIFF_LOCK_SEGMENT", s.lockSegment);
    try {
      const rt = await Runtime.open(
        loadConfig({
          root: `${s.dir}/root`,
          runroot: `${s.dir}/run`,
          tmpdir: `${s.dir}/tmp`,
          cniConfigDir: `${s.dir}/cni`,
        }),
      );
      await rt.shutdown(true);
    } finally {
      Deno.env.delete("SKIFF_LOCK_SEGMENT");
    }
    assert.equal(await s.ok(["inspect", "--format", "{{.State.Status}}", id]), "exited");
    await s.ok(["rm", id]);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "a name may equal another container's ID prefix; the exact name wins lookups",
  async fn() {
    await using s = await storeWithImages();
    const first = await s.ok(["create", "busybox", "true"]);
    const prefix = first.slice(0, 5);
    const second = await s.ok(["create", "--name", prefix, "busybox", "true"]);
    assert.equal(await s.ok(["inspect", "--format", "{{.Id}}", prefix]), second);
    const dup = await s.run(["create", "--name", prefix, "busybox", "true"]);
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, /is already in use by/);
    await s.ok(["rm", "-a"]);
    await assertNothingLeft(s, [first, second]);
  },
});
