/**
 * Container operations of the SQLite state. Every write runs in `db.transaction` (BEGIN
 * IMMEDIATE): an autocommit UPDATE would read first and then fail at once with
 * SQLITE_BUSY_SNAPSHOT when another process committed in between.
 * @module
 */

import type { ContainerConfig, ContainerRecord, ContainerState } from "../define/container.ts";
import type { Row } from "../util/sqlite.ts";
import * as err from "./_errors.ts";
import {
  checkContainerRewrite,
  checkDependency,
  unique,
  validateContainerState,
} from "./_records.ts";
import {
  checkNameFree,
  checkNewIdAndName,
  type Ctx,
  json,
  lookupIdOrName,
  requireVisible,
  visible,
} from "./_sqlite_common.ts";

/** Columns and join that make a ContainerRecord row. */
export const CTR_SELECT = "SELECT c.ID AS ID, c.Name AS Name, c.Namespace AS Namespace, " +
  "c.JSON AS Config, s.JSON AS State FROM ContainerConfig c JOIN ContainerState s ON s.ID = c.ID";

/** Turns a {@linkcode CTR_SELECT} row into a record. */
export function ctrRecord(r: Row): ContainerRecord {
  return { config: json(r.Config), state: json(r.State) };
}

/** The container's indexed columns (with its config JSON if `withJson`); throws if hidden. */
function ctrMeta(ctx: Ctx, id: string, withJson = false): Row {
  if (id === "") throw err.emptyName();
  const row = ctx.db.get(
    `SELECT Name, Namespace${withJson ? ", JSON" : ""} FROM ContainerConfig WHERE ID = ?`,
    id,
  );
  return requireVisible(ctx, "container", id, row);
}

/** Throws unless the container exists and is visible. */
export function requireContainer(ctx: Ctx, id: string): void {
  ctrMeta(ctx, id);
}

/** See `State.container`. */
export function container(ctx: Ctx, id: string): ContainerRecord {
  if (id === "") throw err.emptyName();
  const r = ctx.db.get(`${CTR_SELECT} WHERE c.ID = ?`, id);
  return ctrRecord(requireVisible(ctx, "container", id, r));
}

/** See `State.lookupContainer`. */
export function lookupContainer(ctx: Ctx, idOrName: string): ContainerRecord {
  return ctrRecord(lookupIdOrName(ctx, "container", CTR_SELECT, "c", idOrName));
}

/** See `State.hasContainer`. */
export function hasContainer(ctx: Ctx, id: string): boolean {
  const row = ctx.db.get("SELECT Namespace FROM ContainerConfig WHERE ID = ?", id);
  return row !== undefined && visible(ctx, row.Namespace);
}

/** See `State.addContainer`. */
export function addContainer(ctx: Ctx, rec: ContainerRecord): void {
  const { db } = ctx;
  const cfg = rec.config;
  validateContainerState(rec.state);
  db.transaction(() => {
    checkNewIdAndName(ctx, "container", cfg);
    const podId = cfg.pod ?? null;
    if (podId !== null) {
      const pod = db.get("SELECT Namespace FROM PodConfig WHERE ID = ?", podId);
      if (!pod) throw err.noSuchId("pod", podId);
      if (pod.Namespace !== cfg.namespace) {
        throw err.podInOtherNamespace(cfg.id, podId, String(pod.Namespace));
      }
    }
    const deps = unique(cfg.dependencies);
    for (const dep of deps) {
      if (dep === cfg.id) throw err.badDependency(cfg.id, dep, "it is the container itself");
      const d = db.get("SELECT PodID, Namespace FROM ContainerConfig WHERE ID = ?", dep);
      if (!d) throw err.missingDependency(cfg.id, dep);
      checkDependency(cfg, {
        id: dep,
        pod: d.PodID === null ? null : String(d.PodID),
        namespace: String(d.Namespace),
      });
    }
    const vols = unique(cfg.namedVolumes);
    for (const v of vols) {
      if (!db.get("SELECT 1 FROM VolumeConfig WHERE Name = ?", v)) throw err.noSuchVolume(v);
    }
    db.run("INSERT INTO IDNamespace (ID, Name, Kind) VALUES (?, ?, 'container')", cfg.id, cfg.name);
    db.run(
      "INSERT INTO ContainerConfig (ID, Name, PodID, Namespace, LockID, JSON) " +
        "VALUES (?, ?, ?, ?, ?, ?)",
      cfg.id,
      cfg.name,
      podId,
      cfg.namespace,
      cfg.lockId,
      JSON.stringify(cfg),
    );
    db.run(
      "INSERT INTO ContainerState (ID, State, ExitCode, JSON) VALUES (?, ?, ?, ?)",
      cfg.id,
      rec.state.status,
      rec.state.exitCode,
      JSON.stringify(rec.state),
    );
    for (const dep of deps) {
      db.run("INSERT INTO ContainerDependency (ID, DependencyID) VALUES (?, ?)", cfg.id, dep);
    }
    for (const v of vols) {
      db.run("INSERT INTO ContainerVolume (ContainerID, VolumeName) VALUES (?, ?)", cfg.id, v);
    }
  });
}

