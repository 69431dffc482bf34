/**
 * The Runtime: the only layer that coordinates configuration, state, locks, storage, the OCI
 * runtime and networking. `Runtime.open()` follows the seed's start-up order: config → OCI
 * runtime and conmon → static dir → state → DB reconciliation → namespace → storage → tmp dir
 * → alive check → lock manager → renumber → refresh → ready.
 * @module
 */

import {
  findConmon,
  findOciRuntime,
  type OciRuntimeLocation,
  type ResolvedConfig,
  writePendingUserFile,
} from "../config/mod.ts";
import type { DbConfig } from "../define/db_config.ts";
import { LockError } from "../define/errors.ts";
import { type LockManager, openShmLockManager, removeShmSegment } from "../lock/mod.ts";
import { openSqliteState, reconcileDbConfig, type State } from "../state/mod.ts";
import { Store } from "../storage/mod.ts";
import { lockFileSync } from "../sys/file_lock.ts";
import { log } from "../util/logger.ts";
import { Db } from "../util/sqlite.ts";

/** Options for {@linkcode Runtime.open}. */
export interface OpenOptions {
  /** Skip locating runc and conmon (unit tests of state-only behaviour). @default false */
  skipBinaries?: boolean;
  /** Use this state instead of `<static_dir>/skiff.db` (unit tests: InMemoryState). */
  state?: State;
  /** Use this lock manager instead of the shared-memory segment (unit tests). */
  locks?: LockManager;
  /** Free every lock and hand out new numbers (`skiff system renumber`). @default false */
  renumber?: boolean;
}

/** Counts shown by `skiff info`. */
export interface StoreCounts {
  containers: { number: number; paused: number; running: number; stopped: number };
  images: number;
  locks: { path: string; total: number; used: number; free: number } | null;
}

/** An open runtime. Call {@linkcode Runtime.shutdown} when done. */
export class Runtime {
  readonly config: ResolvedConfig;
  readonly ociRuntime: OciRuntimeLocation;
  readonly conmonPath: string;
  readonly state: State;
  readonly locks: LockManager;
  readonly store: Store;
  /** True when this open found no alive file and refreshed every object. */
  readonly refreshed: boolean;
  #open = true;

  private constructor(
    config: ResolvedConfig,
    parts: {
      oci: OciRuntimeLocation;
      conmon: string;
      state: State;
      locks: LockManager;
      store: Store;
      refreshed: boolean;
    },
  ) {
    this.config = config;
    this.ociRuntime = parts.oci;
    this.conmonPath = parts.conmon;
    this.state = parts.state;
    this.locks = parts.locks;
    this.store = parts.store;
    this.refreshed = parts.refreshed;
  }

  /** Opens the runtime in the seed's order; throws, leaving nothing half-open, on failure. */
  static async open(config: ResolvedConfig, options: OpenOptions = {}): Promise<Runtime> {
    const cfg = config.runtime;
    const oci = options.skipBinaries ? { name: cfg.runtime, path: "" } : findOciRuntime(cfg);
    const conmon = options.skipBinaries ? "" : findConmon(cfg);
    await Deno.mkdir(cfg.staticDir, { recursive: true, mode: 0o700 });

    let db: Db;
    let state: State;
    if (options.state) {
      state = options.state;
      db = Db.open(":memory:");
    } else {
      const sqlite = openSqliteState(`${cfg.staticDir}/skiff.db`);
      state = sqlite;
      db = sqlite.db;
    }
    const closers: (() => void)[] = [() => state.close()];
    if (options.state) closers.push(() => db.close());
    try {
      reconcile(config, state);
      state.setNamespace(cfg.namespace);
      const store = Store.open(db, {
        graphRoot: config.storage.graphRoot,
        runRoot: config.storage.runRoot,
        driver: config.storage.graphDriver,
      });
      await Deno.mkdir(cfg.tmpDir, { recursive: true, mode: 0o700 });
      // The alive file lives on tmpfs: its absence means a reboot (or a first run).
      using _alive = lockFileSync(`${cfg.tmpDir}/alive.lck`);
      const doRefresh = !exists(`${cfg.tmpDir}/alive`);
      const locks = options.locks ?? openLocks(config, options.renumber ?? false);
      closers.push(() => locks.close());
      const rt = new Runtime(config, { oci, conmon, state, locks, store, refreshed: doRefresh });
      if (options.renumber) (await import("./renumber.ts")).renumberLocks(rt);
      if (doRefresh) {
        await (await import("./refresh.ts")).refreshAfterReboot(rt);
        Deno.writeTextFileSync(`${cfg.tmpDir}/alive`, "", { mode: 0o644 });
      }
      // Only once everything opened: a failed first run must leave no user file behind.
      await writePendingUserFile(config);
      log.debug("runtime ready", {
        graphRoot: config.storage.graphRoot,
        runRoot: config.storage.runRoot,
        staticDir: cfg.staticDir,
        tmpDir: cfg.tmpDir,
        volumePath: cfg.volumePath,
        graphDriver: config.storage.graphDriver,
      });
      return rt;
    } catch (e) {
      for (const close of closers.reverse()) {
        try {
          close();
        } catch { /* already failing: keep the first error */ }
      }
      throw e;
    }
  }

