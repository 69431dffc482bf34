import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { assertSnapshot } from "../testing/snapshot.ts";
import { BUSYBOX_IMAGE, TEST_BOUNDING, TEST_ID, testConfig, testInput } from "./_spec_testdata.ts";
import { DEFAULT_CAPABILITIES } from "./capabilities.ts";
import { loadSeccompProfile, type SeccompProfile } from "./seccomp.ts";
import { generateSpec, parseProcLimits, readProcessRlimits, resolveProcessArgs } from "./spec.ts";
import type { OciMount, OciSpec } from "./types.ts";

const NO_FILES = { override: "/nonexistent/skiff/a.json", system: "/nonexistent/skiff/b.json" };
const PROFILE: SeccompProfile = await loadSeccompProfile(NO_FILES);
const SHORT = TEST_ID.slice(0, 12);
const RUN = `/run/skiff/containers/${TEST_ID}/userdata`;
const PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The spec with the (long) seccomp rules summarized, for snapshots of everything else. */
function brief(spec: OciSpec): unknown {
  const s = spec.linux.seccomp;
  if (!s) return spec;
  const summary = { ...s, syscalls: `${s.syscalls?.length ?? 0} rules` };
  return { ...spec, linux: { ...spec.linux, seccomp: summary } };
}

function mount(spec: OciSpec, dest: string): OciMount | undefined {
  return spec.mounts.find((m) => m.destination === dest);
}

function gen(over: Parameters<typeof testConfig>[0] = {}, input = {}): OciSpec {
  return generateSpec(testInput(testConfig(over), { seccomp: PROFILE, ...input }));
}

Deno.test("generateSpec() default busybox sh matches podman's config", async (t) => {
  const spec = gen();
  await assertSnapshot(t, spec);
  assert.equal(spec.ociVersion, "1.0.2-dev");
  assert.deepEqual(spec.process.args, ["sh"]);
  assert.deepEqual(spec.process.env, [
    PATH,
    "TERM=xterm",
    "container=skiff",
    "HOME=/root",
    `HOSTNAME=${SHORT}`,
  ]);
  assert.equal(spec.process.cwd, "/");
  assert.equal(spec.process.terminal, undefined);
  assert.equal(spec.process.noNewPrivileges, undefined);
  assert.deepEqual(spec.process.user, { uid: 0, gid: 0, umask: 18 });
  const caps = [...DEFAULT_CAPABILITIES].sort();
  assert.deepEqual(spec.process.capabilities, { bounding: caps, effective: caps, permitted: caps });
  assert.equal(caps.length, 11);
  // podman's 1048576 defaults, clamped to the caller's hard limits
  assert.deepEqual(spec.process.rlimits, [
    { type: "RLIMIT_NOFILE", hard: 20000, soft: 20000 },
    { type: "RLIMIT_NPROC", hard: 96365, soft: 96365 },
  ]);
  assert.equal(spec.hostname, SHORT);
  assert.deepEqual(spec.root, { path: testInput(testConfig()).rootfs });
  assert.deepEqual(spec.mounts.map((m) => `${m.type}:${m.destination}`), [
    "proc:/proc",
    "tmpfs:/dev",
    "sysfs:/sys",
    "devpts:/dev/pts",
    "mqueue:/dev/mqueue",
    "tmpfs:/dev/shm",
    "bind:/etc/hostname",
    "bind:/etc/hosts",
    "bind:/etc/resolv.conf",
    "bind:/run/.containerenv",
    "cgroup:/sys/fs/cgroup",
  ]);
  assert.deepEqual(mount(spec, "/dev/shm")?.options, [
    "nosuid",
    "noexec",
    "nodev",
    "mode=1777",
    "size=65536k",
  ]);
  assert.deepEqual(mount(spec, "/etc/hosts"), {
    destination: "/etc/hosts",
    type: "bind",
    source: `${RUN}/hosts`,
    options: ["bind", "rprivate"],
  });
  assert.deepEqual(mount(spec, "/sys")?.options, ["nosuid", "noexec", "nodev", "ro"]);
  assert.equal(spec.hooks, undefined);
  assert.deepEqual(spec.annotations, {
    "io.container.manager": "skiff",
    "io.kubernetes.cri-o.Created": "2024-05-01T12:00:00.123456789Z",
    "io.kubernetes.cri-o.TTY": "false",
    "io.podman.annotations.autoremove": "FALSE",
    "io.podman.annotations.init": "FALSE",
    "io.podman.annotations.privileged": "FALSE",
    "io.podman.annotations.publish-all": "FALSE",
    "org.opencontainers.image.stopSignal": "15",
  });
  const l = spec.linux;
  assert.equal(l.devices, undefined);
  assert.deepEqual(l.sysctl, { "net.ipv4.ping_group_range": "0 0" });
  assert.deepEqual(l.resources, {
    devices: [{ allow: false, access: "rwm" }],
    pids: { limit: 2048 },
  });
  assert.equal(l.cgroupsPath, `/skiff_parent/skiff-${TEST_ID}`);
  assert.deepEqual(l.namespaces, [
    { type: "pid" },
    { type: "network", path: "/run/skiff/netns/netns-1234" },
    { type: "ipc" },
    { type: "uts" },
    { type: "mount" },
  ]);
  assert.equal(l.maskedPaths?.length, 11);
  assert.equal(l.readonlyPaths?.length, 6);
  assert.equal(l.seccomp?.defaultAction, "SCMP_ACT_ERRNO");
  assert.equal(l.seccomp?.defaultErrnoRet, 38);
  assert.deepEqual(l.seccomp?.architectures, [
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X32",
  ]);
  // labels never reach the spec
  assert.ok(!JSON.stringify(spec).includes("org.skiff.test"));
});

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

