/** Version facts shared by `info` and `version` (kept light: `version` loads nothing else). */

import { buildInfo, VERSION } from "../define/version.ts";
import { goArch } from "../sys/host_info.ts";

/** Version facts shared by `info` and `version`. */
export function versionInfo(): Record<string, unknown> {
  const b = buildInfo();
  return {
    Version: VERSION,
    DenoVersion: Deno.version.deno,
    V8Version: Deno.version.v8,
    TypeScriptVersion: Deno.version.typescript,
    GitCommit: b.gitCommit,
    BuiltTime: b.built ? new Date(b.built * 1000).toUTCString() : "not built (source checkout)",
    Built: b.built,
    OsArch: `${Deno.build.os}/${goArch()}`,
    Os: Deno.build.os,
  };
}
