/**
 * Runtime open against the real things: SQLite state, the shared-memory lock segment, reboot
 * detection, renumber and DB reconciliation, through the runtime API and the CLI.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../src/config/mod.ts";
import { Runtime } from "../src/runtime/runtime.ts";
import { containerRecord, podRecord, volumeRecord } from "../src/testing/records.ts";
import { isRoot, TestStore } from "./_lib/skiff.ts";

function configFor(s: TestStore, extra: Record<string, unknown> = {}) {
  Deno.env.set("SKIFF_LOCK_SEGMENT", s.lockSegment);
  try {
    return loadConfig({
      root: `${s.dir}/root`,
      runroot: `${s.dir}/run`,
      tmpdir: `${s.dir}/tmp`,
      ...extra,
    });
  } finally {
    Deno.env.delete("SKIFF_LOCK_SEGMENT");
  }
}

Deno.test({
  name: "a simulated reboot (tmp dir and lock segment gone) refreshes state and re-marks locks",
  ignore: !isRoot,
  async fn() {
    await using s = await TestStore.create();
    const rt = await Runtime.open(configFor(s));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const rec = containerRecord(rt.locks.allocate().id);
      rt.state.addContainer(rec);
      rt.state.saveContainer(rec.config.id, { ...rec.state, status: "running", pid: 100 + i });
      ids.push(rec.config.id);
    }
    rt.state.addPod(podRecord(rt.locks.allocate().id));
    rt.state.addVolume(volumeRecord(rt.locks.allocate().id, "data"));
    await rt.shutdown();

    // The reboot: tmpfs contents and /dev/shm are gone.
    await Deno.remove(`${s.dir}/tmp`, { recursive: true });
    await Deno.remove(`/dev/shm${s.lockSegment}`);

    const after = await Runtime.open(configFor(s));
    try {
      assert.equal(after.refreshed, true);
      for (const id of ids) {
        const st = after.state.container(id).state;
        assert.equal(st.status, "exited");
        assert.equal(st.pid, 0);
      }
      assert.equal(after.locks.available(), after.locks.numLocks - 7);
      const used = new Set(after.state.allContainers().map((c) => c.config.lockId));
      assert.ok(!used.has(after.locks.allocate().id), "a new lock never collides");
    } finally {
      await after.shutdown();
    }
    // info shows the real counts and the segment's use
    const info = JSON.parse(await s.ok(["info", "--format", "json"]));
    assert.equal(info.store.containerStore.number, 5);
    assert.equal(info.store.containerStore.stopped, 5);
    assert.equal(info.store.lockSegment.path, s.lockSegment);
    assert.equal(info.store.lockSegment.used, 8);
  },
});

Deno.test({
  name: "a changed num_locks is refused until skiff system renumber",
  ignore: !isRoot,
  async fn() {
    await using s = await TestStore.create();
    const rt = await Runtime.open(configFor(s));
    for (let i = 0; i < 3; i++) {
      rt.state.addContainer(containerRecord(rt.locks.allocate().id + 100));
    }
    await rt.shutdown();
    const conf = `${s.dir}/64.conf`;
    await Deno.writeTextFile(conf, "num_locks = 64\n");
    const refused = await s.run(["--config", conf, "info"]);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /has 2048 locks but num_locks is 64: run "skiff system renumber"/);
    assert.equal(await s.ok(["--config", conf, "system", "renumber"]), "");
    const info = JSON.parse(await s.ok(["--config", conf, "info", "--format", "json"]));
    assert.equal(info.store.lockSegment.total, 64);
    assert.equal(info.store.lockSegment.used, 3);
    const after = await Runtime.open(configFor(s, { config: conf }));
    try {
      assert.deepEqual(after.state.allContainers().map((c) => c.config.lockId).sort(), [0, 1, 2]);
    } finally {
      await after.shutdown();
    }
  },
});

Deno.test({
  name: "a database created with other paths is refused with both values named",
  ignore: !isRoot,
  async fn() {
    await using s = await TestStore.create();
    await s.ok(["info"]);
    const r = await s.run([
      "--root",
      `${s.dir}/root`,
      "--runroot",
      `${s.dir}/run`,
      "--tmpdir",
      `${s.dir}/elsewhere`,
      "info",
    ], { bare: true });
    assert.equal(r.code, 125);
    assert.match(
      r.stderr,
      new RegExp(
        `^Error: database tmp dir "${s.dir}/tmp" does not match our tmp dir "${s.dir}/elsewhere": .*--tmpdir ${s.dir}/tmp`,
      ),
    );
    // without the flag the stored value is adopted
    const ok = await s.run([
      "--root",
      `${s.dir}/root`,
      "--runroot",
      `${s.dir}/run`,
      "info",
      "--format",
      "{{.Store.TmpDir}}",
    ], { bare: true });
    assert.equal(ok.stdout, `${s.dir}/tmp\n`);
  },
});

Deno.test({
  name: "a corrupt or foreign database file is refused and left untouched",
  ignore: !isRoot,
  async fn() {
    await using s = await TestStore.create();
    await Deno.mkdir(`${s.dir}/root/libpod`, { recursive: true });
    const db = `${s.dir}/root/libpod/skiff.db`;
    await Deno.writeTextFile(db, "this is not a database\n".repeat(100));
    const before = await Deno.readFile(db);
    const r = await s.run(["info"]);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`^Error: database ${db} is not an SQLite database`));
    assert.deepEqual(await Deno.readFile(db), before);
  },
});
