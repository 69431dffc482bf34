import assert from "node:assert/strict";
import {
  check,
  cString,
  Errno,
  ErrnoError,
  errnoName,
  fstat,
  geteuid,
  libc,
  O,
  S_IFMT,
  S_IFREG,
} from "./libc.ts";
import { shmCreate, shmCreatePublished, shmOpen, shmUnlink, validateShmName } from "./shm.ts";
import { initRobustSharedMutexes, mutexTryLock, mutexUnlock } from "./pthread_mutex.ts";
import { lockFileSync } from "./file_lock.ts";

function uniqueName(): string {
  return `/skiff_test_${Deno.pid}_${crypto.randomUUID().slice(0, 8)}`;
}

function assertErrno(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ErrnoError, `expected an ErrnoError, got ${e}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

Deno.test("errnoName() names known values and numbers unknown ones", () => {
  assert.equal(errnoName(13), "EACCES");
  assert.equal(errnoName(Errno.EOWNERDEAD), "EOWNERDEAD");
  assert.equal(errnoName(999), "errno 999");
});

Deno.test("ErrnoError names the call and the errno", () => {
  const e = new ErrnoError("shm_open /skiff_lock", Errno.EACCES);
  assert.equal(e.message, "shm_open /skiff_lock: EACCES");
  assert.equal(e.errno, 13);
  assert.equal(
    new ErrnoError("open /x", 1, "owned by uid 5").message,
    "open /x: EPERM (owned by uid 5)",
  );
});

Deno.test("check() turns -1 into an ErrnoError read from errno", () => {
  const name = uniqueName();
  const rc = libc().shm_open(cString(name), O.RDWR, 0);
  assertErrno(
    () => check(`shm_open ${name}`, rc),
    "ENOENT",
    new RegExp(`^shm_open ${name}: ENOENT$`),
  );
  assert.equal(check("anything", 3), 3);
});

Deno.test("cString() NUL-terminates and rejects embedded NUL", () => {
  assert.deepEqual([...cString("ab")], [97, 98, 0]);
  assert.throws(() => cString("a\0b"), TypeError);
});

Deno.test("fstat() reads type, owner, inode and size of a descriptor", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/f`;
    Deno.writeTextFileSync(path, "hello");
    const fd = check("open", libc().open(cString(path), O.RDONLY | O.CLOEXEC, 0));
    try {
      const st = fstat(fd, path);
      const want = Deno.statSync(path);
      assert.equal(st.mode & S_IFMT, S_IFREG);
      assert.equal(st.size, 5);
      assert.equal(st.ino, want.ino);
      assert.equal(st.uid, geteuid());
    } finally {
      libc().close(fd);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("validateShmName() follows glibc's rules", () => {
  validateShmName("/skiff_lock");
  for (const bad of ["skiff", "/", "/a/b", "/..", `/${"x".repeat(255)}`]) {
    assert.throws(() => validateShmName(bad), TypeError, bad);
  }
});

Deno.test("shmCreate() and shmOpen() map the same shared memory", () => {
  const name = uniqueName();
  const a = shmCreate(name, 4096);
  try {
    assertErrno(() => shmCreate(name, 4096), "EEXIST", new RegExp(`^shm_open ${name}: EEXIST$`));
    const b = shmOpen(name);
    assert.ok(b);
    assert.equal(b.size, 4096);
    assert.equal(b.mode & 0o777, 0o600);
    a.view.setUint32(100, 0xdeadbeef, true);
    assert.equal(b.view.getUint32(100, true), 0xdeadbeef);
    assert.throws(() => b.pointerAt(4096), RangeError);
    b.unmap();
    b.unmap();
  } finally {
    a.unmap();
    assert.equal(shmUnlink(name), true);
  }
  assert.equal(shmUnlink(name), false);
  assert.equal(shmOpen(name), undefined);
});

Deno.test("shmCreatePublished() publishes only an initialised segment", () => {
  const name = uniqueName();
  try {
    assert.throws(() =>
      shmCreatePublished(name, 64, () => {
        throw new Error("init failed");
      }), /init failed/);
    assert.equal(shmOpen(name), undefined, "a failed init publishes nothing");
    const seg = shmCreatePublished(name, 64, (m) => m.view.setUint8(0, 7));
    const again = shmCreatePublished(name, 64, (m) => m.view.setUint8(0, 9));
    assert.equal(again.view.getUint8(0), 7, "the second creator gets the first one's segment");
    seg.unmap();
    again.unmap();
    const leftovers = [...Deno.readDirSync("/dev/shm")].filter((e) =>
      e.name.startsWith(name.slice(1) + ".")
    );
    assert.deepEqual(leftovers, []);
  } finally {
    shmUnlink(name);
  }
});

Deno.test("pthread mutexes: trylock, busy for a second try, EPERM unlocking a free one", () => {
  const name = uniqueName();
  const seg = shmCreate(name, 64);
  try {
    const m = seg.pointerAt(8);
    initRobustSharedMutexes([m]);
    assert.equal(seg.view.getUint32(8 + 16, true) & 0xff, 0x90, "robust + process-shared");
    assert.equal(mutexTryLock(m), "acquired");
    assert.equal(mutexTryLock(m), "busy", "the owner thread gets busy, not a deadlock");
    mutexUnlock(m);
    assertErrno(() => mutexUnlock(m), "EPERM", /^pthread_mutex_unlock: EPERM$/);
  } finally {
    seg.unmap();
    shmUnlink(name);
  }
});

Deno.test("lockFileSync() excludes a second holder until released", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/x.lock`;
    const first = lockFileSync(path);
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
    assertErrno(
      () => lockFileSync(path, { timeoutMs: 50 }),
      "ETIMEDOUT",
      /^flock .*x\.lock: ETIMEDOUT/,
    );
    first.release();
    first.release();
    using second = lockFileSync(path, { timeoutMs: 50 });
    assert.equal(second.path, path);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("lockFileSync() locks a fresh file after the holder removed it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/x.lock`;
    const first = lockFileSync(path);
    Deno.removeSync(path);
    // The old inode is still locked, but nobody can reach it by name any more.
    using second = lockFileSync(path, { timeoutMs: 50 });
    assert.ok(Deno.statSync(second.path).isFile, "a new lock file was created");
    first.release();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("lockFileSync() refuses a symlink", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/target`, "");
    Deno.symlinkSync(`${dir}/target`, `${dir}/x.lock`);
    assertErrno(() => lockFileSync(`${dir}/x.lock`, { timeoutMs: 50 }), "ELOOP");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "lockFileSync() refuses a file owned by another user" +
    (Deno.uid() === 0 ? "" : " (skipped: needs root to chown the file)"),
  ignore: Deno.uid() !== 0,
  fn() {
    const dir = Deno.makeTempDirSync();
    try {
      Deno.writeTextFileSync(`${dir}/x.lock`, "");
      Deno.chownSync(`${dir}/x.lock`, 65534, 65534);
      assertErrno(() => lockFileSync(`${dir}/x.lock`), "EPERM", /owned by uid 65534, not by uid 0/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
