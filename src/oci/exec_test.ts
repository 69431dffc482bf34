import assert from "node:assert/strict";
import { OciRuntimeError } from "../define/errors.ts";
import { resizeMessage } from "./console.ts";
import { buildExecArgs, buildExecProcess, execPaths, startExec } from "./exec.ts";
import type { ExecRequest, OciRuntimeOptions } from "./oci_runtime.ts";
import type { OciProcess } from "./types.ts";

const CID = "3e2689c9a629f3f0482ac62a52b722297e4ce611ffc6bbb2f516763a4e27914e";
const SID = "43be1d964db8b431f9a8558843ee92a6eec0f6092d93b05c39d9241fed93801b";
const BUNDLE = `/var/lib/skiff/storage/overlay-containers/${CID}/userdata`;
const EXEC = `${BUNDLE}/${SID}`;

const OPTS: OciRuntimeOptions = {
  conmonPath: "/usr/bin/conmon",
  runtimePath: "/usr/sbin/runc",
  runtimeName: "runc",
  conmonEnv: ["PATH=/usr/bin:/bin"],
  cgroupManager: "cgroupfs",
  logLevel: "warning",
};

const BASE: OciProcess = {
  terminal: true,
  user: { uid: 0, gid: 0, additionalGids: [0] },
  args: ["sleep", "1000"],
  env: ["PATH=/usr/bin:/bin", "TERM=xterm", "HOME=/root", "A=0"],
  cwd: "/",
  capabilities: {
    bounding: ["CAP_CHOWN", "CAP_KILL"],
    effective: ["CAP_CHOWN", "CAP_KILL"],
    permitted: ["CAP_CHOWN", "CAP_KILL"],
  },
  rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
  noNewPrivileges: true,
};

function request(over: Partial<ExecRequest> = {}): ExecRequest {
  return {
    containerId: CID,
    containerName: "c1",
    sessionId: SID,
    bundle: BUNDLE,
    process: { ...BASE, terminal: false },
    stdin: false,
    detach: false,
    ...over,
  };
}

Deno.test("buildExecArgs() builds podman 4.3.1's exec command line", () => {
  const args = buildExecArgs(OPTS, request(), `${EXEC}/exec-process-1`);
  assert.deepEqual(args, [
    "--api-version",
    "1",
    "-c",
    CID,
    "-u",
    SID,
    "-r",
    "/usr/sbin/runc",
    "-b",
    EXEC,
    "-p",
    `${EXEC}/exec_pid`,
    "-n",
    "c1",
    "--exit-dir",
    `${EXEC}/exit`,
    "--full-attach",
    "-l",
    "none",
    "--log-level",
    "warning",
    "--runtime-arg",
    "--log-format=json",
    "--runtime-arg",
    "--log",
    `--runtime-arg=${EXEC}/oci-log`,
    "-e",
    "--exec-attach",
    "--exec-process-spec",
    `${EXEC}/exec-process-1`,
    "--conmon-pidfile",
    `${EXEC}/conmon.pid`,
  ]);
  assert.ok(!args.includes("--syslog"));
});

Deno.test("buildExecArgs() adds -t, -i, runc's root and the exit command", () => {
  const args = buildExecArgs(
    { ...OPTS, runcRoot: "/run/skiff/runc" },
    request({ process: BASE, stdin: true, exitCommand: ["/skiff", "cleanup", CID] }),
    "/p",
  );
  const at = (flag: string) => args.indexOf(flag);
  assert.ok(at("-t") > 0 && at("-i") === at("-t") + 1 && at("-e") === at("-i") + 1);
  assert.deepEqual(args.slice(at("--full-attach") + 1, at("--full-attach") + 5), [
    "--runtime-arg",
    "--root",
    "--runtime-arg",
    "/run/skiff/runc",
  ]);
  assert.deepEqual(args.slice(-6), [
    "--exit-command",
    "/skiff",
    "--exit-command-arg",
    "cleanup",
    "--exit-command-arg",
    CID,
  ]);
});

Deno.test("execPaths() keeps a session's files under <bundle>/<SID>", () => {
  assert.deepEqual(execPaths(BUNDLE, SID), {
    dir: EXEC,
    exitDir: `${EXEC}/exit`,
    pidFile: `${EXEC}/exec_pid`,
    conmonPidFile: `${EXEC}/conmon.pid`,
    ociLog: `${EXEC}/oci-log`,
  });
});

const INPUT = {
  args: ["id"],
  env: {},
  cwd: "",
  terminal: false,
  user: null,
  containerSetsHome: false,
  privileged: false,
  bounding: [],
};

Deno.test("buildExecProcess() keeps the container's process apart from args and terminal", () => {
  const p = buildExecProcess(BASE, INPUT);
  assert.deepEqual(p.args, ["id"]);
  assert.equal(p.terminal, false);
  assert.equal(p.cwd, "/");
  assert.deepEqual(p.user, BASE.user);
  assert.deepEqual(p.env, BASE.env);
  assert.deepEqual(p.rlimits, BASE.rlimits);
  assert.equal(p.noNewPrivileges, true);
  assert.deepEqual(p.capabilities, BASE.capabilities);
  assert.deepEqual(BASE.args, ["sleep", "1000"], "the base is not modified");
});

Deno.test("buildExecProcess() merges -e by name and applies -w and -t", () => {
  const p = buildExecProcess(BASE, {
    ...INPUT,
    env: { A: "1", B: "2" },
    cwd: "/tmp",
    terminal: true,
  });
  assert.deepEqual(p.env, ["PATH=/usr/bin:/bin", "TERM=xterm", "HOME=/root", "A=1", "B=2"]);
  assert.equal(p.cwd, "/tmp");
  assert.equal(p.terminal, true);
});

