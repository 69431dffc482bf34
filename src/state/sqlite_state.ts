/**
 * The SQLite {@linkcode State} every skiff process uses: `<static_dir>/skiff.db`, shared with
 * the storage module's tables. Connection settings come from `util/sqlite.ts` (WAL,
 * `synchronous=FULL`, foreign keys, 100 s busy timeout, BEGIN IMMEDIATE for every write).
 * Config and state JSON live in separate tables; the database itself guards the invariants
 * (unique IDs and names across containers and pods, foreign keys, CHECKs on status and exit
 * codes), and each multi-row change is one transaction.
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
import type { Db, Row } from "../util/sqlite.ts";
import * as err from "./_errors.ts";
import {
  resetContainerState,
  resetPodState,
  resetVolumeState,
  validateExitCode,
} from "./_records.ts";
import { STATE_SCHEMA } from "./_schema.ts";
import { type Ctx, json } from "./_sqlite_common.ts";
import * as ctrs from "./_sqlite_containers.ts";
import { openSchemaDb } from "./_sqlite_open.ts";
import * as pv from "./_sqlite_pods_volumes.ts";
import { cleanDbConfig } from "./db_config.ts";
import {
  type ContainerCounts,
  EXIT_CODE_RETENTION_MS,
  type State,
  type StateOptions,
} from "./state.ts";

/**
 * Opens (creating if needed, with mode 0600) the state database at `path`; the directory must
 * exist. DatabaseError, with the file left byte-for-byte unchanged, when it is not SQLite,
 * holds another program's tables, or has a state schema newer than this skiff knows; older
 * schemas are migrated forward.
 */
export function openSqliteState(path: string, options: StateOptions = {}): SqliteState {
  return new SqliteState(openStateDb(path), options);
}

/**
 * Opens the database as {@linkcode openSqliteState} does (same checks, state tables created or
 * migrated) and returns the connection, for the runtime to share between `new SqliteState(db)`
 * and the storage module: one connection, so that one transaction can span both.
 */
export function openStateDb(path: string): Db {
  return openSchemaDb(path, STATE_SCHEMA);
}

function dbConfigRow(r: Row): DbConfig {
  return {
    os: String(r.OS),
    staticDir: String(r.StaticDir),
    tmpDir: String(r.TmpDir),
    graphRoot: String(r.GraphRoot),
    runRoot: String(r.RunRoot),
    graphDriver: String(r.GraphDriver),
    volumePath: String(r.VolumePath),
  };
}

/** The SQLite-backed {@linkcode State}; create it with {@linkcode openSqliteState}. */
export class SqliteState implements State {
  readonly #ctx: Ctx;

  /** Wraps a connection from {@linkcode openStateDb} (its state schema is current). */
  constructor(db: Db, options: StateOptions = {}) {
    this.#ctx = { db, ns: "", now: options.now ?? Date.now };
  }

  /** The connection (shared with the storage module; `close()` closes it). */
  get db(): Db {
    return this.#ctx.db;
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE; state calls inside it join through
   * savepoints): everything `fn` did is committed together, or nothing if it throws or the
   * process dies first. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T {
    return this.#ctx.db.transaction(fn);
  }

  close(): void {
    this.#ctx.db.close();
  }

  setNamespace(ns: string): void {
    this.#ctx.ns = ns;
  }

  getDbConfig(): DbConfig | null {
    const r = this.#ctx.db.get("SELECT * FROM DBConfig WHERE ID = 1");
    return r ? dbConfigRow(r) : null;
  }

  initDbConfig(wanted: DbConfig): DbConfig {
    // Stored after the first open: read it without taking the write lock every command.
    const stored = this.getDbConfig();
    if (stored) return stored;
    const c = cleanDbConfig(wanted);
    const { db } = this.#ctx;
    return db.transaction(() => {
      db.run(
        "INSERT OR IGNORE INTO DBConfig (ID, OS, StaticDir, TmpDir, GraphRoot, RunRoot, " +
          "GraphDriver, VolumePath) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
        c.os,
        c.staticDir,
        c.tmpDir,
        c.graphRoot,
        c.runRoot,
        c.graphDriver,
        c.volumePath,
      );
      return dbConfigRow(db.get("SELECT * FROM DBConfig WHERE ID = 1")!);
    });
  }

