/**
 * A thin wrapper over `node:sqlite` shared by the state and storage modules, so that both use
 * one connection and one transaction discipline: WAL, `synchronous=FULL`, foreign keys on, a
 * long busy timeout, and `BEGIN IMMEDIATE` for every write transaction (a deferred BEGIN that
 * upgrades to a writer fails at once under contention, whatever the busy timeout says).
 * @module
 */

import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { DatabaseError } from "../define/errors.ts";

/** Busy timeout in milliseconds (podman uses 100 s). */
export const BUSY_TIMEOUT_MS = 100_000;

/** A row as returned by node:sqlite (null-prototype object). */
export type Row = Record<string, unknown>;

/**
 * Sets WAL mode, retrying while the database is busy. The switch needs an exclusive lock and
 * SQLite does not call the busy handler for it (a connection that holds a read lock and wants
 * more fails at once, to avoid deadlock), so processes opening a fresh file at the same moment
 * got "database is locked" here. Retries with a growing, jittered sleep up to the busy timeout.
 */
function switchToWal(db: DatabaseSync): Row | undefined {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let delay = 1;; delay = Math.min(delay * 2, 50)) {
    try {
      return db.prepare("PRAGMA journal_mode=WAL").get() as Row | undefined;
    } catch (e) {
      const busy = (e as { errcode?: number }).errcode === 5 ||
        /database is locked/.test((e as Error).message);
      if (!busy || Date.now() >= deadline) throw e;
      // A synchronous sleep: nothing else may run while opening.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay + Math.random() * delay);
    }
  }
}

/** An open database. */
export class Db {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #depth = 0;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  /** Opens (creating if needed) the database at `path`; ":memory:" for tests. */
  static open(path: string): Db {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, {
        timeout: BUSY_TIMEOUT_MS,
        enableForeignKeyConstraints: true, // PRAGMA foreign_keys=ON
      });
    } catch (e) {
      throw new DatabaseError(`opening database ${path}: ${(e as Error).message}`, { cause: e });
    }
    const handle = new Db(path, db);
    try {
      // Fails with "file is not a database" on a corrupt or foreign file: nothing is written.
      db.prepare("SELECT count(*) FROM sqlite_master").get();
      if (path !== ":memory:") {
        const mode = switchToWal(db);
        if (String(mode?.journal_mode).toLowerCase() !== "wal") {
          throw new Error(`cannot switch to WAL journal mode (got ${mode?.journal_mode})`);
        }
      }
      db.exec("PRAGMA synchronous=FULL");
      db.exec("PRAGMA case_sensitive_like=ON");
    } catch (e) {
      try {
        db.close();
      } catch { /* already unusable */ }
      throw new DatabaseError(
        `opening database ${path}: ${(e as Error).message}` +
          " (the file is corrupt or not a skiff database; it was left untouched)",
        { cause: e },
      );
    }
    return handle;
  }

  /** A cached prepared statement. */
  statement(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** Runs a statement that returns no rows; returns the number of changed rows. */
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.statement(sql).run(...params).changes);
  }

  /** Returns the first row, or undefined. */
  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  /** Returns all rows. */
  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.statement(sql).all(...params) as Row[];
  }

  /** Executes one or more statements without parameters. */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  /**
   * Runs `fn` in a write transaction (`BEGIN IMMEDIATE`); a nested call joins the outer one
   * through a savepoint. `fn` must be synchronous: nothing else may run while the database
   * write lock is held.
   */
  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) {
      const name = `sp${this.#depth}`;
      this.#db.exec(`SAVEPOINT ${name}`);
      this.#depth++;
      try {
        const out = fn();
        this.#db.exec(`RELEASE ${name}`);
        return out;
      } catch (e) {
        this.#db.exec(`ROLLBACK TO ${name}`);
        this.#db.exec(`RELEASE ${name}`);
        throw e;
      } finally {
        this.#depth--;
      }
    }
    this.#db.exec("BEGIN IMMEDIATE");
    this.#depth++;
    try {
      const out = fn();
      this.#db.exec("COMMIT");
      return out;
    } catch (e) {
      try {
        this.#db.exec("ROLLBACK");
      } catch { /* the failure already ended the transaction */ }
      throw e;
    } finally {
      this.#depth--;
    }
  }

  /** True inside {@linkcode transaction}. */
  get inTransaction(): boolean {
    return this.#depth > 0;
  }

  /** Closes the connection. */
  close(): void {
    this.#statements.clear();
    this.#db.close();
  }
}
