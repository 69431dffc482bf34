/** `rename`, `container prune` and `logs`. */

import type { ContainerRecord } from "../define/container.ts";
import { canRemove } from "../define/container_status.ts";
import { NotFoundError, UsageError } from "../define/errors.ts";
import { type LogLine, readLogs, type ReadLogsOptions } from "../oci/oci_runtime.ts";
import { log } from "../util/logger.ts";
import { withContainer } from "./container_lock.ts";
import { containerPaths } from "./container_paths.ts";
import { removeContainer } from "./container_remove.ts";
import { waitContainer } from "./container_wait.ts";
import type { Runtime } from "./runtime.ts";

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** `rename OLD NEW`. */
export function renameContainer(rt: Runtime, idOrName: string, name: string): Promise<string> {
  if (!NAME_RE.test(name)) {
    throw new UsageError(`names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid name "${name}"`);
  }
  return withContainer(rt, idOrName, (rec: ContainerRecord) => {
    rt.state.rewriteContainerConfig({ ...rec.config, name });
    return Promise.resolve(rec.config.id);
  });
}

/** `container prune`: removes every container that is not running; returns their IDs. */
export async function pruneContainers(rt: Runtime): Promise<string[]> {
  const removed: string[] = [];
  for (const rec of rt.state.allContainers()) {
    if (!canRemove(rec.state.status) && rec.state.status !== "exited") continue;
    try {
      removed.push(await removeContainer(rt, rec.config.id));
    } catch (e) {
      if (!(e instanceof NotFoundError)) {
        log.warn(`pruning ${rec.config.id}: ${(e as Error).message}`);
      }
    }
  }
  return removed;
}

/** `logs`: the container's log lines; with `follow`, until the container exits. */
export async function* containerLogs(
  rt: Runtime,
  idOrName: string,
  options: Omit<ReadLogsOptions, "stopWhen"> = {},
): AsyncGenerator<LogLine> {
  const rec = rt.state.lookupContainer(idOrName);
  const path = containerPaths(rt, rec.config.id).logPath;
  const opts: ReadLogsOptions = { ...options };
  if (options.follow) {
    // stop following once the container has exited (or was removed)
    opts.stopWhen = waitContainer(rt, rec.config.id).then(() => {}, () => {});
  }
  try {
    yield* readLogs(path, opts);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return; // never started: no log yet
    throw e;
  }
}
