import assert from "node:assert/strict";
import { Runc, runcErrorText, runtimeError } from "./runc.ts";
import { OciRuntimeError } from "../define/errors.ts";

Deno.test("runtimeError() maps permission problems to 126 with podman's wording", () => {
  const e = runtimeError(
    "runc",
    'runc create failed: unable to start container process: exec: "/etc/passwd": permission denied',
  );
  assert.equal(e.failure, "permission");
  assert.equal(e.exitCode, 126);
  assert.equal(
    e.message,
    'runc: runc create failed: unable to start container process: exec: "/etc/passwd": ' +
      "permission denied: OCI permission denied",
  );
  const rlimit = runtimeError("runc", "error setting rlimit type 7: Operation not permitted");
  assert.equal(rlimit.failure, "permission");
});

Deno.test("runtimeError() maps missing files and executables to 127", () => {
  const e = runtimeError(
    "runc",
    'runc create failed: unable to start container process: exec: "/nonexistent": stat ' +
      "/nonexistent: no such file or directory\n",
  );
  assert.equal(e.failure, "not-found");
  assert.equal(e.exitCode, 127);
  assert.match(e.message, /no such file or directory: OCI runtime attempted to invoke a command/);
  const path = runtimeError("runc", 'exec: "nope": executable file not found in $PATH');
  assert.equal(path.failure, "not-found");
});

Deno.test("runtimeError() keeps the whole message of other failures (125)", () => {
  const e = runtimeError("runc", "container does not exist\n");
  assert.equal(e.failure, "generic");
  assert.equal(e.exitCode, 125);
  assert.equal(e.message, "runc: container does not exist: OCI runtime error");
});

Deno.test("runcErrorText() reads JSON and logrus text logs and ignores other levels", () => {
  assert.equal(
    runcErrorText(
      '{"level":"warning","msg":"x","time":"t"}\n{"level":"error","msg":"boom \\"q\\"","time":"t"}\n',
    ),
    'boom "q"',
  );
  assert.equal(
    runcErrorText('time="2026-11-29T09:45:31Z" level=error msg="container does not exist"\n'),
    "container does not exist",
  );
  assert.equal(runcErrorText("plain failure\n"), "plain failure");
  assert.equal(runcErrorText(""), "");
});

/** A stand-in runc: records its argv, prints `$FAKE_OUT`, logs `$FAKE_ERR` as JSON, exits `$FAKE_RC`. */
async function fakeRunc(dir: string, stdout: string, error: string, rc: number): Promise<string> {
  const path = `${dir}/runc`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh
printf '%s\\n' "$@" > ${dir}/argv
printf '%s' '${stdout}'
[ -n '${error}' ] && printf '{"level":"error","msg":"%s","time":"t"}\\n' '${error}' >&2
exit ${rc}
`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

async function argv(dir: string): Promise<string[]> {
  return (await Deno.readTextFile(`${dir}/argv`)).trimEnd().split("\n");
}

Deno.test("Runc builds argv with --root and JSON logs for every verb", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-runc-" });
  try {
    const runc = new Runc({
      runtimePath: await fakeRunc(dir, "", "", 0),
      runtimeName: "runc",
      runcRoot: "/run/skiff-runc",
    });
    const g = ["--root", "/run/skiff-runc", "--log-format", "json"];
    await runc.start("c1");
    assert.deepEqual(await argv(dir), [...g, "start", "c1"]);
    await runc.kill("c1", 15);
    assert.deepEqual(await argv(dir), [...g, "kill", "c1", "15"]);
    await runc.kill("c1", 9, { all: true });
    assert.deepEqual(await argv(dir), [...g, "kill", "--all", "c1", "9"]);
    await runc.delete("c1", { force: true });
    assert.deepEqual(await argv(dir), [...g, "delete", "--force", "c1"]);
    await runc.pause("c1");
    assert.deepEqual(await argv(dir), [...g, "pause", "c1"]);
    await runc.resume("c1");
    assert.deepEqual(await argv(dir), [...g, "resume", "c1"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Runc.state() parses runc's JSON and returns null for an unknown container", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-runc-" });
  try {
    const state = '{"ociVersion":"1.0.2-dev","id":"c1","pid":4242,"status":"running"}';
    let runc = new Runc({ runtimePath: await fakeRunc(dir, state, "", 0), runtimeName: "runc" });
    assert.deepEqual(await runc.state("c1"), { status: "running", pid: 4242 });
    assert.deepEqual(await argv(dir), ["--log-format", "json", "state", "c1"]);
    runc = new Runc({
      runtimePath: await fakeRunc(dir, "", "container does not exist", 1),
      runtimeName: "runc",
    });
    assert.equal(await runc.state("c1"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Runc.kill() fails on a gone container unless ignoreMissing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-runc-" });
  try {
    const runc = new Runc({
      runtimePath: await fakeRunc(dir, "", "container not running", 1),
      runtimeName: "runc",
    });
    await assert.rejects(
      () => runc.kill("c1", 9),
      (e: unknown) =>
        e instanceof OciRuntimeError && e.failure === "generic" &&
        e.message === "runc: container not running: OCI runtime error",
    );
    await runc.kill("c1", 9, { ignoreMissing: true });
    await runc.delete("c1"); // gone is fine for delete
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Runc reports a runtime binary that cannot be started as an engine error", async () => {
  const runc = new Runc({ runtimePath: "/nonexistent/runc", runtimeName: "runc" });
  await assert.rejects(
    () => runc.start("c1"),
    (e: unknown) => e instanceof OciRuntimeError && e.exitCode === 125,
  );
});
