/**
 * The OCI runtime adapter against the real conmon 2.1.6 and runc: bundles made by hand from
 * the busybox test rootfs and skiff's generateSpec(), no engine, state or network involved.
 * Root only. Every container is deleted in `finally`, and each test checks that no conmon of
 * its container survived.
 */
import assert from "node:assert/strict";
import { buildImages } from "./images/build_images.ts";
import { BUSYBOX_IMAGE, testConfig } from "../src/oci/_spec_testdata.ts";
import { readBoundingSet } from "../src/oci/capabilities.ts";
import { generateSpec, loadSeccompProfile, readProcessRlimits } from "../src/oci/spec.ts";
import {
  ConmonRuntime,
  type CreateRequest,
  readLogs,
  waitExitFile,
} from "../src/oci/oci_runtime.ts";
import type { ContainerConfig } from "../src/define/container.ts";
import { OciRuntimeError } from "../src/define/errors.ts";

const IMAGES_DIR = `${Deno.env.get("TMPDIR") ?? "/tmp"}/skiff-test-images`;
const CGROUP_PARENT = "/skiff_oci_test";

function which(cmd: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").concat(["/usr/sbin", "/usr/bin"])) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return `${dir}/${cmd}`;
    } catch {
      // not in this directory
    }
  }
  return null;
}

const RUNC = which("runc");
const CONMON = which("conmon");
const SKIP = Deno.uid() !== 0
  ? "needs root (runc, cgroups)"
  : RUNC === null || CONMON === null
  ? "runc or conmon is not installed"
  : "";

function testUnless(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: SKIP ? `${name} [ignored: ${SKIP}]` : name, ignore: SKIP !== "", fn });
}

const dec = new TextDecoder();
const enc = new TextEncoder();

/** One rootfs for every container of this file (read-only use). */
let sharedRootfs: Promise<string> | null = null;
function rootfs(): Promise<string> {
  sharedRootfs ??= (async () => {
    const r = await buildImages(IMAGES_DIR);
    const dir = await Deno.makeTempDir({ prefix: "skiff-oci-rootfs-" });
    const tar = await new Deno.Command("tar", {
      args: ["-xf", `${IMAGES_DIR}/${r.images.busybox.files.rootfs}`, "-C", dir],
    }).output();
    assert.equal(tar.code, 0, dec.decode(tar.stderr));
    return dir;
  })();
  return sharedRootfs;
}

interface Box {
  id: string;
  dir: string;
  req: CreateRequest;
  oci: ConmonRuntime;
  /** Where the exit command writes its argv. */
  exitOut: string;
}

