/**
 * Runs busybox under runc directly, from bundles whose config.json is skiff's generateSpec()
 * output with the built-in seccomp profile: no engine, conmon or network involved. Root only.
 */
import assert from "node:assert/strict";
import { buildImages } from "./images/build_images.ts";
import { BUSYBOX_IMAGE, testConfig } from "../src/oci/_spec_testdata.ts";
import { readBoundingSet } from "../src/oci/capabilities.ts";
import {
  generateSpec,
  loadSeccompProfile,
  readProcessRlimits,
  type SpecInput,
} from "../src/oci/spec.ts";
import type { ContainerConfig } from "../src/define/container.ts";

const IMAGES_DIR = `${Deno.env.get("TMPDIR") ?? "/tmp"}/skiff-test-images`;
const CGROUP_PARENT = "/skiff_spec_test";
const NOFILE_HARD = 20000;

function which(cmd: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/sbin"])) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return `${dir}/${cmd}`;
    } catch {
      // not in this directory
    }
  }
  return null;
}

const RUNC = which("runc");
const SKIP = Deno.uid() !== 0
  ? "needs root (runc, cgroups, rootfs owned by 1000)"
  : RUNC === null
  ? "runc is not installed"
  : "";

function testUnless(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: SKIP ? `${name} [ignored: ${SKIP}]` : name, ignore: SKIP !== "", fn });
}

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(args: string[]): Promise<Out> {
  const out = await new Deno.Command(RUNC!, { args, stdin: "null" }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

let rootfsTar: Promise<string> | null = null;
function busyboxRootfs(): Promise<string> {
  rootfsTar ??= buildImages(IMAGES_DIR).then((r) =>
    `${IMAGES_DIR}/${r.images.busybox.files.rootfs}`
  );
  return rootfsTar;
}

function randomHex(n: number): string {
  const b = crypto.getRandomValues(new Uint8Array(n / 2));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Generates a spec for `over`, runs `sh -c script` in it with runc, and deletes it. */
async function runBusybox(script: string, over: Partial<ContainerConfig> = {}): Promise<Out> {
  const tmp = await Deno.makeTempDir({ prefix: "skiff-spec-runc-" });
  const id = `skiffspec${randomHex(54)}`;
  const stateRoot = `${tmp}/runc-state`;
  try {
    const rootfs = `${tmp}/rootfs`;
    const runDir = `${tmp}/run`;
    await Deno.mkdir(rootfs);
    await Deno.mkdir(runDir);
    const tar = await new Deno.Command("tar", {
      args: ["-xf", await busyboxRootfs(), "-C", rootfs],
    })
      .output();
    assert.equal(tar.code, 0, new TextDecoder().decode(tar.stderr));
    await Deno.writeTextFile(`${runDir}/hostname`, `${id.slice(0, 12)}\n`);
    await Deno.writeTextFile(`${runDir}/hosts`, "127.0.0.1 localhost\n");
    await Deno.writeTextFile(`${runDir}/resolv.conf`, "");
    await Deno.writeTextFile(`${runDir}/.containerenv`, 'engine="skiff"\n');
    const hostLimits = await readProcessRlimits();
    const input: SpecInput = {
      config: testConfig({ id, command: ["sh", "-c", script], ...over }),
      image: BUSYBOX_IMAGE,
      rootfs,
      runDir,
      passwd: await Deno.readTextFile(`${rootfs}/etc/passwd`),
      group: await Deno.readTextFile(`${rootfs}/etc/group`),
      // the caller's real limits, with the hard NOFILE limit lowered to 20000 (this host's):
      // runc cannot raise a hard limit, so podman's 1048576 default is clamped to it
      hostRlimits: { ...hostLimits, RLIMIT_NOFILE: { soft: 1024, hard: NOFILE_HARD } },
      cgroupManager: "cgroupfs",
      cgroupParent: CGROUP_PARENT,
      network: { mode: "none" },
      seccomp: await loadSeccompProfile(),
      createdAt: new Date().toISOString(),
      boundingSet: await readBoundingSet(),
      kernelVersion: Deno.osRelease(),
    };
    await Deno.writeTextFile(`${tmp}/config.json`, JSON.stringify(generateSpec(input), null, 2));
    return await exec(["--root", stateRoot, "run", "--bundle", tmp, id]);
  } finally {
    await exec(["--root", stateRoot, "delete", "--force", id]);
    await Deno.remove(tmp, { recursive: true });
  }
}

function ok(out: Out): string {
  assert.equal(out.code, 0, `runc run failed (${out.code}): ${out.stderr}${out.stdout}`);
  return out.stdout;
}

testUnless("runc runs the default spec as root", async () => {
  const out = ok(await runBusybox("id; echo home=$HOME; hostname; cat /proc/self/status"));
  assert.match(out, /^uid=0\(root\) gid=0\(root\)/m);
  assert.match(out, /^home=\/root$/m);
  assert.match(out, /^Seccomp:\s+2$/m);
  assert.match(out, /^NoNewPrivs:\s+0$/m);
  // the 11 default capabilities: 0x800405fb
  assert.match(out, /^CapEff:\s+00000000800405fb$/m);
});

testUnless("runc runs -u tester as uid 1000 with groups 1000,1001", async () => {
  const out = ok(await runBusybox("id; echo home=$HOME", { user: "tester" }));
  assert.match(out, /^uid=1000\(tester\) gid=1000\(tester\) groups=1000\(tester\),1001\(extra\)$/m);
  assert.match(out, /^home=\/home\/tester$/m);
});

testUnless("the built-in seccomp profile lets busybox work and blocks unshare -n", async () => {
  const out = ok(
    await runBusybox(
      "echo ok; ls / >/dev/null && echo ls=ok; sleep 0.1; busybox wget --help >/dev/null 2>&1; " +
        "echo wget=$?; unshare -n true; echo unshare=$?",
    ),
  );
  assert.match(out, /^ok$/m);
  assert.match(out, /^ls=ok$/m);
  assert.match(out, /^wget=0$/m);
  assert.match(out, /^unshare=1$/m);
});

testUnless("--read-only makes / unwritable and keeps /tmp writable", async () => {
  const out = ok(
    await runBusybox(
      "touch /x 2>/dev/null; echo root=$?; touch /tmp/x; echo tmp=$?; touch /run/x; echo run=$?",
      { readOnly: true },
    ),
  );
  assert.match(out, /^root=1$/m);
  assert.match(out, /^tmp=0$/m);
  assert.match(out, /^run=0$/m);
});

testUnless("rlimits reach the container: the clamped default and --ulimit", async () => {
  assert.match(ok(await runBusybox("ulimit -n")), new RegExp(`^${NOFILE_HARD}$`, "m"));
  const out = ok(
    await runBusybox("ulimit -n; ulimit -Hn", {
      ulimits: [{ type: "nofile", soft: 100, hard: 200 }],
    }),
  );
  assert.deepEqual(out.trim().split("\n"), ["100", "200"]);
});

// runc removes each container's cgroup; the shared parent stays behind unless removed here.
Deno.test({
  name: "spec_runc_test cleanup: remove the test cgroup parent",
  ignore: SKIP !== "",
  fn: async () => {
    for await (const c of Deno.readDir("/sys/fs/cgroup")) {
      await Deno.remove(`/sys/fs/cgroup/${c.name}${CGROUP_PARENT}`).catch(() => {});
    }
  },
});
