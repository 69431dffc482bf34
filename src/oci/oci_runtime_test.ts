/**
 * ConmonRuntime.create() against a stand-in conmon (Python) that speaks conmon's protocol: it
 * waits for the start byte on fd 4, forks and exits like conmon's double fork, writes its pid
 * file and answers on fd 3. No root, runc or real conmon needed; tests/oci_conmon_test.ts
 * drives the real ones.
 */
import assert from "node:assert/strict";
import { ConmonRuntime, type CreateRequest, type OciRuntimeOptions } from "./oci_runtime.ts";
import { OciRuntimeError } from "../define/errors.ts";
import { processAlive, signalProcess } from "../sys/process.ts";
import { check, cString, libc, O } from "../sys/libc.ts";

const FAKE_CONMON = `#!/usr/bin/env python3
import json, os, sys, time
args = sys.argv[1:]
pidfile = args[args.index("--conmon-pidfile") + 1]
rundir = os.path.dirname(pidfile)
mode = os.environ["FAKE_MODE"]
if mode == "badopt":
    sys.stderr.write("conmon: option parsing failed: Unknown option --bogus\\n")
    sys.exit(1)
os.read(4, 1)
if os.fork() > 0:
    os._exit(0)
os.setsid()
with open(pidfile, "w") as f:
    f.write(str(os.getpid()))
fds = {}
for n in os.listdir("/proc/self/fd"):
    try:
        t = os.readlink("/proc/self/fd/" + n)
    except OSError:
        continue
    if not t.startswith("/proc/"):
        fds[n] = t
with open(os.path.join(rundir, "fake.json"), "w") as f:
    json.dump({"argv": args, "env": dict(os.environ), "fds": fds, "cwd": os.getcwd()}, f)
null = os.open("/dev/null", os.O_RDWR)
for n in (0, 1, 2):
    os.dup2(null, n)
if mode == "ok":
    os.write(3, b'{"data": 4242}\\n')
    time.sleep(5)
elif mode == "fail":
    with open(os.path.join(rundir, "oci-log"), "w") as f:
        f.write('{"level":"error","msg":"runc create failed: exec: \\\\"/etc/passwd\\\\": permission denied","time":"t"}\\n')
    os.write(3, b'{"data": -1, "message": "runc create failed: something else\\\\n"}\\n')
elif mode == "fail-nolog":
    os.write(3, b'{"data": -1, "message": "exec: \\\\"/x\\\\": stat /x: no such file or directory\\\\n"}\\n')
elif mode == "hang":
    time.sleep(60)
os._exit(0)
`;

const FAKE_RUNC = `#!/bin/sh
printf '%s\\n' "$*" >> "$(dirname "$0")/runc.calls"
`;

interface Fixture {
  dir: string;
  runtime: (mode: string, over?: Partial<OciRuntimeOptions>) => ConmonRuntime;
  request: (over?: Partial<CreateRequest>) => CreateRequest;
}

