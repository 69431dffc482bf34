/**
 * `exec` and `attach` through the CLI (no terminal): exit codes and streams as podman 4.3.1,
 * stdin, user, workdir, env, detached sessions and their records, a container that exits under
 * an exec, several attach clients, and the leak check after each.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { assertNothingLeft, eventually, storeWithImages } from "./_lib/containers.ts";
import { isRoot, type TestStore } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };

/** The exec session rows of the store's database: [id, containerId, data]. */
function execSessions(s: TestStore): { id: string; ctr: string; data: Record<string, unknown> }[] {
  const db = new DatabaseSync(`${s.dir}/root/libpod/skiff.db`, { readOnly: true });
  try {
    return db.prepare("SELECT ID, ContainerID, JSON FROM ContainerExecSession").all().map((r) => ({
      id: String(r.ID),
      ctr: String(r.ContainerID),
      data: JSON.parse(String(r.JSON)),
    }));
  } finally {
    db.close();
  }
}

async function sleeper(s: TestStore, name: string, cmd = ["sleep", "1000"]): Promise<string> {
  return await s.ok(["run", "-d", "--name", name, "busybox", ...cmd]);
}

async function done(s: TestStore, ids: string[]): Promise<void> {
  await s.ok(["rm", "-a", "-f", "-t", "0"]);
  await assertNothingLeft(s, ids);
}

