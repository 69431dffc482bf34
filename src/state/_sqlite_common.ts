/**
 * What the SQLite state's split files share: the connection context, namespace checks and
 * the ID/name registry (IDNamespace) used by both containers and pods.
 * @module
 */

import type { Db, Row } from "../util/sqlite.ts";
import * as err from "./_errors.ts";
import { prefixBound } from "./_records.ts";

/** The connection and settings every SQLite state function works with. */
export interface Ctx {
  readonly db: Db;
  /** The libpod namespace ("" = all visible). */
  ns: string;
  readonly now: () => number;
}

/** Parses a JSON column. */
export function json<T>(value: unknown): T {
  return JSON.parse(String(value)) as T;
}

/** True if an object in namespace `ns` is visible. */
export function visible(ctx: Ctx, ns: unknown): boolean {
  return ctx.ns === "" || ns === ctx.ns;
}

/** Throws unless `row` exists and is in a visible namespace. */
export function requireVisible(
  ctx: Ctx,
  kind: err.NamedKind,
  id: string,
  row: Row | undefined,
): Row {
  if (!row) throw err.noSuchId(kind, id);
  if (!visible(ctx, row.Namespace)) {
    throw err.otherNamespace(kind, id, String(row.Namespace), ctx.ns);
  }
  return row;
}

/**
 * Checks a new container's or pod's ID and name against the namespace and the registry, in
 * the same order as the in-memory state.
 */
export function checkNewIdAndName(
  ctx: Ctx,
  kind: err.NamedKind,
  cfg: { id: string; name: string; namespace: string },
): void {
  if (cfg.id === "" || cfg.name === "") throw err.emptyName();
  if (ctx.ns !== "" && cfg.namespace !== ctx.ns) {
    throw err.addInOtherNamespace(kind, cfg.id, cfg.namespace, ctx.ns);
  }
  const byId = ctx.db.get("SELECT Kind FROM IDNamespace WHERE ID = ?", cfg.id);
  if (byId) throw err.idInUse(cfg.id, byId.Kind as err.NamedKind);
  checkNameFree(ctx, kind, cfg.name);
}

/** Throws if a container or pod already has `name`. */
export function checkNameFree(ctx: Ctx, kind: err.NamedKind, name: string): void {
  if (name === "") throw err.emptyName();
  const owner = ctx.db.get("SELECT ID, Kind FROM IDNamespace WHERE Name = ?", name);
  if (owner) {
    throw err.nameInUse(kind, name, {
      kind: owner.Kind as err.NamedKind,
      id: String(owner.ID),
    });
  }
}

/**
 * Picks the result of a lookup query that returned at most two rows ordered exact-name first:
 * an exact name wins, one prefix match is the answer, two are ambiguous.
 */
export function pickLookup(
  kind: err.NamedKind | "volume",
  key: string,
  rows: Row[],
  nameOf: (r: Row) => unknown,
): Row {
  const first = rows[0];
  if (!first) {
    throw kind === "volume" ? err.noSuchVolumeName(key) : err.noSuchName(kind, key);
  }
  if (nameOf(first) === key || rows.length === 1) return first;
  throw err.ambiguous(kind, key);
}

/**
 * Looks a container or pod up by exact name or unique ID prefix among the visible ones.
 * `select` aliases its config table as `alias` and yields ID, Name and Namespace columns.
 */
export function lookupIdOrName(
  ctx: Ctx,
  kind: err.NamedKind,
  select: string,
  alias: string,
  idOrName: string,
): Row {
  if (idOrName === "") throw err.emptyName();
  const a = alias;
  const rows = ctx.db.all(
    `${select} WHERE (${a}.Name = ?1 OR (${a}.ID >= ?1 AND ${a}.ID < ?2 AND ` +
      `substr(${a}.ID, 1, length(?1)) = ?1)) AND (?3 = '' OR ${a}.Namespace = ?3) ` +
      `ORDER BY ${a}.Name = ?1 DESC LIMIT 2`,
    idOrName,
    prefixBound(idOrName),
    ctx.ns,
  );
  return pickLookup(kind, idOrName, rows, (r) => r.Name);
}
