/**
 * Image rows: ID (the config digest), the exact config bytes, the top layer, and names. A name
 * belongs to one image at a time; giving it to another image takes it away from the first,
 * which then shows as `<none>` like in podman.
 * @module
 */

import { ConflictError, NotFoundError } from "../define/errors.ts";
import type { Db, Row } from "../util/sqlite.ts";

/** A stored image. */
export interface ImageRecord {
  /** sha256 hex of the config bytes. */
  id: string;
  /** Full names (`localhost/busybox:latest`), oldest first. */
  names: string[];
  topLayer: string | null;
  /** The config JSON exactly as received. */
  config: string;
  manifest: string | null;
  digest: string | null;
  /** The image's own creation time (from its config). */
  created: string;
  /** When it entered this store (unix ms). */
  loaded: number;
  /** Sum of its layers' uncompressed sizes. */
  size: number;
}

/** Image rows in the shared database. */
export class ImageStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  #names(id: string): string[] {
    return this.#db.all("SELECT Name FROM ImageName WHERE ImageID = ? ORDER BY Position", id)
      .map((r) => String(r.Name));
  }

  #record(r: Row): ImageRecord {
    return {
      id: String(r.ID),
      names: this.#names(String(r.ID)),
      topLayer: r.TopLayer === null ? null : String(r.TopLayer),
      config: String(r.Config),
      manifest: r.Manifest === null ? null : String(r.Manifest),
      digest: r.Digest === null ? null : String(r.Digest),
      created: String(r.Created),
      loaded: Number(r.Loaded),
      size: Number(r.Size),
    };
  }

  /** The image with full ID `id`, or null. */
  find(id: string): ImageRecord | null {
    const r = this.#db.get("SELECT * FROM Image WHERE ID = ?", id);
    return r ? this.#record(r) : null;
  }

  /** The image with full ID `id`; NotFoundError otherwise. */
  get(id: string): ImageRecord {
    const i = this.find(id);
    if (!i) throw new NotFoundError("image", `${id}: image not known`);
    return i;
  }

  /** The image carrying exactly `name`, or null. */
  byName(name: string): ImageRecord | null {
    const r = this.#db.get("SELECT ImageID FROM ImageName WHERE Name = ?", name);
    return r ? this.find(String(r.ImageID)) : null;
  }

  /** IDs starting with `prefix` (lowercase hex), at most `limit`. */
  idsByPrefix(prefix: string, limit = 2): string[] {
    const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.#db.all(
      "SELECT ID FROM Image WHERE ID LIKE ? ESCAPE '\\' LIMIT ?",
      `${escaped}%`,
      limit,
    )
      .map((r) => String(r.ID));
  }

  /** The image with this manifest digest, or null. */
  byDigest(digest: string): ImageRecord | null {
    const r = this.#db.get("SELECT * FROM Image WHERE Digest = ?", digest);
    return r ? this.#record(r) : null;
  }

  /** Every image, newest first. */
  all(): ImageRecord[] {
    return this.#db.all("SELECT * FROM Image ORDER BY Loaded DESC").map((r) => this.#record(r));
  }

  /** Number of images. */
  count(): number {
    return Number(this.#db.get("SELECT count(*) AS n FROM Image")?.n ?? 0);
  }

  /**
   * Adds an image, or, when it exists, adds the new names to it (a reload keeps its ID).
   * Call inside a transaction together with the layer rows it needs.
   */
  put(rec: Omit<ImageRecord, "names">, names: string[]): ImageRecord {
    if (!this.find(rec.id)) {
      this.#db.run(
        "INSERT INTO Image (ID, TopLayer, Config, Manifest, Digest, Created, Loaded, Size)" +
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rec.id,
        rec.topLayer,
        rec.config,
        rec.manifest,
        rec.digest,
        rec.created,
        rec.loaded,
        rec.size,
      );
    }
    for (const n of names) this.addName(rec.id, n);
    return this.get(rec.id);
  }

  /** Gives `name` to image `id`, taking it from any other image. */
  addName(id: string, name: string): void {
    const cur = this.#db.get("SELECT ImageID FROM ImageName WHERE Name = ?", name);
    if (cur && String(cur.ImageID) === id) return;
    if (cur) this.#db.run("DELETE FROM ImageName WHERE Name = ?", name);
    const pos = Number(
      this.#db.get(
        "SELECT coalesce(max(Position), -1) + 1 AS p FROM ImageName WHERE ImageID = ?",
        id,
      )?.p ?? 0,
    );
    this.#db.run("INSERT INTO ImageName (Name, ImageID, Position) VALUES (?, ?, ?)", name, id, pos);
  }

  /** Removes `name` from image `id`; NotFoundError when the image does not carry it. */
  removeName(id: string, name: string): void {
    if (this.#db.run("DELETE FROM ImageName WHERE Name = ? AND ImageID = ?", name, id) === 0) {
      throw new NotFoundError("image", `${name}: tag not known`);
    }
  }

  /** Containers created from the image. */
  users(id: string): string[] {
    return this.#db.all("SELECT ContainerID FROM ContainerLayer WHERE ImageID = ?", id)
      .map((r) => String(r.ContainerID));
  }

  /** Deletes an unused image row (and its names); ConflictError while containers use it. */
  deleteRow(id: string): ImageRecord {
    const rec = this.get(id);
    const users = this.users(id);
    if (users.length) {
      throw new ConflictError(
        "image",
        `image used by ${users.join(", ")}: image is in use by a container: consider listing` +
          " external containers and force-removing image",
      );
    }
    this.#db.run("DELETE FROM Image WHERE ID = ?", id);
    return rec;
  }
}
