/**
 * The state contract: where containers, pods, volumes, exec sessions, exit codes and the
 * database configuration are stored. Two implementations behave identically (one shared test
 * suite runs against both): {@linkcode openSqliteState} for every real skiff process and
 * {@linkcode InMemoryState} for unit tests.
 *
 * ## Contract
 *
 * - **Records, not objects.** The state works on `define/` records and hands out fresh copies:
 *   mutating a returned record changes nothing until it is saved.
 * - **Config apart from state.** A config is written once by `add*()` and replaced only by
 *   `rewrite*Config()` (renumber, rename, network changes); a state is replaced by `save*()`.
 * - **Sync under the lock.** The database is shared by every skiff process. Callers take the
 *   object's lock, then `update*()` (re-read the state), act, `save*()`, and unlock.
 * - **Atomic.** Every method that changes more than one row does so in one transaction: it
 *   either happens completely or not at all, also when the process is killed midway.
 * - **One namespace for IDs and names.** Container and pod IDs are unique across both kinds,
 *   and so are their names (as podman's BoltDB, stricter than its SQLite backend). Volumes are
 *   keyed by name and are not part of the libpod namespace.
 * - **libpod namespaces.** With a non-empty namespace set, containers and pods of other
 *   namespaces are invisible to lookups and listings (NotFoundError); a direct access by full
 *   ID to one of them is a ConflictError ("target is in a different namespace"). New objects
 *   must carry the namespace. `refresh()` acts on every namespace.
 * - **Errors.** NotFoundError (with `kind`) for missing objects, ConflictError for names or IDs
 *   in use, ambiguous prefixes and objects others depend on, UsageError for an empty name,
 *   RangeError for an invalid status or exit code, DatabaseError when the file cannot be used.
 * - **Synchronous.** Every method is synchronous and holds the database only for its own
 *   duration; an SQLite writer waits for others (busy timeout) instead of failing.
 * @module
 */

import type {
  ContainerConfig,
  ContainerRecord,
  ContainerState,
  ExecSessionRecord,
} from "../define/container.ts";
import type { DbConfig } from "../define/db_config.ts";
import type { PodConfig, PodRecord, PodState } from "../define/pod.ts";
import type { VolumeConfig, VolumeRecord, VolumeState } from "../define/volume.ts";

/** Container totals for `info`; `stopped` counts every container neither running nor paused. */
export interface ContainerCounts {
  number: number;
  running: number;
  paused: number;
  stopped: number;
}

/** Options shared by both implementations. */
export interface StateOptions {
  /**
   * The clock, in milliseconds since the epoch, used to timestamp and prune exit codes.
   * @default Date.now
   */
  now?: () => number;
}

/** How long exit codes of removed containers are kept by default (podman: 5 minutes). */
export const EXIT_CODE_RETENTION_MS = 300_000;

/** Where skiff keeps its objects. See the module documentation for the contract. */
export interface State {
  /** Closes the database; the state must not be used afterwards. */
  close(): void;
  /**
   * Runs `fn` in one write transaction: state calls inside it (and, for SQLite, storage calls
   * on the same connection) commit together or not at all. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Sets the libpod namespace: when non-empty, only objects in it are visible (others:
   * NotFoundError for lookups; a direct ID access to another namespace's object is a
   * ConflictError "target is in a different namespace") and new objects must carry it.
   */
  setNamespace(ns: string): void;

  /** The stored database configuration, or null before the first {@linkcode initDbConfig}. */
  getDbConfig(): DbConfig | null;
  /**
   * On the first open, stores `wanted` (paths cleaned; INSERT OR IGNORE, because two processes
   * may race on a fresh database) and returns it; later, returns the stored row unchanged.
   */
  initDbConfig(wanted: DbConfig): DbConfig;

