/**
 * The state database: containers, pods, volumes, exec sessions, exit codes and the recorded
 * runtime paths. {@linkcode State} is the contract; {@linkcode openSqliteState} opens the real
 * database (`<static_dir>/skiff.db`), {@linkcode InMemoryState} serves unit tests, and
 * {@linkcode reconcileDbConfig} merges the recorded paths with the runtime's.
 *
 * ```ts ignore
 * const state = openSqliteState(`${staticDir}/skiff.db`);
 * const stored = state.initDbConfig(wanted);
 * const { config, adopted } = reconcileDbConfig(stored, wanted, explicit);
 * const ctr = state.lookupContainer("3f2a"); // exact name, else unique ID prefix
 * ```
 * @module
 */

export {
  type ContainerCounts,
  EXIT_CODE_RETENTION_MS,
  type State,
  type StateOptions,
} from "./state.ts";
export { openSqliteState, openStateDb, SqliteState } from "./sqlite_state.ts";
export { InMemoryState } from "./in_memory_state.ts";
export {
  type AdoptedField,
  cleanPath,
  dbConfigFieldLabel,
  reconcileDbConfig,
  type ReconciledDbConfig,
} from "./db_config.ts";
