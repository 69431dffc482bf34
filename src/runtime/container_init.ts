/**
 * `init`: mount the rootfs, set up the network, write the spec and generated files, and have
 * conmon run `runc create`. The container then exists in runc but has not started. Callers
 * hold the container's lock; on failure everything this step did is undone.
 * @module
 */

import { globalFlagsToArgs } from "../config/mod.ts";
import type { ContainerRecord } from "../define/container.ts";
import { canInit } from "../define/container_status.ts";
import { StateError } from "../define/errors.ts";
import { atomicWrite } from "../util/atomic_write.ts";
import { log, logLevel } from "../util/logger.ts";
import { writeContainerFiles } from "./container_files.ts";
import { setupNetwork, teardownNetwork } from "./container_network.ts";
import { containerPaths, selfArgv } from "./container_paths.ts";
import { buildSpec } from "./container_spec.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

/** The exit command conmon runs when the container exits: `skiff … container cleanup ID`. */
export function exitCommand(rt: Runtime, rec: ContainerRecord): string[] {
  const flags = { ...rt.config.flags, logLevel: logLevel() === "warning" ? "warn" : logLevel() };
  return [
    ...selfArgv(),
    ...globalFlagsToArgs(flags),
    "container",
    "cleanup",
    ...(rec.config.autoRemove ? ["--rm"] : []),
    rec.config.id,
  ];
}

async function removeStale(paths: string[]): Promise<void> {
  for (const p of paths) await Deno.remove(p).catch(() => {});
}

/** Initialises the container (status configured/exited/stopped → created). Lock held. */
export async function initUnlocked(rt: Runtime, rec: ContainerRecord): Promise<void> {
  const { config, state } = rec;
  if (!canInit(state.status)) {
    throw new StateError(
      `container ${config.id} has already been created in runtime: container state improper`,
    );
  }
  const id = config.id;
  const paths = containerPaths(rt, id);
  const image = rt.store.images.get(config.image.id);
  const rootfs = await rt.store.mountContainer(id);
  let networked = false;
  let net: Awaited<ReturnType<typeof setupNetwork>> = {};
  try {
    net = await setupNetwork(rt, rec);
    networked = true;
    await writeContainerFiles(rt, rec, net.ip);
    const spec = await buildSpec(rt, rec, {
      image,
      rootfs,
      ...(net.netnsPath ? { netnsPath: net.netnsPath } : {}),
    });
    await Deno.mkdir(paths.bundle, { recursive: true, mode: 0o700 });
    await atomicWrite(paths.configJson, JSON.stringify(spec, null, 2), {
      mode: 0o600,
      sync: false,
    });
    await Deno.mkdir(paths.exitDir, { recursive: true, mode: 0o700 });
    await Deno.mkdir(paths.socketDir, { recursive: true, mode: 0o700 });
    // A previous run's files would confuse conmon (attach socket in use) and our exit check.
    await removeStale([
      `${paths.exitDir}/${id}`,
      `${paths.bundle}/attach`,
      `${paths.bundle}/ctl`,
      `${paths.bundle}/winsz`,
      `${paths.runDir}/oci-log`,
      paths.pidFile,
      `${paths.runDir}/conmon.pid`,
    ]);
    const created = await ociRuntime(rt).create({
      id,
      name: config.name,
      bundle: paths.bundle,
      runDir: paths.runDir,
      exitDir: paths.exitDir,
      logPath: paths.logPath,
      maxLogSize: rt.config.runtime.maxLogSize,
      terminal: config.tty,
      stdin: config.interactive,
      exitCommand: exitCommand(rt, rec),
      ...(net.portFds?.length ? { extraFds: net.portFds } : {}),
    });
    // conmon holds the reserved ports now; ours are no longer needed
    net.closePorts?.();
    Object.assign(state, {
      status: "created",
      pid: created.pid,
      conmonPid: created.conmonPid,
      mounted: true,
      mountPoint: rootfs,
      netNs: net.netnsPath ?? null,
      exited: false,
      exitCode: 0,
      oomKilled: false,
      error: "",
    });
    rt.state.saveContainer(id, state);
    log.debug("container created in runtime", { id, pid: created.pid, conmon: created.conmonPid });
  } catch (e) {
    net.closePorts?.();
    if (networked) await teardownNetwork(rt, rec).catch(() => {});
    await rt.store.unmountContainer(id).catch(() => {});
    state.mounted = false;
    state.mountPoint = "";
    state.error = (e as Error).message;
    rt.state.saveContainer(id, state);
    throw e;
  }
}
