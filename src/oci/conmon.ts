/**
 * Container creation through conmon, the way podman 4.3.1 does it (`oci_conmon_common.go`):
 * conmon gets a sync pipe at fd 3 and a start pipe at fd 4, waits for one byte on the start
 * pipe, double-forks (the process we started exits within milliseconds, while the container
 * lives on under the daemonised conmon), runs `runc create`, and answers on the sync pipe with
 * `{"data": <pid>}` or `{"data": -1, "message": …}`.
 * @module
 */

import { errorMessage, OciRuntimeError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import type { ChildPipe } from "../sys/spawn_fds.ts";
import {
  conmonArgs,
  conmonFailure,
  keyValueMap,
  killConmon,
  MessageReader,
  readPidFile,
  spawnConmon,
} from "./_conmon_common.ts";
import { Runc, runcErrorText } from "./runc.ts";
import type { Created, CreateRequest, OciRuntimeOptions } from "./oci_runtime.ts";

/** podman's `define.ContainerCreateTimeout`: how long conmon may take to report the pid. */
export const CREATE_TIMEOUT_MS = 240_000;
/** After a failure, how long conmon gets to exit on its own before it is killed. */
const CONMON_EXIT_WAIT_MS = 50;

/**
 * conmon's argv (without the program) for one container, in podman 4.3.1's order. Pure.
 *
 * The attach socket is bound at `<bundle>/attach` (`--full-attach`), as podman 4.x does,
 * rather than through `--socket-dir-path`: the latter leaves a `<dir>/<id>` symlink behind after
 * conmon exits and shortens names that hit 107 bytes, while the full path needs no cleanup and is
 * reached through `/proc/self/fd/N` when longer than `sun_path` (see src/sys/seqpacket.ts).
 * `--syslog` is never passed: hosts without /dev/log make conmon's exit command fail with it.
 */
export function buildConmonArgs(opts: OciRuntimeOptions, req: CreateRequest): string[] {
  return conmonArgs(opts, {
    containerId: req.id,
    uuid: req.id,
    bundle: req.bundle,
    pidFile: `${req.runDir}/pidfile`,
    name: req.name,
    exitDir: req.exitDir,
    logDriver: `k8s-file:${req.logPath}`,
    maxLogSize: req.maxLogSize,
    ociLog: ociLogPath(req),
    // a container gets a pty or an open stdin, never both
    modeArgs: req.terminal ? ["-t"] : req.stdin ? ["-i"] : [],
    conmonPidFile: conmonPidPath(req),
    noPivot: opts.noPivot ?? false,
    exitCommand: req.exitCommand,
  });
}

/**
 * conmon's environment, as podman's: `conmonEnv` from the config, the pipe fds, every `LC_*`,
 * our PATH (over a configured one), HOME, XDG_RUNTIME_DIR (empty for root), then `passEnv`.
 * The exit command inherits it. Pure: the host environment and uid come in as arguments.
 */
export function buildConmonEnv(
  opts: OciRuntimeOptions,
  host: { env: Record<string, string>; uid: number },
): Record<string, string> {
  const env: Record<string, string> = Object.fromEntries(keyValueMap(opts.conmonEnv));
  env._OCI_SYNCPIPE = "3";
  env._OCI_STARTPIPE = "4";
  for (const [k, v] of Object.entries(host.env)) if (k.startsWith("LC_")) env[k] = v;
  if (host.env.PATH !== undefined) env.PATH = host.env.PATH;
  env.HOME = host.env.HOME ?? "/root";
  env.XDG_RUNTIME_DIR = host.uid === 0 ? "" : host.env.XDG_RUNTIME_DIR ?? "";
  return { ...env, ...opts.passEnv };
}

function ociLogPath(req: CreateRequest): string {
  return `${req.runDir}/oci-log`;
}

function conmonPidPath(req: CreateRequest): string {
  return `${req.runDir}/conmon.pid`;
}

/**
 * After a failed create: gives conmon `graceMs` to exit on its own (it does after reporting a
 * failure), kills what is left of it (the process we started and the daemon), and deletes the
 * runtime's container.
 */
async function cleanupFailedCreate(
  opts: OciRuntimeOptions,
  req: CreateRequest,
  spawnedPid: number,
  graceMs: number,
): Promise<void> {
  await killConmon(conmonPidPath(req), spawnedPid, graceMs, { id: req.id });
  try {
    await new Runc(opts).delete(req.id, { force: true });
  } catch (e) {
    // the create error is what the caller needs; this one only goes to the log
    log.warn("removing container after a failed create", { id: req.id, error: errorMessage(e) });
  }
}

/**
 * Starts conmon for `req` and waits until runc created the container (not started it).
 * Throws an OciRuntimeError with the runtime's message on failure, after removing whatever was
 * left (conmon, the runc container).
 */
export async function createContainer(
  opts: OciRuntimeOptions,
  req: CreateRequest,
): Promise<Created> {
  for (const dir of [req.runDir, req.exitDir]) await Deno.mkdir(dir, { recursive: true });
  // stale files from an earlier attempt would be read as this one's
  for (const f of [ociLogPath(req), conmonPidPath(req), `${req.runDir}/pidfile`]) {
    await Deno.remove(f).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
  const env = buildConmonEnv(opts, { env: Deno.env.toObject(), uid: Deno.uid() ?? 0 });
  const t0 = performance.now();
  const child = await spawnConmon(opts, buildConmonArgs(opts, req), {
    env,
    pipes: 2,
    fds: req.extraFds ?? [],
    // conmon 2.1.6 creates its "oom" file in its working directory: keep it in the run dir
    cwd: req.runDir,
  });
  const [syncPipe, startPipe] = child.pipes as [ChildPipe, ChildPipe];
  const timeoutMs = opts.createTimeoutMs ?? CREATE_TIMEOUT_MS;
  let timedOut = false;
  try {
    // podman moves conmon into a cgroup at this point; with cgroupfs skiff leaves it where it is
    await startPipe.write(new Uint8Array([0])).catch((e) => {
      // conmon already exited (a bad option, say): the sync pipe's end tells the story
      log.debug("writing conmon's start byte", { id: req.id, error: errorMessage(e) });
    });
    startPipe.close();
    const msg = await new MessageReader(syncPipe, "sync").next(timeoutMs);
    if (msg === "timeout") {
      timedOut = true;
      throw new OciRuntimeError("generic", `timed out after ${timeoutMs} ms waiting for conmon`);
    }
    const first = await child.status;
    if (first.stderr.trim()) {
      log.debug("conmon output", { id: req.id, stderr: first.stderr.trim() });
    }
    if (msg === null) {
      const why = runcErrorText(first.stderr) || `exit status ${first.code ?? first.signal}`;
      throw new OciRuntimeError("generic", `conmon failed: ${why}`);
    }
    if (msg.data < 0) throw await conmonFailure(opts, ociLogPath(req), msg.message);
    const conmonPid = await readPidFile(conmonPidPath(req));
    if (conmonPid === null) {
      throw new OciRuntimeError("generic", `conmon did not write its pid to ${conmonPidPath(req)}`);
    }
    log.debug("container created", {
      id: req.id,
      pid: msg.data,
      conmonPid,
      ms: Math.round(performance.now() - t0),
    });
    return { pid: msg.data, conmonPid };
  } catch (e) {
    await cleanupFailedCreate(opts, req, child.pid, timedOut ? 0 : CONMON_EXIT_WAIT_MS);
    throw e;
  } finally {
    syncPipe.close();
    startPipe.close();
  }
}