/** Makes a bundle and run dir for `command`, runs `fn`, then removes everything. */
async function withContainer(
  command: string[],
  over: Partial<ContainerConfig> & { stdin?: boolean },
  fn: (box: Box) => Promise<void>,
): Promise<void> {
  const id = `skiff-oci-test-${crypto.randomUUID().slice(0, 8)}`;
  const dir = await Deno.makeTempDir({ prefix: "skiff-oci-" });
  // longer than sun_path, like a real bundle under /var/lib/skiff/storage: attach goes
  // through /proc/self/fd/N
  const bundle = `${dir}/bundle-${"b".repeat(100)}`;
  const runDir = `${dir}/run`;
  await Deno.mkdir(bundle);
  await Deno.mkdir(runDir);
  await Deno.writeTextFile(`${runDir}/hostname`, "box\n");
  await Deno.writeTextFile(`${runDir}/hosts`, "127.0.0.1 localhost\n");
  await Deno.writeTextFile(`${runDir}/resolv.conf`, "");
  await Deno.writeTextFile(`${runDir}/.containerenv`, "");
  const exitScript = `${dir}/exit.sh`;
  await Deno.writeTextFile(
    exitScript,
    `#!/bin/sh\nout="$1"; shift\nprintf '%s\\n' "$@" "segment=$SKIFF_LOCK_SEGMENT" > "$out"\n`,
    { mode: 0o755 },
  );
  const { stdin, ...config } = over;
  const spec = generateSpec({
    config: testConfig({ id, command, ...config }),
    image: BUSYBOX_IMAGE,
    rootfs: await rootfs(),
    runDir,
    passwd: null,
    group: null,
    hostRlimits: { ...await readProcessRlimits(), RLIMIT_NOFILE: { soft: 1024, hard: 20000 } },
    cgroupManager: "cgroupfs",
    cgroupParent: CGROUP_PARENT,
    network: { mode: "none" },
    seccomp: await loadSeccompProfile(),
    createdAt: new Date().toISOString(),
    boundingSet: await readBoundingSet(),
    kernelVersion: Deno.osRelease(),
  });
  spec.root = { path: await rootfs(), readonly: true };
  await Deno.writeTextFile(`${bundle}/config.json`, JSON.stringify(spec));
  const oci = new ConmonRuntime({
    conmonPath: CONMON!,
    runtimePath: RUNC!,
    runtimeName: "runc",
    conmonEnv: [],
    passEnv: { SKIFF_LOCK_SEGMENT: "/skiff_oci_test" },
    cgroupManager: "cgroupfs",
    logLevel: "warning",
  });
  const exitOut = `${dir}/exit-command.out`;
  const req: CreateRequest = {
    id,
    name: id,
    bundle,
    runDir,
    exitDir: `${dir}/exits`,
    logPath: `${bundle}/ctr.log`,
    maxLogSize: -1,
    terminal: false,
    stdin: stdin ?? false,
    exitCommand: [exitScript, exitOut, "container", "cleanup", id],
  };
  try {
    await fn({ id, dir, req, oci, exitOut });
  } finally {
    await oci.delete(id, { force: true });
    await waitFor(() => conmonsOf(id).length === 0, 3000);
    assert.deepEqual(conmonsOf(id), [], `a conmon of ${id} survived`);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Pids of conmon processes whose command line names `id`. */
function conmonsOf(id: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (cmd[0]?.endsWith("conmon") && cmd.includes(id) && !stat.includes(") Z ")) {
        out.push(Number(e.name));
      }
    } catch {
      // the process is gone
    }
  }
  return out;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** The fd table of a process: fd number → link target. */
function fdTable(pid: number | "self"): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      out.set(e.name, Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`));
    } catch {
      // closed while we looked
    }
  }
  return out;
}

async function runcList(): Promise<string> {
  const out = await new Deno.Command(RUNC!, { args: ["list", "-q"] }).output();
  return dec.decode(out.stdout);
}

testUnless(
  "create gives a created container under a daemonised conmon that holds none of our fds",
  async () => {
    await withContainer(["sleep", "30"], {}, async ({ id, oci, req }) => {
      const t0 = performance.now();
      const created = await oci.create(req);
      const createMs = performance.now() - t0;
      assert.ok(created.pid > 0 && created.conmonPid > 0);
      assert.deepEqual(await oci.state(id), { status: "created", pid: created.pid });
      assert.deepEqual(conmonsOf(id), [created.conmonPid], "the process we spawned has exited");
      const ours = new Set(
        [...fdTable("self").values()].filter((t) => /^(pipe|socket):/.test(t) || t.startsWith("/")),
      );
      ours.delete("/dev/null");
      const theirs = fdTable(created.conmonPid);
      const shared = [...theirs.entries()].filter(([, t]) => ours.has(t));
      assert.deepEqual(shared, [], `conmon holds fds of ours: ${JSON.stringify([...theirs])}`);
      for (const n of ["0", "1", "2"]) assert.equal(theirs.get(n), "/dev/null");
      assert.match(
        theirs.get("3") ?? "",
        /^socket:/,
        "the sync pipe stays open until conmon exits",
      );
      assert.ok(createMs < 10_000, `create took ${createMs} ms`); // ~75 ms here
    });
  },
);

testUnless(
  "attach before start delivers stdout and stderr apart; exit file, log and exit command follow",
  async () => {
    const script = "echo out; echo err >&2; exit 3";
    await withContainer(["sh", "-c", script], {}, async ({ id, oci, req, exitOut }) => {
      await oci.create(req);
      const out: string[] = [];
      const err: string[] = [];
      const streams = await oci.attach(req.bundle, {
        stdout: (d) => out.push(dec.decode(d)),
        stderr: (d) => err.push(dec.decode(d)),
      });
      const t0 = performance.now();
      await oci.start(id);
      const startMs = performance.now() - t0;
      await streams.done;
      assert.equal(out.join(""), "out\n");
      assert.equal(err.join(""), "err\n");
      const exit = await waitExitFile(req.exitDir, id, { intervalMs: 2 });
      const exitMs = performance.now() - t0;
      assert.equal(exit?.code, 3);
      assert.ok(Math.abs(exit!.finishedAt.getTime() - Date.now()) < 5000);
      const lines = [];
      for await (const l of readLogs(req.logPath)) lines.push(`${l.stream} ${l.text}`);
      assert.deepEqual(lines, ["stdout out", "stderr err"]);
      assert.match(await Deno.readTextFile(req.logPath), /^\S+\.\d{9}[+-]\d\d:\d\d stdout F out\n/);
      // the script creates the file, then writes it: wait for its last line
      const ran = () =>
        Deno.readTextFile(exitOut).then(
          (t) => t.endsWith("segment=/skiff_oci_test\n"),
          () => false,
        );
      assert.ok(await waitFor(ran, 5000), "the exit command ran");
      assert.deepEqual((await Deno.readTextFile(exitOut)).split("\n"), [
        "container",
        "cleanup",
        id,
        "segment=/skiff_oci_test",
        "",
      ]);
      assert.deepEqual(await oci.state(id), { status: "stopped", pid: 0 });
      // ~5 ms and ~10 ms here
      assert.ok(startMs < 5_000 && exitMs < 10_000, `start ${startMs} ms, exit file ${exitMs} ms`);
    });
  },
);

testUnless(
  "with -i, what we write reaches the container's stdin and closeStdin ends it",
  async () => {
    await withContainer(["cat"], { stdin: true, interactive: true }, async ({ id, oci, req }) => {
      await oci.create(req);
      const out: string[] = [];
      const streams = await oci.attach(req.bundle, {
        stdout: (d) => out.push(dec.decode(d)),
        stderr: () => {},
      }, { stdin: true });
      await oci.start(id);
      await streams.write(enc.encode("hello\n"));
      await streams.closeStdin();
      await streams.done;
      assert.equal(out.join(""), "hello\n");
      assert.equal((await waitExitFile(req.exitDir, id))?.code, 0);
    });
  },
);

testUnless("a missing command fails create with 127 and leaves no runc container", async () => {
  await withContainer(["/nonexistent"], {}, async ({ id, oci, req }) => {
    await assert.rejects(() => oci.create(req), (e: unknown) => {
      assert.ok(e instanceof OciRuntimeError, String(e));
      assert.equal(e.failure, "not-found");
      assert.equal(e.exitCode, 127);
      assert.match(
        e.message,
        /^runc: .*"\/nonexistent".*no such file or directory: OCI runtime attempted/,
      );
      return true;
    });
    assert.ok(!(await runcList()).split("\n").includes(id));
    assert.deepEqual(conmonsOf(id), []);
  });
});

testUnless("a file that is not executable fails create with 126", async () => {
  await withContainer(["/etc/passwd"], {}, async ({ oci, req }) => {
    await assert.rejects(
      () => oci.create(req),
      (e: unknown) =>
        e instanceof OciRuntimeError && e.failure === "permission" && e.exitCode === 126,
    );
  });
});

testUnless("pause, resume, SIGKILL (exit file 137) and delete of a running sleep", async () => {
  await withContainer(["sleep", "30"], {}, async ({ id, oci, req }) => {
    const created = await oci.create(req);
    await oci.start(id);
    assert.equal((await oci.state(id))?.status, "running");
    await oci.pause(id);
    assert.equal((await oci.state(id))?.status, "paused");
    await oci.resume(id);
    assert.equal((await oci.state(id))?.status, "running");
    const t0 = performance.now();
    await oci.kill(id, 9);
    const exit = await waitExitFile(req.exitDir, id, { intervalMs: 2 });
    const killMs = performance.now() - t0;
    assert.equal(exit?.code, 137);
    assert.ok(
      await waitFor(() => conmonsOf(id).length === 0, 3000),
      "conmon exits with the container",
    );
    await assert.rejects(() => oci.kill(id, 9), OciRuntimeError);
    await oci.kill(id, 9, { ignoreMissing: true });
    await oci.delete(id);
    assert.equal(await oci.state(id), null);
    await oci.delete(id);
    assert.ok(created.pid > 0);
    assert.ok(killMs < 5_000, `SIGKILL to exit file took ${killMs} ms`); // ~10 ms here
  });
});

// runc removes each container's cgroup; the shared parent and the rootfs stay unless removed here.
Deno.test({
  name: "oci_conmon_test cleanup: remove the test cgroup parent and rootfs",
  ignore: SKIP !== "",
  fn: async () => {
    for await (const c of Deno.readDir("/sys/fs/cgroup")) {
      await Deno.remove(`/sys/fs/cgroup/${c.name}${CGROUP_PARENT}`).catch(() => {});
    }
    if (sharedRootfs) await Deno.remove(await sharedRootfs, { recursive: true });
  },
});
