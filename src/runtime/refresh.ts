/**
 * After a reboot (no alive file in the tmp dir): every object's state is reset and every lock
 * number in use is marked allocated again in the fresh segment, so numbers are never handed out
 * twice (the seed forgot this: podman #2900). No lock is taken here — locks are not valid
 * until the refresh is done, and the alive-file lock keeps other processes out.
 * @module
 */

import { LockError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import type { Runtime } from "./runtime.ts";

/** Resets state after a reboot and re-marks lock numbers. */
export async function refreshAfterReboot(rt: Runtime): Promise<void> {
  const { state, locks, store } = rt;
  const ns = rt.config.runtime.namespace;
  state.setNamespace(""); // refresh covers every namespace
  try {
    // CNI leases and cached results live on disk and survive the reboot: DEL them first.
    const { teardownAfterReboot } = await import("./container_network.ts");
    await teardownAfterReboot(rt, state.allContainers());
    state.refresh();
    const claim = (what: string, id: number, reassign: (n: number) => void) => {
      try {
        locks.allocateGiven(id);
      } catch (e) {
        if (!(e instanceof LockError) || e.code !== "EEXIST") throw e;
        // Two objects shared a number (podman #9663): give this one a fresh number.
        const fresh = locks.allocate().id;
        log.warn(`${what} shared lock ${id} with another object: moved it to lock ${fresh}`);
        reassign(fresh);
      }
    };
    for (const c of state.allContainers()) {
      claim(
        `container ${c.config.id}`,
        c.config.lockId,
        (n) => state.rewriteContainerConfig({ ...c.config, lockId: n }),
      );
      await Deno.mkdir(store.runDir(c.config.id), { recursive: true, mode: 0o700 });
    }
    for (const p of state.allPods()) {
      claim(
        `pod ${p.config.id}`,
        p.config.lockId,
        (n) => state.rewritePodConfig({ ...p.config, lockId: n }),
      );
    }
    for (const v of state.allVolumes()) {
      claim(
        `volume ${v.config.name}`,
        v.config.lockId,
        (n) => state.rewriteVolumeConfig({ ...v.config, lockId: n }),
      );
    }
    log.debug("refreshed state after a reboot", { containers: state.allContainers().length });
  } finally {
    state.setNamespace(ns);
  }
}
