import assert from "node:assert/strict";
import { setLogLevel } from "../util/logger.ts";
import { spawnLockWorker } from "../../tests/_lib/lock_worker.ts";
import { openShmLockManager, removeShmSegment, segmentSize } from "./shm_lock_manager.ts";
import { assertLockError, lockManagerSuite } from "./_manager_suite.ts";

function uniqueName(): string {
  return `/skiff_test_${Deno.pid}_${crypto.randomUUID().slice(0, 8)}`;
}

lockManagerSuite("ShmLockManager", (numLocks) => {
  const path = uniqueName();
  const manager = openShmLockManager({ path, numLocks });
  return {
    manager,
    cleanup() {
      manager.close();
      removeShmSegment(path);
    },
  };
});

/** Runs `fn` with a fresh segment name and removes the segment (and lock file) afterwards. */
async function withSegment(fn: (path: string) => unknown): Promise<void> {
  const path = uniqueName();
  try {
    await fn(path);
  } finally {
    removeShmSegment(path);
  }
  assert.throws(() => Deno.statSync(`/dev/shm${path}.lock`), Deno.errors.NotFound);
}

const X86_64 = Deno.build.arch === "x86_64";
const ROOT = Deno.uid() === 0;

/** Appends why a test is skipped to its name, since `ignore` takes no reason. */
function unless(ok: boolean, why: string): string {
  return ok ? "" : ` (skipped: ${why})`;
}

Deno.test({
  name: "openShmLockManager() creates a 0600 segment of 82488 bytes for 2048 locks" +
    unless(X86_64, "the layout sizes here are x86_64's"),
  ignore: !X86_64,
  fn: () =>
    withSegment((path) => {
      const m = openShmLockManager({ path, numLocks: 2030 });
      m.close();
      const st = Deno.statSync(`/dev/shm${path}`);
      assert.equal(st.mode! & 0o777, 0o600);
      assert.equal(st.size, 82488);
      assert.equal(segmentSize(2048), 82488);
      assert.equal(m.numLocks, 2048);
      // header: magic 0x87d1, unused 0, num_bitmaps 64, num_locks 2048
      const head = new DataView(Deno.readFileSync(`/dev/shm${path}`).buffer);
      assert.equal(head.getUint16(0, true), 0x87d1);
      assert.equal(head.getUint16(2, true), 0);
      assert.equal(head.getUint32(48, true), 64);
      assert.equal(head.getUint32(52, true), 2048);
      assert.equal(head.getUint32(56 + 16 + 8, true) & 0xff, 0x90, "lock 0 is robust + pshared");
    }),
});

Deno.test("openShmLockManager() shares one segment between managers", () =>
  withSegment((path) => {
    const a = openShmLockManager({ path, numLocks: 64 });
    const b = openShmLockManager({ path, numLocks: 64, create: false });
    try {
      assert.equal(a.allocate().id, 0);
      assert.equal(b.allocate().id, 1);
      assert.equal(a.available(), 62);
      assertLockError(() => a.allocateGiven(1), "EEXIST");
    } finally {
      a.close();
      b.close();
    }
  }));

Deno.test("openShmLockManager() refuses a segment with another lock count (ERANGE)", () =>
  withSegment((path) => {
    openShmLockManager({ path, numLocks: 4096 }).close();
    assertLockError(
      () => openShmLockManager({ path, numLocks: 2048 }),
      "ERANGE",
      new RegExp(
        `^lock segment ${path} has 4096 locks but num_locks is 2048: ` +
          `run "skiff system renumber" to change the lock count$`,
      ),
    );
  }));

Deno.test("openShmLockManager() refuses a segment that is not a lock segment (EBADF)", () =>
  withSegment((path) => {
    const file = `/dev/shm${path}`;
    Deno.writeFileSync(file, crypto.getRandomValues(new Uint8Array(4096)), { mode: 0o600 });
    assertLockError(
      () => openShmLockManager({ path, numLocks: 64 }),
      "EBADF",
      new RegExp(`^lock segment ${path} is not a skiff lock segment: magic 0x[0-9a-f]{4}`),
    );
    Deno.writeFileSync(file, new Uint8Array(0));
    assertLockError(() => openShmLockManager({ path, numLocks: 64 }), "EBADF", /only 0 bytes/);
  }));

Deno.test("openShmLockManager() with create: false needs an existing segment (ENOENT)", () =>
  withSegment((path) => {
    assertLockError(
      () => openShmLockManager({ path, numLocks: 64, create: false }),
      "ENOENT",
      new RegExp(`^lock segment ${path} does not exist$`),
    );
  }));

