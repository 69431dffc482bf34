/**
 * The integration-test harness: runs the real CLI (`deno run` with the project's permission set,
 * exactly what `deno task skiff` runs) against a store of its own under a temp dir, and cleans
 * everything up afterwards.
 * @module
 */

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** What one CLI invocation produced. */
export interface SkiffResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for one invocation. */
export interface InvokeOptions {
  stdin?: string | Uint8Array;
  env?: Record<string, string>;
  /** Do not add the store flags (for tests of flag handling itself). */
  bare?: boolean;
}

/** Runs skiff from source with the permission set from deno.json. */
export async function runSkiff(args: string[], options: InvokeOptions = {}): Promise<SkiffResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-P",
      "--quiet",
      "--no-prompt",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}main.ts`,
      ...args,
    ],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(
      typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
    );
    await w.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** A private store: its own root, run root, tmp dir and lock segment. */
export class TestStore implements AsyncDisposable {
  readonly dir: string;
  readonly lockSegment: string;
  constructor(dir: string) {
    this.dir = dir;
    this.lockSegment = `/skiff_test_${
      dir.slice(dir.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9_]/g, "_")
    }`;
  }

  /** Creates a store under a new temp dir. */
  static async create(prefix = "skiff-it-"): Promise<TestStore> {
    return new TestStore(await Deno.makeTempDir({ prefix }));
  }

  /** The global flags that point skiff at this store. */
  get flags(): string[] {
    return [
      "--root",
      `${this.dir}/root`,
      "--runroot",
      `${this.dir}/run`,
      "--tmpdir",
      `${this.dir}/tmp`,
      // networks of the test only: nothing written to /etc/cni/net.d
      "--cni-config-dir",
      `${this.dir}/cni`,
    ];
  }

  /** Runs skiff against this store. */
  run(args: string[], options: InvokeOptions = {}): Promise<SkiffResult> {
    const env = { SKIFF_LOCK_SEGMENT: this.lockSegment, ...options.env };
    return runSkiff(options.bare ? args : [...this.flags, ...args], { ...options, env });
  }

  /** Runs skiff and fails with its output unless it exits 0; returns trimmed stdout. */
  async ok(args: string[], options: InvokeOptions = {}): Promise<string> {
    const r = await this.run(args, options);
    if (r.code !== 0) {
      throw new Error(
        `skiff ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
      );
    }
    return r.stdout.trim();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // A failed test may leave containers running: take them down before removing the store.
    if (await exists(`${this.dir}/root/libpod/skiff.db`)) {
      await this.run(["rm", "-a", "-f"]).catch(() => {});
    }
    await killProcessesMentioning(this.dir);
    await unmountUnder(this.dir);
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    await Deno.remove(`/dev/shm${this.lockSegment}`).catch(() => {});
    await Deno.remove(`/dev/shm${this.lockSegment}.lock`).catch(() => {});
    await Deno.remove(`/run/skiff/locks${this.lockSegment}.lock`).catch(() => {});
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs leftover processes (conmon, containers) whose command line mentions `dir`. */
async function killProcessesMentioning(dir: string): Promise<void> {
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
      if (cmd.includes(dir)) Deno.kill(Number(e.name), "SIGKILL");
    } catch { /* gone */ }
  }
}

/** Unmounts every mount point under `dir`, deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile("/proc/self/mountinfo");
  } catch {
    return;
  }
  const points = text.split("\n").map((l) => l.split(" ")[4] ?? "")
    .map((p) => p.replace(/\\040/g, " "))
    .filter((p) => p === dir || p.startsWith(dir + "/"))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    await new Deno.Command("umount", { args: ["-l", p], stdout: "null", stderr: "null" }).output();
  }
}

/** True when the tests run as root (integration tests need it). */
export const isRoot = Deno.uid() === 0;

/** Builds (once, cached) the busybox test images and returns their directory and IDs. */
export async function testImages(): Promise<{
  dir: string;
  busybox: string;
  busyboxUser: string;
  file: (name: string) => string;
}> {
  const { buildImages } = await import("../images/build_images.ts");
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/skiff-test-images`;
  const r = await buildImages(dir);
  return {
    dir,
    busybox: r.images.busybox.id,
    busyboxUser: r.images["busybox-user"].id,
    file: (name) => `${dir}/${name}`,
  };
}