Deno.test("buildExecProcess() runs -u as that user with its HOME, groups and no capabilities", () => {
  const user = { uid: 1000, gid: 1000, additionalGids: [1000, 1001], home: "/home/tester" };
  const p = buildExecProcess(BASE, { ...INPUT, user });
  assert.deepEqual(p.user, { uid: 1000, gid: 1000, additionalGids: [1001] });
  assert.ok(p.env.includes("HOME=/home/tester"));
  assert.ok(!p.env.includes("HOME=/root"));
  assert.deepEqual(p.capabilities, { bounding: ["CAP_CHOWN", "CAP_KILL"] });
  // HOME set explicitly for the container, or by -e, wins
  const kept = buildExecProcess(BASE, { ...INPUT, user, containerSetsHome: true });
  assert.ok(kept.env.includes("HOME=/root"));
  const given = buildExecProcess(BASE, { ...INPUT, user, env: { HOME: "/x" } });
  assert.ok(given.env.includes("HOME=/x"));
  // a uid without a passwd entry gets "/"
  const anon = buildExecProcess(BASE, { ...INPUT, user: { ...user, home: null } });
  assert.ok(anon.env.includes("HOME=/"));
});

Deno.test("buildExecProcess() gives --privileged the whole bounding set", () => {
  const bounding = ["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"];
  const p = buildExecProcess(BASE, { ...INPUT, privileged: true, bounding });
  assert.deepEqual(p.capabilities, { bounding, effective: bounding, permitted: bounding });
  const u = buildExecProcess(BASE, {
    ...INPUT,
    privileged: true,
    bounding,
    user: { uid: 5, gid: 5, additionalGids: [], home: null },
  });
  assert.deepEqual(u.capabilities, { bounding });
});

Deno.test("resizeMessage() is conmon's resize event line", () => {
  assert.equal(resizeMessage({ rows: 40, cols: 120 }), "1 40 120\n");
  assert.equal(resizeMessage({ rows: -3, cols: 70000.7 }), "1 0 65535\n");
});

// A stand-in for conmon that speaks the exec protocol: after start byte #1 it binds the attach
// socket and says {"data": 0} on the attach pipe; after byte #2 it reports the pid, sends one
// stdout and one stderr packet, echoes what a client sent, and reports the exit code.
const FAKE_CONMON = `
import json, os, socket, sys
args = sys.argv[1:]
bundle = args[args.index("-b") + 1]
sync, start, attach = (int(os.environ[k]) for k in ("_OCI_SYNCPIPE", "_OCI_STARTPIPE", "_OCI_ATTACHPIPE"))
mode = os.environ.get("FAKE_MODE", "ok")
os.read(start, 1)
if os.fork():
    os._exit(0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(bundle + "/attach")
s.listen(1)
os.write(attach, b'{"data": 0}\\n')
c, _ = s.accept()
os.read(start, 1)
if mode == "fail":
    os.write(sync, json.dumps({"data": -1, "message": "exec failed: executable file not found in $PATH"}).encode() + b"\\n")
    os._exit(0)
os.write(sync, b'{"data": 4242}\\n')
c.send(b"\\x02hello out\\n")
c.send(b"\\x03hello err\\n")
if "-i" in args:
    got = c.recv(100)
    c.send(b"\\x02echo:" + got)
c.close()
os.write(sync, b'{"data": 7}\\n')
`;

async function fakeSession(mode: string, stdin: boolean) {
  const dir = await Deno.makeTempDir({ prefix: "skiff-exec-" });
  const script = `${dir}/conmon.py`;
  await Deno.writeTextFile(script, FAKE_CONMON);
  const wrapper = `${dir}/conmon`;
  await Deno.writeTextFile(wrapper, `#!/bin/sh\nexec python3 ${script} "$@"\n`, { mode: 0o755 });
  const opts = { ...OPTS, conmonPath: wrapper, conmonEnv: [`FAKE_MODE=${mode}`] };
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  const req = request({ bundle: dir, stdin });
  return {
    dir,
    out,
    err,
    start: () =>
      startExec(opts, req, {
        stdout: (d) => out.push(dec.decode(d)),
        stderr: (d) => err.push(dec.decode(d)),
      }),
  };
}

Deno.test("startExec() attaches before the start, then reports the pid and the exit code", async () => {
  const f = await fakeSession("ok", true);
  try {
    const s = await f.start();
    assert.equal(s.pid, 4242);
    assert.ok(s.streams);
    await s.streams.write(new TextEncoder().encode("typed"));
    await s.streams.done;
    assert.equal(await s.exitCode, 7);
    assert.deepEqual(f.out, ["hello out\n", "echo:typed"]);
    assert.deepEqual(f.err, ["hello err\n"]);
    const spec = [...Deno.readDirSync(`${f.dir}/${SID}`)].find((e) =>
      e.name.startsWith("exec-process-")
    );
    assert.ok(spec, "the process spec is written to the exec bundle");
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("startExec() turns conmon's failure message into podman's error", async () => {
  const f = await fakeSession("fail", false);
  try {
    await assert.rejects(f.start(), (e: unknown) => {
      assert.ok(e instanceof OciRuntimeError);
      assert.equal(e.exitCode, 127);
      assert.match(e.message, /^runc: exec failed: executable file not found in \$PATH: OCI/);
      return true;
    });
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});
