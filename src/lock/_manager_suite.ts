/**
 * The cases every {@linkcode LockManager} must pass, written once and registered by each
 * implementation's test file (as podman runs its state tests against every backend).
 * @module
 */

import assert from "node:assert/strict";
import { LockError } from "../define/errors.ts";
import type { LockManager } from "./lock.ts";

/** A manager under test and how to dispose of it. */
export interface ManagerFixture {
  manager: LockManager;
  cleanup(): void;
}

/** Asserts that `fn` throws a LockError with `code` (and a message matching `message`). */
export function assertLockError(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LockError, `expected a LockError, got ${e}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Registers the shared cases as `<name> …` tests; `open(n)` makes a fresh manager of n locks. */
export function lockManagerSuite(name: string, open: (numLocks: number) => ManagerFixture): void {
  function test(what: string, fn: (m: LockManager) => unknown, numLocks = 64): void {
    Deno.test(`${name} ${what}`, async () => {
      const f = open(numLocks);
      try {
        await fn(f.manager);
      } finally {
        f.cleanup();
      }
    });
  }

  test("rounds numLocks up to a multiple of 32", (m) => {
    assert.equal(m.numLocks, 64);
    assert.equal(m.available(), 64);
  }, 40);

  test("allocate() hands out the lowest free numbers", (m) => {
    assert.deepEqual([0, 1, 2, 3].map(() => m.allocate().id), [0, 1, 2, 3]);
    assert.equal(m.available(), 60);
  });

  test("allocate() reuses a freed number first", (m) => {
    const lockers = Array.from({ length: 40 }, () => m.allocate());
    m.free(35);
    lockers[2]?.free();
    assert.equal(m.allocate().id, 2);
    assert.equal(m.allocate().id, 35);
    assert.equal(m.allocate().id, 40);
  });

  test("allocateGiven() marks a number and allocate() skips it", (m) => {
    assert.equal(m.allocateGiven(0).id, 0);
    assert.equal(m.allocateGiven(33).id, 33);
    assert.equal(m.allocate().id, 1);
    assert.equal(m.available(), 61);
  });

  test("allocateGiven() of an allocated number throws EEXIST", (m) => {
    m.allocate();
    assertLockError(() => m.allocateGiven(0), "EEXIST", /^allocating lock 0: .*already allocated/);
    assertLockError(() => m.allocateGiven(64), "EINVAL", /lock 64 is out of range/);
  });

  test("free() of a number that is not allocated throws ENOENT", (m) => {
    assertLockError(() => m.free(5), "ENOENT", /^freeing lock 5: lock is not allocated$/);
    m.allocateGiven(5);
    m.free(5);
    assertLockError(() => m.free(5), "ENOENT");
    assertLockError(() => m.free(-1), "EINVAL");
  });

  test("freeAll() frees every number", (m) => {
    for (let i = 0; i < 50; i++) m.allocate();
    m.freeAll();
    assert.equal(m.available(), 64);
    assert.equal(m.allocate().id, 0);
  });

  test("allocate() throws ENOSPC when every number is in use", (m) => {
    for (let i = 0; i < 32; i++) m.allocate();
    assert.equal(m.available(), 0);
    assertLockError(
      () => m.allocate(),
      "ENOSPC",
      /^allocation failed: all 32 locks are in use; free some by removing containers, pods or volumes, or raise num_locks$/,
    );
    m.free(7);
    assert.equal(m.allocate().id, 7);
  }, 32);

  test("retrieve() range-checks without allocating", async (m) => {
    for (const bad of [-1, 64, 1.5, NaN]) {
      assertLockError(() => m.retrieve(bad), "EINVAL", /out of range: there are 64 locks/);
    }
    const l = m.retrieve(63);
    assert.equal(l.id, 63);
    assert.equal(m.available(), 64);
    await l.lock();
    l.unlock();
  });

  test("lock() excludes a second task until unlock()", async (m) => {
    const order: string[] = [];
    const a = m.allocate();
    const b = m.retrieve(a.id);
    await a.lock();
    order.push("a locked");
    const second = b.lock().then(() => order.push("b locked"));
    await delay(30);
    order.push("a unlocking");
    a.unlock();
    await second;
    b.unlock();
    assert.deepEqual(order, ["a locked", "a unlocking", "b locked"]);
    assert.equal(a.recovered, false);
    assert.equal(b.recovered, false);
  });

  test("lock() lets different numbers be held at once", async (m) => {
    const a = m.allocate();
    const b = m.allocate();
    await a.lock();
    await b.lock();
    assert.deepEqual(m.held(), [a.id, b.id]);
    b.unlock();
    a.unlock();
  });

  test("lock() runs many tasks on one locker one at a time, in order", async (m) => {
    const l = m.allocate();
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      await l.lock();
      inside++;
      most = Math.max(most, inside);
      order.push(i);
      await delay(1);
      inside--;
      l.unlock();
    }));
    assert.equal(most, 1);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("acquire() unlocks when the disposable goes out of scope", async (m) => {
    const l = m.allocate();
    {
      using _ = await l.acquire();
      assert.deepEqual(m.held(), [l.id]);
    }
    assert.deepEqual(m.held(), []);
  });

  test("held() reports a held lock only while it is held", async (m) => {
    const l = m.retrieve(42);
    assert.deepEqual(m.held(), []);
    await l.lock();
    assert.deepEqual(m.held(), [42]);
    l.unlock();
    assert.deepEqual(m.held(), []);
  });

  test("unlock() of a lock this locker does not hold throws EPERM", async (m) => {
    const a = m.allocate();
    assertLockError(() => a.unlock(), "EPERM", /^unlocking lock 0: it is not held by this locker$/);
    await a.lock();
    assertLockError(() => m.retrieve(a.id).unlock(), "EPERM");
    a.unlock();
    assertLockError(() => a.unlock(), "EPERM");
  });

  test("close() makes later calls throw", (m) => {
    m.close();
    m.close();
    assertLockError(() => m.allocate(), "EBADF", /closed/);
  });
}