Deno.test("generateSpec() --cap-add NET_ADMIN --cap-drop CHOWN", async (t) => {
  const spec = gen({ capAdd: ["NET_ADMIN"], capDrop: ["chown"] });
  await assertSnapshot(t, brief(spec));
  const caps = spec.process.capabilities!;
  assert.ok(caps.bounding!.includes("CAP_NET_ADMIN"));
  assert.ok(!caps.bounding!.includes("CAP_CHOWN"));
  assert.equal(caps.bounding!.length, 11);
  assert.deepEqual(caps.bounding, [...caps.bounding!].sort());
  assert.deepEqual(caps.effective, caps.bounding);
  assert.deepEqual(caps.permitted, caps.bounding);
});

Deno.test("generateSpec() --cap-add for a non-root user fills the ambient set", () => {
  const spec = gen({ user: "tester", capAdd: ["NET_ADMIN"] });
  const caps = spec.process.capabilities!;
  assert.equal(caps.bounding!.length, 12);
  for (const set of ["effective", "permitted", "inheritable", "ambient"] as const) {
    assert.deepEqual(caps[set], ["CAP_NET_ADMIN"], set);
  }
});

Deno.test("generateSpec() --privileged: all caps, host devices, no confinement", async (t) => {
  const spec = gen({ privileged: true });
  await assertSnapshot(t, spec);
  const caps = spec.process.capabilities!;
  assert.deepEqual(caps.bounding, [...TEST_BOUNDING].sort());
  assert.deepEqual(caps.effective, caps.bounding);
  assert.equal(spec.linux.seccomp, undefined);
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.equal(spec.linux.readonlyPaths, undefined);
  assert.deepEqual(mount(spec, "/sys")?.options, ["rprivate", "nosuid", "noexec", "nodev", "rw"]);
  assert.equal(mount(spec, "/sys/fs/cgroup")?.options.at(-1), "rw");
  assert.equal(spec.linux.devices?.length, 2);
  assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: "rwm" }]);
  assert.equal(spec.annotations?.["io.podman.annotations.privileged"], "TRUE");
});

Deno.test("generateSpec() --read-only --tmpfs /scratch", async (t) => {
  const spec = gen({
    readOnly: true,
    mounts: [{ type: "tmpfs", source: "", destination: "/scratch", options: [] }],
  });
  await assertSnapshot(t, brief(spec));
  assert.equal(spec.root.readonly, true);
  const tmpfs = ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"];
  for (const d of ["/run", "/tmp", "/var/tmp", "/scratch"]) {
    assert.deepEqual(mount(spec, d), {
      destination: d,
      type: "tmpfs",
      source: "tmpfs",
      options: tmpfs,
    });
  }
  assert.deepEqual(mount(spec, "/etc/hosts")?.options, [
    "bind",
    "rprivate",
    "ro",
    "nosuid",
    "noexec",
    "nodev",
  ]);
  // /run (depth 1) is mounted before /run/.containerenv (depth 2)
  const dests = spec.mounts.map((m) => m.destination);
  assert.ok(dests.indexOf("/run") < dests.indexOf("/run/.containerenv"));
});

