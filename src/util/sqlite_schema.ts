/**
 * Per-component schema versions in the one database file: the state and storage modules each
 * keep their own tables and version. `SchemaVersion(Component, Version)` marks a file as
 * skiff's: a file with tables but without it is foreign and never touched. Each component
 * creates its newest tables from nothing, or upgrades older ones step by step with forward
 * migrations, in one transaction; a version newer than the code knows is refused.
 * @module
 */

import type { Db } from "./sqlite.ts";
import { DatabaseError } from "../define/errors.ts";

/** The table that records each component's schema version. */
export const SCHEMA_TABLE = "SchemaVersion";

/** The schema of one component sharing the database file. */
export interface ComponentSchema {
  /** Its key in {@linkcode SCHEMA_TABLE} ("state", "storage"). */
  component: string;
  /** The newest version this code knows. */
  version: number;
  /** Creates the newest version's tables in an empty database. */
  create(db: Db): void;
  /** `migrations[n]` upgrades version n to n + 1, in place. */
  migrations: Record<number, (db: Db) => void>;
}

function tooNew(path: string, component: string, found: number, known: number): DatabaseError {
  return new DatabaseError(
    `database ${path} has ${component} schema version ${found}, but this skiff supports up to ` +
      `${known}: upgrade skiff`,
  );
}

/** The stored version of a component, or null; throws if the table exists but is not ours. */
export function readSchemaVersion(db: Pick<Db, "get">, component: string): number | null {
  const row = db.get(`SELECT Version FROM ${SCHEMA_TABLE} WHERE Component = ?`, component);
  return row === undefined ? null : Number(row.Version);
}

/** Names of the user tables in the database (not SQLite's own). */
export function userTables(db: Pick<Db, "all">): string[] {
  return db.all(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
  ).map((r) => String(r.name));
}

/** The error for a file that holds tables but is not a skiff database. */
export function foreignDatabase(path: string, tables: string[]): DatabaseError {
  return new DatabaseError(
    `database ${path} is not a skiff database: it holds tables ${tables.join(", ")} but no ` +
      `${SCHEMA_TABLE} table; it was left untouched (point static_dir elsewhere or move it away)`,
  );
}

/**
 * Throws DatabaseError if the component's stored version is newer than `schema.version`, or if
 * the file holds tables and no {@linkcode SCHEMA_TABLE}. Reads only.
 */
export function checkSchema(db: Pick<Db, "get" | "all">, path: string, schema: ComponentSchema) {
  const tables = userTables(db);
  if (tables.length === 0) return;
  if (!tables.includes(SCHEMA_TABLE)) throw foreignDatabase(path, tables);
  let found: number | null;
  try {
    found = readSchemaVersion(db, schema.component);
  } catch (e) {
    // A table of that name with other columns: someone else's.
    throw new DatabaseError(
      `database ${path} is not a skiff database: its ${SCHEMA_TABLE} table is not ours; ` +
        "it was left untouched",
      { cause: e },
    );
  }
  if (found !== null && found > schema.version) {
    throw tooNew(path, schema.component, found, schema.version);
  }
}

/**
 * Brings the component's tables to `schema.version`: nothing to do when current (a read, no
 * write lock); otherwise, in one write transaction, re-check (another process may have won
 * the race), create the tables from nothing or run each forward migration in turn.
 */
export function ensureSchema(db: Db, schema: ComponentSchema): void {
  const { component, version } = schema;
  const current = () => {
    checkSchema(db, db.path, schema);
    return userTables(db).includes(SCHEMA_TABLE) ? readSchemaVersion(db, component) : null;
  };
  if (current() === version) return;
  db.transaction(() => {
    const found = current();
    if (found === version) return;
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (Component TEXT PRIMARY KEY NOT NULL, ` +
        "Version INTEGER NOT NULL CHECK (Version >= 1))",
    );
    if (found === null) {
      schema.create(db);
    } else {
      for (let v = found; v < version; v++) {
        const migrate = schema.migrations[v];
        if (!migrate) {
          throw new DatabaseError(
            `cannot upgrade the ${component} schema of database ${db.path} from version ${v} ` +
              `to ${v + 1}: this skiff has no such migration`,
          );
        }
        migrate(db);
      }
    }
    db.run(
      `INSERT OR REPLACE INTO ${SCHEMA_TABLE} (Component, Version) VALUES (?, ?)`,
      component,
      version,
    );
  });
}
