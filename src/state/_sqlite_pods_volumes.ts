/** Pod and volume operations of the SQLite state (writes in BEGIN IMMEDIATE transactions). */

import type { ContainerRecord } from "../define/container.ts";
import type { PodConfig, PodRecord, PodState } from "../define/pod.ts";
import type { VolumeConfig, VolumeRecord, VolumeState } from "../define/volume.ts";
import type { Row } from "../util/sqlite.ts";
import * as err from "./_errors.ts";
import { checkPodRewrite, prefixBound } from "./_records.ts";
import {
  checkNameFree,
  checkNewIdAndName,
  type Ctx,
  json,
  lookupIdOrName,
  pickLookup,
  requireVisible,
  visible,
} from "./_sqlite_common.ts";
import { CTR_SELECT, ctrRecord } from "./_sqlite_containers.ts";

const POD_SELECT = "SELECT p.ID AS ID, p.Name AS Name, p.Namespace AS Namespace, " +
  "p.JSON AS Config, s.JSON AS State FROM PodConfig p JOIN PodState s ON s.ID = p.ID";

function podRecord(r: Row): PodRecord {
  return { config: json(r.Config), state: json(r.State) };
}

function podMeta(ctx: Ctx, id: string): Row {
  if (id === "") throw err.emptyName();
  const row = ctx.db.get("SELECT Name, Namespace, JSON FROM PodConfig WHERE ID = ?", id);
  return requireVisible(ctx, "pod", id, row);
}

/** See `State.pod`. */
export function pod(ctx: Ctx, id: string): PodRecord {
  if (id === "") throw err.emptyName();
  return podRecord(requireVisible(ctx, "pod", id, ctx.db.get(`${POD_SELECT} WHERE p.ID = ?`, id)));
}

/** See `State.lookupPod`. */
export function lookupPod(ctx: Ctx, idOrName: string): PodRecord {
  return podRecord(lookupIdOrName(ctx, "pod", POD_SELECT, "p", idOrName));
}

/** See `State.hasPod`. */
export function hasPod(ctx: Ctx, id: string): boolean {
  const row = ctx.db.get("SELECT Namespace FROM PodConfig WHERE ID = ?", id);
  return row !== undefined && visible(ctx, row.Namespace);
}

/** See `State.addPod`. */
export function addPod(ctx: Ctx, rec: PodRecord): void {
  const { db } = ctx;
  const cfg = rec.config;
  db.transaction(() => {
    checkNewIdAndName(ctx, "pod", cfg);
    db.run("INSERT INTO IDNamespace (ID, Name, Kind) VALUES (?, ?, 'pod')", cfg.id, cfg.name);
    db.run(
      "INSERT INTO PodConfig (ID, Name, Namespace, LockID, JSON) VALUES (?, ?, ?, ?, ?)",
      cfg.id,
      cfg.name,
      cfg.namespace,
      cfg.lockId,
      JSON.stringify(cfg),
    );
    db.run("INSERT INTO PodState (ID, JSON) VALUES (?, ?)", cfg.id, JSON.stringify(rec.state));
  });
}

function podCtrIds(ctx: Ctx, id: string): string[] {
  return ctx.db.all("SELECT ID FROM ContainerConfig WHERE PodID = ? ORDER BY rowid", id)
    .map((r) => String(r.ID));
}

/** See `State.removePod`. */
export function removePod(ctx: Ctx, id: string): void {
  const { db } = ctx;
  db.transaction(() => {
    podMeta(ctx, id);
    const ctrs = podCtrIds(ctx, id);
    if (ctrs.length) throw err.podNotEmpty(id, ctrs);
    db.run("DELETE FROM PodState WHERE ID = ?", id);
    db.run("DELETE FROM PodConfig WHERE ID = ?", id);
    db.run("DELETE FROM IDNamespace WHERE ID = ?", id);
  });
}

/** See `State.podContainers`. */
export function podContainers(ctx: Ctx, id: string): ContainerRecord[] {
  podMeta(ctx, id);
  return ctx.db.all(`${CTR_SELECT} WHERE c.PodID = ? ORDER BY c.rowid`, id).map(ctrRecord);
}

/** See `State.updatePod`. */
export function updatePod(ctx: Ctx, id: string): PodState {
  return pod(ctx, id).state;
}

/** See `State.savePod`. */
export function savePod(ctx: Ctx, id: string, st: PodState): void {
  ctx.db.transaction(() => {
    podMeta(ctx, id);
    ctx.db.run("UPDATE PodState SET JSON = ? WHERE ID = ?", JSON.stringify(st), id);
  });
}

/** See `State.allPods`. */
export function allPods(ctx: Ctx): PodRecord[] {
  return ctx.db.all(`${POD_SELECT} WHERE (?1 = '' OR p.Namespace = ?1) ORDER BY p.rowid`, ctx.ns)
    .map(podRecord);
}

