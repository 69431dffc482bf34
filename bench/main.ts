/**
 * `deno task bench [SECTION...]`: skiff's benchmarks, side by side with podman (and bare runc
 * where it applies) in one run, printed as tables with ratios. Nothing here is asserted; run
 * on demand. Sections: locks, state, info, load, run, exec (default: all). SKIFF_BENCH_CONTAINERS sets
 * how many containers the `run` section's ps/inspect store holds (default 1000).
 */
// deno-lint-ignore-file no-console

import { benchLocks } from "./lock_bench.ts";
import { benchState } from "./state_bench.ts";
import { benchRun } from "./run_bench.ts";
import { benchLoad } from "./load_bench.ts";
import { benchExec } from "./exec_bench.ts";
import { commandTimes, printTable } from "./_lib.ts";

const sections: Record<string, () => Promise<void>> = {
  async locks() {
    const rows = await benchLocks();
    printTable(
      "Lock/unlock pairs (uncontended)",
      ["case", "ops/s"],
      rows.map((r) => [r.name, fmt(r.opsPerSec)]),
    );
  },
  async state() {
    const rows = await benchState();
    printTable(
      "State with 10 000 containers",
      ["operation", "ops/s"],
      rows.map((r) => [r.name, fmt(r.opsPerSec)]),
    );
  },
  async run() {
    const containers = Number(Deno.env.get("SKIFF_BENCH_CONTAINERS") ?? 1000);
    const r = await benchRun({ containers });
    printTable(
      "`run --rm busybox true`, network none (median of 10, ms)",
      ["case", "skiff", "podman", "runc", "skiff/podman", "skiff/runc"],
      r.run,
    );
    console.log(`\nWhere skiff's time goes (one run at --log-level=debug):\n${r.steps}`);
    printTable("Many containers", ["case", "skiff", "podman", "skiff/podman"], r.many);
  },
  async load() {
    printTable(
      "`load` of a docker-archive of /usr/bin",
      ["case", "seconds", "peak MiB", "vs tar"],
      await benchLoad(),
    );
  },
  async exec() {
    printTable("`exec CTR true` (median, ms)", ["engine", "ms", "ratio"], await benchExec());
  },
  async info() {
    const r = await commandTimes("info", { runs: 15 });
    printTable("`info` wall time (median of 15)", ["engine", "ms", "vs skiff"], r);
  },
};

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

const wanted = Deno.args.length ? Deno.args : Object.keys(sections);
for (const name of wanted) {
  const run = sections[name];
  if (!run) {
    console.error(`unknown section "${name}": choose from ${Object.keys(sections).join(", ")}`);
    Deno.exit(2);
  }
  await run();
}
