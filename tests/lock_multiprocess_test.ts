/**
 * The shared-memory lock manager across real processes: allocation without duplicates while
 * eight processes race to create and use one segment, mutual exclusion proven with a counter
 * file, and recovery from a holder killed with SIGKILL.
 */

import assert from "node:assert/strict";
import { openShmLockManager, removeShmSegment } from "../src/lock/mod.ts";
import { type LockWorker, spawnLockWorker } from "./_lib/lock_worker.ts";

const ROOT = Deno.uid() === 0;
const SKIP = ROOT ? "" : " (skipped: integration tests run as root)";
const PROCESSES = 8;

function uniqueName(): string {
  return `/skiff_test_${Deno.pid}_${crypto.randomUUID().slice(0, 8)}`;
}

async function withSegment(fn: (path: string) => Promise<void>): Promise<void> {
  const path = uniqueName();
  try {
    await fn(path);
  } finally {
    removeShmSegment(path);
  }
}

/** Starts `n` workers, lets them all run at once (a `go` line), and returns their last events. */
async function runAll(n: number, args: string[]): Promise<{ workers: LockWorker[] }> {
  const workers = Array.from({ length: n }, () => spawnLockWorker(args));
  await Promise.all(workers.map((w) => w.send("go")));
  return { workers };
}

Deno.test({
  name: `${PROCESSES} processes x 200 allocations get 1600 distinct numbers${SKIP}`,
  ignore: !ROOT,
  fn: () =>
    withSegment(async (path) => {
      // The segment does not exist yet: all eight race to create it.
      const { workers } = await runAll(PROCESSES, ["allocate", path, "2048", "200"]);
      const events = await Promise.all(workers.map((w) => w.next()));
      const statuses = await Promise.all(workers.map((w) => w.wait()));
      assert.ok(statuses.every((s) => s.success), "every worker exits 0");
      const ids = events.flatMap((e) => e.ids ?? []);
      assert.equal(ids.length, 1600);
      assert.equal(new Set(ids).size, 1600, "no number was handed out twice");
      assert.ok(ids.every((id) => id >= 0 && id < 1600), "the lowest numbers were used");
      const m = openShmLockManager({ path, numLocks: 2048, create: false });
      try {
        assert.equal(m.available(), 2048 - 1600);
      } finally {
        m.close();
      }
    }),
});

async function countWith(path: string, mode: "lock" | "nolock", n: number): Promise<number> {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, "0");
    const { workers } = await runAll(PROCESSES, ["count", path, "64", "7", file, String(n), mode]);
    const events = await Promise.all(workers.map((w) => w.next()));
    const statuses = await Promise.all(workers.map((w) => w.wait()));
    assert.ok(statuses.every((s) => s.success), "every worker exits 0");
    assert.ok(events.every((e) => e.event === "done"));
    return Number(await Deno.readTextFile(file));
  } finally {
    await Deno.remove(file);
  }
}

Deno.test({
  name: `${PROCESSES} processes incrementing a counter file under one lock lose no update${SKIP}`,
  ignore: !ROOT,
  fn: () =>
    withSegment(async (path) => {
      const n = 100;
      assert.equal(await countWith(path, "lock", n), PROCESSES * n);
      // The control: the same work without the lock does lose updates, so the check above
      // would have caught a lock that does not exclude.
      assert.ok(await countWith(path, "nolock", n) < PROCESSES * n, "unlocked runs lose updates");
    }),
});

Deno.test({
  name: `a holder killed with SIGKILL does not block the next process for over 1 s${SKIP}`,
  ignore: !ROOT,
  fn: () =>
    withSegment(async (path) => {
      const holder = spawnLockWorker(["hold", path, "64", "11"]);
      let waiter: LockWorker | undefined;
      try {
        await holder.next();
        assert.equal((await holder.next()).event, "locked");
        waiter = spawnLockWorker(["hold", path, "64", "11"]);
        assert.equal((await waiter.next()).event, "waiting");
        await new Promise((resolve) => setTimeout(resolve, 300)); // the waiter is backing off
        const killedAt = Date.now();
        holder.kill("SIGKILL");
        const locked = await waiter.next();
        assert.equal(locked.event, "locked");
        assert.equal(locked.recovered, true);
        assert.ok(locked.at - killedAt < 1000, `took over after ${locked.at - killedAt} ms`);
        await waiter.closeStdin();
        assert.equal((await waiter.next()).event, "unlocked");
        await waiter.wait();
        assert.match(
          await waiter.stderr(),
          /level=warning msg="lock 11 was held by a process that died; recovered it" path=\/skiff_test_/,
        );
      } finally {
        holder.kill("SIGKILL");
        await holder.wait();
        await waiter?.wait();
      }
    }),
});
