import assert from "node:assert/strict";
import { loadConfig } from "../config/mod.ts";
import { DatabaseConfigError } from "../define/errors.ts";
import { InMemoryLockManager } from "../lock/mod.ts";
import { InMemoryState } from "../state/mod.ts";
import { containerRecord, podRecord, volumeRecord } from "../testing/records.ts";
import { Runtime } from "./runtime.ts";

const host = { uid: 0, env: {}, systemdIsInit: false, overlaySupported: false };
const locations = { system: "/nonexistent/a", override: "/nonexistent/b" };

async function tempStore() {
  const dir = await Deno.makeTempDir({ prefix: "skiff-rt-" });
  const flags = { root: `${dir}/root`, runroot: `${dir}/run`, tmpdir: `${dir}/tmp` };
  return {
    dir,
    flags,
    config: (extra = {}) => loadConfig({ ...flags, ...extra }, { host, locations }),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

function open(
  config: ReturnType<typeof loadConfig>,
  state: InMemoryState,
  locks: InMemoryLockManager,
  renumber = false,
) {
  return Runtime.open(config, { skipBinaries: true, state, locks, renumber });
}

Deno.test("Runtime.open() refreshes on the first run only, and writes the alive file", async () => {
  await using t = await tempStore();
  const state = new InMemoryState();
  const locks = new InMemoryLockManager(64);
  const a = await open(t.config(), state, locks);
  assert.equal(a.refreshed, true);
  await Deno.stat(`${t.dir}/tmp/alive`);
  const b = await open(t.config(), state, locks);
  assert.equal(b.refreshed, false);
});

Deno.test("Runtime.open() after a reboot resets states and re-marks lock numbers", async () => {
  await using t = await tempStore();
  const state = new InMemoryState();
  let locks = new InMemoryLockManager(64);
  const rt = await open(t.config(), state, locks);
  const running = containerRecord(rt.locks.allocate().id);
  const created = containerRecord(rt.locks.allocate().id);
  const exited = containerRecord(rt.locks.allocate().id);
  state.addContainer(running);
  state.addContainer(created);
  state.addContainer(exited);
  state.saveContainer(running.config.id, {
    ...running.state,
    status: "running",
    pid: 42,
    mounted: true,
  });
  state.saveContainer(created.config.id, { ...created.state, status: "created", pid: 43 });
  state.saveContainer(exited.config.id, {
    ...exited.state,
    status: "exited",
    exited: true,
    exitCode: 3,
  });
  const pod = podRecord(rt.locks.allocate().id);
  state.addPod(pod);
  const vol = volumeRecord(rt.locks.allocate().id, "v1");
  state.addVolume(vol);

  // Reboot: the tmp dir (tmpfs) and the lock segment are gone.
  await Deno.remove(`${t.dir}/tmp`, { recursive: true });
  locks = new InMemoryLockManager(64);
  const after = await open(t.config(), state, locks);
  assert.equal(after.refreshed, true);
  const s = (id: string) => state.container(id).state;
  assert.equal(s(running.config.id).status, "exited");
  assert.equal(s(running.config.id).pid, 0);
  assert.equal(s(running.config.id).mounted, false);
  assert.equal(s(created.config.id).status, "configured");
  assert.equal(s(exited.config.id).exitCode, 3);
  assert.equal(locks.available(), 64 - 5, "every object's lock is allocated again");
  const fresh = locks.allocate().id;
  const used = [running, created, exited].map((c) => c.config.lockId).concat(
    pod.config.lockId,
    vol.config.lockId,
  );
  assert.ok(!used.includes(fresh), `new lock ${fresh} must not collide with ${used}`);
  await Deno.stat(`${t.dir}/run/vfs-containers/${running.config.id}/userdata`);
});

Deno.test("Runtime.open() refresh moves an object that shared a lock number to a fresh one", async () => {
  await using t = await tempStore();
  const state = new InMemoryState();
  const rt = await open(t.config(), state, new InMemoryLockManager(64));
  const a = containerRecord(7);
  const b = containerRecord(7);
  state.addContainer(a);
  state.addContainer(b);
  await Deno.remove(`${t.dir}/tmp/alive`);
  const locks = new InMemoryLockManager(64);
  await open(t.config(), state, locks);
  const ids = [
    state.container(a.config.id).config.lockId,
    state.container(b.config.id).config.lockId,
  ];
  assert.equal(new Set(ids).size, 2);
  assert.ok(ids.includes(7));
  assert.equal(rt.config.lockPath, "/skiff_lock");
});

Deno.test("Runtime.open({renumber}) frees every lock and numbers containers, pods, volumes in order", async () => {
  await using t = await tempStore();
  const state = new InMemoryState();
  const locks = new InMemoryLockManager(64);
  await open(t.config(), state, locks);
  const c1 = containerRecord(40);
  const c2 = containerRecord(50);
  state.addContainer(c1);
  state.addContainer(c2);
  state.addPod(podRecord(60));
  state.addVolume(volumeRecord(61, "v"));
  for (const n of [40, 50, 60, 61, 3]) locks.allocateGiven(n);
  await open(t.config(), state, locks, true);
  const ctrLocks = state.allContainers().map((c) => c.config.lockId).sort();
  assert.deepEqual(ctrLocks, [0, 1]);
  assert.equal(state.allPods()[0]!.config.lockId, 2);
  assert.equal(state.allVolumes()[0]!.config.lockId, 3);
  assert.equal(locks.available(), 64 - 4, "the stray lock 3 was freed and reused");
});

Deno.test("Runtime.open() adopts stored paths not set explicitly and refuses explicit mismatches", async () => {
  await using t = await tempStore();
  const state = new InMemoryState();
  const locks = new InMemoryLockManager(64);
  await open(t.config(), state, locks);
  // No --tmpdir now: the database's tmp dir is adopted.
  const cfg = loadConfig({ root: t.flags.root, runroot: t.flags.runroot }, { host, locations });
  const rt = await open(cfg, state, locks);
  assert.equal(rt.config.runtime.tmpDir, `${t.dir}/tmp`);
  // An explicit, different --tmpdir is refused with both values named.
  await assert.rejects(
    open(t.config({ tmpdir: `${t.dir}/other` }), state, locks),
    (e: unknown) =>
      e instanceof DatabaseConfigError && e.message.includes(`"${t.dir}/tmp"`) &&
      e.message.includes(`"${t.dir}/other"`),
  );
  await assert.rejects(open(t.config({ storageDriver: "overlay" }), state, locks), /graph driver/);
});
