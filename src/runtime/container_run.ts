/**
 * `run` and `start --attach`: attach to the container's output before `runc start` (and set its
 * pty's size, with `-t`), forward stdin with `-i` while watching for the detach keys, wait for
 * the exit code without holding the lock, and honour `--rm`. Detaching leaves the container
 * running (its exit command still removes it later with `--rm`).
 * @module
 */

import type { AttachStreams } from "../oci/oci_runtime.ts";
import { log } from "../util/logger.ts";
import {
  type AttachIO,
  containerTarget,
  driveSession,
  initialResize,
  OutputGuard,
  type SessionTarget,
} from "./container_attach.ts";
import { createContainer, type CreateOptions } from "./container_create.ts";
import { containerPaths } from "./container_paths.ts";
import { removeContainer } from "./container_remove.ts";
import { startContainer } from "./container_start.ts";
import { waitContainer } from "./container_wait.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** Where a foreground container's streams go (see {@linkcode AttachIO}). */
export type RunStreams = AttachIO;

/** The outcome of a run or an attached start. */
export interface RunResult {
  id: string;
  /** The container's exit code (foreground, not detached). */
  exitCode?: number;
  /** The detach keys ended the session; the container is still running. */
  detached?: boolean;
}

/**
 * Starts `idOrName` attached to `streams`; resolves with the exit code once it has exited, or
 * `detached` when the detach keys were typed. A container that is already running is attached
 * to as it is (podman's `start -a` does the same).
 */
export async function startAttached(
  rt: Runtime,
  idOrName: string,
  streams: RunStreams,
  options: { interactive?: boolean } = {},
): Promise<RunResult> {
  let session: AttachStreams | undefined;
  let target: SessionTarget | undefined;
  const output = new OutputGuard(streams);
  const connect = async (id: string, tty: boolean, interactive: boolean) => {
    const bundle = containerPaths(rt, id).bundle;
    const stdin = !!options.interactive && interactive;
    session = await ociRuntime(rt).attach(bundle, output, { stdin });
    output.bind(session);
    target = containerTarget(rt, id, bundle, { tty, stdin });
    if (tty) await initialResize(target, streams.size);
  };
  const rec = await startContainer(rt, idOrName, async (r) => {
    await connect(r.config.id, r.config.tty, r.config.interactive);
  });
  const id = rec.config.id;
  if (!session && rec.state.status === "running") {
    await connect(id, rec.config.tty, rec.config.interactive).catch((e) =>
      log.debug(`attaching to running container ${id}: ${e.message}`)
    );
  }
  if (session && target) {
    if (await driveSession(session, streams, target, output)) return { id, detached: true };
  }
  const exitCode = await waitContainer(rt, id);
  return { id, exitCode };
}

/** `run`: create, then start detached or attached; `--rm` removes it after it exits. */
export async function runContainer(
  rt: Runtime,
  opts: CreateOptions,
  mode: { detach: true } | { detach: false; streams: RunStreams },
): Promise<RunResult> {
  const rec = await createContainer(rt, opts);
  const id = rec.config.id;
  try {
    if (mode.detach) {
      await startContainer(rt, id);
      return { id };
    }
    const result = await startAttached(rt, id, mode.streams, { interactive: opts.interactive });
    if (opts.autoRemove && !result.detached) {
      await removeContainer(rt, id, { force: true, ignoreMissing: true });
    }
    return result;
  } catch (e) {
    if (opts.autoRemove) {
      await removeContainer(rt, id, { force: true, ignoreMissing: true }).catch((e2) =>
        log.warn(`removing container ${id}: ${e2.message}`)
      );
    }
    throw e;
  }
}
