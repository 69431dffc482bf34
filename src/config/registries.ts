/**
 * The ecosystem's shared registries.conf (`/etc/containers/registries.conf`, or
 * `$CONTAINERS_REGISTRIES_CONF`), in both the v1 (`[registries.search]`) and v2
 * (`unqualified-search-registries`, `[[registry]]`) formats.
 * @module
 */

import { parse, TomlError } from "smol-toml";
import { ConfigError } from "../define/errors.ts";

/** One registry entry, shaped like podman's `info` output. */
export interface RegistryEntry {
  Prefix: string;
  Location: string;
  Insecure: boolean;
  Blocked: boolean;
  Mirrors: { Location: string; Insecure: boolean }[];
}

/** The parsed file. */
export interface RegistriesConf {
  /** Registries tried, in order, for short names. */
  search: string[];
  /** Entries keyed by prefix. */
  registries: Record<string, RegistryEntry>;
  /** The file read, or null when there was none. */
  path: string | null;
}

/** The default location, overridable with CONTAINERS_REGISTRIES_CONF as in podman. */
export function registriesConfPath(env: Record<string, string | undefined>): string {
  return env.CONTAINERS_REGISTRIES_CONF || "/etc/containers/registries.conf";
}

function strings(v: unknown, what: string, path: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new ConfigError(
      `decoding registries configuration ${path}: ${what} must be an array of strings`,
    );
  }
  return v as string[];
}

function entry(location: string, prefix = location): RegistryEntry {
  return { Prefix: prefix, Location: location, Insecure: false, Blocked: false, Mirrors: [] };
}

/** Parses registries.conf text (v1 or v2). */
export function parseRegistriesConf(text: string, path: string): RegistriesConf {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    const where = e instanceof TomlError ? ` (line ${e.line}, column ${e.column})` : "";
    const msg = (e as Error).message.split("\n")[0];
    throw new ConfigError(`decoding registries configuration ${path}: ${msg}${where}`, {
      cause: e,
    });
  }
  const out: RegistriesConf = { search: [], registries: {}, path };
  const v1 = doc.registries as Record<string, { registries?: unknown }> | undefined;
  if (v1 && typeof v1 === "object" && !Array.isArray(v1)) {
    out.search = strings(v1.search?.registries, "registries.search.registries", path);
    for (const loc of strings(v1.insecure?.registries, "registries.insecure.registries", path)) {
      (out.registries[loc] ??= entry(loc)).Insecure = true;
    }
    for (const loc of strings(v1.block?.registries, "registries.block.registries", path)) {
      (out.registries[loc] ??= entry(loc)).Blocked = true;
    }
    return out;
  }
  out.search = strings(doc["unqualified-search-registries"], "unqualified-search-registries", path);
  const list = doc.registry;
  if (list !== undefined && !Array.isArray(list)) {
    throw new ConfigError(
      `decoding registries configuration ${path}: registry must be an array of tables`,
    );
  }
  for (const r of (list ?? []) as Record<string, unknown>[]) {
    const location = typeof r.location === "string" ? r.location : "";
    const prefix = typeof r.prefix === "string" && r.prefix ? r.prefix : location;
    if (!prefix) {
      throw new ConfigError(
        `decoding registries configuration ${path}: a [[registry]] has neither prefix nor location`,
      );
    }
    const e = entry(location, prefix);
    e.Insecure = r.insecure === true;
    e.Blocked = r.blocked === true;
    for (const m of (Array.isArray(r.mirror) ? r.mirror : []) as Record<string, unknown>[]) {
      e.Mirrors.push({ Location: String(m.location ?? ""), Insecure: m.insecure === true });
    }
    out.registries[prefix] = e;
  }
  return out;
}

/** Reads the registries configuration; a missing file means no registries. */
export function loadRegistriesConf(env: Record<string, string | undefined>): RegistriesConf {
  const path = registriesConfPath(env);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { search: [], registries: {}, path: null };
    throw new ConfigError(`reading registries configuration ${path}: ${(e as Error).message}`);
  }
  return parseRegistriesConf(text, path);
}
