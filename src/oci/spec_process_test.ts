/** generateSpec()'s process: argv from entrypoint and command, environment, user, terminal. */
import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { assertSnapshot } from "../testing/snapshot.ts";
import { brief, BUSYBOX_IMAGE, gen, PATH, testConfig } from "./_spec_testdata.ts";
import { DEFAULT_CAPABILITIES } from "./capabilities.ts";
import { resolveProcessArgs } from "./spec.ts";

Deno.test("generateSpec() -it sets terminal and the TTY annotation", async (t) => {
  const spec = gen({ tty: true, interactive: true });
  await assertSnapshot(t, brief(spec));
  assert.equal(spec.process.terminal, true);
  assert.equal(spec.annotations?.["io.kubernetes.cri-o.TTY"], "true");
  assert.ok(spec.process.env.includes("TERM=xterm"));
});

Deno.test("generateSpec() -u tester gives groups 1000,1001 and no effective caps", async (t) => {
  const spec = gen({ user: "tester" });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.user, {
    uid: 1000,
    gid: 1000,
    umask: 18,
    additionalGids: [1000, 1001],
  });
  assert.ok(spec.process.env.includes("HOME=/home/tester"));
  // podman 4.3.1: a non-root user keeps only the bounding set
  assert.deepEqual(spec.process.capabilities, { bounding: [...DEFAULT_CAPABILITIES].sort() });
});

Deno.test("generateSpec() -u 1000:1001 takes the group as given, without membership groups", async (t) => {
  const spec = gen({ user: "1000:1001" });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.user, { uid: 1000, gid: 1001, umask: 18, additionalGids: [1001] });
  assert.ok(spec.process.env.includes("HOME=/home/tester"));
});

Deno.test("generateSpec() --entrypoint without a command drops the image CMD", async (t) => {
  const spec = gen({ entrypoint: ["/bin/echo"] });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.args, ["/bin/echo"]);
});

Deno.test("generateSpec() --entrypoint with a command", async (t) => {
  const spec = gen({ entrypoint: ["/bin/sh", "-c"], command: ["echo hi"] });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.args, ["/bin/sh", "-c", "echo hi"]);
});

Deno.test("generateSpec() -w /tmp -e A=1 --hostname h", async (t) => {
  const spec = gen({ workdir: "/tmp", env: { A: "1" }, hostname: "h" });
  await assertSnapshot(t, brief(spec));
  assert.equal(spec.process.cwd, "/tmp");
  assert.equal(spec.hostname, "h");
  assert.deepEqual(spec.process.env, [
    PATH,
    "TERM=xterm",
    "container=skiff",
    "A=1",
    "HOME=/root",
    "HOSTNAME=h",
  ]);
});

Deno.test("generateSpec() env: -e wins over the image, which wins over the defaults", () => {
  const image = { ...BUSYBOX_IMAGE, Env: ["PATH=/img", "TERM=dumb", "X=img"], WorkingDir: "/w" };
  const spec = gen(
    { env: { X: "cli", HOME: "/h", HOSTNAME: "n", container: "c" }, user: "tester" },
    { image },
  );
  assert.deepEqual(spec.process.env, [
    "PATH=/img",
    "TERM=dumb",
    "container=c",
    "X=cli",
    "HOME=/h",
    "HOSTNAME=n",
  ]);
  assert.equal(spec.process.cwd, "/w");
  // no PATH in the image: podman's default
  const bare = gen({}, { image: { Cmd: ["sh"] } });
  assert.equal(bare.process.env[0], PATH);
  // a uid without a passwd entry gets no HOME
  const anon = gen({ user: "4242" });
  assert.ok(!anon.process.env.some((e) => e.startsWith("HOME=")));
  assert.deepEqual(anon.process.user, { uid: 4242, gid: 0, umask: 18, additionalGids: [0] });
});

Deno.test("generateSpec() uses the image's User when -u is not given", () => {
  const spec = gen({}, { image: { ...BUSYBOX_IMAGE, User: "tester" } });
  assert.equal(spec.process.user.uid, 1000);
  assert.deepEqual(spec.process.user.additionalGids, [1000, 1001]);
});

Deno.test("generateSpec() rejects an unknown user with podman's message and exit code 126", () => {
  assert.throws(() => gen({ user: "nosuch" }), (e) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, "unable to find user nosuch: no matching entries in passwd file");
    assert.equal(e.exitCode, 126);
    return true;
  });
});

Deno.test("resolveProcessArgs() merges entrypoint and cmd as podman does", () => {
  const img = { Entrypoint: ["/ep"], Cmd: ["c1", "c2"] };
  assert.deepEqual(resolveProcessArgs(testConfig(), img), ["/ep", "c1", "c2"]);
  assert.deepEqual(resolveProcessArgs(testConfig({ command: ["x"] }), img), ["/ep", "x"]);
  assert.deepEqual(resolveProcessArgs(testConfig({ entrypoint: ["/e2"] }), img), ["/e2"]);
  assert.deepEqual(
    resolveProcessArgs(testConfig({ entrypoint: [""], command: ["ls"] }), img),
    ["ls"],
  );
  assert.throws(() => resolveProcessArgs(testConfig({ entrypoint: [""] }), img), {
    name: "UsageError",
    message: "no command or entrypoint provided, and no CMD or ENTRYPOINT from image",
  });
  assert.throws(() => resolveProcessArgs(testConfig(), { Cmd: null }), UsageError);
});
