/**
 * `skiff system renumber`: free every lock and hand one new number to each container, pod and
 * volume, in that order (as podman does), rewriting their configs in one transaction.
 * @module
 */

import type { Runtime } from "./runtime.ts";

/** Reallocates every object's lock. Runs during open, under the alive-file lock. */
export function renumberLocks(rt: Runtime): { containers: number; pods: number; volumes: number } {
  const { state, locks } = rt;
  const ns = rt.config.runtime.namespace;
  state.setNamespace("");
  try {
    locks.freeAll();
    const ctrs = state.allContainers();
    const pods = state.allPods();
    const vols = state.allVolumes();
    state.transaction(() => {
      for (const c of ctrs) {
        state.rewriteContainerConfig({ ...c.config, lockId: locks.allocate().id });
      }
      for (const p of pods) state.rewritePodConfig({ ...p.config, lockId: locks.allocate().id });
      for (const v of vols) state.rewriteVolumeConfig({ ...v.config, lockId: locks.allocate().id });
    });
    return { containers: ctrs.length, pods: pods.length, volumes: vols.length };
  } finally {
    state.setNamespace(ns);
  }
}
