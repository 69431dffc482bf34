/**
 * Exec sessions through conmon, as podman 4.3.1 runs them (`oci_conmon_exec_linux.go`), verified
 * against conmon 2.1.6: conmon gets `-e --exec-attach --exec-process-spec <file>`, the sync pipe
 * at fd 3, the start pipe at fd 4 and an attach pipe at fd 5 (`_OCI_ATTACHPIPE`), and the exec
 * bundle `<bundle>/<SID>` as `-b` and working directory.
 *
 * 1. start byte #1 → conmon double-forks (the process we started exits at once);
 * 2. conmon binds `<bundle>/<SID>/attach` and writes `{"data": 0}` to the attach pipe;
 * 3. we connect to that socket, then write start byte #2: only now conmon runs `runc exec`,
 *    so no output is lost;
 * 4. the sync pipe says `{"data": <pid>}` (or `{"data": -1, "message": …}` when runc failed),
 *    later `{"data": <exit code>}`, which conmon also writes to `<bundle>/<SID>/exit/<ctrID>`.
 * @module
 */

import { errorMessage, OciRuntimeError } from "../define/errors.ts";
import type { ChildPipe } from "../sys/spawn_fds.ts";
import { log } from "../util/logger.ts";
import {
  conmonArgs,
  conmonFailure,
  keyValueMap,
  killConmon,
  MessageReader,
  type PipeMessage,
  spawnConmon,
} from "./_conmon_common.ts";
import { attachContainer, type AttachHandlers, type AttachStreams } from "./attach.ts";
import { buildConmonEnv, CREATE_TIMEOUT_MS } from "./conmon.ts";
import { resizeTerminal, type TerminalSize } from "./console.ts";
import { readExitFile, waitExitFile } from "./exit_file.ts";
import type { OciRuntimeOptions } from "./oci_runtime.ts";
import type { OciCapabilities, OciProcess } from "./types.ts";
import type { ResolvedUser } from "./user.ts";

/** How long podman waits for an exec session's exit file after conmon said nothing. */
const EXIT_FILE_WAIT_MS = 5000;

/** Everything conmon needs to run one exec session. */
export interface ExecRequest {
  /** The container's ID (conmon `-c`, the exit file's name). */
  containerId: string;
  /** The container's name (conmon `-n`). */
  containerName: string;
  /** The exec session's ID (conmon `-u`, the exec bundle's name). */
  sessionId: string;
  /** The container's bundle; the session lives in `<bundle>/<sessionId>`. */
  bundle: string;
  /** The process to run (written to the exec bundle for `--exec-process-spec`). */
  process: OciProcess;
  /** Open a pipe for the process's stdin (`-i`). */
  stdin: boolean;
  /** Leave the session running and do not attach (`exec -d`). */
  detach: boolean;
  /** Window size to set before the process starts (with a terminal). */
  size?: TerminalSize;
  /** What conmon runs after the process exited: argv, no shell. @default none */
  exitCommand?: string[];
}

/** A started exec session. */
export interface ExecSession {
  /** The exec'd process's pid (in the host's pid namespace). */
  pid: number;
  /** The attach connection; null for a detached session. */
  streams: AttachStreams | null;
  /** The exit code (a detached session never settles it; read the exit file instead). */
  exitCode: Promise<number>;
}

/** Where the files of exec session `sessionId` live. */
export function execPaths(bundle: string, sessionId: string): {
  dir: string;
  exitDir: string;
  pidFile: string;
  conmonPidFile: string;
  ociLog: string;
} {
  const dir = `${bundle}/${sessionId}`;
  return {
    dir,
    exitDir: `${dir}/exit`,
    pidFile: `${dir}/exec_pid`,
    conmonPidFile: `${dir}/conmon.pid`,
    ociLog: `${dir}/oci-log`,
  };
}

/**
 * conmon's argv (without the program) for an exec session, in podman 4.3.1's order, plus
 * `--conmon-pidfile` so that a stuck session's conmon can be found and killed. Pure.
 */
