/**
 * `exec`: run a process in a running container through conmon (src/oci/exec.ts). The session is
 * recorded in the state (`data`: command, pid, exitCode, running, tty, detach) while it runs; a
 * foreground session is removed when it ends, a detached one (`-d`, or detach keys) stays with
 * its exit code until the container is cleaned up, as podman 4.3.1 keeps them. The lock is held
 * only to check the container and prepare the process, never while the process runs.
 *
 * Exit codes follow podman's `TranslateExecErrorToExitCode`: the process's own code; 126/127
 * when runc could not invoke it; 125 for a missing container; 255 for every other failure
 * (podman exits with -1).
 * @module
 */

import type { ContainerRecord, ExecSessionRecord } from "../define/container.ts";
import { canExec } from "../define/container_status.ts";
import {
  errorMessage,
  NotFoundError,
  OciRuntimeError,
  SkiffError,
  StateError,
} from "../define/errors.ts";
import { readBoundingSet } from "../oci/capabilities.ts";
import {
  buildExecProcess,
  type ConmonRuntime,
  execPaths,
  readExitFile,
  resizeExec,
  startExec,
} from "../oci/oci_runtime.ts";
import type { OciSpec } from "../oci/types.ts";
import { resolveUser } from "../oci/user.ts";
import { processAlive, signalProcess } from "../sys/process.ts";
import { newId } from "../util/ids.ts";
import { log } from "../util/logger.ts";
import { type AttachIO, driveSession, OutputGuard } from "./container_attach.ts";
import { withContainer } from "./container_lock.ts";
import { containerPaths } from "./container_paths.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** podman exits with -1 (255) when an exec session cannot be created or started. */
const EXIT_EXEC_FAILED = 255;

/** What `exec` runs, and how. */
export interface ExecOptions {
  command: string[];
  /** `-e`/`--env-file`, merged over the container's environment. @default {} */
  env?: Record<string, string>;
  /** `-u user[:group]`; empty runs as the container's user. @default "" */
  user?: string;
  /** `-w`; empty keeps the container's working directory. @default "" */
  workdir?: string;
  /** `-t`: give the process a pty. @default false */
  tty?: boolean;
  /** `-i`: forward stdin. @default false */
  interactive?: boolean;
  /** `--privileged`: every capability of the bounding set. @default false */
  privileged?: boolean;
  /** `-d`: start it and return. @default false */
  detach?: boolean;
}

/** The outcome of an exec. */
export interface ExecResult {
  /** The exec session's ID (`exec -d` prints it). */
  sessionId: string;
  /** The process's exit code (foreground sessions that ran to the end). */
  exitCode?: number;
  /** The session was left running (`-d` or the detach keys). */
  detached?: boolean;
}

/** Data stored with an exec session. */
interface SessionData {
  command: string[];
  pid: number;
  exitCode: number;
  running: boolean;
  tty: boolean;
  detach: boolean;
}

