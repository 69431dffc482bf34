/**
 * The OCI runtime adapter: conmon-supervised runc. Like podman's `OCIRuntime` it is a thin
 * wrapper around the runtime and holds no state logic — the runtime layer decides when each
 * verb is allowed, records pids and exit codes, and reads exit files.
 * @module
 */

import {
  attachContainer,
  type AttachHandlers,
  type AttachOptions,
  type AttachStreams,
} from "./attach.ts";
import { createContainer } from "./conmon.ts";
import { type KillOptions, Runc, type RuncState } from "./runc.ts";

export type { AttachHandlers, AttachOptions, AttachStreams } from "./attach.ts";
export type { KillOptions, RuncState, RuncStatus } from "./runc.ts";
export { buildConmonArgs, buildConmonEnv, CREATE_TIMEOUT_MS } from "./conmon.ts";
export { type ExitFile, readExitFile, removeExitFile, waitExitFile } from "./exit_file.ts";
export { type LogLine, readLogs, type ReadLogsOptions } from "./logs.ts";

/** How to run conmon and runc; one per open runtime. */
export interface OciRuntimeOptions {
  /** Absolute path of conmon. */
  conmonPath: string;
  /** Absolute path of the OCI runtime (runc). */
  runtimePath: string;
  /** The runtime's name, which prefixes its error messages (`runc: …`). */
  runtimeName: string;
  /** `conmon_env_vars` from the config, `KEY=value` each. */
  conmonEnv: string[];
  /** Extra environment for conmon and so for the exit command, e.g. SKIFF_LOCK_SEGMENT. */
  passEnv?: Record<string, string>;
  /** cgroupfs or systemd; with systemd conmon passes `--systemd-cgroup` to runc (`-s`). */
  cgroupManager: "cgroupfs" | "systemd";
  /** conmon's own logrus level (`--log-level`). */
  logLevel: string;
  /** runc's `--root`. @default runc's own /run/runc */
  runcRoot?: string;
  /** Pass `--no-pivot` (use MS_MOVE instead of pivot_root, for a ramdisk root). @default false */
  noPivot?: boolean;
  /** How long conmon may take to report the container's pid. @default 240000 */
  createTimeoutMs?: number;
}

/** Everything conmon needs to create one container. */
export interface CreateRequest {
  /** The container ID: runc's ID, conmon's `-c` and `-u`, and the exit file's name. */
  id: string;
  /** The container's name (conmon `-n`). */
  name: string;
  /** The bundle directory holding config.json; conmon puts `attach`, `ctl`, `winsz` here. */
  bundle: string;
  /** Run directory for `pidfile`, `conmon.pid` and runc's JSON log `oci-log`. */
  runDir: string;
  /** Where conmon writes the exit file `<exitDir>/<id>`. */
  exitDir: string;
  /**
   * @deprecated Ignored: conmon gets `--full-attach`, so the attach socket is always
   * `<bundle>/attach` (see {@linkcode buildConmonArgs}).
   */
  socketDir?: string;
  /** The k8s-file log of the container's output. */
  logPath: string;
  /** Rotate the log at this many bytes; 0 or -1 for no limit. */
  maxLogSize: number;
  /** Give the container a pty (`-t`). */
  terminal: boolean;
  /** Keep the container's stdin open for attach clients (`-i`). */
  stdin: boolean;
  /** What conmon runs after the container exited (it waits for it): argv, no shell. */
  exitCommand: string[];
  /**
   * Open fds of ours (e.g. reserved host ports) handed to conmon after fds 3 and 4; conmon
   * holds them for the container's life and closes them before writing the exit file.
   */
  extraFds?: number[];
}

/** The pids of a created container. */
export interface Created {
  /** The container's init process. */
  pid: number;
  /** The daemonised conmon that supervises it. */
  conmonPid: number;
}

/**
 * The runtime verbs skiff uses. Every method maps to one conmon or runc operation and keeps no
 * state; errors are OciRuntimeErrors whose `failure` gives podman's exit code.
 */
export interface OciRuntime {
  /**
   * Starts conmon, which runs `runc create`, and resolves with the pids once the container
   * exists (not yet started). On failure it throws with the runtime's message, mapped to
   * 125/126/127, and leaves neither a conmon nor a runc container behind.
   */
  create(req: CreateRequest): Promise<Created>;
  /** `runc start`: runs the created container's process. */
  start(id: string): Promise<void>;
  /** Sends `signal` (a number) to the container's init, or to all its processes with `all`. */
  kill(id: string, signal: number, options?: KillOptions): Promise<void>;
  /** Removes the runtime's container; a missing one is fine. */
  delete(id: string, options?: { force?: boolean }): Promise<void>;
  /** Freezes the container. */
  pause(id: string): Promise<void>;
  /** Thaws the container. */
  resume(id: string): Promise<void>;
  /** The runtime's view of the container, or null when it does not know it. */
  state(id: string): Promise<RuncState | null>;
  /**
   * Connects to the container's attach socket (a bundle directory or the socket's path) and
   * pumps its output into `handlers`. Attach before start to see all output.
   */
  attach(
    bundleOrSocketPath: string,
    handlers: AttachHandlers,
    options?: AttachOptions,
  ): Promise<AttachStreams>;
}

/** {@linkcode OciRuntime} implemented with conmon and runc, as podman's `ConmonOCIRuntime`. */
export class ConmonRuntime implements OciRuntime {
  #opts: OciRuntimeOptions;
  #runc: Runc;

  constructor(options: OciRuntimeOptions) {
    this.#opts = options;
    this.#runc = new Runc(options);
  }

  /** The options this runtime was made with. */
  get options(): Readonly<OciRuntimeOptions> {
    return this.#opts;
  }

  create(req: CreateRequest): Promise<Created> {
    return createContainer(this.#opts, req);
  }

  start(id: string): Promise<void> {
    return this.#runc.start(id);
  }

  kill(id: string, signal: number, options?: KillOptions): Promise<void> {
    return this.#runc.kill(id, signal, options);
  }

  delete(id: string, options?: { force?: boolean }): Promise<void> {
    return this.#runc.delete(id, options);
  }

  pause(id: string): Promise<void> {
    return this.#runc.pause(id);
  }

  resume(id: string): Promise<void> {
    return this.#runc.resume(id);
  }

  state(id: string): Promise<RuncState | null> {
    return this.#runc.state(id);
  }

  attach(
    bundleOrSocketPath: string,
    handlers: AttachHandlers,
    options?: AttachOptions,
  ): Promise<AttachStreams> {
    return attachContainer(bundleOrSocketPath, handlers, options);
  }
}

// --- added by the exec/terminal work: exec sessions and terminal control (appended exports) ---
export {
  buildExecArgs,
  buildExecProcess,
  execPaths,
  type ExecProcessInput,
  type ExecRequest,
  type ExecSession,
  resizeExec,
  startExec,
} from "./exec.ts";
export { resizeTerminal, type TerminalSize, writeControl } from "./console.ts";
