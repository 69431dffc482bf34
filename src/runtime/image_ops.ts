/**
 * `tag`, `untag`, `rmi`, `image prune`, `image exists`.
 * @module
 */

import { ConflictError, NotFoundError } from "../define/errors.ts";
import { normalizeTagName } from "../image/reference.ts";
import { findImage, findImageAndName, lookupImage } from "./image_lookup.ts";
import type { Runtime } from "./runtime.ts";

/** Gives the image more names (validated before anything changes). */
export function tagImage(rt: Runtime, ref: string, names: string[]): void {
  const img = lookupImage(rt, ref);
  const full = names.map((n) => normalizeTagName(n));
  rt.store.transaction(() => {
    for (const n of full) rt.store.images.addName(img.id, n);
  });
}

/** Removes names from the image; no names removes all of them. */
export function untagImage(rt: Runtime, ref: string, names: string[]): void {
  const img = lookupImage(rt, ref);
  const full = names.length ? names.map((n) => normalizeTagName(n)) : img.names;
  rt.store.transaction(() => {
    for (const n of full) rt.store.images.removeName(img.id, n);
  });
}

/** True when `ref` names a local image. */
export function imageExists(rt: Runtime, ref: string): boolean {
  return findImage(rt, ref) !== null;
}

/** What `rmi` did, in podman's output order. */
export interface RemoveReport {
  untagged: string[];
  deleted: string[];
}

/** Options of {@linkcode removeImages}. */
export interface RemoveImageOptions {
  /** Remove images used by containers (and those containers) and images with several names. */
  force?: boolean;
  /** Remove every image. */
  all?: boolean;
  /** Removes a container (the CLI passes the container removal verb). */
  removeContainer?: (id: string) => Promise<void>;
}

/** `rmi`: untags a name when the image has others, else deletes the image. */
export async function removeImages(
  rt: Runtime,
  refs: string[],
  options: RemoveImageOptions = {},
): Promise<RemoveReport> {
  const report: RemoveReport = { untagged: [], deleted: [] };
  const targets = options.all
    ? rt.store.images.all().map((i) => ({ image: i, name: null as string | null }))
    : refs.map((r) => {
      const hit = findImageAndName(rt, r);
      if (!hit) throw new NotFoundError("image", `${r}: image not known`);
      return hit;
    });
  for (const { image, name } of targets) {
    const cur = rt.store.images.find(image.id);
    if (!cur) continue; // removed earlier in this call
    if (name && cur.names.length > 1) {
      rt.store.transaction(() => rt.store.images.removeName(cur.id, name));
      report.untagged.push(name);
      continue;
    }
    if (!name && cur.names.length > 1 && !options.force && !options.all) {
      throw new ConflictError(
        "image",
        `unable to delete image "${cur.id}" by ID with more than one tag (${
          cur.names.join(", ")
        }): please force removal`,
      );
    }
    const users = rt.store.images.users(cur.id);
    if (users.length && options.force && options.removeContainer) {
      for (const c of users) await options.removeContainer(c);
    } else if (users.length) {
      throw new ConflictError(
        "image",
        `image used by ${
          users.join(", ")
        }: image is in use by a container: consider listing external containers and force-removing image`,
      );
    }
    await rt.store.removeImage(cur.id);
    report.untagged.push(...cur.names);
    report.deleted.push(cur.id);
  }
  return report;
}

/** `image prune`: dangling images (or, with `all`, every unused image); returns deleted IDs. */
export async function pruneImages(rt: Runtime, options: { all?: boolean } = {}): Promise<string[]> {
  const deleted: string[] = [];
  // Removing a child can make its parent prunable: repeat until nothing changes.
  for (let again = true; again;) {
    again = false;
    for (const img of rt.store.images.all()) {
      if (!options.all && img.names.length) continue;
      if (rt.store.images.users(img.id).length) continue;
      try {
        await rt.store.removeImage(img.id);
        deleted.push(img.id);
        again = true;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
  }
  return deleted;
}
