/** `skiff info`: host, store, registries and version facts, shaped like podman's JSON. */

import { loadRegistriesConf } from "../config/mod.ts";
import {
  binaryFacts,
  cgroupInfo,
  distribution,
  goArch,
  kernelVersion,
  memInfo,
  uptime,
} from "../sys/host_info.ts";
import type { Runtime } from "./runtime.ts";
import { versionInfo } from "./version_info.ts";

/** Gathers everything `skiff info` prints. */
export async function runtimeInfo(rt: Runtime): Promise<Record<string, unknown>> {
  const cfg = rt.config;
  const [conmon, oci] = await Promise.all([
    binaryFacts(rt.conmonPath),
    binaryFacts(rt.ociRuntime.path),
  ]);
  const cg = cgroupInfo();
  const mem = memInfo();
  const registries = loadRegistriesConf(Deno.env.toObject());
  const regs: Record<string, unknown> = { ...registries.registries };
  if (registries.search.length) regs.search = registries.search;
  const counts = await rt.storeCounts();
  return {
    host: {
      arch: goArch(),
      cgroupControllers: cg.controllers,
      cgroupManager: cfg.runtime.cgroupManager,
      cgroupVersion: cg.version,
      conmon: { package: conmon.package, path: rt.conmonPath, version: conmon.version },
      cpus: navigator.hardwareConcurrency,
      distribution: distribution(),
      hostname: Deno.hostname(),
      kernel: kernelVersion(),
      memFree: mem.memFree,
      memTotal: mem.memTotal,
      ociRuntime: {
        name: rt.ociRuntime.name,
        package: oci.package,
        path: rt.ociRuntime.path,
        version: oci.version,
      },
      os: Deno.build.os,
      rootless: cfg.rootless,
      swapFree: mem.swapFree,
      swapTotal: mem.swapTotal,
      uptime: uptime(),
    },
    store: {
      configFile: cfg.configFile ?? "",
      containerStore: counts.containers,
      graphDriverName: cfg.storage.graphDriver,
      graphOptions: {},
      graphRoot: cfg.storage.graphRoot,
      imageStore: { number: counts.images },
      lockSegment: counts.locks,
      runRoot: cfg.storage.runRoot,
      staticDir: cfg.runtime.staticDir,
      tmpDir: cfg.runtime.tmpDir,
      volumePath: cfg.runtime.volumePath,
    },
    registries: regs,
    version: versionInfo(),
  };
}
