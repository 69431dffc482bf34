/**
 * `deno task bench [SECTION...]`: skiff's benchmarks, side by side with podman (and bare runc
 * where it applies) in one run, printed as tables with ratios. Nothing here is asserted; run
 * on demand. Sections: locks, state, info (default: all available).
 */
// deno-lint-ignore-file no-console

import { benchLocks } from "./lock_bench.ts";
import { benchState } from "./state_bench.ts";
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
