/**
 * Reconciling the runtime's paths with the ones its database was created with (podman's
 * `mergeDBConfig` + `ValidateDBConfig`). Pure: the caller reads the stored row, passes which
 * fields the user set explicitly, and logs what was adopted.
 * @module
 */

import { DB_CONFIG_FIELDS, type DbConfig, type DbConfigField } from "../define/db_config.ts";
import { DatabaseConfigError } from "../define/errors.ts";

/** A stored value that replaced the runtime's own (for the caller to log). */
export interface AdoptedField {
  field: DbConfigField;
  /** The runtime's value before reconciliation. */
  from: string;
  /** The database's value, now in effect. */
  to: string;
}

/** The result of {@linkcode reconcileDbConfig}. */
export interface ReconciledDbConfig {
  /** The configuration to run with. */
  config: DbConfig;
  /** Fields whose stored value replaced a different runtime value. */
  adopted: AdoptedField[];
}

const LABELS: Record<DbConfigField, string> = {
  staticDir: "static dir",
  tmpDir: "tmp dir",
  graphRoot: "graph root",
  runRoot: "run root",
  graphDriver: "graph driver",
  volumePath: "volume path",
};

function fix(field: DbConfigField, value: string): string {
  switch (field) {
    case "graphRoot":
      return `pass --root ${value}`;
    case "runRoot":
      return `pass --runroot ${value}`;
    case "graphDriver":
      return `pass --storage-driver ${value}`;
    case "tmpDir":
      return `pass --tmpdir ${value}`;
    case "staticDir":
      return `set static_dir = "${value}" in libpod.conf`;
    case "volumePath":
      return `set volume_path = "${value}" in libpod.conf`;
  }
}

/** The human name of a field ("graph root"), as used in log lines and errors. */
export function dbConfigFieldLabel(field: DbConfigField): string {
  return LABELS[field];
}

/**
 * Cleans a path lexically like Go's `filepath.Clean`: repeated and trailing slashes, `.` and
 * `..` are removed. The empty string (an unset value) stays empty.
 */
export function cleanPath(p: string): string {
  if (p === "") return "";
  const abs = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!abs) out.push("..");
    } else {
      out.push(part);
    }
  }
  const joined = out.join("/");
  return abs ? `/${joined}` : joined || ".";
}

/** `cleanPath` applied to every path field (not `os` or `graphDriver`). */
export function cleanDbConfig(c: DbConfig): DbConfig {
  return {
    os: c.os,
    staticDir: cleanPath(c.staticDir),
    tmpDir: cleanPath(c.tmpDir),
    graphRoot: cleanPath(c.graphRoot),
    runRoot: cleanPath(c.runRoot),
    graphDriver: c.graphDriver,
    volumePath: cleanPath(c.volumePath),
  };
}

/** `Deno.realPathSync`, except that a missing path resolves to itself. */
export function realPathOrSelf(p: string): string {
  try {
    return Deno.realPathSync(p);
  } catch (e) {
    // A directory that does not exist yet cannot be a symlink to anything.
    if (e instanceof Deno.errors.NotFound) return p;
    throw e;
  }
}

/**
 * Reconciles the stored database config with the runtime's. For each field: when the user did
 * not set it explicitly and the database has a value, the database's value is adopted (and
 * reported when it differs); when the user did set it, it must equal the stored value after
 * cleaning and resolving symlinks (a missing path compares as itself), else
 * DatabaseConfigError naming both values and the fix. The `os` must match.
 *
 * @param stored the row read from the database
 * @param wanted the runtime's resolved values; `wanted.staticDir` locates the database file
 * @param explicit the fields set on the command line or in a config file
 * @param realpath resolves symlinks (injected by tests)
 * @returns the configuration to run with, and what was adopted from the database
 */
export function reconcileDbConfig(
  stored: DbConfig,
  wanted: DbConfig,
  explicit: Partial<Record<DbConfigField, boolean>>,
  realpath: (p: string) => string = realPathOrSelf,
): ReconciledDbConfig {
  const dbFile = `${cleanPath(wanted.staticDir) || "."}/skiff.db`;
  if (stored.os !== "" && stored.os !== wanted.os) {
    throw new DatabaseConfigError(
      `database os "${stored.os}" does not match our os "${wanted.os}": the database was ` +
        `created on another system; remove ${dbFile} to start over`,
    );
  }
  const have = cleanDbConfig(stored);
  const want = cleanDbConfig(wanted);
  const config: DbConfig = { ...want, os: wanted.os };
  const adopted: AdoptedField[] = [];
  for (const field of DB_CONFIG_FIELDS) {
    const db = have[field];
    const ours = want[field];
    if (db === "") continue;
    if (!explicit[field]) {
      config[field] = db;
      if (db !== ours) adopted.push({ field, from: ours, to: db });
      continue;
    }
    const same = field === "graphDriver" ? db === ours : resolve(db, realpath) ===
      resolve(ours, realpath);
    if (!same) {
      const label = LABELS[field];
      throw new DatabaseConfigError(
        `database ${label} "${db}" does not match our ${label} "${ours}": the database was ` +
          `created with different settings; ${fix(field, db)}, or remove ${dbFile} to start over`,
      );
    }
  }
  return { config, adopted };
}

function resolve(p: string, realpath: (p: string) => string): string {
  return p === "" ? "" : cleanPath(realpath(p));
}
