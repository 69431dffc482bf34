import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ALL_STATUSES } from "../define/container_status.ts";
import { DatabaseError } from "../define/errors.ts";
import { Db } from "../util/sqlite.ts";
import { type ComponentSchema, readSchemaVersion } from "../util/sqlite_schema.ts";
import { STATE_SCHEMA, V1_STATUSES } from "./_schema.ts";
import { openSchemaDb } from "./_sqlite_open.ts";
import { stateSuite } from "./_state_suite.ts";
import { ctr, pod, vol } from "./_state_testdata.ts";
import { openSqliteState, openStateDb, SqliteState } from "./sqlite_state.ts";

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "skiff-state-" });
}

stateSuite("SqliteState", (options) => {
  const dir = tempDir();
  const state = openSqliteState(`${dir}/skiff.db`, options);
  return {
    state,
    cleanup: () => {
      state.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
});

/** Runs `fn` with a fresh directory and the path of a database file in it. */
function withDir(fn: (path: string, dir: string) => void): void {
  const dir = tempDir();
  try {
    fn(`${dir}/skiff.db`, dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", Deno.readFileSync(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function entries(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/**
 * Asserts that opening `path` throws DatabaseError matching `message` and leaves the file
 * byte-for-byte unchanged. Unless `sideFiles`, also that nothing was created beside it (a
 * read-only look at a WAL-mode file creates the usual -wal/-shm files; the file is unchanged).
 */
async function assertRefused(
  path: string,
  message: RegExp | string,
  sideFiles = false,
): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const before = await sha256(path), files = entries(dir);
  assert.throws(() => openSqliteState(path), (e: unknown) => {
    assert.ok(e instanceof DatabaseError, `expected DatabaseError, got ${e}`);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.ok(e.message.includes(path), `the message names the file: ${e.message}`);
    return true;
  });
  assert.equal(await sha256(path), before, "the file is byte-for-byte unchanged");
  if (!sideFiles) assert.deepEqual(entries(dir), files, "no file was created beside it");
}

Deno.test("openSqliteState() creates the database with mode 0600", () => {
  withDir((path, dir) => {
    const s = openSqliteState(path);
    s.addContainer(ctr());
    for (const name of entries(dir)) {
      assert.equal(Deno.statSync(`${dir}/${name}`).mode! & 0o777, 0o600, name);
    }
    s.close();
  });
});

Deno.test("openSqliteState() sees the data again after a reopen", () => {
  withDir((path) => {
    const s = openSqliteState(path);
    const c = ctr({ name: "persist" }), p = pod(), v = vol("v");
    s.addVolume(v);
    s.addPod(p);
    s.addContainer(c);
    s.addExitCode("gone", 7);
    s.close();
    const again = openSqliteState(path);
    assert.deepEqual(again.lookupContainer("persist"), c);
    assert.deepEqual(again.pod(p.config.id), p);
    assert.deepEqual(again.volume("v"), v);
    assert.equal(again.getExitCode("gone"), 7);
    again.close();
  });
});

Deno.test("openSqliteState() refuses a file that is not SQLite and leaves it untouched", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/skiff.db`;
    Deno.writeFileSync(path, crypto.getRandomValues(new Uint8Array(4096)));
    await assertRefused(path, /is not an SQLite database: it was left untouched/);
    // A valid header followed by garbage.
    const bytes = crypto.getRandomValues(new Uint8Array(8192));
    bytes.set(new TextEncoder().encode("SQLite format 3\0"));
    Deno.writeFileSync(path, bytes);
    await assertRefused(path, /cannot be read: .*left untouched/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openSqliteState() refuses another program's database and leaves it untouched", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/skiff.db`;
    const other = new DatabaseSync(path);
    other.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)");
    other.exec("INSERT INTO accounts (owner) VALUES ('alice'), ('bob')");
    other.close();
    await assertRefused(
      path,
      `database ${path} is not a skiff database: it holds tables accounts but no SchemaVersion ` +
        "table; it was left untouched (point static_dir elsewhere or move it away)",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openSqliteState() refuses a foreign WAL-mode database, its file unchanged", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/skiff.db`;
    const other = new DatabaseSync(path);
    other.exec("PRAGMA journal_mode=WAL");
    other.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    other.close();
    await assertRefused(path, /is not a skiff database: it holds tables t but no/, true);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openSqliteState() refuses a newer state schema and leaves the file untouched", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/skiff.db`;
    openSqliteState(path).close();
    const raw = new DatabaseSync(path);
    raw.exec("UPDATE SchemaVersion SET Version = 3 WHERE Component = 'state'");
    raw.close();
    await assertRefused(
      path,
      `database ${path} has state schema version 3, but this skiff supports up to 1: ` +
        "upgrade skiff",
      true,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("openSqliteState() refuses a directory, and a file it cannot create", () => {
  withDir((_path, dir) => {
    assert.throws(() => openSqliteState(dir), DatabaseError);
    assert.throws(() => openSqliteState(`${dir}/missing/skiff.db`), /cannot be created/);
  });
});

Deno.test("SqliteState.transaction() that throws midway leaves nothing", () => {
  withDir((path) => {
    const s = openSqliteState(path);
    const a = ctr(), b = ctr();
    assert.throws(() =>
      s.transaction(() => {
        s.addVolume(vol("v"));
        s.addContainer(a);
        s.addContainer(b);
        s.addExitCode(a.config.id, 1);
        throw new Error("boom");
      }), /boom/);
    assert.deepEqual(s.allContainers(), []);
    assert.ok(!s.hasVolume("v"));
    assert.throws(() => s.getExitCode(a.config.id));
    // Nested: the inner failure rolls back only the inner part.
    s.transaction(() => {
      s.addContainer(a);
      assert.throws(() => s.addContainer(ctr({ name: a.config.name })));
    });
    assert.deepEqual(s.allContainers().map((c) => c.config.id), [a.config.id]);
    s.close();
  });
});

Deno.test("the database itself refuses rows that break its invariants", () => {
  withDir((path) => {
    const s = openSqliteState(path);
    const c = ctr({ name: "n" });
    s.addContainer(c);
    s.addPod(pod({ name: "p" }));
    s.close();
    const db = Db.open(path);
    const id = c.config.id;
    assert.throws(
      () => db.run("UPDATE ContainerState SET ExitCode = 256 WHERE ID = ?", id),
      /CHECK/,
    );
    assert.throws(
      () => db.run("UPDATE ContainerState SET State = 'bogus' WHERE ID = ?", id),
      /CHECK/,
    );
    assert.throws(() =>
      db.transaction(() => db.run("UPDATE ContainerConfig SET Name = 'p' WHERE ID = ?", id))
    );
    assert.throws(() =>
      db.transaction(() => {
        db.run(
          "INSERT INTO ContainerConfig (ID, Name, Namespace, LockID, JSON) VALUES ('x', 'x', '', 0, '{}')",
        );
      }), /FOREIGN KEY/);
    assert.throws(() => db.run("DELETE FROM ContainerConfig WHERE ID = ?", id), /FOREIGN KEY/);
    db.close();
  });
});

Deno.test("two connections to one file see each other's writes", () => {
  withDir((path) => {
    const a = openSqliteState(path), b = openSqliteState(path);
    const c = ctr();
    a.addContainer(c);
    assert.ok(b.hasContainer(c.config.id));
    b.saveContainer(c.config.id, { ...c.state, status: "running", pid: 9 });
    assert.equal(a.updateContainer(c.config.id).pid, 9);
    a.close();
    b.close();
  });
});

Deno.test("the v1 status CHECK lists exactly ALL_STATUSES (a new status needs a migration)", () => {
  assert.deepEqual([...V1_STATUSES].sort(), [...ALL_STATUSES].sort());
});

function schema(version: number, migrations: ComponentSchema["migrations"]): ComponentSchema {
  return {
    component: "test",
    version,
    create: (db) => db.exec("CREATE TABLE T (x TEXT, y TEXT, z TEXT)"),
    migrations,
  };
}

Deno.test("ensureSchema() migrates forward step by step, or not at all", () => {
  withDir((path) => {
    openSchemaDb(path, { ...schema(1, {}), create: (db) => db.exec("CREATE TABLE T (x TEXT)") })
      .close();
    const v3 = schema(3, {
      1: (db) => db.exec("ALTER TABLE T ADD COLUMN y TEXT"),
      2: (db) => db.exec("ALTER TABLE T ADD COLUMN z TEXT"),
    });
    const db = openSchemaDb(path, v3);
    assert.equal(readSchemaVersion(db, "test"), 3);
    db.run("INSERT INTO T (x, y, z) VALUES ('1', '2', '3')");
    db.close();
    assert.throws(() => openSchemaDb(path, schema(5, { 3: (db) => db.exec("DROP TABLE T") })), (
      e: unknown,
    ) => {
      assert.ok(e instanceof DatabaseError);
      assert.match(e.message, /from version 4 to 5: this skiff has no such migration/);
      return true;
    });
    const after = openSchemaDb(path, v3);
    assert.equal(readSchemaVersion(after, "test"), 3, "the failed upgrade was rolled back");
    assert.equal(after.get("SELECT count(*) AS n FROM T")?.n, 1);
    after.close();
  });
});

Deno.test("openStateDb() shares the file and one transaction with another component", () => {
  withDir((path) => {
    openSchemaDb(path, schema(2, {})).close();
    const s = new SqliteState(openStateDb(path));
    s.addContainer(ctr());
    const c = ctr();
    assert.throws(() =>
      s.db.transaction(() => {
        s.addContainer(c);
        s.db.run("INSERT INTO T (x) VALUES ('layer')");
        throw new Error("rootfs failed");
      }), /rootfs failed/);
    assert.ok(!s.hasContainer(c.config.id));
    assert.equal(s.db.get("SELECT count(*) AS n FROM T")?.n, 0);
    s.close();
    const db = Db.open(path);
    assert.equal(readSchemaVersion(db, "test"), 2);
    assert.equal(readSchemaVersion(db, "state"), STATE_SCHEMA.version);
    db.close();
  });
});