async function withFixture(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-oci-" });
  try {
    await Deno.writeTextFile(`${dir}/conmon`, FAKE_CONMON, { mode: 0o755 });
    await Deno.writeTextFile(`${dir}/runc`, FAKE_RUNC, { mode: 0o755 });
    await fn({
      dir,
      runtime: (mode, over = {}) =>
        new ConmonRuntime({
          conmonPath: `${dir}/conmon`,
          runtimePath: `${dir}/runc`,
          runtimeName: "runc",
          conmonEnv: ["FROM_CONF=1"],
          passEnv: { FAKE_MODE: mode, SKIFF_LOCK_SEGMENT: "/skiff_test" },
          cgroupManager: "cgroupfs",
          logLevel: "warning",
          ...over,
        }),
      request: (over = {}) => ({
        id: "c1",
        name: "one",
        bundle: `${dir}/bundle`,
        runDir: `${dir}/run`,
        exitDir: `${dir}/exits`,
        logPath: `${dir}/bundle/ctr.log`,
        maxLogSize: -1,
        terminal: false,
        stdin: false,
        exitCommand: ["/bin/true"],
        ...over,
      }),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function runcCalls(dir: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(`${dir}/runc.calls`)).trimEnd().split("\n");
  } catch {
    return [];
  }
}

Deno.test("ConmonRuntime.create() returns the pids and gives conmon only its fds", async () => {
  await withFixture(async ({ dir, runtime, request }) => {
    await Deno.mkdir(`${dir}/run`);
    await Deno.writeTextFile(`${dir}/run/oci-log`, "stale");
    const c = libc();
    const port = check("open", c.open(cString(`${dir}/port`), O.RDWR | O.CREAT | O.CLOEXEC, 0o600));
    const leak = check("open", c.open(cString(`${dir}/leak`), O.RDWR | O.CREAT, 0o600));
    try {
      const created = await runtime("ok").create(request({ extraFds: [port] }));
      assert.equal(created.pid, 4242);
      assert.ok(processAlive(created.conmonPid), "the daemonised conmon is running");
      const fake = JSON.parse(await Deno.readTextFile(`${dir}/run/fake.json`));
      assert.deepEqual(Object.keys(fake.fds).sort(), ["0", "1", "2", "3", "4", "5"]);
      assert.equal(fake.fds["0"], "/dev/null");
      assert.match(fake.fds["3"], /^socket:/);
      assert.match(fake.fds["4"], /^socket:/);
      assert.equal(fake.fds["5"], `${dir}/port`);
      assert.equal(fake.env._OCI_SYNCPIPE, "3");
      assert.equal(fake.env._OCI_STARTPIPE, "4");
      assert.equal(fake.env.FROM_CONF, "1");
      assert.equal(fake.env.SKIFF_LOCK_SEGMENT, "/skiff_test");
      assert.equal(fake.cwd, `${dir}/run`);
      assert.ok(fake.argv.includes("--full-attach"));
      assert.ok(!(await Deno.stat(`${dir}/exits`).then(() => false, () => true)), "exit dir made");
      await assert.rejects(() => Deno.stat(`${dir}/run/oci-log`), Deno.errors.NotFound);
      assert.deepEqual(await runcCalls(dir), []);
      assert.ok(signalProcess(created.conmonPid, 9));
    } finally {
      c.close(port);
      c.close(leak);
    }
  });
});

Deno.test("ConmonRuntime.create() prefers runc's JSON log and cleans up after a failure", async () => {
  await withFixture(async ({ dir, runtime, request }) => {
    await assert.rejects(
      () => runtime("fail").create(request()),
      (e: unknown) =>
        e instanceof OciRuntimeError && e.failure === "permission" && e.exitCode === 126 &&
        e.message ===
          'runc: runc create failed: exec: "/etc/passwd": permission denied: OCI permission denied',
    );
    assert.deepEqual(await runcCalls(dir), ["--log-format json delete --force c1"]);
  });
});

Deno.test("ConmonRuntime.create() falls back to conmon's message without an oci-log", async () => {
  await withFixture(async ({ runtime, request }) => {
    await assert.rejects(
      () => runtime("fail-nolog").create(request()),
      (e: unknown) =>
        e instanceof OciRuntimeError && e.failure === "not-found" && e.exitCode === 127 &&
        /stat \/x: no such file or directory: OCI runtime attempted/.test(e.message),
    );
  });
});

Deno.test("ConmonRuntime.create() reports conmon's own failure with its stderr", async () => {
  await withFixture(async ({ runtime, request }) => {
    await assert.rejects(
      () => runtime("badopt").create(request()),
      (e: unknown) =>
        e instanceof OciRuntimeError && e.failure === "generic" &&
        e.message === "conmon failed: conmon: option parsing failed: Unknown option --bogus",
    );
  });
});

Deno.test("ConmonRuntime.create() times out, kills conmon and deletes the container", async () => {
  await withFixture(async ({ dir, runtime, request }) => {
    await assert.rejects(
      () => runtime("hang", { createTimeoutMs: 300, runcRoot: `${dir}/state` }).create(request()),
      (e: unknown) =>
        e instanceof OciRuntimeError && /timed out after 300 ms waiting for conmon/.test(e.message),
    );
    const pid = Number(await Deno.readTextFile(`${dir}/run/conmon.pid`));
    for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(processAlive(pid), false, "conmon was killed");
    assert.deepEqual(await runcCalls(dir), [
      `--root ${dir}/state --log-format json delete --force c1`,
    ]);
  });
});

Deno.test("ConmonRuntime.create() reports a missing conmon binary as an engine error", async () => {
  await withFixture(async ({ runtime, request }) => {
    await assert.rejects(
      () => runtime("ok", { conmonPath: "/nonexistent/conmon" }).create(request()),
      (e: unknown) =>
        e instanceof OciRuntimeError && e.exitCode === 125 &&
        e.message.includes("/nonexistent/conmon"),
    );
  });
});
