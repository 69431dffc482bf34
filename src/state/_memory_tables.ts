/**
 * The maps behind the in-memory state, and how a record is kept in them: as JSON text (so
 * callers get fresh copies and lose what JSON cannot carry, as with the database) beside a
 * parsed config for the checks. `snapshot` lets a transaction put everything back.
 * @module
 */

import type { ContainerConfig } from "../define/container.ts";
import type { DbConfig } from "../define/db_config.ts";
import type { PodConfig } from "../define/pod.ts";
import type { VolumeConfig } from "../define/volume.ts";
import type { NamedKind } from "./_errors.ts";

/** One stored container, pod or volume. */
export interface Stored<C> {
  config: C;
  configJson: string;
  stateJson: string;
}

/** Parses stored JSON text. */
export function parse<T>(json: string): T {
  return JSON.parse(json) as T;
}

/** A stored entry for a new record. */
export function stored<C>(rec: { config: C; state: unknown }): Stored<C> {
  const configJson = JSON.stringify(rec.config);
  return { config: parse(configJson), configJson, stateJson: JSON.stringify(rec.state) };
}

/** Replaces a stored entry's config. */
export function setConfig<C>(s: Stored<C>, config: C): void {
  s.configJson = JSON.stringify(config);
  s.config = parse(s.configJson);
}

/** A fresh record from a stored entry. */
export function recordOf<C, S>(s: Stored<C>): { config: C; state: S } {
  return { config: parse(s.configJson), state: parse(s.stateJson) };
}

/** Everything the in-memory state holds. */
export class MemoryTables {
  dbConfig: DbConfig | null = null;
  readonly ctrs = new Map<string, Stored<ContainerConfig>>();
  readonly pods = new Map<string, Stored<PodConfig>>();
  readonly vols = new Map<string, Stored<VolumeConfig>>();
  /** Container and pod names → owner. */
  readonly names = new Map<string, { kind: NamedKind; id: string }>();
  readonly execs = new Map<string, { containerId: string; json: string }>();
  readonly exitCodes = new Map<string, { code: number; at: number }>();

  /** Copies every table; calling the result puts them back as they were. */
  snapshot(): () => void {
    const maps: Map<string, unknown>[] = [
      this.ctrs,
      this.pods,
      this.vols,
      this.names,
      this.execs,
      this.exitCodes,
    ];
    // Entries are small objects mutated in place by saves: copy them one level deep.
    const saved = maps.map((m) => [...m].map(([k, v]) => [k, { ...(v as object) }] as const));
    const dbConfig = this.dbConfig;
    return () => {
      maps.forEach((m, i) => {
        m.clear();
        for (const [k, v] of saved[i]!) m.set(k, v);
      });
      this.dbConfig = dbConfig;
    };
  }
}