Deno.test("openShmLockManager() rejects bad names and counts (EINVAL)", () => {
  assertLockError(() => openShmLockManager({ path: "skiff", numLocks: 64 }), "EINVAL");
  assertLockError(() => openShmLockManager({ path: "/a/b", numLocks: 64 }), "EINVAL");
  assertLockError(() => openShmLockManager({ path: "/skiff_x", numLocks: 0 }), "EINVAL");
});

Deno.test({
  name: "openShmLockManager() refuses a segment owned by another user (EPERM)" +
    unless(ROOT, "needs root to chown the segment"),
  ignore: !ROOT,
  fn: () =>
    withSegment((path) => {
      openShmLockManager({ path, numLocks: 64 }).close();
      Deno.chownSync(`/dev/shm${path}`, 65534, 65534);
      assertLockError(
        () => openShmLockManager({ path, numLocks: 64 }),
        "EPERM",
        /is owned by uid 65534, not by uid 0/,
      );
    }),
});

Deno.test("removeShmSegment() accepts a segment that does not exist", () => {
  removeShmSegment(uniqueName());
});

Deno.test("lock() waits for a child process that holds the lock, without blocking", () =>
  withSegment(async (path) => {
    const m = openShmLockManager({ path, numLocks: 64 });
    const child = spawnLockWorker(["hold", path, "64", "5"]);
    try {
      assert.equal((await child.next()).event, "waiting");
      assert.equal((await child.next()).event, "locked");
      assert.deepEqual(m.held(), [5]);
      const l = m.retrieve(5);
      let locked = false;
      const pending = l.lock().then(() => locked = true);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      await new Promise((resolve) => setTimeout(resolve, 300));
      clearInterval(timer);
      assert.equal(locked, false, "the child holds lock 5");
      assert.ok(ticks >= 10, `the event loop ran while waiting (${ticks} ticks)`);
      await child.closeStdin();
      assert.equal((await child.next()).event, "unlocked");
      await pending;
      assert.equal(l.recovered, false);
      l.unlock();
    } finally {
      await child.wait();
      m.close();
    }
  }));

Deno.test("lock() recovers a lock whose holder was killed, within 1 s", () =>
  withSegment(async (path) => {
    const m = openShmLockManager({ path, numLocks: 64 });
    const child = spawnLockWorker(["hold", path, "64", "9"]);
    setLogLevel("error"); // the recovery warning is expected
    try {
      await child.next();
      assert.equal((await child.next()).event, "locked");
      const l = m.retrieve(9);
      const pending = l.lock();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const killedAt = Date.now();
      child.kill("SIGKILL");
      await pending;
      const waited = Date.now() - killedAt;
      assert.ok(waited < 1000, `recovered after ${waited} ms`);
      assert.equal(l.recovered, true);
      l.unlock();
      await l.lock();
      assert.equal(l.recovered, false, "only the lock() that recovered reports it");
      l.unlock();
    } finally {
      setLogLevel("warning");
      await child.wait();
      m.close();
    }
  }));

Deno.test("held() recovers an abandoned lock and the next lock() reports it", () =>
  withSegment(async (path) => {
    const m = openShmLockManager({ path, numLocks: 64 });
    const child = spawnLockWorker(["hold", path, "64", "3"]);
    setLogLevel("error");
    try {
      await child.next();
      await child.next();
      child.kill("SIGKILL");
      await child.wait();
      assert.deepEqual(m.held(), []);
      const l = m.retrieve(3);
      await l.lock();
      assert.equal(l.recovered, true);
      l.unlock();
    } finally {
      setLogLevel("warning");
      m.close();
    }
  }));

Deno.test("allocate() recovers the segment lock from a killed holder", () =>
  withSegment(async (path) => {
    const m = openShmLockManager({ path, numLocks: 64 });
    const child = spawnLockWorker(["hold-segment", path]);
    setLogLevel("error");
    try {
      assert.equal((await child.next()).event, "locked");
      child.kill("SIGKILL");
      await child.wait();
      const started = Date.now();
      assert.equal(m.allocate().id, 0);
      assert.ok(Date.now() - started < 1000);
      assert.equal(m.allocate().id, 1, "the recovered segment lock works as before");
    } finally {
      setLogLevel("warning");
      m.close();
    }
  }));

Deno.test("close() releases the locks this process holds", () =>
  withSegment(async (path) => {
    const m = openShmLockManager({ path, numLocks: 64 });
    setLogLevel("error");
    try {
      await m.retrieve(4).lock();
      m.close();
    } finally {
      setLogLevel("warning");
    }
    const other = spawnLockWorker(["hold", path, "64", "4"]);
    await other.next();
    const ev = await other.next();
    assert.equal(ev.event, "locked");
    assert.equal(ev.recovered, false);
    await other.wait();
  }));