Deno.test("generateSpec() --init runs catatonit mounted read-only", async (t) => {
  const spec = gen({ init: true });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.args, ["/run/skiff-init", "--", "sh"]);
  assert.deepEqual(mount(spec, "/run/skiff-init"), {
    destination: "/run/skiff-init",
    type: "bind",
    source: "/usr/bin/catatonit",
    options: ["bind", "ro", "rprivate"],
  });
  assert.equal(spec.annotations?.["io.podman.annotations.init"], "TRUE");
  assert.throws(
    () => gen({ init: true }, { initPath: undefined }),
    (e) => e instanceof UsageError && /init_path/.test(e.message),
  );
});

Deno.test("generateSpec() --network host: no netns, no net sysctls, the host's name", async (t) => {
  const spec = gen({}, { network: { mode: "host" } });
  await assertSnapshot(t, brief(spec));
  assert.ok(!spec.linux.namespaces.some((n) => n.type === "network"));
  assert.ok(spec.linux.namespaces.some((n) => n.type === "uts"));
  assert.equal(spec.linux.sysctl, undefined);
  assert.equal(spec.hostname, "vm");
  assert.ok(spec.process.env.includes("HOSTNAME=vm"));
  assert.ok(mount(spec, "/etc/resolv.conf"));
});

Deno.test("generateSpec() --network none: a new empty netns and no resolv.conf", () => {
  const spec = gen({}, { network: { mode: "none" } });
  assert.deepEqual(spec.linux.namespaces[1], { type: "network" });
  assert.equal(mount(spec, "/etc/resolv.conf"), undefined);
  assert.ok(mount(spec, "/etc/hosts"));
  assert.throws(() => gen({}, { network: { mode: "path" } }), UsageError);
});

Deno.test("generateSpec() --ulimit nofile=100:200 replaces only NOFILE", async (t) => {
  const spec = gen({ ulimits: [{ type: "nofile", soft: 100, hard: 200 }] });
  await assertSnapshot(t, brief(spec));
  assert.deepEqual(spec.process.rlimits, [
    { type: "RLIMIT_NOFILE", hard: 200, soft: 100 },
    { type: "RLIMIT_NPROC", hard: 96365, soft: 96365 },
  ]);
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

Deno.test("generateSpec() user mounts: podman's options, replacing engine files, sorted", () => {
  const spec = gen({
    mounts: [
      { type: "bind", source: "/srv/data/", destination: "/data/sub/", options: ["ro", "z"] },
      { type: "bind", source: "/srv/hosts", destination: "/etc/hosts", options: [] },
      { type: "tmpfs", source: "", destination: "/data", options: ["size=1m"] },
      { type: "volume", source: "/var/lib/skiff/volumes/v/_data", destination: "/v", options: [] },
    ],
  });
  assert.deepEqual(mount(spec, "/data/sub"), {
    destination: "/data/sub",
    type: "bind",
    source: "/srv/data/",
    options: ["ro", "rprivate", "rbind"],
  });
  assert.deepEqual(mount(spec, "/etc/hosts")?.source, "/srv/hosts");
  assert.equal(spec.mounts.filter((m) => m.destination === "/etc/hosts").length, 1);
  assert.deepEqual(mount(spec, "/data")?.options, [
    "size=1m",
    "rw",
    "rprivate",
    "nosuid",
    "nodev",
    "tmpcopyup",
  ]);
  assert.deepEqual(mount(spec, "/v")?.options, ["rw", "rprivate", "rbind"]);
  const dests = spec.mounts.map((m) => m.destination);
  assert.ok(dests.indexOf("/data") < dests.indexOf("/data/sub"));
  assert.throws(
    () =>
      gen({
        mounts: [
          { type: "bind", source: "/a", destination: "/x", options: [] },
          { type: "tmpfs", source: "", destination: "/x/", options: [] },
        ],
      }),
    { name: "UsageError", message: "/x: duplicate mount destination" },
  );
  assert.throws(
    () => gen({ mounts: [{ type: "tmpfs", source: "", destination: "rel", options: [] }] }),
    /invalid container path rel/,
  );
});

Deno.test("generateSpec() systemd cgroups, cgroup namespace, extra keys and annotations", () => {
  const spec = gen(
    {
      annotations: { "com.example": "x" },
      autoRemove: true,
      extra: { noNewPrivileges: true, pidsLimit: 0, sysctls: { "net.core.somaxconn": "1024" } },
    },
    { cgroupManager: "systemd", cgroupNamespace: true },
  );
  assert.equal(spec.linux.cgroupsPath, `machine.slice:skiff:${TEST_ID}`);
  assert.equal(spec.linux.namespaces.at(-1)?.type, "cgroup");
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.linux.resources.pids, undefined);
  assert.deepEqual(spec.linux.sysctl, {
    "net.ipv4.ping_group_range": "0 0",
    "net.core.somaxconn": "1024",
  });
  assert.equal(spec.annotations?.["com.example"], "x");
  assert.equal(spec.annotations?.["io.podman.annotations.autoremove"], "TRUE");
  assert.equal(gen({}, { cgroupParent: "/mine" }).linux.cgroupsPath, `/mine/skiff-${TEST_ID}`);
  assert.throws(() => gen({ extra: { pidsLimit: "5" } }), /invalid value of pidsLimit/);
  assert.equal(gen({}, { seccomp: null }).linux.seccomp, undefined);
});

Deno.test("generateSpec() passes the selected hooks through", () => {
  const hooks = { prestart: [{ path: "/usr/bin/h", args: ["h"] }] };
  assert.deepEqual(gen({}, { hooks }).hooks, hooks);
  assert.equal(gen({}, { hooks: { poststop: [] } }).hooks, undefined);
});

Deno.test("generateSpec() rejects an unknown user with podman's message and exit code 126", () => {
  assert.throws(() => gen({ user: "nosuch" }), (e) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, "unable to find user nosuch: no matching entries in passwd file");
    assert.equal(e.exitCode, 126);
    return true;
  });
});

