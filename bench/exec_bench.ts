/**
 * `exec CTR true` latency, skiff and podman side by side: each engine gets a running busybox
 * container (network none) in a scratch store, then the median of a series of `exec … true`
 * runs is taken (after one warm-up). Not wired into a runner: `deno eval` or import it.
 * @module
 */

import { BenchStore, hasPodman, median } from "./_lib.ts";

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

/**
 * Rows `[engine, median ms, ratio to skiff]` for `exec CTR true`; podman's row only when
 * podman is installed.
 */
export async function benchExec(options: { runs?: number } = {}): Promise<string[][]> {
  const runs = options.runs ?? 20;
  await using s = await BenchStore.create();
  const podman = await hasPodman();
  const images = `${s.dir}/images`;
  await ok([Deno.execPath(), "run", "-P", "--quiet", IMAGES, images]);
  const sleeper = ["run", "-d", "--name", "bench-exec", "--network", "none"];
  await ok(s.skiff("load", "-q", "-i", `${images}/busybox.docker.tar`), s.env);
  await ok(s.skiff(...sleeper, "localhost/busybox", "sleep", "1000"), s.env);
  if (podman) {
    await ok(s.podman("load", "-q", "-i", `${images}/busybox.docker.tar`), s.env);
    await ok(
      s.podman(...sleeper, "--runtime", "runc", "localhost/busybox", "sleep", "1000"),
      s.env,
    );
  }
  try {
    const skiff = await median(s.skiff("exec", "bench-exec", "true"), s.env, runs);
    const rows = [["skiff", skiff.toFixed(1), "1.00"]];
    if (podman) {
      const p = await median(s.podman("exec", "bench-exec", "true"), s.env, runs);
      rows.push(["podman", p.toFixed(1), (p / skiff).toFixed(2)]);
    }
    return rows;
  } finally {
    await ok(s.skiff("rm", "-f", "-t", "0", "bench-exec"), s.env).catch(() => "");
    if (podman) await ok(s.podman("rm", "-f", "-t", "0", "bench-exec"), s.env).catch(() => "");
  }
}
