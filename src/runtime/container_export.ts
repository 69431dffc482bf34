/**
 * `export CONTAINER`: the container's merged root filesystem as a tar archive (GNU tar of the
 * mounted rootfs: numeric owners, names sorted, no `./` prefix, no whiteouts). A container that
 * is not running is mounted for the export and unmounted afterwards.
 * @module
 */

import { withMountedRootfs } from "./_ops_rootfs.ts";
import { createTar } from "./_ops_tar.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

/** Writes the rootfs of `idOrName` as a tar to `out` (which is left open). */
export function exportContainer(
  rt: Runtime,
  idOrName: string,
  out: WritableStream<Uint8Array>,
): Promise<void> {
  return withContainer(rt, idOrName, (rec) =>
    withMountedRootfs(rt, rec, async (rootfs) => {
      const names = Array.from(Deno.readDirSync(rootfs), (e) => e.name).sort();
      const tar = createTar(rootfs, names, { what: `exporting container ${rec.config.id}` });
      await tar.stream.pipeTo(out, { preventClose: true });
      await tar.done;
    }));
}