Deno.test("generateSpec() rejects an unknown capability naming it", () => {
  assert.throws(() => gen({ capAdd: ["FOO"] }), {
    name: "UsageError",
    message: '"CAP_FOO": unknown capability',
  });
});

Deno.test("generateSpec() rejects a ulimit above the caller's hard limit", () => {
  assert.throws(() => gen({ ulimits: [{ type: "nofile", soft: 30000, hard: 30000 }] }), {
    name: "UsageError",
    message: "ulimit nofile=30000:30000 exceeds the hard limit 20000 of this process",
  });
  assert.throws(() => gen({ ulimits: [{ type: "bogus", soft: 1, hard: 1 }] }), /bogus/);
  assert.throws(() => gen({ ulimits: [{ type: "core", soft: 2, hard: 1 }] }), /2 > 1/);
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

Deno.test("parseProcLimits() reads /proc/<pid>/limits, unlimited as Infinity", async () => {
  const text = "Limit                     Soft Limit           Hard Limit           Units     \n" +
    "Max cpu time              unlimited            unlimited            seconds   \n" +
    "Max processes             96365                96365                processes \n" +
    "Max open files            1024                 20000                files     \n" +
    "Max nice priority         0                    0                    \n";
  assert.deepEqual(parseProcLimits(text), {
    RLIMIT_CPU: { soft: Infinity, hard: Infinity },
    RLIMIT_NPROC: { soft: 96365, hard: 96365 },
    RLIMIT_NOFILE: { soft: 1024, hard: 20000 },
    RLIMIT_NICE: { soft: 0, hard: 0 },
  });
  const own = await readProcessRlimits();
  assert.ok(own.RLIMIT_NOFILE && own.RLIMIT_NOFILE.hard >= own.RLIMIT_NOFILE.soft);
  // an unlimited hard limit leaves podman's default as is
  const spec = gen({}, {
    hostRlimits: { RLIMIT_NOFILE: { soft: 1, hard: Infinity }, RLIMIT_NPROC: { soft: 1, hard: 9 } },
  });
  assert.deepEqual(spec.process.rlimits, [
    { type: "RLIMIT_NOFILE", hard: 1048576, soft: 1048576 },
    { type: "RLIMIT_NPROC", hard: 9, soft: 9 },
  ]);
});