function dependents(ctx: Ctx, id: string): string[] {
  return ctx.db.all(
    "SELECT ID FROM ContainerDependency WHERE DependencyID = ? ORDER BY ID",
    id,
  ).map((r) => String(r.ID));
}

/** See `State.removeContainer`. */
export function removeContainer(ctx: Ctx, id: string): void {
  const { db } = ctx;
  db.transaction(() => {
    ctrMeta(ctx, id);
    const deps = dependents(ctx, id);
    if (deps.length) throw err.hasDependents(id, deps);
    db.run("DELETE FROM ContainerExecSession WHERE ContainerID = ?", id);
    db.run("DELETE FROM ContainerDependency WHERE ID = ?", id);
    db.run("DELETE FROM ContainerVolume WHERE ContainerID = ?", id);
    db.run("DELETE FROM ContainerState WHERE ID = ?", id);
    db.run("DELETE FROM ContainerConfig WHERE ID = ?", id);
    db.run("DELETE FROM IDNamespace WHERE ID = ?", id);
  });
}

/** See `State.updateContainer`. */
export function updateContainer(ctx: Ctx, id: string): ContainerState {
  if (id === "") throw err.emptyName();
  const r = ctx.db.get(
    "SELECT c.Namespace AS Namespace, s.JSON AS State FROM ContainerConfig c " +
      "JOIN ContainerState s ON s.ID = c.ID WHERE c.ID = ?",
    id,
  );
  return json(requireVisible(ctx, "container", id, r).State);
}

/** See `State.saveContainer`. */
export function saveContainer(ctx: Ctx, id: string, state: ContainerState): void {
  validateContainerState(state);
  ctx.db.transaction(() => {
    ctrMeta(ctx, id);
    ctx.db.run(
      "UPDATE ContainerState SET State = ?, ExitCode = ?, JSON = ? WHERE ID = ?",
      state.status,
      state.exitCode,
      JSON.stringify(state),
      id,
    );
  });
}

/** See `State.containerInUse`. */
export function containerInUse(ctx: Ctx, id: string): string[] {
  ctrMeta(ctx, id);
  return dependents(ctx, id);
}

/** See `State.allContainers`. */
export function allContainers(ctx: Ctx): ContainerRecord[] {
  return ctx.db.all(`${CTR_SELECT} WHERE (?1 = '' OR c.Namespace = ?1) ORDER BY c.rowid`, ctx.ns)
    .map(ctrRecord);
}

/** See `State.rewriteContainerConfig`. */
export function rewriteContainerConfig(ctx: Ctx, config: ContainerConfig): void {
  const { db } = ctx;
  db.transaction(() => {
    const old = ctrMeta(ctx, config.id, true);
    checkContainerRewrite(json(old.JSON), config);
    if (config.name !== old.Name) {
      checkNameFree(ctx, "container", config.name);
      db.run("UPDATE IDNamespace SET Name = ? WHERE ID = ?", config.name, config.id);
    }
    db.run(
      "UPDATE ContainerConfig SET Name = ?, LockID = ?, JSON = ? WHERE ID = ?",
      config.name,
      config.lockId,
      JSON.stringify(config),
      config.id,
    );
  });
}

/** See `State.containerCounts`. */
export function containerCounts(
  ctx: Ctx,
): { number: number; running: number; paused: number; stopped: number } {
  const rows = ctx.ns === ""
    ? ctx.db.all("SELECT State, count(*) AS N FROM ContainerState GROUP BY State")
    : ctx.db.all(
      "SELECT s.State AS State, count(*) AS N FROM ContainerState s " +
        "JOIN ContainerConfig c ON c.ID = s.ID WHERE c.Namespace = ? GROUP BY s.State",
      ctx.ns,
    );
  const counts = { number: 0, running: 0, paused: 0, stopped: 0 };
  for (const r of rows) {
    const n = Number(r.N);
    counts.number += n;
    if (r.State === "running") counts.running += n;
    else if (r.State === "paused") counts.paused += n;
    else counts.stopped += n;
  }
  return counts;
}
