/**
 * `run` and `start --attach`: attach to the container's output before `runc start`, pump
 * stdin with `-i`, wait for the exit code without holding the lock, and honour `--rm`.
 * @module
 */

import type { AttachHandlers, AttachStreams } from "../oci/oci_runtime.ts";
import { log } from "../util/logger.ts";
import { createContainer, type CreateOptions } from "./container_create.ts";
import { containerPaths } from "./container_paths.ts";
import { removeContainer } from "./container_remove.ts";
import { startContainer } from "./container_start.ts";
import { waitContainer } from "./container_wait.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** Where a foreground container's streams go. */
export interface RunStreams extends AttachHandlers {
  /** Our stdin, forwarded with `-i`; EOF closes the container's stdin. */
  stdin?: ReadableStream<Uint8Array>;
}

/** The outcome of a run or an attached start. */
export interface RunResult {
  id: string;
  /** The container's exit code (foreground only). */
  exitCode?: number;
}

async function pumpStdin(session: AttachStreams, stdin: ReadableStream<Uint8Array>): Promise<void> {
  try {
    for await (const chunk of stdin) await session.write(chunk);
  } catch (e) {
    log.debug(`forwarding stdin stopped: ${(e as Error).message}`);
  }
  await session.closeStdin().catch(() => {});
}

/** Starts `idOrName` attached to `streams`; resolves with the exit code once it has exited. */
export async function startAttached(
  rt: Runtime,
  idOrName: string,
  streams: RunStreams,
  options: { interactive?: boolean } = {},
): Promise<RunResult> {
  let session: AttachStreams | undefined;
  const rec = await startContainer(rt, idOrName, async (r) => {
    session = await ociRuntime(rt).attach(containerPaths(rt, r.config.id).bundle, streams, {
      stdin: !!options.interactive,
    });
  });
  const id = rec.config.id;
  if (session) {
    if (options.interactive && streams.stdin) void pumpStdin(session, streams.stdin);
    await session.done.catch((e) => log.debug(`attach ended: ${e.message}`));
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
    if (opts.autoRemove) await removeContainer(rt, id, { force: true, ignoreMissing: true });
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
