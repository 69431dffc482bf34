/**
 * OCI hooks configured by JSON files (schema 1.0.0 of containers/common `pkg/hooks`) in the
 * `hooks_dir` directories: reading them, and choosing the ones that apply to a container.
 *
 * A file looks like
 * `{"version":"1.0.0","hook":{"path":"/usr/bin/h","args":["h","x"],"env":[],"timeout":5},
 * "when":{"always":true},"stages":["prestart"]}`. The conditions under `when` (`always`,
 * `annotations` key/value regexes, `commands` regexes on `process.args[0]`, `hasBindMounts`)
 * must all hold. A file in a later directory replaces the file of the same name in an earlier
 * one; the hooks of a stage run in the order of their file names in lower case.
 * @module
 */

import { ConfigError } from "../define/errors.ts";
import { ENGINE_FILES, INIT_DEST } from "./_spec_mounts.ts";
import type { OciHook, OciHooks, OciHookStage, OciSpec } from "./types.ts";

/** The conditions of a hook file; all that are set must match. */
export interface HookWhen {
  always?: boolean;
  /** Annotation key regex → value regex; some annotation must match both. */
  annotations?: Record<string, string>;
  /** Regexes; one must match the container's `process.args[0]`. */
  commands?: string[];
  hasBindMounts?: boolean;
}

/** A parsed hook file. */
export interface HookDefinition {
  /** The file name (`10-foo.json`): the key for overriding and ordering. */
  name: string;
  /** The file it came from, for messages. */
  source: string;
  hook: OciHook;
  when: HookWhen;
  stages: OciHookStage[];
}

const STAGES: readonly OciHookStage[] = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop",
];

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

