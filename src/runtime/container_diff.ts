/**
 * `diff CONTAINER|IMAGE`: the paths a container changed in its image, or an image's top layer
 * changed over its parent, in podman's order. Like podman, the files the runtime itself puts
 * into every container (`/etc/hosts`, `/etc/resolv.conf`, `/run/.containerenv` …) are left out.
 * @module
 */

import { NotFoundError } from "../define/errors.ts";
import { type Change, containerChanges, layerChanges } from "../storage/container_changes.ts";
import { findImage } from "./image_lookup.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

export type { Change, ChangeKind } from "../storage/container_changes.ts";

/** Mount points and files the runtime creates in each container (podman `initInodes`). */
const INIT_INODES = new Set([
  "/dev",
  "/etc/hostname",
  "/etc/hosts",
  "/etc/resolv.conf",
  "/proc",
  "/run",
  "/run/notify",
  "/run/.containerenv",
  "/run/secrets",
  "/sys",
  "/etc/mtab",
]);

/** The changes of the container or image `nameOrId`; a container wins over an image. */
export async function diffObject(rt: Runtime, nameOrId: string): Promise<Change[]> {
  let changes: Change[] | null = null;
  try {
    changes = await withContainer(
      rt,
      nameOrId,
      (rec) => Promise.resolve(containerChanges(rt.store, rec.config.id).changes),
    );
  } catch (e) {
    if (!(e instanceof NotFoundError) || e.kind !== "container") throw e;
  }
  if (changes === null) {
    const image = findImage(rt, nameOrId);
    if (!image) throw new NotFoundError("layer", `${nameOrId} not found: layer not known`);
    changes = image.topLayer ? layerChanges(rt.store, image.topLayer).changes : [];
  }
  return changes.filter((c) => !INIT_INODES.has(c.path));
}