  container(id: string): ContainerRecord {
    return ctrs.container(this.#ctx, id);
  }
  lookupContainer(idOrName: string): ContainerRecord {
    return ctrs.lookupContainer(this.#ctx, idOrName);
  }
  hasContainer(id: string): boolean {
    return ctrs.hasContainer(this.#ctx, id);
  }
  addContainer(rec: ContainerRecord): void {
    ctrs.addContainer(this.#ctx, rec);
  }
  removeContainer(id: string): void {
    ctrs.removeContainer(this.#ctx, id);
  }
  updateContainer(id: string): ContainerState {
    return ctrs.updateContainer(this.#ctx, id);
  }
  saveContainer(id: string, state: ContainerState): void {
    ctrs.saveContainer(this.#ctx, id, state);
  }
  containerInUse(id: string): string[] {
    return ctrs.containerInUse(this.#ctx, id);
  }
  allContainers(): ContainerRecord[] {
    return ctrs.allContainers(this.#ctx);
  }
  rewriteContainerConfig(config: ContainerConfig): void {
    ctrs.rewriteContainerConfig(this.#ctx, config);
  }

  addExitCode(id: string, code: number): void {
    validateExitCode(code);
    const { db, now } = this.#ctx;
    db.transaction(() =>
      db.run(
        "INSERT OR REPLACE INTO ContainerExitCode (ID, Timestamp, ExitCode) VALUES (?, ?, ?)",
        id,
        now(),
        code,
      )
    );
  }
  getExitCode(id: string): number {
    const r = this.#ctx.db.get("SELECT ExitCode FROM ContainerExitCode WHERE ID = ?", id);
    if (!r) throw err.noSuchExitCode(id);
    return Number(r.ExitCode);
  }
  pruneExitCodes(olderThanMs: number = EXIT_CODE_RETENTION_MS): void {
    const { db, now } = this.#ctx;
    const cutoff = now() - olderThanMs;
    db.transaction(() =>
      db.run(
        "DELETE FROM ContainerExitCode WHERE Timestamp < ? " +
          "AND ID NOT IN (SELECT ID FROM ContainerConfig)",
        cutoff,
      )
    );
  }

  addExecSession(s: ExecSessionRecord): void {
    if (s.id === "") throw err.emptyName();
    const { db } = this.#ctx;
    db.transaction(() => {
      ctrs.requireContainer(this.#ctx, s.containerId);
      if (db.get("SELECT 1 FROM ContainerExecSession WHERE ID = ?", s.id)) {
        throw err.execSessionExists(s.id);
      }
      db.run(
        "INSERT INTO ContainerExecSession (ID, ContainerID, JSON) VALUES (?, ?, ?)",
        s.id,
        s.containerId,
        JSON.stringify(s.data),
      );
    });
  }
  getExecSession(id: string): ExecSessionRecord {
    const r = this.#ctx.db.get(
      "SELECT ContainerID, JSON FROM ContainerExecSession WHERE ID = ?",
      id,
    );
    if (!r) throw err.noSuchExecSession(id);
    return { id, containerId: String(r.ContainerID), data: json(r.JSON) };
  }
  removeExecSession(id: string): void {
    const { db } = this.#ctx;
    const n = db.transaction(() => db.run("DELETE FROM ContainerExecSession WHERE ID = ?", id));
    if (n === 0) throw err.noSuchExecSession(id);
  }
  containerExecSessions(ctrId: string): ExecSessionRecord[] {
    ctrs.requireContainer(this.#ctx, ctrId);
    return this.#ctx.db.all(
      "SELECT ID, JSON FROM ContainerExecSession WHERE ContainerID = ? ORDER BY rowid",
      ctrId,
    ).map((r) => ({ id: String(r.ID), containerId: ctrId, data: json(r.JSON) }));
  }

  pod(id: string): PodRecord {
    return pv.pod(this.#ctx, id);
  }
  lookupPod(idOrName: string): PodRecord {
    return pv.lookupPod(this.#ctx, idOrName);
  }
  hasPod(id: string): boolean {
    return pv.hasPod(this.#ctx, id);
  }
  addPod(rec: PodRecord): void {
    pv.addPod(this.#ctx, rec);
  }
  removePod(id: string): void {
    pv.removePod(this.#ctx, id);
  }
  podContainers(id: string): ContainerRecord[] {
    return pv.podContainers(this.#ctx, id);
  }
  updatePod(id: string): PodState {
    return pv.updatePod(this.#ctx, id);
  }
  savePod(id: string, st: PodState): void {
    pv.savePod(this.#ctx, id, st);
  }
  allPods(): PodRecord[] {
    return pv.allPods(this.#ctx);
  }
  rewritePodConfig(c: PodConfig): void {
    pv.rewritePodConfig(this.#ctx, c);
  }

  volume(name: string): VolumeRecord {
    return pv.volume(this.#ctx, name);
  }
  lookupVolume(nameOrPrefix: string): VolumeRecord {
    return pv.lookupVolume(this.#ctx, nameOrPrefix);
  }
  hasVolume(name: string): boolean {
    return pv.hasVolume(this.#ctx, name);
  }
  addVolume(rec: VolumeRecord): void {
    pv.addVolume(this.#ctx, rec);
  }
  removeVolume(name: string): void {
    pv.removeVolume(this.#ctx, name);
  }
  volumeInUse(name: string): string[] {
    return pv.volumeInUse(this.#ctx, name);
  }
  allVolumes(): VolumeRecord[] {
    return pv.allVolumes(this.#ctx);
  }
  saveVolume(name: string, st: VolumeState): void {
    pv.saveVolume(this.#ctx, name, st);
  }
  rewriteVolumeConfig(c: VolumeConfig): void {
    pv.rewriteVolumeConfig(this.#ctx, c);
  }

  refresh(): void {
    const { db } = this.#ctx;
    db.transaction(() => {
      for (const r of db.all("SELECT ID, JSON FROM ContainerState")) {
        const st = resetContainerState(json(r.JSON));
        db.run(
          "UPDATE ContainerState SET State = ?, ExitCode = ?, JSON = ? WHERE ID = ?",
          st.status,
          st.exitCode,
          JSON.stringify(st),
          String(r.ID),
        );
      }
      for (const r of db.all("SELECT ID, JSON FROM PodState")) {
        const st = resetPodState(json(r.JSON));
        db.run("UPDATE PodState SET JSON = ? WHERE ID = ?", JSON.stringify(st), String(r.ID));
      }
      for (const r of db.all("SELECT Name, JSON FROM VolumeState")) {
        const st = resetVolumeState(json(r.JSON));
        db.run(
          "UPDATE VolumeState SET JSON = ? WHERE Name = ?",
          JSON.stringify(st),
          String(r.Name),
        );
      }
      db.run("DELETE FROM ContainerExecSession");
      db.run("DELETE FROM ContainerExitCode");
    });
  }

  containerCounts(): ContainerCounts {
    return ctrs.containerCounts(this.#ctx);
  }
}
