/**
 * What container creation (conmon.ts) and exec sessions (exec.ts) do alike with conmon: the
 * shared shape of its argv, starting it, reading its JSON pipe messages, turning a reported
 * failure into the runtime's error, and killing what is left of it after a failed start.
 * @module
 */

import { errorMessage, OciRuntimeError } from "../define/errors.ts";
import { signalProcess, waitProcessGone } from "../sys/process.ts";
import {
  type ChildPipe,
  type FdChild,
  type SpawnFdsOptions,
  spawnWithFds,
} from "../sys/spawn_fds.ts";
import { log } from "../util/logger.ts";
import { runcErrorText, runtimeError } from "./runc.ts";
import type { OciRuntimeOptions } from "./oci_runtime.ts";

const SIGKILL = 9;

/** The per-call parts of conmon's argv; see {@linkcode conmonArgs}. */
export interface ConmonArgsInput {
  /** `-c`: the container's ID. */
  containerId: string;
  /** `-u`: the container's ID again, or the exec session's. */
  uuid: string;
  /** `-b`: the bundle (for exec, the session's directory). */
  bundle: string;
  /** `-p`: where runc writes the process's pid. */
  pidFile: string;
  /** `-n`: the container's name. */
  name: string;
  /** Where conmon writes the exit file. */
  exitDir: string;
  /** `-l`: `k8s-file:<path>`, or `none`. */
  logDriver: string;
  /** `--log-size-max`, passed when positive. @default none */
  maxLogSize?: number;
  /** runc's JSON log, where {@linkcode conmonFailure} looks first. */
  ociLog: string;
  /** What goes between runc's log and `--conmon-pidfile`: `-t`/`-i` and exec's flags. */
  modeArgs: string[];
  /** Where conmon writes its own (daemonised) pid. */
  conmonPidFile: string;
  /** Pass `--no-pivot`. @default false */
  noPivot?: boolean;
  /** What conmon runs after the process exited: argv, no shell. */
  exitCommand: readonly string[];
}

/**
 * conmon's argv (without the program) in podman 4.3.1's order, the same for a container and an
 * exec session; what differs comes in through `c`. Pure.
 */
export function conmonArgs(opts: OciRuntimeOptions, c: ConmonArgsInput): string[] {
  const args = [
    "--api-version",
    "1",
    "-c",
    c.containerId,
    "-u",
    c.uuid,
    "-r",
    opts.runtimePath,
    "-b",
    c.bundle,
    "-p",
    c.pidFile,
    "-n",
    c.name,
    "--exit-dir",
    c.exitDir,
    "--full-attach",
  ];
  // runc's global flags go before the verb conmon adds, like podman's --runtime-flag
  if (opts.runcRoot) args.push("--runtime-arg", "--root", "--runtime-arg", opts.runcRoot);
  if (opts.cgroupManager === "systemd") args.push("-s");
  args.push("-l", c.logDriver, "--log-level", opts.logLevel);
  if ((c.maxLogSize ?? 0) > 0) args.push("--log-size-max", String(c.maxLogSize));
  args.push("--runtime-arg", "--log-format=json", "--runtime-arg", "--log");
  args.push(`--runtime-arg=${c.ociLog}`, ...c.modeArgs, "--conmon-pidfile", c.conmonPidFile);
  if (c.noPivot) args.push("--no-pivot");
  const [command, ...rest] = c.exitCommand;
  if (command !== undefined) {
    args.push("--exit-command", command);
    for (const a of rest) args.push("--exit-command-arg", a);
  }
  return args;
}

/** `KEY=value` strings as a map in order, a later key winning; entries with no key are skipped. */
export function keyValueMap(list: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const kv of list) {
    const eq = kv.indexOf("=");
    if (eq > 0) map.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return map;
}

/** Starts conmon with `argv` (without the program); failing to start it is an OciRuntimeError. */
export async function spawnConmon(
  opts: OciRuntimeOptions,
  argv: string[],
  options: SpawnFdsOptions,
): Promise<FdChild> {
  try {
    return await spawnWithFds([opts.conmonPath, ...argv], options);
  } catch (e) {
    throw new OciRuntimeError("generic", `starting conmon ${opts.conmonPath}: ${errorMessage(e)}`, {
      cause: e,
    });
  }
}

/** One message of conmon's sync or attach pipe. */
export interface PipeMessage {
  data: number;
  message?: string;
}

/** Reads newline-terminated JSON messages from one of conmon's pipes, keeping what follows. */
export class MessageReader {
  #pipe: ChildPipe;
  #name: string;
  #text = "";
  #decoder = new TextDecoder();

  /** `name` ("sync", "attach") names the pipe in error messages. */
  constructor(pipe: ChildPipe, name: string) {
    this.#pipe = pipe;
    this.#name = name;
  }

  /** The next message; null when the pipe ended first; "timeout" after `timeoutMs` (0: none). */
  async next(timeoutMs = 0): Promise<PipeMessage | null | "timeout"> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => {
      if (timeoutMs > 0) timer = setTimeout(() => r("timeout"), timeoutMs);
    });
    try {
      while (!this.#text.includes("\n")) {
        const chunk = await Promise.race([this.#pipe.read(), timeout]);
        if (chunk === "timeout") return chunk;
        if (chunk === null) return null;
        this.#text += this.#decoder.decode(chunk, { stream: true });
      }
    } finally {
      clearTimeout(timer);
    }
    const nl = this.#text.indexOf("\n");
    const line = this.#text.slice(0, nl);
    this.#text = this.#text.slice(nl + 1);
    let v: { data?: unknown; pid?: unknown; message?: unknown };
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new OciRuntimeError(
        "generic",
        `parsing conmon's ${this.#name} message ${JSON.stringify(line)}: ${e}`,
      );
    }
    // without --api-version conmon says "pid"; accept both
    const data = typeof v.data === "number" ? v.data : v.pid;
    if (typeof data !== "number") {
      throw new OciRuntimeError(
        "generic",
        `conmon's ${this.#name} message has no data: ${JSON.stringify(line)}`,
      );
    }
    return { data, ...(typeof v.message === "string" ? { message: v.message } : {}) };
  }
}

/** The runtime's error as podman prefers it: the JSON log runc wrote, else conmon's message. */
export async function conmonFailure(
  opts: OciRuntimeOptions,
  ociLog: string,
  message: string | undefined,
): Promise<OciRuntimeError> {
  let text = "";
  try {
    text = runcErrorText(await Deno.readTextFile(ociLog));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  text ||= message?.trim() ?? "";
  return runtimeError(opts.runtimeName, text || "conmon reported a failure without a message");
}

/** The positive pid in a pid file; null when the file is missing or holds no pid. */
export async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number((await Deno.readTextFile(path)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * After a failed start, kills what is left of conmon: the process we spawned and, if it wrote
 * `conmonPidFile`, the daemon. Each first gets `graceMs` to exit on its own (conmon does after
 * reporting a failure); 0 kills at once.
 */
export async function killConmon(
  conmonPidFile: string,
  spawnedPid: number,
  graceMs: number,
  logFields: Record<string, unknown> = {},
): Promise<void> {
  // not readable: conmon never forked, only the spawned process can be left
  const daemon = await readPidFile(conmonPidFile).catch(() => null);
  for (const pid of daemon === null ? [spawnedPid] : [spawnedPid, daemon]) {
    if (await waitProcessGone(pid, graceMs)) continue;
    log.debug("killing conmon after a failed start", { ...logFields, pid });
    signalProcess(pid, SIGKILL);
  }
}
