/**
 * Running one CNI plugin the way libcni does: the plugin's own conf on stdin with `name`,
 * `cniVersion`, `prevResult` and `runtimeConfig` injected (the runtime config holds only the
 * capabilities the plugin declares), the `CNI_*` variables in its environment, the result as
 * JSON on stdout, and a failure as `{"code","msg","details"}` with a non-zero exit.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import { runCommand } from "../sys/command.ts";
import type { PluginConf } from "./conflist.ts";

/** The CNI operations skiff performs. */
export type CniCommand = "ADD" | "DEL" | "CHECK" | "VERSION";

/** A CNI plugin failed, or could not be found or run. */
export class CniPluginError extends SkiffError {
  /** The network whose plugin failed. */
  readonly network: string;
  /** The plugin type (binary name). */
  readonly plugin: string;
  /** The CNI error code the plugin reported, when it reported one. */
  readonly code: number | undefined;
  constructor(
    message: string,
    info: { network: string; plugin: string; code?: number; cause?: unknown },
  ) {
    super(message, { cause: info.cause });
    this.network = info.network;
    this.plugin = info.plugin;
    this.code = info.code;
  }
}

/** What the runtime tells every plugin of one network attachment (libcni's RuntimeConf). */
export interface RuntimeConf {
  containerId: string;
  /** The network namespace path (`CNI_NETNS`). */
  netns: string;
  /** The interface inside the namespace (`CNI_IFNAME`). */
  ifName: string;
  /** `CNI_ARGS` as ordered key/value pairs. */
  args: [string, string][];
  /** Capability arguments (`portMappings` …), offered to plugins that declare them. */
  capabilityArgs: Record<string, unknown>;
}

/**
 * The stdin of one plugin: its conf plus the list's `name` and `cniVersion`, the previous
 * result when there is one, and `runtimeConfig` with the capabilities it declares that the
 * runtime provides.
 */
export function buildPluginStdin(
  plugin: PluginConf,
  net: { name: string; cniVersion: string },
  prevResult: unknown,
  capabilityArgs: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...plugin, name: net.name, cniVersion: net.cniVersion };
  delete out.prevResult;
  delete out.runtimeConfig;
  if (prevResult !== undefined && prevResult !== null) out.prevResult = prevResult;
  const rc: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(plugin.capabilities ?? {})) {
    if (on === true && capabilityArgs[cap] !== undefined) rc[cap] = capabilityArgs[cap];
  }
  if (Object.keys(rc).length > 0) out.runtimeConfig = rc;
  return out;
}

/** Formats `CNI_ARGS`: `K=V;K=V`. */
export function formatCniArgs(args: [string, string][]): string {
  return args.map(([k, v]) => `${k}=${v}`).join(";");
}

/** The environment variables of one plugin call. */
export function buildPluginEnv(
  command: CniCommand,
  rt: RuntimeConf,
  pluginDirs: string[],
): Record<string, string> {
  return {
    CNI_COMMAND: command,
    CNI_CONTAINERID: rt.containerId,
    CNI_NETNS: rt.netns,
    CNI_IFNAME: rt.ifName,
    CNI_ARGS: formatCniArgs(rt.args),
    CNI_PATH: pluginDirs.join(":"),
  };
}

/**
 * The path of plugin `type`: the first executable file of that name in `dirs`.
 * @throws {CniPluginError} when no directory has it
 */
export async function findPlugin(type: string, dirs: string[], network: string): Promise<string> {
  if (type.includes("/") || type === "." || type === "..") {
    throw new CniPluginError(`network "${network}": invalid plugin type "${type}"`, {
      network,
      plugin: type,
    });
  }
  for (const dir of dirs) {
    const path = `${dir.replace(/\/+$/, "")}/${type}`;
    try {
      const st = await Deno.stat(path);
      if (st.isFile && st.mode !== null && (st.mode & 0o111) !== 0) return path;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
    }
  }
  throw new CniPluginError(
    `network "${network}": failed to find plugin "${type}" in path [${dirs.join(" ")}]`,
    { network, plugin: type },
  );
}

/** One plugin invocation. */
export interface PluginInvocation {
  /** The plugin executable. */
  path: string;
  command: CniCommand;
  /** The network the call is for (named in errors). */
  network: string;
  stdin: Record<string, unknown>;
  env: Record<string, string>;
}

/**
 * Runs a plugin and returns its parsed result (`undefined` when it printed nothing, as DEL
 * does).
 * @throws {CniPluginError} naming the plugin and network, with the plugin's msg and details
 */
export async function execPlugin(call: PluginInvocation): Promise<unknown> {
  const type = String(call.stdin.type);
  const what =
    `network "${call.network}": plugin type="${type}" failed (${call.command.toLowerCase()})`;
  const res = await runCommand([call.path], {
    env: call.env,
    stdin: JSON.stringify(call.stdin),
    allowFailure: true,
  }).catch((e) => {
    throw new CniPluginError(`${what}: ${(e as Error).message}`, {
      network: call.network,
      plugin: type,
      cause: e,
    });
  });
  const out = res.text.trim();
  if (res.code !== 0) {
    let detail = res.errText.trim() || out || `exit status ${res.code}`;
    let code: number | undefined;
    try {
      const err = JSON.parse(out) as { code?: unknown; msg?: unknown; details?: unknown };
      if (typeof err.msg === "string") {
        detail = err.msg +
          (typeof err.details === "string" && err.details ? `: ${err.details}` : "");
      }
      if (typeof err.code === "number") code = err.code;
    } catch {
      // not the CNI error format: keep the raw output
    }
    throw new CniPluginError(`${what}: ${detail}`, {
      network: call.network,
      plugin: type,
      ...(code === undefined ? {} : { code }),
    });
  }
  if (out === "") return undefined;
  try {
    return JSON.parse(out);
  } catch (e) {
    throw new CniPluginError(`${what}: invalid result json: ${out.slice(0, 200)}`, {
      network: call.network,
      plugin: type,
      cause: e,
    });
  }
}