export function buildExecArgs(
  opts: OciRuntimeOptions,
  req: ExecRequest,
  processFile: string,
): string[] {
  const p = execPaths(req.bundle, req.sessionId);
  return conmonArgs(opts, {
    containerId: req.containerId,
    uuid: req.sessionId,
    bundle: p.dir,
    pidFile: p.pidFile,
    name: req.containerName,
    exitDir: p.exitDir,
    // the output goes to the attach socket; like podman, no log size and no --no-pivot for exec
    logDriver: "none",
    ociLog: p.ociLog,
    modeArgs: [
      ...(req.process.terminal ? ["-t"] : []),
      ...(req.stdin ? ["-i"] : []),
      "-e",
      "--exec-attach",
      "--exec-process-spec",
      processFile,
    ],
    conmonPidFile: p.conmonPidFile,
    exitCommand: req.exitCommand ?? [],
  });
}

/** What {@linkcode buildExecProcess} changes in the container's process. */
export interface ExecProcessInput {
  args: string[];
  /** `-e`/`--env-file`, merged over the container's environment. */
  env: Record<string, string>;
  /** `-w`; empty keeps the container's working directory. */
  cwd: string;
  terminal: boolean;
  /** The resolved `-u` user, or null to run as the container's user. */
  user: ResolvedUser | null;
  /** The container's own environment has HOME set explicitly (then `-u` keeps it). */
  containerSetsHome: boolean;
  /** `--privileged`: the bounding set is `bounding`. */
  privileged: boolean;
  /** This process's capability bounding set (what `--privileged` grants). */
  bounding: readonly string[];
}

/**
 * The process spec of an exec session: the container's process with podman's changes
 * (`prepareProcessExec`, `setProcessCapabilitiesExec`): new args, terminal, cwd, user (its
 * supplementary groups only, as 4.3.1); env merged by key; `HOME` of the exec user unless
 * set explicitly; capabilities — bounding from the container (all with `--privileged`), for
 * root effective = permitted = bounding, for the container's own user its sets, for another
 * user none; inheritable always cleared. Pure.
 */
export function buildExecProcess(base: OciProcess, input: ExecProcessInput): OciProcess {
  const env = keyValueMap(base.env);
  if (input.user && !input.containerSetsHome) env.delete("HOME");
  for (const [k, v] of Object.entries(input.env)) env.set(k, v);
  const proc: OciProcess = {
    ...structuredClone(base),
    args: [...input.args],
    terminal: input.terminal,
    cwd: input.cwd || base.cwd,
  };
  if (input.user) {
    const u = input.user;
    if (!env.has("HOME")) env.set("HOME", u.home || "/");
    proc.user = {
      ...(base.user.umask !== undefined ? { umask: base.user.umask } : {}),
      uid: u.uid,
      gid: u.gid,
      // 4.3.1 passes the supplementary groups only (later podmans add the primary one)
      additionalGids: u.additionalGids.filter((g) => g !== u.gid),
    };
  }
  proc.env = [...env].map(([k, v]) => `${k}=${v}`);
  const ctr = base.capabilities ?? {};
  const bounding = input.privileged ? [...input.bounding] : [...(ctr.bounding ?? [])];
  const caps: OciCapabilities = {};
  if (bounding.length) caps.bounding = bounding;
  const uid = input.user ? input.user.uid : base.user.uid;
  if (uid === 0) {
    if (bounding.length) {
      caps.effective = [...bounding];
      caps.permitted = [...bounding];
    }
  } else if (!input.user) {
    for (const set of ["effective", "permitted", "ambient"] as const) {
      if (ctr[set]?.length) caps[set] = [...ctr[set]!];
    }
  }
  proc.capabilities = caps;
  return proc;
}

async function expectMessage(
  reader: MessageReader,
  what: string,
  timeoutMs: number,
): Promise<PipeMessage> {
  const msg = await reader.next(timeoutMs);
  if (msg === "timeout") {
    throw new OciRuntimeError("generic", `timed out after ${timeoutMs} ms waiting for ${what}`);
  }
  if (msg === null) {
    throw new OciRuntimeError("generic", `conmon exited before reporting ${what}`);
  }
  return msg;
}

