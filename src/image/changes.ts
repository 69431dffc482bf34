/**
 * `--change` instructions for `import` and `commit`: the Dockerfile subset podman accepts
 * (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD is not supported, STOPSIGNAL, USER, VOLUME,
 * WORKDIR), applied to an image's runtime config.
 * @module
 */

import { UsageError } from "../define/errors.ts";
import type { ImageRuntimeConfig } from "./image_config.ts";

const SUPPORTED = [
  "CMD",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "LABEL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
];

function bad(change: string, why: string): UsageError {
  return new UsageError(`invalid change "${change}" - ${why}`);
}

/** A JSON array of strings, or null when `text` is not one (shell form). */
function jsonArray(text: string): string[] | null {
  if (!text.trimStart().startsWith("[")) return null;
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : null;
  } catch {
    return null;
  }
}

/** Splits `a=b "c d"=e f='g h'` into key/value pairs, honouring quotes. */
function keyValues(text: string, change: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /\s*((?:"[^"]*"|'[^']*'|[^\s=])+)(?:=((?:"[^"]*"|'[^']*'|\S)*))?/g;
  const unquote = (s: string) => s.replace(/^(["'])(.*)\1$/, "$2");
  for (const m of text.matchAll(re)) {
    if (!m[1]) continue;
    if (m[2] === undefined) throw bad(change, `missing "=" in "${m[1]}"`);
    out.push([unquote(m[1]), unquote(m[2])]);
  }
  return out;
}

/** Applies one instruction to `config` (mutated) and returns it. */
export function applyChange(config: ImageRuntimeConfig, change: string): ImageRuntimeConfig {
  const m = /^\s*(\S+)(?:\s+([\s\S]*))?$/.exec(change);
  if (!m) throw bad(change, "empty instruction");
  const op = m[1]!.toUpperCase();
  const arg = (m[2] ?? "").trim();
  if (!SUPPORTED.includes(op)) throw bad(change, `invalid instruction ${m[1]}`);
  if (arg === "") throw bad(change, `${op} needs an argument`);
  switch (op) {
    case "CMD":
      config.Cmd = jsonArray(arg) ?? ["/bin/sh", "-c", arg];
      break;
    case "ENTRYPOINT":
      config.Entrypoint = jsonArray(arg) ?? ["/bin/sh", "-c", arg];
      break;
    case "ENV": {
      // `ENV key value` (one pair, value may hold spaces) or `ENV k=v k2=v2`
      const pairs = /^[^\s=]+\s/.test(arg) && !arg.split(/\s/)[0]!.includes("=")
        ? [[arg.split(/\s+/)[0]!, arg.replace(/^\S+\s+/, "")] as [string, string]]
        : keyValues(arg, change);
      const env = [...(config.Env ?? [])];
      for (const [k, v] of pairs) {
        const i = env.findIndex((e) => e.startsWith(`${k}=`));
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      config.Env = env;
      break;
    }
    case "EXPOSE": {
      const ports = { ...(config.ExposedPorts ?? {}) };
      for (const p of arg.split(/\s+/)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw bad(change, `invalid port "${p}"`);
        ports[p.includes("/") ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      config.ExposedPorts = ports;
      break;
    }
    case "LABEL":
      config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(keyValues(arg, change)) };
      break;
    case "STOPSIGNAL":
      config.StopSignal = arg;
      break;
    case "USER":
      config.User = arg;
      break;
    case "VOLUME": {
      const vols = { ...(config.Volumes ?? {}) };
      for (const v of jsonArray(arg) ?? arg.split(/\s+/)) vols[v] = {};
      config.Volumes = vols;
      break;
    }
    case "WORKDIR":
      config.WorkingDir = arg;
      break;
  }
  return config;
}

/** Applies every instruction in order. */
export function applyChanges(config: ImageRuntimeConfig, changes: string[]): ImageRuntimeConfig {
  for (const c of changes) applyChange(config, c);
  return config;
}
