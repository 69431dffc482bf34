/**
 * Benchmark helpers: how to run skiff the way users do (the compiled binary when there is one,
 * else `deno run` with the permission set — never through `deno task`), podman with an
 * isolated store, timing, and table printing.
 * @module
 */
// deno-lint-ignore-file no-console

const ROOT = new URL("../", import.meta.url).pathname;

/** The argv prefix that runs skiff. */
export function skiffArgv(): string[] {
  try {
    Deno.statSync(`${ROOT}dist/skiff`);
    return [`${ROOT}dist/skiff`];
  } catch {
    return [
      Deno.execPath(),
      "run",
      "-P",
      "--quiet",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}main.ts`,
    ];
  }
}

/** A scratch store for one benchmark run, with skiff and podman argv pointing into it. */
export class BenchStore implements AsyncDisposable {
  readonly dir: string;
  readonly env: Record<string, string>;
  private constructor(dir: string) {
    this.dir = dir;
    this.env = {
      SKIFF_LOCK_SEGMENT: `/skiff_bench_${Deno.pid}`,
      CONTAINERS_CONF: `${dir}/containers.conf`,
    };
  }
  static async create(): Promise<BenchStore> {
    const dir = await Deno.makeTempDir({ prefix: "skiff-bench-" });
    await Deno.writeTextFile(
      `${dir}/containers.conf`,
      '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n' +
        '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n[network]\nnetwork_backend = "cni"\n',
    );
    return new BenchStore(dir);
  }
  skiff(...args: string[]): string[] {
    return [
      ...skiffArgv(),
      "--root",
      `${this.dir}/s-root`,
      "--runroot",
      `${this.dir}/s-run`,
      "--tmpdir",
      `${this.dir}/s-tmp`,
      ...args,
    ];
  }
  podman(...args: string[]): string[] {
    return [
      "podman",
      "--root",
      `${this.dir}/p-root`,
      "--runroot",
      `${this.dir}/p-run`,
      "--tmpdir",
      `${this.dir}/p-tmp`,
      ...args,
    ];
  }
  async [Symbol.asyncDispose]() {
    const mi = await Deno.readTextFile("/proc/self/mountinfo").catch(() => "");
    const points = mi.split("\n").map((l) => l.split(" ")[4] ?? "").filter((p) =>
      p.startsWith(this.dir)
    ).sort((a, b) => b.length - a.length);
    for (const p of points) {
      await new Deno.Command("umount", { args: ["-l", p], stderr: "null" }).output();
    }
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    await Deno.remove(`/dev/shm${this.env.SKIFF_LOCK_SEGMENT}`).catch(() => {});
  }
}

/** Runs argv, throwing with its stderr on failure; returns elapsed ms. */
export async function timed(
  argv: string[],
  env: Record<string, string> = {},
  stdin?: Uint8Array,
): Promise<number> {
  const t0 = performance.now();
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    stdin: stdin ? "piped" : "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(`${argv.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

/** The median of `runs` timings of argv (after one warm-up). */
export async function median(
  argv: string[],
  env: Record<string, string>,
  runs: number,
): Promise<number> {
  await timed(argv, env);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) t.push(await timed(argv, env));
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** True when podman is installed (it is the comparison, never a dependency). */
export async function hasPodman(): Promise<boolean> {
  try {
    return (await new Deno.Command("podman", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

/** Times one subcommand in skiff and podman; rows for printTable. */
export async function commandTimes(sub: string, opts: { runs: number }): Promise<string[][]> {
  await using s = await BenchStore.create();
  const skiff = await median(s.skiff(sub), s.env, opts.runs);
  const rows = [["skiff", skiff.toFixed(1), "1.00"]];
  if (await hasPodman()) {
    const podman = await median(s.podman(sub), s.env, opts.runs);
    rows.push(["podman", podman.toFixed(1), (podman / skiff).toFixed(2)]);
  }
  return rows;
}

/** Prints a titled, aligned table. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  console.log(`\n${title}`);
  for (const r of all) {
    console.log(
      "  " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "),
    );
  }
}
