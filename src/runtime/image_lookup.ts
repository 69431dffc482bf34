/**
 * Finding a local image by name, short name, ID or ID prefix, as podman does: the qualified
 * candidates of a short name first (localhost/, the search registries, docker.io), then the
 * input as an ID prefix.
 * @module
 */

import { loadRegistriesConf } from "../config/mod.ts";
import { ConflictError, NotFoundError } from "../define/errors.ts";
import { isFullId, localCandidates, looksLikeId } from "../image/reference.ts";
import type { ImageRecord } from "../storage/mod.ts";
import type { Runtime } from "./runtime.ts";

/** The image `nameOrId` refers to; NotFoundError (`X: image not known`) otherwise. */
export function lookupImage(rt: Runtime, nameOrId: string): ImageRecord {
  const found = findImage(rt, nameOrId);
  if (!found) throw new NotFoundError("image", `${nameOrId}: image not known`);
  return found;
}

/** Like {@linkcode lookupImage} but null when there is none. */
export function findImage(rt: Runtime, nameOrId: string): ImageRecord | null {
  return findImageAndName(rt, nameOrId)?.image ?? null;
}

/**
 * The image `nameOrId` refers to and the stored name it matched (null when it matched by
 * ID), or null when nothing matches.
 */
export function findImageAndName(
  rt: Runtime,
  nameOrId: string,
): { image: ImageRecord; name: string | null } | null {
  const images = rt.store.images;
  const id = nameOrId.replace(/^sha256:/, "");
  if (isFullId(nameOrId)) {
    const image = images.find(id);
    return image ? { image, name: null } : null;
  }
  const search = loadRegistriesConf(Deno.env.toObject()).search;
  for (const name of [...localCandidates(nameOrId, search), nameOrId]) {
    const image = images.byName(name);
    if (image) return { image, name };
  }
  const image = findByPrefixOrSuffix(rt, nameOrId, id);
  return image ? { image, name: null } : null;
}

function findByPrefixOrSuffix(rt: Runtime, nameOrId: string, id: string): ImageRecord | null {
  const images = rt.store.images;
  if (looksLikeId(nameOrId)) {
    const ids = images.idsByPrefix(id, 2);
    if (ids.length > 1) {
      throw new ConflictError(
        "image",
        `more than one image matches "${nameOrId}": give more of its ID`,
      );
    }
    if (ids[0]) return images.find(ids[0]);
  }
  // Short names match any registry when there is exactly one such image (podman's last resort).
  if (!nameOrId.includes("/")) {
    const want = nameOrId.includes(":") ? nameOrId : `${nameOrId}:latest`;
    const hits = images.all().filter((i) => i.names.some((n) => n.endsWith(`/${want}`)));
    if (hits.length === 1) return hits[0]!;
  }
  return null;
}
