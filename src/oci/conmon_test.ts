import assert from "node:assert/strict";
import { buildConmonArgs, buildConmonEnv } from "./conmon.ts";
import type { CreateRequest, OciRuntimeOptions } from "./oci_runtime.ts";

const ID = "3e2689c9a629f3f0482ac62a52b722297e4ce611ffc6bbb2f516763a4e27914e";
const BUNDLE = `/var/lib/skiff/storage/overlay-containers/${ID}/userdata`;
const RUN = `/run/skiff/overlay-containers/${ID}/userdata`;

const OPTS: OciRuntimeOptions = {
  conmonPath: "/usr/bin/conmon",
  runtimePath: "/usr/sbin/runc",
  runtimeName: "runc",
  conmonEnv: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  cgroupManager: "cgroupfs",
  logLevel: "warning",
};

function request(over: Partial<CreateRequest> = {}): CreateRequest {
  return {
    id: ID,
    name: "rp3",
    bundle: BUNDLE,
    runDir: RUN,
    exitDir: "/run/skiff/exits",
    logPath: `${BUNDLE}/ctr.log`,
    maxLogSize: -1,
    terminal: false,
    stdin: false,
    exitCommand: ["/usr/bin/skiff", "--root", "/var/lib/skiff", "container", "cleanup", ID],
    ...over,
  };
}

const HEAD = [
  "--api-version",
  "1",
  "-c",
  ID,
  "-u",
  ID,
  "-r",
  "/usr/sbin/runc",
  "-b",
  BUNDLE,
  "-p",
  `${RUN}/pidfile`,
  "-n",
  "rp3",
  "--exit-dir",
  "/run/skiff/exits",
  "--full-attach",
];
const LOG = ["-l", `k8s-file:${BUNDLE}/ctr.log`, "--log-level", "warning"];
const OCI_LOG = [
  "--runtime-arg",
  "--log-format=json",
  "--runtime-arg",
  "--log",
  `--runtime-arg=${RUN}/oci-log`,
];
const PIDFILE = ["--conmon-pidfile", `${RUN}/conmon.pid`];
const EXIT = [
  "--exit-command",
  "/usr/bin/skiff",
  "--exit-command-arg",
  "--root",
  "--exit-command-arg",
  "/var/lib/skiff",
  "--exit-command-arg",
  "container",
  "--exit-command-arg",
  "cleanup",
  "--exit-command-arg",
  ID,
];

Deno.test("buildConmonArgs() mirrors podman 4.3.1 for a detached root container", () => {
  assert.deepEqual(buildConmonArgs(OPTS, request()), [
    ...HEAD,
    ...LOG,
    ...OCI_LOG,
    ...PIDFILE,
    ...EXIT,
  ]);
});

Deno.test("buildConmonArgs() adds -t for a terminal, -i for open stdin, never both", () => {
  const tty = buildConmonArgs(OPTS, request({ terminal: true, stdin: true }));
  assert.deepEqual(tty, [...HEAD, ...LOG, ...OCI_LOG, "-t", ...PIDFILE, ...EXIT]);
  const stdin = buildConmonArgs(OPTS, request({ stdin: true }));
  assert.deepEqual(stdin, [...HEAD, ...LOG, ...OCI_LOG, "-i", ...PIDFILE, ...EXIT]);
});

Deno.test("buildConmonArgs() passes a positive max log size only", () => {
  const args = buildConmonArgs(OPTS, request({ maxLogSize: 1048576 }));
  assert.deepEqual(args, [
    ...HEAD,
    ...LOG,
    "--log-size-max",
    "1048576",
    ...OCI_LOG,
    ...PIDFILE,
    ...EXIT,
  ]);
  assert.ok(!buildConmonArgs(OPTS, request({ maxLogSize: 0 })).includes("--log-size-max"));
});

Deno.test("buildConmonArgs() adds runc --root, systemd -s and --no-pivot where podman does", () => {
  const args = buildConmonArgs(
    {
      ...OPTS,
      runcRoot: "/run/skiff-runc",
      cgroupManager: "systemd",
      noPivot: true,
      logLevel: "debug",
    },
    request(),
  );
  assert.deepEqual(args, [
    ...HEAD,
    "--runtime-arg",
    "--root",
    "--runtime-arg",
    "/run/skiff-runc",
    "-s",
    "-l",
    `k8s-file:${BUNDLE}/ctr.log`,
    "--log-level",
    "debug",
    ...OCI_LOG,
    ...PIDFILE,
    "--no-pivot",
    ...EXIT,
  ]);
  assert.ok(!args.includes("--syslog"), "never --syslog: there is no /dev/log");
});

Deno.test("buildConmonArgs() passes an empty exit-command argument and omits an empty command", () => {
  const args = buildConmonArgs(OPTS, request({ exitCommand: ["/bin/x", "", "a b"] }));
  assert.deepEqual(args.slice(-6), [
    "--exit-command",
    "/bin/x",
    "--exit-command-arg",
    "",
    "--exit-command-arg",
    "a b",
  ]);
  assert.ok(!buildConmonArgs(OPTS, request({ exitCommand: [] })).includes("--exit-command"));
});

Deno.test("buildConmonEnv() layers conmon_env_vars, pipes, LC_*, PATH, HOME, XDG and passEnv", () => {
  const env = buildConmonEnv(
    {
      ...OPTS,
      conmonEnv: ["PATH=/conf/bin", "FOO=bar=baz", "junk"],
      passEnv: { SKIFF_LOCK_SEGMENT: "/x" },
    },
    {
      env: {
        PATH: "/my/bin",
        HOME: "/root",
        LC_ALL: "C.UTF-8",
        XDG_RUNTIME_DIR: "/run/user/0",
        SECRET: "no",
      },
      uid: 0,
    },
  );
  assert.deepEqual(env, {
    PATH: "/my/bin",
    FOO: "bar=baz",
    _OCI_SYNCPIPE: "3",
    _OCI_STARTPIPE: "4",
    LC_ALL: "C.UTF-8",
    HOME: "/root",
    XDG_RUNTIME_DIR: "",
    SKIFF_LOCK_SEGMENT: "/x",
  });
  const rootless = buildConmonEnv(OPTS, {
    env: { HOME: "/home/rl", XDG_RUNTIME_DIR: "/run/user/1001" },
    uid: 1001,
  });
  assert.equal(rootless.XDG_RUNTIME_DIR, "/run/user/1001");
  assert.equal(rootless.PATH, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
});
