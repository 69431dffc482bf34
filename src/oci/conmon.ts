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
import { processAlive, signalProcess } from "../sys/process.ts";
import { type ChildPipe, spawnWithFds } from "../sys/spawn_fds.ts";
import { Runc, runcErrorText, runtimeError } from "./runc.ts";
import type { Created, CreateRequest, OciRuntimeOptions } from "./oci_runtime.ts";

/** podman's `define.ContainerCreateTimeout`: how long conmon may take to report the pid. */
export const CREATE_TIMEOUT_MS = 240_000;
/** After a failure, how long conmon gets to exit on its own before it is killed. */
const CONMON_EXIT_WAIT_MS = 50;
const SIGKILL = 9;

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
  const args = [
    "--api-version",
    "1",
    "-c",
    req.id,
    "-u",
    req.id,
    "-r",
    opts.runtimePath,
    "-b",
    req.bundle,
    "-p",
    `${req.runDir}/pidfile`,
    "-n",
    req.name,
    "--exit-dir",
    req.exitDir,
    "--full-attach",
  ];
  // runc's global flags go before the verb conmon adds, like podman's --runtime-flag
  if (opts.runcRoot) args.push("--runtime-arg", "--root", "--runtime-arg", opts.runcRoot);
  if (opts.cgroupManager === "systemd") args.push("-s");
  args.push("-l", `k8s-file:${req.logPath}`, "--log-level", opts.logLevel);
  if (req.maxLogSize > 0) args.push("--log-size-max", String(req.maxLogSize));
  args.push(
    "--runtime-arg",
    "--log-format=json",
    "--runtime-arg",
    "--log",
    `--runtime-arg=${ociLogPath(req)}`,
  );
  if (req.terminal) args.push("-t");
  else if (req.stdin) args.push("-i");
  args.push("--conmon-pidfile", conmonPidPath(req));
  if (opts.noPivot) args.push("--no-pivot");
  const [command, ...commandArgs] = req.exitCommand;
  if (command !== undefined) {
    args.push("--exit-command", command);
    for (const a of commandArgs) args.push("--exit-command-arg", a);
  }
  return args;
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
  const env: Record<string, string> = {};
  for (const kv of opts.conmonEnv) {
    const eq = kv.indexOf("=");
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
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

/** One message from conmon's sync pipe. */
interface SyncMessage {
  data: number;
  message?: string;
}

/** Reads one newline-terminated JSON message; null if the pipe ends first. */
async function readSyncMessage(
  pipe: ChildPipe,
  timeoutMs: number,
): Promise<SyncMessage | null | "timeout"> {
  let text = "";
  const decoder = new TextDecoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), timeoutMs));
  try {
    while (!text.includes("\n")) {
      const chunk = await Promise.race([pipe.read(), timeout]);
      if (chunk === "timeout") return chunk;
      if (chunk === null) return null;
      text += decoder.decode(chunk, { stream: true });
    }
  } finally {
    clearTimeout(timer);
  }
  const line = text.slice(0, text.indexOf("\n"));
  let v: { data?: unknown; pid?: unknown; message?: unknown };
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new OciRuntimeError(
      "generic",
      `parsing conmon's sync message ${JSON.stringify(line)}: ${e}`,
    );
  }
  // without --api-version conmon says "pid"; accept both
  const data = typeof v.data === "number" ? v.data : v.pid;
  if (typeof data !== "number") {
    throw new OciRuntimeError(
      "generic",
      `conmon's sync message has no pid: ${JSON.stringify(line)}`,
    );
  }
  return { data, ...(typeof v.message === "string" ? { message: v.message } : {}) };
}

/** The runtime's error as podman prefers it: the JSON log runc wrote, else conmon's message. */
async function creationError(
  opts: OciRuntimeOptions,
  req: CreateRequest,
  message: string | undefined,
): Promise<OciRuntimeError> {
  let text = "";
  try {
    text = runcErrorText(await Deno.readTextFile(ociLogPath(req)));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  text ||= message?.trim() ?? "";
  return runtimeError(opts.runtimeName, text || "conmon reported a failure without a message");
}

async function readPid(path: string): Promise<number | null> {
  try {
    const pid = Number((await Deno.readTextFile(path)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
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
  const conmonPid = await readPid(conmonPidPath(req)).catch(() => null);
  for (const pid of conmonPid === null ? [spawnedPid] : [spawnedPid, conmonPid]) {
    const deadline = Date.now() + graceMs;
    while (processAlive(pid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (processAlive(pid)) {
      log.debug("killing conmon after a failed create", { id: req.id, pid });
      signalProcess(pid, SIGKILL);
    }
  }
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
  const argv = [opts.conmonPath, ...buildConmonArgs(opts, req)];
  const env = buildConmonEnv(opts, { env: Deno.env.toObject(), uid: Deno.uid() ?? 0 });
  const t0 = performance.now();
  let child;
  try {
    child = await spawnWithFds(argv, {
      env,
      pipes: 2,
      fds: req.extraFds ?? [],
      // conmon 2.1.6 creates its "oom" file in its working directory: keep it in the run dir
      cwd: req.runDir,
    });
  } catch (e) {
    throw new OciRuntimeError("generic", `starting conmon ${opts.conmonPath}: ${errorMessage(e)}`, {
      cause: e,
    });
  }
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
    const msg = await readSyncMessage(syncPipe, timeoutMs);
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
    if (msg.data < 0) throw await creationError(opts, req, msg.message);
    const conmonPid = await readPid(conmonPidPath(req));
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
