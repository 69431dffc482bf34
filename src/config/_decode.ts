/**
 * Decoding one libpod.conf over a config, with the seed's TOML semantics: scalars overwrite,
 * arrays replace, tables merge key by key. Wrong types name the key and file; unknown keys are
 * warned about and ignored (the seed silently ignored them).
 */

import { parse, TomlError } from "smol-toml";
import { ConfigError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { KEYS, type KeySpec, type KeyType, type RuntimeConfig } from "./runtime_config.ts";

/** The keys a file sets, with their decoded values (the seed's first, "empty struct" decode). */
export type DecodedFile = Partial<RuntimeConfig>;

const BY_KEY = new Map(KEYS.map((k) => [k.key, k]));

/** Parses the TOML text of `path` and type-checks every known key. */
export function decodeConfigText(text: string, path: string): DecodedFile {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split("\n")[0] ?? "invalid TOML";
      throw new ConfigError(
        `decoding configuration file ${path}: ${first.replace(/^Invalid TOML document: /, "")}` +
          ` (line ${e.line}, column ${e.column})`,
        { cause: e },
      );
    }
    throw new ConfigError(`decoding configuration file ${path}: ${e}`, { cause: e });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    const spec = BY_KEY.get(key);
    if (!spec) {
      log.warn(`unknown key "${key}" in configuration file ${path}, ignoring it`);
      continue;
    }
    out[spec.field] = checkType(spec, value, path);
  }
  return out as DecodedFile;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  if (typeof v === "object") return v instanceof Date ? "a date" : "a table";
  if (typeof v === "number" && !Number.isInteger(v)) return "a float";
  return { string: "a string", boolean: "a boolean", number: "an integer", bigint: "an integer" }[
    typeof v as "string"
  ] ?? typeof v;
}

const WANT: Record<KeyType, string> = {
  string: "a string",
  bool: "a boolean",
  int: "an integer",
  strings: "an array of strings",
  runtimes: "a table of string arrays",
};

function checkType(spec: KeySpec, v: unknown, path: string): unknown {
  const bad = (): never => {
    throw new ConfigError(
      `decoding configuration file ${path}: key "${spec.key}" must be ${WANT[spec.type]},` +
        ` not ${describe(v)}`,
    );
  };
  const isStrings = (a: unknown): a is string[] =>
    Array.isArray(a) && a.every((x) => typeof x === "string");
  switch (spec.type) {
    case "string":
      return typeof v === "string" ? v : bad();
    case "bool":
      return typeof v === "boolean" ? v : bad();
    case "int":
      if (typeof v === "bigint") return Number(v);
      return typeof v === "number" && Number.isInteger(v) ? v : bad();
    case "strings":
      return isStrings(v) ? [...v] : bad();
    case "runtimes": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return bad();
      const table: Record<string, string[]> = {};
      for (const [name, paths] of Object.entries(v)) {
        if (!isStrings(paths)) {
          throw new ConfigError(
            `decoding configuration file ${path}: key "runtimes.${name}" must be an array of` +
              ` strings, not ${describe(paths)}`,
          );
        }
        table[name] = [...paths];
      }
      return table;
    }
  }
}

/** Applies a decoded file over `base`: scalars and arrays replace, the runtimes table merges. */
export function applyDecoded(base: RuntimeConfig, file: DecodedFile): RuntimeConfig {
  const out: RuntimeConfig = { ...base, runtimes: { ...base.runtimes } };
  for (const [field, value] of Object.entries(file)) {
    if (field === "runtimes") {
      Object.assign(out.runtimes, value as Record<string, string[]>);
    } else {
      (out as unknown as Record<string, unknown>)[field] = value;
    }
  }
  return out;
}

/** Encodes a config as TOML with the libpod.conf key names (the first rootless run writes it). */
export async function encodeConfig(cfg: RuntimeConfig): Promise<string> {
  const { stringify } = await import("smol-toml");
  const doc: Record<string, unknown> = {};
  for (const spec of KEYS) {
    const v = cfg[spec.field];
    const empty = v === null || v === "" || (Array.isArray(v) && v.length === 0);
    if (empty && spec.omitEmpty) continue;
    if (v === null) continue;
    doc[spec.key] = v;
  }
  // Tables must follow plain keys in TOML; stringify orders them, but keep runtimes last anyway.
  const { runtimes, ...rest } = doc;
  return stringify({ ...rest, runtimes });
}
