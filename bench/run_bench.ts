/**
 * Container benchmarks, side by side in one run: `run --rm IMAGE true` (network none) for
 * skiff, podman (runc) and bare `runc run` of a prepared bundle (the floor); create
 * throughput; `ps -a` and `inspect` with many containers in the store.
 * @module
 */

import { BenchStore, hasPodman, median, timed } from "./_lib.ts";

const IMAGES = new URL("../tests/images/build_images.ts", import.meta.url).pathname;

async function ok(argv: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).trim();
}

/** Prepares the image in both stores and a runc bundle; returns the bundle dir. */
async function prepare(s: BenchStore, podman: boolean): Promise<string> {
  const images = `${s.dir}/images`;
  await ok([Deno.execPath(), "run", "-P", "--quiet", IMAGES, images]);
  await ok(s.skiff("load", "-q", "-i", `${images}/busybox.docker.tar`), s.env);
  if (podman) await ok(s.podman("load", "-q", "-i", `${images}/busybox.docker.tar`), s.env);
  const bundle = `${s.dir}/bundle`;
  await Deno.mkdir(`${bundle}/rootfs`, { recursive: true });
  await ok(["tar", "-xf", `${images}/busybox.rootfs.tar`, "-C", `${bundle}/rootfs`]);
  await ok(["runc", "spec", "--bundle", bundle]);
  const spec = JSON.parse(await Deno.readTextFile(`${bundle}/config.json`));
  spec.process.terminal = false;
  spec.process.args = ["true"];
  spec.process.rlimits = [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }];
  await Deno.writeTextFile(`${bundle}/config.json`, JSON.stringify(spec));
  return bundle;
}

/** Rows `[case, skiff ms, podman ms, runc ms, skiff/podman, skiff/runc]`. */
export async function benchRun(
  options: { runs?: number; containers?: number } = {},
): Promise<{ run: string[][]; many: string[][]; steps: string }> {
  const runs = options.runs ?? 10;
  const n = options.containers ?? 1000;
  await using s = await BenchStore.create();
  const podman = await hasPodman();
  const bundle = await prepare(s, podman);
  let i = 0;
  const runcMs = await median(
    ["runc", "run", "--bundle", bundle, `skiff-bench-${Deno.pid}-${i++}`],
    {},
    1,
  ).then(async () => {
    const t: number[] = [];
    for (let k = 0; k < runs; k++) {
      t.push(await timed(["runc", "run", "--bundle", bundle, `skiff-bench-${Deno.pid}-${i++}`]));
    }
    return t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
  });
  const skiffRun = await median(
    s.skiff("run", "--rm", "--network", "none", "localhost/busybox", "true"),
    s.env,
    runs,
  );
  const podmanRun = podman
    ? await median(
      s.podman(
        "run",
        "--rm",
        "--network",
        "none",
        "--runtime",
        "runc",
        "localhost/busybox",
        "true",
      ),
      s.env,
      runs,
    )
    : NaN;
  // the default network: skiff's CNI bridge vs podman's CNI backend
  const skiffNet = await median(s.skiff("run", "--rm", "localhost/busybox", "true"), s.env, runs);
  const podmanNet = podman
    ? await median(
      s.podman("run", "--rm", "--runtime", "runc", "localhost/busybox", "true"),
      s.env,
      runs,
    )
    : NaN;
  const cni = await new Deno.Command(s.skiff()[0]!, {
    args: [...s.skiff("--log-level", "debug", "run", "--rm", "localhost/busybox", "true").slice(1)],
    env: s.env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const cniLog = new TextDecoder().decode(cni.stderr);
  const add = /msg="CNI ADD done" ms=(\d+)/.exec(cniLog)?.[1] ?? "?";
  const del = /msg="CNI DEL done" ms=(\d+)/.exec(cniLog)?.[1] ?? "?";
  const run = [[
    "run --rm true",
    skiffRun.toFixed(0),
    podman ? podmanRun.toFixed(0) : "-",
    runcMs.toFixed(0),
    podman ? (skiffRun / podmanRun).toFixed(2) : "-",
    (skiffRun / runcMs).toFixed(2),
  ], [
    `run --rm true, default network (CNI ADD ${add} ms, DEL ${del} ms in skiff)`,
    skiffNet.toFixed(0),
    podman ? podmanNet.toFixed(0) : "-",
    "-",
    podman ? (skiffNet / podmanNet).toFixed(2) : "-",
    "-",
  ]];

  // Per-step timing: one debug run's log lines, with ms since the first line.
  const dbg = await new Deno.Command(
    s.skiff(
      "--log-level",
      "debug",
      "run",
      "--rm",
      "--network",
      "none",
      "localhost/busybox",
      "true",
    )[0]!,
    {
      args: s.skiff(
        "--log-level",
        "debug",
        "run",
        "--rm",
        "--network",
        "none",
        "localhost/busybox",
        "true",
      ).slice(1),
      env: s.env,
      stdout: "null",
      stderr: "piped",
    },
  ).output();
  const lines = new TextDecoder().decode(dbg.stderr).split("\n").filter((l) =>
    l.includes("level=debug")
  );
  const t0 = Date.parse(/time="([^"]+)"/.exec(lines[0] ?? "")?.[1] ?? "");
  const steps = lines.map((l) => {
    const t = Date.parse(/time="([^"]+)"/.exec(l)?.[1] ?? "");
    const msg = /msg="([^"]+)"/.exec(l)?.[1] ?? "";
    return `  +${String(t - t0).padStart(4)} ms  ${msg}`;
  }).join("\n");

  // create throughput and a store with many containers
  const create = async (engine: "skiff" | "podman") => {
    const argv = (k: number) =>
      engine === "skiff"
        ? s.skiff("create", "--network", "none", "--name", `c${k}`, "localhost/busybox", "true")
        : s.podman("create", "--network", "none", "--name", `c${k}`, "localhost/busybox", "true");
    const t0 = performance.now();
    const par = 4;
    for (let k = 0; k < n; k += par) {
      await Promise.all(
        Array.from({ length: Math.min(par, n - k) }, (_, j) => timed(argv(k + j), s.env)),
      );
    }
    return n / ((performance.now() - t0) / 1000);
  };
  const many: string[][] = [];
  const sc = await create("skiff");
  const pc = podman ? await create("podman") : NaN;
  many.push([
    `create (${n}, 4 in parallel) /s`,
    sc.toFixed(1),
    podman ? pc.toFixed(1) : "-",
    podman ? (pc / sc).toFixed(2) : "-",
  ]);
  for (
    const [label, args] of [["ps -a", ["ps", "-a"]], ["inspect", [
      "inspect",
      `c${Math.floor(n / 2)}`,
    ]]] as const
  ) {
    const a = await median(s.skiff(...args), s.env, 5);
    const b = podman ? await median(s.podman(...args), s.env, 5) : NaN;
    many.push([
      `${label} with ${n} containers (ms)`,
      a.toFixed(0),
      podman ? b.toFixed(0) : "-",
      podman ? (a / b).toFixed(2) : "-",
    ]);
  }
  await ok(s.skiff("rm", "-a", "-f"), s.env).catch(() => "");
  if (podman) await ok(s.podman("rm", "-a", "-f"), s.env).catch(() => "");
  return { run, many, steps };
}
