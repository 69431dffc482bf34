/**
 * State database throughput with 10,000 containers in a temporary SQLite file: adds, lookups
 * by 12-character ID prefix, and state saves, each its own call (and write transaction) as the
 * runtime makes them. Not wired into a runner: `deno eval` or import it.
 * @module
 */

import type { ContainerRecord } from "../src/define/container.ts";
import { openSqliteState } from "../src/state/mod.ts";
import { containerRecord } from "../src/testing/records.ts";
import { newId } from "../src/util/ids.ts";

const CONTAINERS = 10_000;

function record(i: number): ContainerRecord {
  const id = newId();
  return containerRecord(i, {
    id,
    name: `bench_${i}`,
    createCommand: ["skiff", "run", "-d", "busybox", "sleep", "1000"],
    image: { id: "c".repeat(64), name: "localhost/busybox:latest" },
    command: ["sleep", "1000"],
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", TERM: "xterm" },
    workdir: "/",
    hostname: id.slice(0, 12),
    labels: { "io.skiff.bench": "1" },
    network: { mode: "bridge" },
  });
}

function rate(n: number, fn: (i: number) => void): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return n / ((performance.now() - start) / 1000);
}

/** Measures addContainer, lookupContainer (12-char prefix) and saveContainer per second. */
export async function benchState(): Promise<{ name: string; opsPerSec: number }[]> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-state-bench-" });
  const state = openSqliteState(`${dir}/skiff.db`);
  try {
    const recs = Array.from({ length: CONTAINERS }, (_, i) => record(i));
    const add = rate(CONTAINERS, (i) => state.addContainer(recs[i]!));
    const lookup = rate(CONTAINERS, (i) => {
      state.lookupContainer(recs[(i * 7919) % CONTAINERS]!.config.id.slice(0, 12));
    });
    const save = rate(CONTAINERS, (i) => {
      const r = recs[(i * 7919) % CONTAINERS]!;
      state.saveContainer(r.config.id, { ...r.state, status: "running", pid: 1000 + i });
    });
    return [
      { name: "state addContainer (10k containers, SQLite)", opsPerSec: add },
      { name: "state lookupContainer by 12-char prefix", opsPerSec: lookup },
      { name: "state saveContainer", opsPerSec: save },
    ];
  } finally {
    state.close();
    await Deno.remove(dir, { recursive: true });
  }
}
