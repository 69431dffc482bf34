/**
 * The SQLite state across real processes: eight writers on one database file for a while
 * (SKIFF_STATE_STRESS_SECONDS, default 10) see no "database is locked" error and lose no
 * committed write; a writer SIGKILLed inside a long transaction leaves a sound database with
 * all or none of that transaction. Needs no root.
 */

import assert from "node:assert/strict";
import { Db } from "../src/util/sqlite.ts";
import { openSqliteState } from "../src/state/mod.ts";
import { spawnStateWorker, type StateWorker } from "./_lib/state_worker.ts";

const PROCESSES = 8;
const SECONDS = Number(Deno.env.get("SKIFF_STATE_STRESS_SECONDS") ?? "10");

function report(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`  ${line}\n`));
}

async function withDir(fn: (db: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-state-mp-" });
  try {
    await fn(`${dir}/skiff.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function integrityCheck(path: string): string {
  const db = Db.open(path);
  try {
    return db.all("PRAGMA integrity_check").map((r) => String(r.integrity_check)).join("; ");
  } finally {
    db.close();
  }
}

async function finish(w: StateWorker): Promise<Deno.CommandStatus> {
  const status = await w.wait();
  if (!status.success && status.signal === null) {
    throw new Error(`worker failed (${status.code}): ${await w.stderr()}`);
  }
  return status;
}

Deno.test(`${PROCESSES} processes writing one database for ${SECONDS} s: no lock errors, no lost writes`, async () => {
  await withDir(async (db) => {
    // The file does not exist yet: all eight race to create it and its tables.
    const workers = Array.from(
      { length: PROCESSES },
      (_, i) => spawnStateWorker(["stress", db, String(i), String(SECONDS * 1000)]),
    );
    for (const w of workers) assert.equal((await w.next()).event, "ready");
    await Promise.all(workers.map((w) => w.send("go")));
    const results = await Promise.all(workers.map((w) => w.next()));
    await Promise.all(workers.map(finish));

    const errors = results.flatMap((r) => r.errors ?? []);
    const txns = results.reduce((n, r) => n + (r.txns ?? 0), 0);
    const seconds = Math.max(...results.map((r) => r.elapsedMs ?? 0)) / 1000;
    const worst = Math.max(...results.map((r) => r.maxCallMs ?? 0));
    const calls = results.flatMap((r) => r.callMs ?? []).sort((a, b) => a - b);
    const pct = (p: number) => calls[Math.min(calls.length - 1, Math.floor(calls.length * p))];
    report(
      `${txns} transactions in ${seconds.toFixed(1)} s = ${(txns / seconds).toFixed(0)} txn/s ` +
        `over ${PROCESSES} processes (per process: ${results.map((r) => r.txns).join(", ")}); ` +
        `call p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${worst.toFixed(0)} ms; ` +
        `${errors.length} errors`,
    );
    assert.deepEqual(errors.filter((e) => /locked|busy/i.test(e)), [], "no 'database is locked'");
    assert.deepEqual(errors, []);
    assert.ok(results.every((r) => (r.added?.length ?? 0) > 0), "every worker got to write");

    const state = openSqliteState(db);
    try {
      let added = 0;
      for (const r of results) {
        for (const id of r.added ?? []) assert.ok(state.hasContainer(id), `container ${id} kept`);
        added += r.added?.length ?? 0;
        for (const [id, count] of Object.entries(r.saved ?? {})) {
          assert.equal(state.updateContainer(id).restartCount, count, `last save of ${id} kept`);
        }
      }
      assert.equal(state.containerCounts().number, added, "nothing but the reported writes");
    } finally {
      state.close();
    }
    assert.equal(integrityCheck(db), "ok");
  });
});

async function killMidTransaction(db: string, rows: number, delayMs: number): Promise<boolean> {
  const tag = `big${rows}_${delayMs}`;
  const w = spawnStateWorker(["bigtxn", db, String(rows), tag]);
  assert.equal((await w.next()).event, "in-txn");
  await new Promise((r) => setTimeout(r, delayMs));
  w.kill("SIGKILL");
  // "committed" is printed after COMMIT returns; without it the kill may still have come after
  // the commit itself, so only all-or-none can be required.
  const committed = await w.next().then((e) => e.event === "committed", () => false);
  await finish(w);
  assert.equal(integrityCheck(db), "ok");
  const check = Db.open(db);
  try {
    const n = Number(
      check.get("SELECT count(*) AS n FROM ContainerConfig WHERE Name LIKE ?", `${tag}-%`)?.n,
    );
    assert.ok(n === 0 || n === rows, `all or none of the transaction: got ${n} of ${rows}`);
    if (committed) assert.equal(n, rows, "a reported commit is durable");
    return n === rows;
  } finally {
    check.close();
  }
}

Deno.test("a writer SIGKILLed inside a long transaction leaves all or none of it", async () => {
  await withDir(async (db) => {
    openSqliteState(db).close();
    // Certainly mid-transaction: 200,000 rows take seconds; killed 300 ms after the first 100.
    assert.equal(await killMidTransaction(db, 200_000, 300), false);
    // Shorter transactions, killed at random moments, some around the commit itself.
    let kept = 0;
    for (let i = 0; i < 6; i++) {
      if (await killMidTransaction(db, 1_000, Math.floor(Math.random() * 150))) kept++;
    }
    report(`short transactions that committed before the kill: ${kept} of 6`);
    // The next writer is not blocked by the dead one.
    const state = openSqliteState(db);
    try {
      state.addExitCode("after", 0);
      assert.equal(state.getExitCode("after"), 0);
    } finally {
      state.close();
    }
  });
});
