/**
 * runc invocations skiff makes itself (conmon runs `runc create`): start, kill, delete, pause,
 * resume and state, each with runc's global flags. Failures become OciRuntimeErrors classified
 * the way podman's `getOCIRuntimeError` does, which decides the exit code (125/126/127).
 * @module
 */

import { OciRuntimeError } from "../define/errors.ts";
import { CommandError } from "../define/errors.ts";
import { runCommand } from "../sys/command.ts";

/** What every runc call needs to know. */
export interface RuncOptions {
  /** Absolute path of the runc binary. */
  runtimePath: string;
  /** The runtime's name in messages (podman prefixes errors with it: `runc: …`). */
  runtimeName: string;
  /** runc's `--root` state directory; runc's own default (/run/runc) when absent. */
  runcRoot?: string;
}

/** A container's status as runc reports it. */
export type RuncStatus = "created" | "running" | "paused" | "stopped";

/** The fields of `runc state` skiff uses. */
export interface RuncState {
  status: RuncStatus;
  /** The container's init pid (0 once stopped). */
  pid: number;
}

/** Options for {@linkcode Runc.kill}. */
export interface KillOptions {
  /** Signal every process in the container (`runc kill --all`). @default false */
  all?: boolean;
  /** Treat a container that no longer exists or no longer runs as success. @default false */
  ignoreMissing?: boolean;
}

const PERMISSION = /^.*(?:permission denied|operation not permitted).*$/im;
const NOT_FOUND = /^.*(?:executable file not found in|no such file or directory).*$/im;
/** runc's wording for a container that is gone or has exited. */
const GONE = /container does not exist|container not running|container .* does not exist/i;

/**
 * Turns a runtime's error message into an OciRuntimeError, as podman 4.3.1
 * `getOCIRuntimeError`: the first line mentioning a permission problem gives 126, one naming a
 * missing file or executable 127, anything else 125 with the whole message.
 */
export function runtimeError(runtimeName: string, message: string): OciRuntimeError {
  const perm = PERMISSION.exec(message);
  if (perm) {
    return new OciRuntimeError(
      "permission",
      `${runtimeName}: ${perm[0].trim()}: OCI permission denied`,
    );
  }
  const missing = NOT_FOUND.exec(message);
  if (missing) {
    return new OciRuntimeError(
      "not-found",
      `${runtimeName}: ${
        missing[0].trim()
      }: OCI runtime attempted to invoke a command that was not found`,
    );
  }
  return new OciRuntimeError("generic", `${runtimeName}: ${message.trim()}: OCI runtime error`);
}

/**
 * The error text in runc's log output: the `msg` of each error-level line in JSON
 * (`--log-format json`, also the format of conmon's oci-log) or logrus text
 * (`level=error msg="…"`) form, joined by newlines; other text is returned trimmed.
 */
export function runcErrorText(output: string): string {
  const messages: string[] = [];
  const other: string[] = [];
  for (const line of output.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    const msg = jsonLogMessage(t) ?? textLogMessage(t);
    if (msg === undefined) other.push(t);
    else if (msg !== null) messages.push(msg);
  }
  return messages.length ? messages.join("\n") : other.join("\n");
}

/** The msg of an error-level JSON log line; null for another level; undefined if not JSON. */
function jsonLogMessage(line: string): string | null | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const v = JSON.parse(line) as { level?: unknown; msg?: unknown };
    if (typeof v.msg !== "string") return undefined;
    return v.level === "error" || v.level === "fatal" ? v.msg : null;
  } catch {
    return undefined;
  }
}

function textLogMessage(line: string): string | null | undefined {
  const m = /\blevel=(\w+)\s+msg=("(?:[^"\\]|\\.)*"|\S+)/.exec(line);
  if (!m) return undefined;
  if (m[1] !== "error" && m[1] !== "fatal") return null;
  const raw = m[2]!;
  if (!raw.startsWith('"')) return raw;
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** runc driven directly, one method per verb; no state logic. */
export class Runc {
  #opts: RuncOptions;

  constructor(options: RuncOptions) {
    this.#opts = options;
  }

  /** runc's global flags: `--root` when set, and JSON logs on stderr for error parsing. */
  globalArgs(): string[] {
    const args = this.#opts.runcRoot ? ["--root", this.#opts.runcRoot] : [];
    return [...args, "--log-format", "json"];
  }

  /** `runc start <id>`: runs the container's process (created → running). */
  async start(id: string): Promise<void> {
    await this.#run(["start", id]);
  }

  /** `runc kill [--all] <id> <signal>`. */
  async kill(id: string, signal: number, options: KillOptions = {}): Promise<void> {
    const args = options.all ? ["kill", "--all", id, String(signal)] : ["kill", id, String(signal)];
    await this.#run(args, options.ignoreMissing ?? false);
  }

  /** `runc delete [--force] <id>`; a container that does not exist is not an error. */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.#run(options.force ? ["delete", "--force", id] : ["delete", id], true);
  }

  /** `runc pause <id>`: freezes every process of the container. */
  async pause(id: string): Promise<void> {
    await this.#run(["pause", id]);
  }

  /** `runc resume <id>`: thaws a paused container. */
  async resume(id: string): Promise<void> {
    await this.#run(["resume", id]);
  }

  /** `runc state <id>`: the status and pid, or null when runc does not know the container. */
  async state(id: string): Promise<RuncState | null> {
    const out = await this.#run(["state", id], true);
    if (out === null) return null;
    let v: { status?: unknown; pid?: unknown };
    try {
      v = JSON.parse(out);
    } catch (e) {
      throw new OciRuntimeError(
        "generic",
        `parsing ${this.#opts.runtimeName} state of ${id}: ${e}`,
        {
          cause: e,
        },
      );
    }
    const status = v.status === "creating" ? "created" : v.status;
    if (
      status !== "created" && status !== "running" && status !== "paused" && status !== "stopped"
    ) {
      throw new OciRuntimeError(
        "generic",
        `${this.#opts.runtimeName} state of ${id}: unknown status ${JSON.stringify(v.status)}`,
      );
    }
    return { status, pid: typeof v.pid === "number" ? v.pid : 0 };
  }

  /**
   * Runs one verb; returns stdout, or null when the container is gone and `goneIsOk`.
   * Throws an OciRuntimeError with runc's own message otherwise.
   */
  async #run(args: string[], goneIsOk = false): Promise<string | null> {
    const { runtimePath, runtimeName } = this.#opts;
    let res;
    try {
      res = await runCommand([runtimePath, ...this.globalArgs(), ...args], { allowFailure: true });
    } catch (e) {
      // the binary itself could not be started: an engine problem, whatever the message says
      const why = e instanceof CommandError ? e.message : String(e);
      throw new OciRuntimeError("generic", `${runtimeName} ${args[0]}: ${why}`, { cause: e });
    }
    if (res.code === 0) return res.text;
    const message = runcErrorText(res.errText) || runcErrorText(res.text) ||
      `exit status ${res.code}`;
    if (goneIsOk && GONE.test(message)) return null;
    throw runtimeError(runtimeName, message);
  }
}
