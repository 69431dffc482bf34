/**
 * Uncontended lock/unlock pairs per second: the shared-memory manager on a fresh temporary
 * segment, and the in-memory manager for comparison. Not wired into any runner; call
 * `benchLocks()` from one, or run this file directly.
 * @module
 */

import {
  InMemoryLockManager,
  type LockManager,
  openShmLockManager,
  removeShmSegment,
} from "../src/lock/mod.ts";

/** How long each measurement runs, after a short warm-up. */
const MEASURE_MS = 1000;
const WARMUP_MS = 200;

async function pairsPerSecond(manager: LockManager, ms: number): Promise<number> {
  const locker = manager.allocate();
  let pairs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    // Check the clock every 1000 pairs so that reading it does not dominate.
    for (let i = 0; i < 1000; i++) {
      await locker.lock();
      locker.unlock();
    }
    pairs += 1000;
    now = performance.now();
  }
  locker.free();
  return pairs / ((now - start) / 1000);
}

async function measure(name: string, manager: LockManager): Promise<{
  name: string;
  opsPerSec: number;
}> {
  await pairsPerSecond(manager, WARMUP_MS);
  return { name, opsPerSec: Math.round(await pairsPerSecond(manager, MEASURE_MS)) };
}

/** Measures uncontended lock()+unlock() pairs per second for each lock manager. */
export async function benchLocks(): Promise<{ name: string; opsPerSec: number }[]> {
  const results: { name: string; opsPerSec: number }[] = [];
  const path = `/skiff_bench_${Deno.pid}_${crypto.randomUUID().slice(0, 8)}`;
  const shm = openShmLockManager({ path, numLocks: 2048 });
  try {
    results.push(await measure("lock/unlock (shm, robust pthread mutex)", shm));
  } finally {
    shm.close();
    removeShmSegment(path);
  }
  const memory = new InMemoryLockManager(2048);
  try {
    results.push(await measure("lock/unlock (in-memory)", memory));
  } finally {
    memory.close();
  }
  return results;
}

if (import.meta.main) {
  for (const r of await benchLocks()) {
    Deno.stdout.writeSync(new TextEncoder().encode(`${r.name}: ${r.opsPerSec} ops/s\n`));
  }
}