Deno.test({
  ...opts,
  name: "exec returns the process's exit code and keeps stdout and stderr apart",
  async fn() {
    await using s = await storeWithImages();
    const id = await sleeper(s, "c1");
    const r = await s.run(["exec", "c1", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [3, "out\n", "err\n"]);
    assert.equal((await s.run(["exec", "c1", "true"])).code, 0);
    const notExec = await s.run(["exec", "c1", "/etc"]);
    assert.equal(notExec.code, 126);
    assert.equal(
      notExec.stderr,
      'Error: runc: exec failed: unable to start container process: exec: "/etc": permission denied: OCI permission denied\n',
    );
    const missing = await s.run(["exec", "c1", "nosuchcmd"]);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /executable file not found in \$PATH: OCI runtime attempted/);
    assert.equal((await s.run(["exec", "c1", "/nonexistent"])).code, 127);
    const noCmd = await s.run(["exec", "c1"]);
    assert.equal(noCmd.code, 255);
    assert.equal(
      noCmd.stderr,
      "Error: must provide a non-empty command to start an exec session: invalid argument\n",
    );
    const noCtr = await s.run(["exec"]);
    assert.equal(noCtr.code, 125);
    assert.match(noCtr.stderr, /exec requires the name or ID of a container or the --latest/);
    assert.equal((await s.run(["exec", "nosuch", "true"])).code, 125);
    assert.deepEqual(execSessions(s), [], "foreground sessions are removed when done");
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "exec -i forwards stdin; -u, -w, -e and --env-file apply to the process",
  async fn() {
    await using s = await storeWithImages();
    const id = await sleeper(s, "c1");
    assert.equal(
      await s.ok(["exec", "-i", "c1", "cat"], { stdin: "piped\nlines\n" }),
      "piped\nlines",
    );
    assert.equal(await s.ok(["exec", "c1", "cat"], { stdin: "ignored" }), "", "no -i: no stdin");
    assert.equal(
      await s.ok(["exec", "-u", "tester", "c1", "id"]),
      "uid=1000(tester) gid=1000(tester) groups=1001(extra)",
    );
    assert.equal(await s.ok(["exec", "--user", "1000:1001", "c1", "id", "-g"]), "1001");
    const nobody = await s.run(["exec", "-u", "nobody2", "c1", "id"]);
    assert.equal(nobody.code, 255);
    assert.match(nobody.stderr, /unable to find user nobody2: no matching entries in passwd file/);
    assert.equal(
      await s.ok(["exec", "-u", "tester", "c1", "sh", "-c", "echo $HOME"]),
      "/home/tester",
    );
    assert.equal(await s.ok(["exec", "-w", "/tmp", "c1", "pwd"]), "/tmp");
    assert.equal((await s.run(["exec", "-w", "/nonexist", "c1", "pwd"])).code, 127);
    const envFile = `${s.dir}/env`;
    await Deno.writeTextFile(envFile, "# comment\nB=from-file\n");
    const env = await s.ok(["exec", "-e", "A=1", "--env-file", envFile, "c1", "env"]);
    assert.match(env, /^A=1$/m);
    assert.match(env, /^B=from-file$/m);
    assert.match(env, /^PATH=/m, "the container's environment is kept");
    // --privileged: every capability this process has; otherwise the container's default set
    const host = /^CapBnd:\s*(\w+)$/m.exec(await Deno.readTextFile("/proc/self/status"))![1];
    const capEff = async (...flags: string[]) =>
      /^CapEff:\s*(\w+)$/m.exec(
        await s.ok(["exec", ...flags, "c1", "cat", "/proc/self/status"]),
      )![1];
    assert.equal(await capEff("--privileged"), host);
    assert.notEqual(await capEff(), host);
    assert.equal(await capEff("-u", "tester"), "0000000000000000");
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "exec -d prints the session ID at once and keeps the session recorded",
  async fn() {
    await using s = await storeWithImages();
    const id = await sleeper(s, "c1");
    const t0 = Date.now();
    const r = await s.run(["exec", "-d", "c1", "sh", "-c", "sleep 2; echo late > /tmp/done"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    assert.ok(Date.now() - t0 < 1900, "returns before the process ends");
    const sid = r.stdout.trim();
    const rows = execSessions(s);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.id, sid);
    assert.equal(rows[0]!.ctr, id);
    assert.deepEqual(rows[0]!.data.command, ["sh", "-c", "sleep 2; echo late > /tmp/done"]);
    assert.equal(rows[0]!.data.running, true);
    assert.ok(Number(rows[0]!.data.pid) > 0);
    await eventually(
      "the detached process to finish",
      async () => (await s.run(["exec", "c1", "cat", "/tmp/done"])).stdout === "late\n",
    );
    // a running foreground session is recorded too, and removed when it ends
    const fg = s.run(["exec", "c1", "sleep", "1"]);
    await eventually(
      "the foreground session's record",
      () => Promise.resolve(execSessions(s).some((x) => x.id !== sid && Number(x.data.pid) > 0)),
    );
    assert.equal((await fg).code, 0);
    const left = execSessions(s);
    assert.deepEqual(left.map((x) => x.id), [sid]);
    assert.equal(left[0]!.data.running, false, "synced: the detached session ended");
    assert.equal(left[0]!.data.exitCode, 0);
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "exec and attach refuse containers that are not running, in podman's words",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["create", "--name", "c1", "busybox", "true"]);
    const r = await s.run(["exec", "c1", "true"]);
    assert.equal(r.code, 255);
    assert.equal(
      r.stderr,
      "Error: can only create exec sessions on running containers: container state improper\n",
    );
    const a = await s.run(["attach", "c1"]);
    assert.equal(a.code, 125);
    assert.equal(a.stderr, "Error: you can only attach to running containers\n");
    await s.ok(["start", "c1"]);
    await s.ok(["wait", "c1"]);
    assert.equal((await s.run(["exec", "c1", "true"])).code, 255, "exited");
    const keys = await s.run(["attach", "--detach-keys", "ctrl-1", "c1"]);
    assert.equal(keys.code, 125);
    assert.equal(keys.stderr, "Error: invalid detach keys: Unknown character: 'ctrl-1'\n");
    const two = await s.run(["attach", "c1", "c2"]);
    assert.equal(two.code, 125);
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "exec into a container that exits meanwhile returns instead of hanging",
  async fn() {
    await using s = await storeWithImages();
    const id = await sleeper(s, "c1", ["sh", "-c", "sleep 1.5; exit 9"]);
    const t0 = Date.now();
    const r = await s.run(["exec", "c1", "sleep", "30"]);
    assert.equal(r.code, 137, "the exec'd process was killed with the container");
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(await s.ok(["wait", "c1"]), "9");
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "two attach clients both see what the container prints",
  async fn() {
    await using s = await storeWithImages();
    const id = await sleeper(s, "c1", [
      "sh",
      "-c",
      "while [ ! -e /tmp/go ]; do sleep 0.1; done; echo line-for-all; echo err-for-all >&2",
    ]);
    const conmon = Number(await s.ok(["inspect", "--format", "{{.State.ConmonPid}}", "c1"]));
    const sockets = async () => {
      let n = 0;
      for await (const e of Deno.readDir(`/proc/${conmon}/fd`)) {
        if (
          (await Deno.readLink(`/proc/${conmon}/fd/${e.name}`).catch(() => "")).startsWith(
            "socket:",
          )
        ) n++;
      }
      return n;
    };
    const before = await sockets();
    const a = s.run(["attach", "--no-stdin", "c1"]);
    const b = s.run(["attach", "c1"]);
    // both clients connected: conmon holds one more socket for each
    await eventually("two attach clients", async () => (await sockets()) >= before + 2);
    await s.ok(["exec", "c1", "touch", "/tmp/go"]);
    for (const r of [await a, await b]) {
      assert.equal(r.code, 0);
      assert.equal(r.stdout, "line-for-all\n\n", "the output, then podman's newline");
      assert.equal(r.stderr, "err-for-all\n");
    }
    await done(s, [id]);
  },
});
