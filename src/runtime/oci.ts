/**
 * The OCI runtime (conmon + runc) of an open Runtime, made on first use so that commands that
 * never touch a container never pay for it.
 * @module
 */

import { ConmonRuntime, type OciRuntime } from "../oci/oci_runtime.ts";
import { logLevel } from "../util/logger.ts";
import type { Runtime } from "./runtime.ts";

const cache = new WeakMap<Runtime, OciRuntime>();

/** Environment the exit command needs to reach the same store (passed through conmon). */
function passEnv(rt: Runtime): Record<string, string> {
  const env: Record<string, string> = {};
  for (
    const k of [
      "SKIFF_LOCK_SEGMENT",
      "XDG_RUNTIME_DIR",
      "XDG_CONFIG_HOME",
      "XDG_DATA_HOME",
      "CONTAINERS_REGISTRIES_CONF",
      "TMPDIR",
    ]
  ) {
    const v = Deno.env.get(k);
    if (v !== undefined) env[k] = v;
  }
  if (rt.config.rootless) env._SKIFF_ROOTLESS_UID = String(rt.config.uid);
  return env;
}

/** The conmon-supervised runc of `rt`. */
export function ociRuntime(rt: Runtime): OciRuntime {
  let oci = cache.get(rt);
  if (!oci) {
    const cfg = rt.config.runtime;
    oci = new ConmonRuntime({
      conmonPath: rt.conmonPath,
      runtimePath: rt.ociRuntime.path,
      runtimeName: rt.ociRuntime.name,
      conmonEnv: cfg.conmonEnvVars,
      passEnv: passEnv(rt),
      cgroupManager: cfg.cgroupManager === "systemd" ? "systemd" : "cgroupfs",
      logLevel: logLevel(),
      noPivot: cfg.noPivotRoot,
    });
    cache.set(rt, oci);
  }
  return oci;
}
