import assert from "node:assert/strict";
import { ConfigError } from "../define/errors.ts";
import { DEFAULT_CAPABILITIES } from "./capabilities.ts";
import {
  convertSeccompProfile,
  kernelAtLeast,
  loadSeccompProfile,
  parseSeccompProfile,
  type SeccompProfile,
} from "./seccomp.ts";
import type { LinuxSeccomp } from "./types.ts";

const NO_FILES = { override: "/nonexistent/skiff/o.json", system: "/nonexistent/skiff/s.json" };

const SAMPLE: SeccompProfile = {
  defaultAction: "SCMP_ACT_ERRNO",
  defaultErrnoRet: 38,
  archMap: [
    { architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
    { architecture: "SCMP_ARCH_AARCH64", subArchitectures: ["SCMP_ARCH_ARM"] },
  ],
  syscalls: [
    { names: ["read", "write"], action: "SCMP_ACT_ALLOW" },
    { name: "getpid", action: "SCMP_ACT_ALLOW" },
    { names: ["mount"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_ADMIN"] } },
    { names: ["mount"], action: "SCMP_ACT_ERRNO", errnoRet: 1, excludes: { caps: ["SYS_ADMIN"] } },
    { names: ["arch_prctl"], action: "SCMP_ACT_ALLOW", includes: { arches: ["amd64", "x32"] } },
    { names: ["set_tls"], action: "SCMP_ACT_ALLOW", includes: { arches: ["arm", "arm64"] } },
    { names: ["not_on_arm"], action: "SCMP_ACT_ALLOW", excludes: { arches: ["arm64"] } },
    { names: ["new_call"], action: "SCMP_ACT_ALLOW", includes: { minKernel: "5.6" } },
    { names: ["old_call"], action: "SCMP_ACT_ALLOW", excludes: { minKernel: "5.6" } },
    {
      names: ["personality"],
      action: "SCMP_ACT_ALLOW",
      args: [{ index: 0, value: 8, op: "SCMP_CMP_EQ" }],
    },
    { names: ["both"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_ADMIN", "CAP_BPF"] } },
  ],
};

function names(s: LinuxSeccomp, action = "SCMP_ACT_ALLOW"): string[] {
  return (s.syscalls ?? []).filter((r) => r.action === action).flatMap((r) => r.names);
}

Deno.test("convertSeccompProfile() keeps cap-gated rules by the container's capabilities", () => {
  const plain = convertSeccompProfile(SAMPLE, {
    capabilities: DEFAULT_CAPABILITIES,
    arch: "x86_64",
  });
  assert.ok(!names(plain).includes("mount"));
  assert.deepEqual(plain.syscalls?.find((r) => r.names[0] === "mount"), {
    names: ["mount"],
    action: "SCMP_ACT_ERRNO",
    errnoRet: 1,
  });
  const admin = convertSeccompProfile(SAMPLE, {
    capabilities: [...DEFAULT_CAPABILITIES, "CAP_SYS_ADMIN"],
    arch: "x86_64",
  });
  assert.ok(names(admin).includes("mount"));
  assert.ok(!names(admin, "SCMP_ACT_ERRNO").includes("mount"));
  // includes.caps needs every listed capability
  assert.ok(!names(admin).includes("both"));
  const both = convertSeccompProfile(SAMPLE, {
    capabilities: ["CAP_SYS_ADMIN", "CAP_BPF"],
    arch: "x86_64",
  });
  assert.ok(names(both).includes("both"));
});

Deno.test("convertSeccompProfile() picks the host's archMap entry and arch-gated rules", () => {
  const x86 = convertSeccompProfile(SAMPLE, { capabilities: [], arch: "x86_64" });
  assert.deepEqual(x86.architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
  assert.ok(names(x86).includes("arch_prctl"));
  assert.ok(!names(x86).includes("set_tls"));
  assert.ok(names(x86).includes("not_on_arm"));
  const arm = convertSeccompProfile(SAMPLE, { capabilities: [], arch: "aarch64" });
  assert.deepEqual(arm.architectures, ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
  assert.ok(!names(arm).includes("arch_prctl"));
  assert.ok(names(arm).includes("set_tls"));
  assert.ok(!names(arm).includes("not_on_arm"));
  const other = convertSeccompProfile(SAMPLE, { capabilities: [], arch: "s390x" });
  assert.equal(other.architectures, undefined);
  const listed = convertSeccompProfile(
    { ...SAMPLE, archMap: null, architectures: ["SCMP_ARCH_X86_64"] },
    { capabilities: [], arch: "x86_64" },
  );
  assert.deepEqual(listed.architectures, ["SCMP_ARCH_X86_64"]);
});

Deno.test("convertSeccompProfile() applies minKernel when the kernel is known", () => {
  const old = convertSeccompProfile(SAMPLE, {
    capabilities: [],
    arch: "x86_64",
    kernel: "5.4.0-1",
  });
  assert.ok(!names(old).includes("new_call"));
  assert.ok(names(old).includes("old_call"));
  const fresh = convertSeccompProfile(SAMPLE, {
    capabilities: [],
    arch: "x86_64",
    kernel: "6.1.0",
  });
  assert.ok(names(fresh).includes("new_call"));
  assert.ok(!names(fresh).includes("old_call"));
});

Deno.test("convertSeccompProfile() converts name, args, errno and the default action", () => {
  const s = convertSeccompProfile(SAMPLE, { capabilities: [], arch: "x86_64" });
  assert.equal(s.defaultAction, "SCMP_ACT_ERRNO");
  assert.equal(s.defaultErrnoRet, 38);
  assert.deepEqual(s.syscalls?.[1], { names: ["getpid"], action: "SCMP_ACT_ALLOW" });
  assert.deepEqual(s.syscalls?.find((r) => r.names[0] === "personality")?.args, [
    { index: 0, value: 8, op: "SCMP_CMP_EQ" },
  ]);
});

Deno.test("kernelAtLeast() compares release numbers", () => {
  assert.ok(kernelAtLeast("6.18.44-fc", "5.6"));
  assert.ok(kernelAtLeast("5.6.0", "5.6"));
  assert.ok(!kernelAtLeast("5.4.0-150-generic", "5.6"));
  assert.ok(kernelAtLeast("5.10", "5.9.9"));
});

Deno.test("parseSeccompProfile() names the file and the problem", () => {
  const bad = (text: string, re: RegExp) =>
    assert.throws(() => parseSeccompProfile(text, "/etc/skiff/seccomp.json"), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /\/etc\/skiff\/seccomp\.json/);
      assert.match(e.message, re);
      return true;
    });
  bad("{", /parsing/);
  bad("[]", /not an object/);
  bad('{"defaultAction":"SCMP_ACT_NOPE"}', /unknown defaultAction "SCMP_ACT_NOPE"/);
  bad(
    '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"BAD"}]}',
    /syscalls\[0\]: unknown action "BAD"/,
  );
  bad(
    '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["x"],"action":"SCMP_ACT_ALLOW"}]}',
    /'name' and 'names'/,
  );
  bad(
    '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"LIKE"}]}]}',
    /unknown operator "LIKE"/,
  );
  bad(
    '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86"}]}',
    /'architectures' and 'archMap'/,
  );
});

Deno.test("loadSeccompProfile() prefers the override, then the system file, then built-in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = { override: `${dir}/etc.json`, system: `${dir}/usr.json` };
    const builtIn = await loadSeccompProfile(paths);
    assert.equal(builtIn.defaultErrnoRet, 38);
    await Deno.writeTextFile(paths.system, '{"defaultAction":"SCMP_ACT_LOG"}');
    assert.equal((await loadSeccompProfile(paths)).defaultAction, "SCMP_ACT_LOG");
    await Deno.writeTextFile(paths.override, '{"defaultAction":"SCMP_ACT_ALLOW"}');
    assert.equal((await loadSeccompProfile(paths)).defaultAction, "SCMP_ACT_ALLOW");
    await Deno.writeTextFile(paths.override, "{oops");
    await assert.rejects(loadSeccompProfile(paths), new RegExp(`${dir}/etc\\.json`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// The built-in profile (conf/seccomp.json) is skiff's own: check the properties it promises.
const BUILT_IN = await loadSeccompProfile(NO_FILES);
const x86Default = convertSeccompProfile(BUILT_IN, {
  capabilities: DEFAULT_CAPABILITIES,
  arch: "x86_64",
  kernel: "6.1.0",
});

Deno.test("built-in profile: unknown syscalls get ENOSYS on x86_64 and its 32-bit ABIs", () => {
  assert.equal(x86Default.defaultAction, "SCMP_ACT_ERRNO");
  assert.equal(x86Default.defaultErrnoRet, 38);
  assert.deepEqual(x86Default.architectures, [
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X32",
  ]);
  const arm = convertSeccompProfile(BUILT_IN, { capabilities: [], arch: "aarch64" });
  assert.deepEqual(arm.architectures, ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
  assert.ok(names(arm).includes("set_tls"));
  assert.ok(!names(arm).includes("arch_prctl"));
});

Deno.test("built-in profile: ordinary programs' syscalls are allowed without conditions", () => {
  const unconditional = (x86Default.syscalls ?? [])
    .filter((r) => r.action === "SCMP_ACT_ALLOW" && !r.args)
    .flatMap((r) => r.names);
  for (
    const n of [
      "read",
      "write",
      "openat",
      "execve",
      "fork",
      "wait4",
      "mmap",
      "futex",
      "socket",
      "connect",
      "rt_sigaction",
      "clock_gettime",
      "epoll_pwait",
      "getdents64",
      "statx",
      "arch_prctl",
      "exit_group",
      "setuid",
      "chroot",
    ]
  ) {
    assert.ok(unconditional.includes(n), n);
  }
  assert.ok(unconditional.length > 300, `${unconditional.length} names`);
});

Deno.test("built-in profile: dangerous syscalls are never allowed by default", () => {
  const allowed = names(x86Default);
  for (
    const n of [
      "kexec_load",
      "init_module",
      "finit_module",
      "delete_module",
      "bpf",
      "perf_event_open",
      "open_by_handle_at",
      "iopl",
      "ioperm",
      "reboot",
      "swapon",
      "settimeofday",
      "clock_settime",
      "adjtimex",
      "acct",
      "lookup_dcookie",
      "keyctl",
      "add_key",
      "request_key",
      "mount",
      "umount2",
      "pivot_root",
      "unshare",
      "setns",
      "ptrace",
      "clone3",
      "io_uring_setup",
    ]
  ) {
    assert.ok(!allowed.includes(n), n);
  }
  assert.ok(names(x86Default, "SCMP_ACT_ERRNO").includes("unshare"));
  // personality only with fixed arguments; clone only without namespace flags
  const personality = x86Default.syscalls!.filter((r) => r.names.includes("personality"));
  assert.ok(personality.length >= 4 && personality.every((r) => r.args?.length === 1));
  const cloneAllow = x86Default.syscalls!.find(
    (r) => r.names.includes("clone") && r.action === "SCMP_ACT_ALLOW",
  );
  assert.deepEqual(cloneAllow?.args, [
    { index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" },
  ]);
});

Deno.test("built-in profile: CAP_SYS_ADMIN and CAP_SYS_PTRACE unlock their syscalls", () => {
  const admin = convertSeccompProfile(BUILT_IN, {
    capabilities: [...DEFAULT_CAPABILITIES, "CAP_SYS_ADMIN", "CAP_SYS_PTRACE"],
    arch: "x86_64",
  });
  const allowed = (admin.syscalls ?? [])
    .filter((r) => r.action === "SCMP_ACT_ALLOW" && !r.args)
    .flatMap((r) => r.names);
  for (const n of ["mount", "unshare", "setns", "clone", "clone3", "pivot_root", "ptrace"]) {
    assert.ok(allowed.includes(n), n);
  }
  assert.ok(!names(admin, "SCMP_ACT_ERRNO").includes("mount"));
  assert.ok(!names(admin).includes("kexec_load"));
});