/** See `State.rewritePodConfig`. */
export function rewritePodConfig(ctx: Ctx, c: PodConfig): void {
  const { db } = ctx;
  db.transaction(() => {
    const old = podMeta(ctx, c.id);
    checkPodRewrite(json(old.JSON), c);
    if (c.name !== old.Name) {
      checkNameFree(ctx, "pod", c.name);
      db.run("UPDATE IDNamespace SET Name = ? WHERE ID = ?", c.name, c.id);
    }
    db.run(
      "UPDATE PodConfig SET Name = ?, LockID = ?, JSON = ? WHERE ID = ?",
      c.name,
      c.lockId,
      JSON.stringify(c),
      c.id,
    );
  });
}

const VOL_SELECT = "SELECT c.Name AS Name, c.JSON AS Config, s.JSON AS State " +
  "FROM VolumeConfig c JOIN VolumeState s ON s.Name = c.Name";

function volRecord(r: Row): VolumeRecord {
  return { config: json(r.Config), state: json(r.State) };
}

function requireVolume(ctx: Ctx, name: string): void {
  if (!ctx.db.get("SELECT 1 FROM VolumeConfig WHERE Name = ?", name)) {
    throw err.noSuchVolume(name);
  }
}

/** See `State.volume`. */
export function volume(ctx: Ctx, name: string): VolumeRecord {
  if (name === "") throw err.emptyName();
  const r = ctx.db.get(`${VOL_SELECT} WHERE c.Name = ?`, name);
  if (!r) throw err.noSuchVolume(name);
  return volRecord(r);
}

/** See `State.lookupVolume`. */
export function lookupVolume(ctx: Ctx, nameOrPrefix: string): VolumeRecord {
  if (nameOrPrefix === "") throw err.emptyName();
  const rows = ctx.db.all(
    `${VOL_SELECT} WHERE c.Name >= ?1 AND c.Name < ?2 AND ` +
      "substr(c.Name, 1, length(?1)) = ?1 ORDER BY c.Name = ?1 DESC LIMIT 2",
    nameOrPrefix,
    prefixBound(nameOrPrefix),
  );
  return volRecord(pickLookup("volume", nameOrPrefix, rows, (r) => r.Name));
}

/** See `State.hasVolume`. */
export function hasVolume(ctx: Ctx, name: string): boolean {
  return ctx.db.get("SELECT 1 FROM VolumeConfig WHERE Name = ?", name) !== undefined;
}

/** See `State.addVolume`. */
export function addVolume(ctx: Ctx, rec: VolumeRecord): void {
  const { db } = ctx;
  const name = rec.config.name;
  if (name === "") throw err.emptyName();
  db.transaction(() => {
    if (hasVolume(ctx, name)) throw err.volumeExists(name);
    db.run(
      "INSERT INTO VolumeConfig (Name, LockID, JSON) VALUES (?, ?, ?)",
      name,
      rec.config.lockId,
      JSON.stringify(rec.config),
    );
    db.run("INSERT INTO VolumeState (Name, JSON) VALUES (?, ?)", name, JSON.stringify(rec.state));
  });
}

function volumeUsers(ctx: Ctx, name: string): string[] {
  return ctx.db.all(
    "SELECT ContainerID FROM ContainerVolume WHERE VolumeName = ? ORDER BY ContainerID",
    name,
  ).map((r) => String(r.ContainerID));
}

/** See `State.removeVolume`. */
export function removeVolume(ctx: Ctx, name: string): void {
  const { db } = ctx;
  db.transaction(() => {
    requireVolume(ctx, name);
    const users = volumeUsers(ctx, name);
    if (users.length) throw err.volumeInUse(name, users);
    db.run("DELETE FROM VolumeState WHERE Name = ?", name);
    db.run("DELETE FROM VolumeConfig WHERE Name = ?", name);
  });
}

/** See `State.volumeInUse`. */
export function volumeInUse(ctx: Ctx, name: string): string[] {
  requireVolume(ctx, name);
  return volumeUsers(ctx, name);
}

/** See `State.allVolumes`. */
export function allVolumes(ctx: Ctx): VolumeRecord[] {
  return ctx.db.all(`${VOL_SELECT} ORDER BY c.rowid`).map(volRecord);
}

/** See `State.saveVolume`. */
export function saveVolume(ctx: Ctx, name: string, st: VolumeState): void {
  ctx.db.transaction(() => {
    requireVolume(ctx, name);
    ctx.db.run("UPDATE VolumeState SET JSON = ? WHERE Name = ?", JSON.stringify(st), name);
  });
}

/** See `State.rewriteVolumeConfig`. */
export function rewriteVolumeConfig(ctx: Ctx, c: VolumeConfig): void {
  ctx.db.transaction(() => {
    requireVolume(ctx, c.name);
    ctx.db.run(
      "UPDATE VolumeConfig SET LockID = ?, JSON = ? WHERE Name = ?",
      c.lockId,
      JSON.stringify(c),
      c.name,
    );
  });
}
