/**
 * Opening the state database without ever writing to a file that is not ours: a missing file
 * is created with mode 0600; an existing one is inspected read-only first (`Db.open` switches
 * the journal to WAL, which writes), and refused — untouched — when it is not SQLite, holds
 * someone else's tables, or has a newer state schema.
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { DatabaseError } from "../define/errors.ts";
import { BUSY_TIMEOUT_MS, Db, type Row } from "../util/sqlite.ts";
import { checkSchema, type ComponentSchema, ensureSchema } from "../util/sqlite_schema.ts";

const MAGIC = "SQLite format 3\0";

function readHeader(path: string): string {
  const f = Deno.openSync(path, { read: true });
  try {
    const buf = new Uint8Array(MAGIC.length);
    let n = 0;
    while (n < buf.length) {
      const got = f.readSync(buf.subarray(n));
      if (got === null) break;
      n += got;
    }
    return new TextDecoder("latin1").decode(buf.subarray(0, n));
  } finally {
    f.close();
  }
}

/**
 * Throws DatabaseError (leaving the file as it was) unless `path` is missing, empty, or an
 * SQLite database that `schema` may use. Creates a missing file with mode 0600.
 */
export function inspectDatabaseFile(path: string, schema: ComponentSchema): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new DatabaseError(`database ${path} cannot be opened: ${(e as Error).message}`, {
        cause: e,
      });
    }
    try {
      // Created here, not by SQLite, to get mode 0600; the -wal and -shm files inherit it.
      // Not `createNew`: another process may create it at the same moment, which is fine.
      Deno.openSync(path, { write: true, create: true, mode: 0o600 }).close();
    } catch (e) {
      throw new DatabaseError(`database ${path} cannot be created: ${(e as Error).message}`, {
        cause: e,
      });
    }
    return;
  }
  if (!info.isFile) throw new DatabaseError(`database ${path} is not a regular file`);
  if (info.size === 0) return;
  let header: string;
  try {
    header = readHeader(path);
  } catch (e) {
    throw new DatabaseError(`database ${path} cannot be read: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (header !== MAGIC) {
    throw new DatabaseError(
      `database ${path} is not an SQLite database: it was left untouched; move it away or ` +
        "point static_dir elsewhere",
    );
  }
  let ro: DatabaseSync | undefined;
  try {
    ro = new DatabaseSync(path, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
    const reader = ro;
    checkSchema(
      {
        get: (sql, ...p) => reader.prepare(sql).get(...p) as Row | undefined,
        all: (sql, ...p) => reader.prepare(sql).all(...p) as Row[],
      },
      path,
      schema,
    );
  } catch (e) {
    if (e instanceof DatabaseError) throw e;
    throw new DatabaseError(
      `database ${path} cannot be read: ${(e as Error).message}: it is corrupt or not a skiff ` +
        "database, and was left untouched",
      { cause: e },
    );
  } finally {
    ro?.close();
  }
}

/** Opens `path` for `schema`: inspects it, opens it (WAL etc.), then creates or migrates. */
export function openSchemaDb(path: string, schema: ComponentSchema): Db {
  inspectDatabaseFile(path, schema);
  const db = Db.open(path);
  try {
    ensureSchema(db, schema);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