/** Turns a failure into the error podman exits with for `exec` (see the module doc). */
function execFailure(e: unknown): unknown {
  if (e instanceof NotFoundError && e.kind === "container") return e;
  if (e instanceof OciRuntimeError && e.failure !== "generic") return e;
  if (e instanceof SkiffError && e.exitCode === EXIT_EXEC_FAILED) return e;
  return new SkiffError(errorMessage(e), { cause: e, exitCode: EXIT_EXEC_FAILED });
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

/** The session's process spec, from the container's own (lock held, container running). */
async function execProcess(rt: Runtime, rec: ContainerRecord, opts: ExecOptions) {
  const paths = containerPaths(rt, rec.config.id);
  const spec = JSON.parse(await Deno.readTextFile(paths.configJson)) as OciSpec;
  const userSpec = opts.user ?? "";
  let user = null;
  if (userSpec !== "" && userSpec !== rec.config.user) {
    const root = rec.state.mountPoint || spec.root.path;
    user = resolveUser(
      userSpec,
      await readText(`${root}/etc/passwd`),
      await readText(`${root}/etc/group`),
    );
  }
  return buildExecProcess(spec.process, {
    args: opts.command,
    env: opts.env ?? {},
    cwd: opts.workdir ?? "",
    terminal: !!opts.tty,
    user,
    containerSetsHome: rec.config.env.HOME !== undefined,
    privileged: !!opts.privileged,
    bounding: opts.privileged ? await readBoundingSet() : [],
  });
}

function saveSession(rt: Runtime, id: string, ctrId: string, data: SessionData): void {
  rt.state.transaction(() => {
    rt.state.removeExecSession(id);
    rt.state.addExecSession({ id, containerId: ctrId, data: { ...data } });
  });
}

/**
 * Runs `opts.command` in a running container. Foreground: streams go to `io` and the result
 * carries the exit code; detached: resolves once the process runs.
 */
export async function execContainer(
  rt: Runtime,
  idOrName: string,
  opts: ExecOptions,
  io: AttachIO,
): Promise<ExecResult> {
  if (opts.command.length === 0 || opts.command[0] === "") {
    throw new SkiffError(
      "must provide a non-empty command to start an exec session: invalid argument",
      { exitCode: EXIT_EXEC_FAILED },
    );
  }
  const sessionId = newId();
  const data: SessionData = {
    command: [...opts.command],
    pid: 0,
    exitCode: -1,
    running: true,
    tty: !!opts.tty,
    detach: !!opts.detach,
  };
  let prepared;
  try {
    prepared = await withContainer(rt, idOrName, async (rec) => {
      if (!canExec(rec.state.status)) {
        throw new StateError(
          "can only create exec sessions on running containers: container state improper",
          { exitCode: EXIT_EXEC_FAILED },
        );
      }
      syncExecSessions(rt, rec);
      const process = await execProcess(rt, rec, opts);
      rt.state.addExecSession({ id: sessionId, containerId: rec.config.id, data: { ...data } });
      return { rec, process };
    });
  } catch (e) {
    throw execFailure(e);
  }
  const { rec, process } = prepared;
  const ctrId = rec.config.id;
  const bundle = containerPaths(rt, ctrId).bundle;
  const output = new OutputGuard(io);
  let session;
  try {
    session = await startExec((ociRuntime(rt) as ConmonRuntime).options, {
      containerId: ctrId,
      containerName: rec.config.name,
      sessionId,
      bundle,
      process,
      stdin: !!opts.interactive,
      detach: !!opts.detach,
      ...(io.size ? { size: io.size } : {}),
    }, output);
  } catch (e) {
    await forgetSession(rt, bundle, sessionId);
    throw execFailure(e);
  }
  data.pid = session.pid;
  trySave(rt, sessionId, ctrId, data);
  if (opts.detach || !session.streams) return { sessionId, detached: true };
  output.bind(session.streams);
  const detached = await driveSession(session.streams, io, {
    containerId: ctrId,
    tty: !!opts.tty,
    stdin: !!opts.interactive,
    resize: (size) => opts.tty ? resizeExec(bundle, sessionId, size) : Promise.resolve(),
    kill: (signal) => {
      if (processAlive(session.pid)) signalProcess(session.pid, signal);
      return Promise.resolve();
    },
  }, output);
  if (detached) {
    data.detach = true;
    trySave(rt, sessionId, ctrId, data);
    return { sessionId, detached: true };
  }
  try {
    return { sessionId, exitCode: await session.exitCode };
  } catch (e) {
    throw execFailure(e);
  } finally {
    await forgetSession(rt, bundle, sessionId);
  }
}

function trySave(rt: Runtime, id: string, ctrId: string, data: SessionData): void {
  try {
    saveSession(rt, id, ctrId, data);
  } catch (e) {
    // the container was removed meanwhile: nothing left to record
    if (!(e instanceof NotFoundError)) throw e;
  }
}

/** Removes a session's record and files; a record already gone is fine. */
async function forgetSession(rt: Runtime, bundle: string, sessionId: string): Promise<void> {
  try {
    rt.state.removeExecSession(sessionId);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
  await Deno.remove(execPaths(bundle, sessionId).dir, { recursive: true }).catch((e) =>
    log.debug(`removing exec session ${sessionId}: ${errorMessage(e)}`)
  );
}

/**
 * Brings the container's exec sessions in line with reality (lock held): a session whose
 * process ended gets its exit code and `running: false`; an ended foreground session whose
 * client is gone (killed) is removed.
 */
export function syncExecSessions(rt: Runtime, rec: ContainerRecord): void {
  const bundle = containerPaths(rt, rec.config.id).bundle;
  for (const s of rt.state.containerExecSessions(rec.config.id)) {
    const d = s.data as Partial<SessionData>;
    if (d.running === false) continue;
    const exit = readExitFile(execPaths(bundle, s.id).exitDir, rec.config.id);
    const pid = d.pid ?? 0;
    if (!exit && (pid === 0 || processAlive(pid))) continue;
    if (!d.detach) {
      void forgetSession(rt, bundle, s.id);
      continue;
    }
    saveSession(rt, s.id, rec.config.id, {
      ...(d as SessionData),
      running: false,
      exitCode: exit?.code ?? -1,
    });
  }
}

/** The container's exec sessions, synced (for `inspect` and `ps`). */
export function listExecSessions(rt: Runtime, idOrName: string): Promise<ExecSessionRecord[]> {
  return withContainer(rt, idOrName, (rec) => {
    syncExecSessions(rt, rec);
    return Promise.resolve(rt.state.containerExecSessions(rec.config.id));
  });
}

/**
 * Removes every exec session of a container that stopped (lock held): records and their
 * `<bundle>/<SID>` directories. Processes still running are killed first (they die with the
 * container anyway). For the container cleanup.
 */
export async function removeAllExecSessions(rt: Runtime, rec: ContainerRecord): Promise<void> {
  const bundle = containerPaths(rt, rec.config.id).bundle;
  for (const s of rt.state.containerExecSessions(rec.config.id)) {
    const pid = (s.data as Partial<SessionData>).pid ?? 0;
    if (pid > 0 && processAlive(pid)) signalProcess(pid, 9);
    await forgetSession(rt, bundle, s.id);
  }
}
