/**
 * The paths and driver the database was created with. The first open records them; later opens
 * adopt the stored value of every field the user did not set explicitly and refuse a mismatch.
 * @module
 */

/** The recorded runtime configuration of a database. */
export interface DbConfig {
  os: string;
  staticDir: string;
  tmpDir: string;
  graphRoot: string;
  runRoot: string;
  graphDriver: string;
  volumePath: string;
}

/** The fields reconciled with the runtime's configuration (all but `os`). */
export const DB_CONFIG_FIELDS = [
  "staticDir",
  "tmpDir",
  "graphRoot",
  "runRoot",
  "graphDriver",
  "volumePath",
] as const;

/** One of the reconciled fields. */
export type DbConfigField = typeof DB_CONFIG_FIELDS[number];
