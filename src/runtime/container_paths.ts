/**
 * Where a container's files live: the bundle (config.json, log, attach socket, ctl FIFO) under
 * the graph root, the run dir (pid files, hosts, resolv.conf) under the run root, and the exit
 * files and attach socket links under the tmp dir.
 * @module
 */

import type { Runtime } from "./runtime.ts";

/** The paths of one container. */
export interface ContainerPaths {
  bundle: string;
  runDir: string;
  exitDir: string;
  socketDir: string;
  logPath: string;
  configJson: string;
  /** Where conmon writes the container's pid. */
  pidFile: string;
}

/** The paths of container `id`. */
export function containerPaths(rt: Runtime, id: string): ContainerPaths {
  const bundle = rt.store.bundleDir(id);
  const runDir = rt.store.runDir(id);
  const tmp = rt.config.runtime.tmpDir;
  return {
    bundle,
    runDir,
    exitDir: `${tmp}/exits`,
    socketDir: `${tmp}/socket`,
    logPath: `${bundle}/ctr.log`,
    configJson: `${bundle}/config.json`,
    pidFile: `${runDir}/pidfile`,
  };
}

/**
 * The argv that runs this skiff again (conmon's exit command): the compiled binary, or
 * `deno run` with the permission set on this checkout.
 */
export function selfArgv(): string[] {
  if (Deno.build.standalone) return [Deno.execPath()];
  const root = new URL("../../", import.meta.url).pathname;
  return [
    Deno.execPath(),
    "run",
    "-P",
    "--quiet",
    "--no-prompt",
    "--config",
    `${root}deno.json`,
    `${root}main.ts`,
  ];
}
