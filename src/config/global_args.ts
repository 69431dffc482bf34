/** Global flags as argv again, for the skiff processes skiff starts (conmon's exit command). */

import type { GlobalFlags } from "./load.ts";

/**
 * Replays the flags exactly as given: a child that resolves them with the same files and
 * environment reaches the same configuration (replaying resolved paths would not, when a file
 * sets static_dir apart from the graph root).
 */
export function globalFlagsToArgs(g: GlobalFlags): string[] {
  const out: string[] = [];
  const add = (flag: string, v: string | undefined) => {
    if (v !== undefined) out.push(`--${flag}`, v);
  };
  add("config", g.config);
  add("root", g.root);
  add("runroot", g.runroot);
  add("storage-driver", g.storageDriver);
  add("runtime", g.runtime);
  add("conmon", g.conmon);
  add("cgroup-manager", g.cgroupManager);
  add("tmpdir", g.tmpdir);
  add("cni-config-dir", g.cniConfigDir);
  for (const h of g.hooksDir ?? []) add("hooks-dir", h);
  add("namespace", g.namespace);
  add("log-level", g.logLevel);
  return out;
}
