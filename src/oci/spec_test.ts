/** generateSpec() as a whole: the default, --privileged, network, cgroups, annotations, hooks. */
import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { assertSnapshot } from "../testing/snapshot.ts";
import {
  brief,
  gen,
  mount,
  PATH,
  TEST_BOUNDING,
  TEST_ID,
  testConfig,
  testInput,
} from "./_spec_testdata.ts";
import { DEFAULT_CAPABILITIES } from "./capabilities.ts";

const SHORT = TEST_ID.slice(0, 12);
const RUN = `/run/skiff/containers/${TEST_ID}/userdata`;

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