  /** Object counts for `info`. */
  storeCounts(): Promise<StoreCounts> {
    const free = this.locks.available();
    return Promise.resolve({
      containers: this.state.containerCounts(),
      images: this.store.images.count(),
      locks: {
        path: this.config.lockPath,
        total: this.locks.numLocks,
        used: this.locks.numLocks - free,
        free,
      },
    });
  }

  /** True until {@linkcode shutdown} has run. */
  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Closes the runtime: the lock segment and the database. With `force`, running containers
   * are stopped first (the seed's `Shutdown(force)`); failures to stop are logged, not thrown.
   */
  async shutdown(force = false): Promise<void> {
    if (!this.#open) return;
    if (force) {
      const { stopContainer } = await import("./container_stop.ts");
      for (const c of this.state.allContainers()) {
        if (c.state.status !== "running" && c.state.status !== "paused") continue;
        await stopContainer(this, c.config.id, { timeout: 10 }).catch((e) =>
          log.error(`stopping container ${c.config.id} at shutdown: ${(e as Error).message}`)
        );
      }
    }
    this.#open = false;
    this.locks.close();
    this.state.close();
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Records paths on first open, adopts stored ones not set explicitly, refuses mismatches. */
function reconcile(config: ResolvedConfig, state: State): void {
  const cfg = config.runtime;
  const wanted: DbConfig = {
    os: Deno.build.os,
    staticDir: cfg.staticDir,
    tmpDir: cfg.tmpDir,
    graphRoot: config.storage.graphRoot,
    runRoot: config.storage.runRoot,
    graphDriver: config.storage.graphDriver,
    volumePath: cfg.volumePath,
  };
  const stored = state.initDbConfig(wanted);
  const { config: merged, adopted } = reconcileDbConfig(stored, wanted, config.explicit);
  for (const a of adopted) {
    const msg = `overriding ${a.field} "${a.from}" with "${a.to}" from database`;
    if (a.field === "graphDriver") log.warn(msg);
    else log.debug(msg);
  }
  cfg.staticDir = merged.staticDir;
  cfg.tmpDir = merged.tmpDir;
  cfg.volumePath = merged.volumePath;
  config.storage.graphRoot = merged.graphRoot;
  config.storage.runRoot = merged.runRoot;
  config.storage.graphDriver = merged.graphDriver;
}

/** Root's segment lock files: not in world-writable /dev/shm, where any user could hold one. */
const ROOT_LOCK_DIR = "/run/skiff/locks";

/** Opens the lock segment; a different lock count is refused unless renumbering. */
function openLocks(config: ResolvedConfig, renumber: boolean): LockManager {
  const path = config.lockPath;
  const lockFile = config.rootless ? undefined : `${ROOT_LOCK_DIR}${path}.lock`;
  if (lockFile) Deno.mkdirSync(ROOT_LOCK_DIR, { recursive: true, mode: 0o700 });
  const open = () =>
    openShmLockManager({
      path,
      numLocks: config.runtime.numLocks,
      ...(lockFile ? { lockFile } : {}),
    });
  try {
    return open();
  } catch (e) {
    if (renumber && e instanceof LockError && e.code === "ERANGE") {
      log.info(`lock segment ${path} has a different size: recreating it for renumber`);
      removeShmSegment(path, lockFile ? { lockFile } : {});
      return open();
    }
    throw e;
  }
}