function checkRegex(pattern: string, what: string, bad: (why: string) => ConfigError): void {
  try {
    new RegExp(pattern);
  } catch (e) {
    throw bad(`invalid ${what} regex ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

/**
 * Parses and checks one hook file.
 * @throws {ConfigError} naming the file: bad JSON, a version other than 1.0.0, a relative or
 * missing `hook.path`, no `when` condition, a bad regex, or an unknown or missing stage.
 */
export function parseHook(text: string, source: string): HookDefinition {
  const bad = (why: string) => new ConfigError(`invalid hook file ${source}: ${why}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("not an object");
  const r = raw as Record<string, unknown>;
  if (r.version !== "1.0.0") throw bad(`unsupported version ${JSON.stringify(r.version)}`);

  const h = r.hook as Record<string, unknown> | undefined;
  if (typeof h !== "object" || h === null) throw bad("missing hook");
  if (typeof h.path !== "string" || !h.path.startsWith("/")) {
    throw bad(`hook.path ${JSON.stringify(h.path)} is not an absolute path`);
  }
  const hook: OciHook = { path: h.path };
  if (h.args !== undefined) {
    if (!isStrings(h.args)) throw bad("hook.args is not a list of strings");
    hook.args = h.args;
  }
  if (h.env !== undefined) {
    if (!isStrings(h.env)) throw bad("hook.env is not a list of strings");
    hook.env = h.env;
  }
  if (h.timeout !== undefined) {
    if (!Number.isInteger(h.timeout) || (h.timeout as number) < 1) {
      throw bad(`hook.timeout ${JSON.stringify(h.timeout)} is not a positive integer`);
    }
    hook.timeout = h.timeout as number;
  }

  const w = r.when as Record<string, unknown> | undefined;
  if (typeof w !== "object" || w === null) throw bad("missing when");
  const when: HookWhen = {};
  for (const key of ["always", "hasBindMounts"] as const) {
    if (w[key] === undefined) continue;
    if (typeof w[key] !== "boolean") throw bad(`when.${key} is not a boolean`);
    when[key] = w[key] as boolean;
  }
  if (w.annotations !== undefined) {
    const a = w.annotations;
    if (typeof a !== "object" || a === null || Array.isArray(a)) {
      throw bad("when.annotations is not an object");
    }
    for (const [k, v] of Object.entries(a)) {
      if (typeof v !== "string") {
        throw bad(`when.annotations[${JSON.stringify(k)}] is not a string`);
      }
      checkRegex(k, "annotation key", bad);
      checkRegex(v, "annotation value", bad);
    }
    when.annotations = a as Record<string, string>;
  }
  if (w.commands !== undefined) {
    if (!isStrings(w.commands)) throw bad("when.commands is not a list of strings");
    for (const c of w.commands) checkRegex(c, "command", bad);
    when.commands = w.commands;
  }
  if (
    when.always === undefined && when.hasBindMounts === undefined && !when.annotations &&
    !when.commands
  ) {
    throw bad("no when conditions set");
  }

  if (!isStrings(r.stages) || r.stages.length === 0) throw bad("stages must be a non-empty list");
  for (const s of r.stages) {
    if (!STAGES.includes(s as OciHookStage)) throw bad(`unknown stage ${JSON.stringify(s)}`);
  }
  const name = source.slice(source.lastIndexOf("/") + 1);
  return { name, source, hook, when, stages: r.stages as OciHookStage[] };
}

/**
 * Reads the `*.json` hook files of `dirs`, in order: a file replaces an earlier directory's file
 * of the same name. Missing directories are skipped; other files are ignored. Each hook's
 * program must exist. Returns the definitions sorted by file name.
 * @throws {ConfigError} naming the file that is invalid or whose program is missing.
 */
export async function readHooksDirs(dirs: readonly string[]): Promise<HookDefinition[]> {
  const byName = new Map<string, HookDefinition>();
  for (const dir of dirs) {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw new ConfigError(`reading hooks directory ${dir}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (!e.name.endsWith(".json") || e.isDirectory) continue;
      const path = `${dir.replace(/\/+$/, "")}/${e.name}`;
      let text: string;
      try {
        text = await Deno.readTextFile(path);
      } catch (err) {
        throw new ConfigError(`reading hook file ${path}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const def = parseHook(text, path);
      try {
        await Deno.stat(def.hook.path);
      } catch (err) {
        throw new ConfigError(
          `invalid hook file ${path}: hook.path ${def.hook.path}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      byName.set(e.name, def);
    }
  }
  // Injection order: file names compared in lower case, by code point (oci-hooks(5)).
  const key = (d: HookDefinition) => d.name.toLowerCase();
  return [...byName.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const ENGINE_DESTS = new Set([...ENGINE_FILES.map((f) => f.dest), INIT_DEST]);

/** Whether the spec bind-mounts anything besides the engine's own files (podman: user volumes). */
export function specHasBindMounts(spec: OciSpec): boolean {
  return spec.mounts.some((m) => m.type === "bind" && !ENGINE_DESTS.has(m.destination));
}

/** Whether all of a hook's conditions hold for a container (regexes search, unanchored). */
export function hookMatches(when: HookWhen, spec: OciSpec, hasBindMounts: boolean): boolean {
  // `always: false` and `hasBindMounts: false` are conditions that never match (oci-hooks(5)).
  if (when.always === false) return false;
  if (when.hasBindMounts !== undefined && !(when.hasBindMounts && hasBindMounts)) return false;
  const annotations = Object.entries(spec.annotations ?? {});
  for (const [kp, vp] of Object.entries(when.annotations ?? {})) {
    const k = new RegExp(kp);
    const v = new RegExp(vp);
    if (!annotations.some(([key, value]) => k.test(key) && v.test(value))) return false;
  }
  if (when.commands?.length) {
    const cmd = spec.process.args[0] ?? "";
    if (!when.commands.some((c) => new RegExp(c).test(cmd))) return false;
  }
  return true;
}

/**
 * Chooses the hooks for a container from definitions sorted by file name (as
 * {@linkcode readHooksDirs} returns them). Call it on the spec generated without hooks and pass
 * the result as `SpecInput.hooks`. `hasBindMounts` defaults to {@linkcode specHasBindMounts}.
 */
export function selectHooks(
  defs: readonly HookDefinition[],
  spec: OciSpec,
  opts: { hasBindMounts?: boolean } = {},
): OciHooks {
  const hasBind = opts.hasBindMounts ?? specHasBindMounts(spec);
  const out: OciHooks = {};
  for (const def of defs) {
    if (!hookMatches(def.when, spec, hasBind)) continue;
    for (const stage of def.stages) (out[stage] ??= []).push({ ...def.hook });
  }
  return out;
}
