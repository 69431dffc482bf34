/**
 * Fixtures for the spec tests (unit and runc integration): a container config as `skiff run`
 * would store it for `localhost/busybox`, the test image's config and passwd/group files.
 * @module
 */

import type { ContainerConfig } from "../define/container.ts";
import { type ConfigOverrides, containerConfig } from "../testing/records.ts";
import type { ImageRuntimeConfig } from "./_spec_process.ts";
import { ALL_CAPABILITIES } from "./capabilities.ts";
import { loadSeccompProfile, type SeccompProfile } from "./seccomp.ts";
import { generateSpec, type SpecInput } from "./spec.ts";
import type { OciMount, OciSpec } from "./types.ts";

/** A fixed 64-hex container ID. */
export const TEST_ID = "3e2689c9a629f3f0482ac62a52b722297e4ce611ffc6bbb2f516763a4e27914e";

/** `/etc/passwd` of tests/images' busybox rootfs. */
export const BUSYBOX_PASSWD = "root:x:0:0:root:/root:/bin/sh\n" +
  "tester:x:1000:1000:tester:/home/tester:/bin/sh\n" +
  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

/** `/etc/group` of tests/images' busybox rootfs. */
export const BUSYBOX_GROUP = "root:x:0:\ntester:x:1000:\nextra:x:1001:tester\nnogroup:x:65534:\n";

/** The runtime part of `localhost/busybox:latest`'s image config. */
export const BUSYBOX_IMAGE: ImageRuntimeConfig = {
  Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
  Cmd: ["sh"],
  WorkingDir: "/",
  Labels: { "org.skiff.test": "busybox" },
};

/** A container config with every flag at its default; `over` replaces fields. */
export function testConfig(over: ConfigOverrides = {}): ContainerConfig {
  return containerConfig(0, {
    id: TEST_ID,
    name: "test",
    createdAt: "2024-05-01T12:00:00Z",
    createCommand: ["skiff", "run", "localhost/busybox"],
    image: { id: "ced24409d4405f57c50bda7a22d7b2d7a806e849c6c5fcdfd437ea2d24a7f13b", name: "b" },
    command: [],
    ...over,
    network: { mode: "bridge", ...over.network },
  });
}

/** This host's bounding set: every capability but CAP_SYS_RESOURCE. */
export const TEST_BOUNDING = ALL_CAPABILITIES.filter((c) => c !== "CAP_SYS_RESOURCE");

/** A SpecInput for `config` with fixed host facts; `over` replaces fields. */
export function testInput(config: ContainerConfig, over: Partial<SpecInput> = {}): SpecInput {
  return {
    config,
    image: BUSYBOX_IMAGE,
    rootfs: `/var/lib/skiff/storage/overlay/${"a".repeat(64)}/merged`,
    runDir: `/run/skiff/containers/${config.id}/userdata`,
    passwd: BUSYBOX_PASSWD,
    group: BUSYBOX_GROUP,
    hostRlimits: {
      RLIMIT_NOFILE: { soft: 1024, hard: 20000 },
      RLIMIT_NPROC: { soft: 96365, hard: 96365 },
    },
    cgroupManager: "cgroupfs",
    network: { mode: "path", path: "/run/skiff/netns/netns-1234" },
    seccomp: null,
    initPath: "/usr/bin/catatonit",
    hostDevices: [
      { path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: 8612, uid: 0, gid: 0 },
      { path: "/dev/loop0", type: "b", major: 7, minor: 0, fileMode: 24960, uid: 0, gid: 0 },
    ],
    createdAt: "2024-05-01T12:00:00.123456789Z",
    boundingSet: TEST_BOUNDING,
    hostHostname: "vm",
    arch: "x86_64",
    kernelVersion: "6.1.0",
    ...over,
  };
}

/** Seccomp profile paths that do not exist, so the built-in profile is loaded. */
const NO_FILES = { override: "/nonexistent/skiff/a.json", system: "/nonexistent/skiff/b.json" };
/** The built-in seccomp profile, loaded once when this module is imported. */
const PROFILE: SeccompProfile = await loadSeccompProfile(NO_FILES);

/** podman's default `PATH` environment entry (the busybox image's too). */
export const PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The spec with the (long) seccomp rules summarized, for snapshots of everything else. */
export function brief(spec: OciSpec): unknown {
  const s = spec.linux.seccomp;
  if (!s) return spec;
  const summary = { ...s, syscalls: `${s.syscalls?.length ?? 0} rules` };
  return { ...spec, linux: { ...spec.linux, seccomp: summary } };
}

/** The spec's mount at `dest`, if any. */
export function mount(spec: OciSpec, dest: string): OciMount | undefined {
  return spec.mounts.find((m) => m.destination === dest);
}

/** generateSpec() of testConfig(`over`) and testInput() with `input`, with built-in seccomp. */
export function gen(over: Parameters<typeof testConfig>[0] = {}, input = {}): OciSpec {
  return generateSpec(testInput(testConfig(over), { seccomp: PROFILE, ...input }));
}
