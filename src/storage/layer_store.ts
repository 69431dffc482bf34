/**
 * Layers: content-addressed by chain ID, extracted once and shared by every image that uses
 * them. A layer becomes visible only after its files were committed under its ID and its row
 * was written, so a crash mid-extraction leaves only a staging directory that the next
 * extraction clears.
 * @module
 */

import { ConflictError, NotFoundError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import type { Db, Row } from "../util/sqlite.ts";
import type { BlobStore } from "./blob_store.ts";
import type { Driver } from "./drivers/driver.ts";
import { sha256Hex } from "../util/digest.ts";

/** A stored layer. */
export interface LayerRecord {
  /** Chain ID (hex). */
  id: string;
  parent: string | null;
  diffId: string;
  blobDigest: string | null;
  compression: "none" | "gzip" | "zstd";
  compressedSize: number;
  /** Uncompressed size in bytes. */
  size: number;
  driver: string;
  created: number;
}

/** What to turn into a layer. */
export interface NewLayer {
  blobPath: string;
  parent: string | null;
  /** The diff ID from the image config, verified during extraction when given. */
  diffId?: string;
  /** The blob digest from the manifest, verified when given. */
  blobDigest?: string;
  /** Keep the blob in the blob store: "move" it there (same filesystem) or "copy" it. */
  keepBlob?: "move" | "copy" | "none";
  onProgress?: (bytes: number) => void;
}

/** The chain ID of a layer with `diffId` on top of the layer with chain ID `parent`. */
export async function chainId(parent: string | null, diffId: string): Promise<string> {
  if (!parent) return diffId.replace(/^sha256:/, "");
  return await sha256Hex(`sha256:${parent} ${diffId}`);
}

function toRecord(r: Row): LayerRecord {
  return {
    id: String(r.ID),
    parent: r.Parent === null ? null : String(r.Parent),
    diffId: String(r.DiffID),
    blobDigest: r.BlobDigest === null ? null : String(r.BlobDigest),
    compression: String(r.Compression) as LayerRecord["compression"],
    compressedSize: Number(r.CompressedSize),
    size: Number(r.Size),
    driver: String(r.Driver),
    created: Number(r.Created),
  };
}

/** Layer rows plus their files. */
export class LayerStore {
  readonly #db: Db;
  readonly #driver: Driver;
  readonly #blobs: BlobStore;

  constructor(db: Db, driver: Driver, blobs: BlobStore) {
    this.#db = db;
    this.#driver = driver;
    this.#blobs = blobs;
  }

  /** The layer with chain ID `id`, or null. */
  find(id: string): LayerRecord | null {
    const r = this.#db.get("SELECT * FROM Layer WHERE ID = ?", id);
    return r ? toRecord(r) : null;
  }

  /** The layer with chain ID `id`; NotFoundError otherwise. */
  get(id: string): LayerRecord {
    const l = this.find(id);
    if (!l) throw new NotFoundError("layer", `layer ${id} not known: no such layer`);
    return l;
  }

  /** Every layer. */
  all(): LayerRecord[] {
    return this.#db.all("SELECT * FROM Layer ORDER BY Created").map(toRecord);
  }

  /** The chain ending at `top`, bottom layer first. */
  chain(top: string | null): LayerRecord[] {
    const out: LayerRecord[] = [];
    for (let id = top; id;) {
      const l = this.get(id);
      out.unshift(l);
      id = l.parent;
    }
    return out;
  }

  /** Creates (or reuses) the layer for a blob on top of `parent`. */
  async create(input: NewLayer): Promise<LayerRecord> {
    if (input.diffId) {
      const id = await chainId(input.parent, input.diffId);
      const existing = this.find(id);
      if (existing && this.#driver.hasLayer(id)) {
        await this.#keepBlob(input, existing.blobDigest);
        return existing;
      }
      if (!existing && this.#driver.hasLayer(id)) {
        // Files committed but the row never written (killed in between): start over.
        await this.#driver.removeLayer(id);
      }
    }
    const parentRec = input.parent ? this.get(input.parent) : null;
    const staged = await this.#driver.stageLayer(
      parentRec?.id ?? null,
      input.blobPath,
      {
        ...(input.diffId ? { diffId: input.diffId } : {}),
        ...(input.blobDigest ? { blobDigest: input.blobDigest } : {}),
      },
      input.onProgress,
    );
    const r = staged.result;
    const id = await chainId(input.parent, r.diffId);
    try {
      await this.#driver.commitLayer(staged.staging, id);
    } catch (e) {
      await this.#driver.discard(staged.staging);
      throw e;
    }
    const compression = await this.#compressionOf(input.blobPath);
    const kept = await this.#keepBlob(input, r.blobDigest);
    const rec: LayerRecord = {
      id,
      parent: input.parent,
      diffId: r.diffId,
      blobDigest: kept ? r.blobDigest : null,
      compression,
      compressedSize: r.compressedSize,
      size: r.uncompressedSize,
      driver: this.#driver.name,
      created: Date.now(),
    };
    this.#db.run(
      "INSERT OR IGNORE INTO Layer (ID, Parent, DiffID, BlobDigest, Compression, CompressedSize," +
        " Size, Driver, Created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      rec.id,
      rec.parent,
      rec.diffId,
      rec.blobDigest,
      rec.compression,
      rec.compressedSize,
      rec.size,
      rec.driver,
      rec.created,
    );
    log.debug("layer ready", { id, diffId: r.diffId, size: r.uncompressedSize });
    return this.get(id);
  }

  async #compressionOf(path: string): Promise<LayerRecord["compression"]> {
    const f = await Deno.open(path);
    try {
      const head = new Uint8Array(4);
      const n = (await f.read(head)) ?? 0;
      if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
      if (n >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
        return "zstd";
      }
      return "none";
    } finally {
      f.close();
    }
  }

  async #keepBlob(input: NewLayer, digest: string | null): Promise<boolean> {
    const mode = input.keepBlob ?? "none";
    if (mode === "none" || !digest) return false;
    await this.#blobs.put(input.blobPath, digest, mode === "move");
    return true;
  }

  /**
   * The layer's uncompressed tar stream, read from its stored blob (decompressed on the fly),
   * for `save` and `push`. NotFoundError when the blob was not kept.
   */
  openDiff(id: string): ReadableStream<Uint8Array> {
    const rec = this.get(id);
    if (!rec.blobDigest || !this.#blobs.has(rec.blobDigest)) {
      throw new NotFoundError("layer", `layer ${id} has no stored blob to export`);
    }
    const path = this.#blobs.path(rec.blobDigest);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      const f = await Deno.open(path);
      try {
        for (;;) {
          const buf = new Uint8Array(1 << 20);
          const n = await f.read(buf);
          if (n === null) return;
          yield buf.subarray(0, n);
        }
      } finally {
        f.close();
      }
    }
    const compression = rec.compression;
    async function* plain(): AsyncGenerator<Uint8Array> {
      const { decompress } = await import("./_decompress.ts");
      yield* decompress(compression, chunks());
    }
    return ReadableStream.from(plain());
  }

  /** IDs of what keeps a layer alive: child layers, images, containers. */
  users(id: string): { children: string[]; images: string[]; containers: string[] } {
    const col = (sql: string) => this.#db.all(sql, id).map((r) => String(Object.values(r)[0]));
    return {
      children: col("SELECT ID FROM Layer WHERE Parent = ?"),
      images: col("SELECT ID FROM Image WHERE TopLayer = ?"),
      containers: col("SELECT ContainerID FROM ContainerLayer WHERE TopLayer = ?"),
    };
  }

  /**
   * Deletes the row of an unused layer (in the caller's transaction); ConflictError when
   * something still uses it. The files go with {@linkcode removeFiles} after the commit.
   */
  deleteRow(id: string): LayerRecord {
    const rec = this.get(id);
    const u = this.users(id);
    if (u.children.length || u.images.length || u.containers.length) {
      throw new ConflictError(
        "layer",
        `layer ${id} is in use by ${
          [
            ...u.children.map((c) => `layer ${c}`),
            ...u.images.map((i) => `image ${i}`),
            ...u.containers.map((c) => `container ${c}`),
          ].join(", ")
        }`,
      );
    }
    this.#db.run("DELETE FROM Layer WHERE ID = ?", id);
    return rec;
  }

  /** Removes the files (and blob, unless another layer shares it) of deleted layer rows. */
  async removeFiles(recs: LayerRecord[]): Promise<void> {
    for (const rec of recs) {
      await this.#driver.removeLayer(rec.id);
      if (rec.blobDigest) {
        const shared = this.#db.get(
          "SELECT 1 AS x FROM Layer WHERE BlobDigest = ?",
          rec.blobDigest,
        );
        if (!shared) await this.#blobs.remove(rec.blobDigest);
      }
    }
  }
}