  /** The container with this full ID. NotFoundError "no container with ID … found in database". */
  container(id: string): ContainerRecord;
  /**
   * The container with this exact name, else the only one whose ID starts with `idOrName`
   * (case-sensitive). ConflictError when the prefix is ambiguous, NotFoundError when nothing
   * matches, UsageError when `idOrName` is empty.
   */
  lookupContainer(idOrName: string): ContainerRecord;
  /** True if a container with this full ID exists and is visible. */
  hasContainer(id: string): boolean;
  /**
   * Adds a container in one transaction. Refuses (ConflictError) an ID or name already used by
   * a container or a pod, and a namespace other than the state's; requires (NotFoundError) its
   * pod, every dependency (which must be in the same pod and namespace) and every named volume.
   */
  addContainer(rec: ContainerRecord): void;
  /**
   * Removes a container with its exec sessions, dependency and volume rows (not its exit code).
   * ConflictError while other containers depend on it.
   */
  removeContainer(id: string): void;
  /** Re-reads the container's state (callers sync after taking the container's lock). */
  updateContainer(id: string): ContainerState;
  /** Replaces the container's state. RangeError for an unknown status or exit code. */
  saveContainer(id: string, state: ContainerState): void;
  /** IDs of the containers that depend on this one. */
  containerInUse(id: string): string[];
  /** Every visible container, oldest first. */
  allContainers(): ContainerRecord[];
  /**
   * Replaces a container's config (renumber, rename, network changes), keeping the name index
   * consistent; refuses a name used by another container or pod, and a change of pod,
   * namespace, dependencies or named volumes.
   */
  rewriteContainerConfig(config: ContainerConfig): void;

  /** Records a container's exit code (-1..255), replacing an earlier one; kept after removal. */
  addExitCode(id: string, code: number): void;
  /** The recorded exit code. NotFoundError (kind "exit code") when there is none. */
  getExitCode(id: string): number;
  /**
   * Deletes exit codes older than `olderThanMs` (default 5 minutes) of containers that no
   * longer exist.
   */
  pruneExitCodes(olderThanMs?: number): void;

  /** Registers an exec session of an existing container; ConflictError if the ID is in use. */
  addExecSession(s: ExecSessionRecord): void;
  /** The exec session with this ID (NotFoundError kind "exec session"). */
  getExecSession(id: string): ExecSessionRecord;
  /** Removes an exec session (NotFoundError if it does not exist). */
  removeExecSession(id: string): void;
  /** The exec sessions of a container, oldest first. */
  containerExecSessions(ctrId: string): ExecSessionRecord[];

  /** The pod with this full ID. */
  pod(id: string): PodRecord;
  /** The pod with this exact name, else the only one whose ID starts with `idOrName`. */
  lookupPod(idOrName: string): PodRecord;
  /** True if a pod with this full ID exists and is visible. */
  hasPod(id: string): boolean;
  /** Adds a pod; its ID and name must be unused by containers and pods. */
  addPod(rec: PodRecord): void;
  /** Removes a pod; ConflictError while it has containers. */
  removePod(id: string): void;
  /** The pod's containers, oldest first. */
  podContainers(id: string): ContainerRecord[];
  /** Re-reads the pod's state. */
  updatePod(id: string): PodState;
  /** Replaces the pod's state. */
  savePod(id: string, st: PodState): void;
  /** Every visible pod, oldest first. */
  allPods(): PodRecord[];
  /** Replaces a pod's config (renumber, rename); refuses a used name or a namespace change. */
  rewritePodConfig(c: PodConfig): void;

  /** The volume with this exact name. */
  volume(name: string): VolumeRecord;
  /** The volume with this exact name, else the only one whose name starts with `nameOrPrefix`. */
  lookupVolume(nameOrPrefix: string): VolumeRecord;
  /** True if the volume exists. */
  hasVolume(name: string): boolean;
  /** Adds a volume; ConflictError if the name is in use. */
  addVolume(rec: VolumeRecord): void;
  /** Removes a volume; ConflictError while containers use it. */
  removeVolume(name: string): void;
  /** IDs of the containers using the volume. */
  volumeInUse(name: string): string[];
  /** Every volume, oldest first. */
  allVolumes(): VolumeRecord[];
  /** Replaces the volume's state. */
  saveVolume(name: string, st: VolumeState): void;
  /** Replaces a volume's config (renumber); the name cannot change. */
  rewriteVolumeConfig(c: VolumeConfig): void;

  /**
   * Resets everything after a reboot, in one transaction: every container goes to
   * "configured", unless it had run (running, paused, stopped, stopping, exited → "exited";
   * "removing" is kept); pid and conmonPid 0, mounted false, mountPoint "", netNs null,
   * networkResults null, restartCount 0; every exec session and exit code is deleted; pods'
   * cgroupPath is cleared and volumes' mountCount set to 0.
   */
  refresh(): void;
  /** Container totals for `info`, read from the indexed status column. */
  containerCounts(): ContainerCounts;
}