/**
 * Starts an exec session and, unless detached, attaches `handlers` to its output before the
 * process runs. Resolves once the process runs (its pid is known); throws an OciRuntimeError
 * mapped to 125/126/127 when runc could not start it, leaving no conmon behind.
 */
export async function startExec(
  opts: OciRuntimeOptions,
  req: ExecRequest,
  handlers: AttachHandlers,
): Promise<ExecSession> {
  const p = execPaths(req.bundle, req.sessionId);
  await Deno.mkdir(p.exitDir, { recursive: true, mode: 0o700 });
  const processFile = `${p.dir}/exec-process-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(processFile, JSON.stringify(req.process), { mode: 0o600 });
  const env = {
    ...buildConmonEnv(opts, { env: Deno.env.toObject(), uid: Deno.uid() ?? 0 }),
    _OCI_ATTACHPIPE: "5",
  };
  const argv = buildExecArgs(opts, req, processFile);
  const child = await spawnConmon(opts, argv, { env, pipes: 3, cwd: p.dir });
  const [syncPipe, startPipe, attachPipe] = child.pipes as [ChildPipe, ChildPipe, ChildPipe];
  const sync = new MessageReader(syncPipe, "sync");
  const attachReady = new MessageReader(attachPipe, "attach");
  const timeoutMs = opts.createTimeoutMs ?? CREATE_TIMEOUT_MS;
  let streams: AttachStreams | null = null;
  try {
    await startPipe.write(new Uint8Array([0])).catch((e) =>
      log.debug("writing conmon's first start byte", { error: errorMessage(e) })
    );
    const ready = await expectMessage(attachReady, "the exec attach socket", timeoutMs);
    if (ready.data < 0) throw await conmonFailure(opts, p.ociLog, ready.message);
    if (req.process.terminal && req.size) {
      await resizeTerminal(p.dir, req.size).catch((e) =>
        log.warn(`resize failed: ${errorMessage(e)}`)
      );
    }
    if (!req.detach) {
      streams = await attachContainer(`${p.dir}/attach`, handlers, { stdin: req.stdin });
    }
    await startPipe.write(new Uint8Array([0]));
    const started = await expectMessage(sync, "the exec session's pid", timeoutMs);
    if (started.data <= 0) throw await conmonFailure(opts, p.ociLog, started.message);
    const pid = started.data;
    const exitCode = req.detach
      ? new Promise<number>(() => {})
      : exitCodeOf(sync, p.exitDir, req.containerId);
    return { pid, streams, exitCode };
  } catch (e) {
    streams?.close();
    // killed at once, unlike create: conmon may be blocked on start byte #2 and never exit itself
    await killConmon(p.conmonPidFile, child.pid, 0).catch(() => {});
    throw e;
  } finally {
    startPipe.close();
    attachPipe.close();
    if (req.detach) syncPipe.close();
    void child.status.then((s) => {
      if (s.stderr.trim()) log.debug("conmon output", { stderr: s.stderr.trim() });
    });
  }
}

/** The exit code from the sync pipe, else from the exit file (≤5 s), as podman reads it. */
async function exitCodeOf(
  sync: MessageReader,
  exitDir: string,
  containerId: string,
): Promise<number> {
  let msg: PipeMessage | null | "timeout" = null;
  try {
    msg = await sync.next();
  } catch (e) {
    log.debug("reading the exec exit code", { error: errorMessage(e) });
  }
  if (msg !== null && msg !== "timeout" && msg.data >= 0) return msg.data;
  const file = readExitFile(exitDir, containerId) ??
    await waitExitFile(exitDir, containerId, { timeoutMs: EXIT_FILE_WAIT_MS }).catch(() => null);
  if (file) return file.code;
  throw new OciRuntimeError(
    "generic",
    `exec session exited without an exit code${
      msg !== null && msg !== "timeout" && msg.message ? `: ${msg.message}` : ""
    }`,
  );
}

/** Sets the window size of an exec session's pty. */
export function resizeExec(bundle: string, sessionId: string, size: TerminalSize): Promise<void> {
  return resizeTerminal(execPaths(bundle, sessionId).dir, size);
}
