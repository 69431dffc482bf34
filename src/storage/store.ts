/**
 * The storage facade the runtime uses: blobs, layers, images and container root filesystems
 * over one driver and the shared database. Database changes are synchronous and may run inside
 * the caller's transaction (so a container record and its rootfs row commit together); file
 * work happens before (create) or after (remove) the transaction.
 * @module
 */

import { SkiffError } from "../define/errors.ts";
import type { Db, Row } from "../util/sqlite.ts";
import { ensureSchema } from "../util/sqlite_schema.ts";
import { STORAGE_SCHEMA } from "./_schema.ts";
import { BlobStore } from "./blob_store.ts";
import type { Driver } from "./drivers/driver.ts";
import { OverlayDriver } from "./drivers/overlay.ts";
import { VfsDriver } from "./drivers/vfs.ts";
import { type ImageRecord, ImageStore } from "./image_store.ts";
import { type LayerRecord, LayerStore } from "./layer_store.ts";

/** Where the store lives and which driver it uses. */
export interface StoreOptions {
  graphRoot: string;
  runRoot: string;
  driver: string;
}

/** A container's rootfs row. */
export interface ContainerLayerRecord {
  containerId: string;
  imageId: string | null;
  topLayer: string | null;
  driver: string;
  created: number;
}

function makeDriver(name: string, graphRoot: string): Driver {
  if (name === "overlay") return new OverlayDriver(graphRoot);
  if (name === "vfs") return new VfsDriver(graphRoot);
  throw new SkiffError(`unknown storage driver "${name}": choose overlay or vfs`);
}

/** The image and container storage. */
export class Store {
  readonly graphRoot: string;
  readonly runRoot: string;
  readonly driver: Driver;
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  readonly images: ImageStore;
  readonly #db: Db;

  private constructor(db: Db, opts: StoreOptions) {
    this.#db = db;
    this.graphRoot = opts.graphRoot;
    this.runRoot = opts.runRoot;
    this.driver = makeDriver(opts.driver, opts.graphRoot);
    this.blobs = new BlobStore(`${opts.graphRoot}/blobs`);
    this.layers = new LayerStore(db, this.driver, this.blobs);
    this.images = new ImageStore(db);
  }

  /** Opens the store on the shared database, creating its tables and directories. */
  static open(db: Db, opts: StoreOptions): Store {
    ensureSchema(db, STORAGE_SCHEMA);
    Deno.mkdirSync(opts.graphRoot, { recursive: true, mode: 0o700 });
    Deno.mkdirSync(opts.runRoot, { recursive: true, mode: 0o700 });
    return new Store(db, opts);
  }

  /** Runs `fn` in a write transaction of the shared database. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn);
  }

  /** The chain of an image's layers, bottom first. */
  imageChain(image: ImageRecord): LayerRecord[] {
    return this.layers.chain(image.topLayer);
  }

  /**
   * Removes an image row and every layer only it used, inside one transaction, then their
   * files. ConflictError while a container uses the image.
   */
  async removeImage(id: string): Promise<ImageRecord> {
    const { rec, layers } = this.#db.transaction(() => {
      const rec = this.images.deleteRow(id);
      const layers: LayerRecord[] = [];
      for (let l = rec.topLayer; l;) {
        const u = this.layers.users(l);
        if (u.children.length || u.images.length || u.containers.length) break;
        const gone = this.layers.deleteRow(l);
        layers.push(gone);
        l = gone.parent;
      }
      return { rec, layers };
    });
    await this.layers.removeFiles(layers);
    return rec;
  }

  /**
   * Reads a small file (like /etc/passwd) from an image without mounting it: layers are
   * searched top-down, whiteouts respected, and no symlink is ever followed (a path through
   * one reads as missing). Returns null when the file does not exist.
   */
  readImageFile(image: ImageRecord, path: string): Uint8Array | null {
    const parts = path.split("/").filter((p) => p && p !== ".");
    if (parts.includes("..")) return null;
    const chain = this.layers.chain(image.topLayer).reverse();
    const layerDirs = this.driver.name === "vfs" ? chain.slice(0, 1) : chain;
    for (const layer of layerDirs) {
      const root = this.driver.layerDir(layer.id);
      let cur = root;
      let verdict: "missing" | "deleted" | "found" = "found";
      for (const [i, part] of parts.entries()) {
        cur = `${cur}/${part}`;
        let st: Deno.FileInfo;
        try {
          st = Deno.lstatSync(cur);
        } catch {
          verdict = "missing";
          break;
        }
        const last = i === parts.length - 1;
        // overlay whiteout: a 0:0 character device hides the path in lower layers
        if (st.isCharDevice && st.rdev === 0) {
          verdict = "deleted";
          break;
        }
        if ((!last && !st.isDirectory) || (last && !st.isFile)) {
          verdict = st.isSymlink ? "deleted" : "missing";
          break;
        }
      }
      if (verdict === "deleted") return null;
      if (verdict === "found") return Deno.readFileSync(cur);
    }
    return null;
  }

  // --- containers -------------------------------------------------------------------------

  /** The directory holding a container's rootfs and its bundle (`userdata`). */
  containerDir(ctrId: string): string {
    return this.driver.containerDir(ctrId);
  }

  /** The container's bundle directory (config.json, logs, attach socket, ctl FIFO). */
  bundleDir(ctrId: string): string {
    return `${this.driver.containerDir(ctrId)}/userdata`;
  }

  /** The container's run directory on tmpfs (pid files, hosts, resolv.conf …). */
  runDir(ctrId: string): string {
    return `${this.runRoot}/${this.driver.name}-containers/${ctrId}/userdata`;
  }

  /**
   * Creates a container's rootfs files over the image's layers and returns the row to record
   * (with {@linkcode recordContainer}, in the same transaction as the container).
   */
  async createContainerFiles(
    ctrId: string,
    image: ImageRecord | null,
  ): Promise<ContainerLayerRecord> {
    const chain = image ? this.layers.chain(image.topLayer).map((l) => l.id) : [];
    await this.driver.createContainer(ctrId, chain);
    // Until the record commits, this marks the files as ours (see sweepOrphanContainers).
    await Deno.writeTextFile(`${this.driver.containerDir(ctrId)}/.creator`, String(Deno.pid));
    await Deno.mkdir(this.bundleDir(ctrId), { recursive: true, mode: 0o700 });
    await Deno.mkdir(this.runDir(ctrId), { recursive: true, mode: 0o700 });
    return {
      containerId: ctrId,
      imageId: image?.id ?? null,
      topLayer: image?.topLayer ?? null,
      driver: this.driver.name,
      created: Date.now(),
    };
  }

  /** Records a container's rootfs row (call inside the container's transaction). */
  recordContainer(rec: ContainerLayerRecord): void {
    this.#db.run(
      "INSERT INTO ContainerLayer (ContainerID, ImageID, TopLayer, Driver, Created) VALUES (?, ?, ?, ?, ?)",
      rec.containerId,
      rec.imageId,
      rec.topLayer,
      rec.driver,
      rec.created,
    );
  }

  /** The rootfs row of a container, or null. */
  container(ctrId: string): ContainerLayerRecord | null {
    const r: Row | undefined = this.#db.get(
      "SELECT * FROM ContainerLayer WHERE ContainerID = ?",
      ctrId,
    );
    if (!r) return null;
    return {
      containerId: String(r.ContainerID),
      imageId: r.ImageID === null ? null : String(r.ImageID),
      topLayer: r.TopLayer === null ? null : String(r.TopLayer),
      driver: String(r.Driver),
      created: Number(r.Created),
    };
  }

  /** Deletes a container's rootfs row (call inside the removal transaction). */
  forgetContainer(ctrId: string): void {
    this.#db.run("DELETE FROM ContainerLayer WHERE ContainerID = ?", ctrId);
  }

  /** Mounts the container's rootfs and returns its path. */
  async mountContainer(ctrId: string): Promise<string> {
    const rec = this.container(ctrId);
    const chain = rec ? this.layers.chain(rec.topLayer).map((l) => l.id) : [];
    return await this.driver.mount(ctrId, chain);
  }

  /** Unmounts the container's rootfs. */
  unmountContainer(ctrId: string): Promise<void> {
    return this.driver.unmount(ctrId);
  }

  /** Removes a container's files: rootfs, bundle and run dir. */
  async removeContainerFiles(ctrId: string): Promise<void> {
    await this.driver.removeContainer(ctrId);
    const { removeTree } = await import("./drivers/driver.ts");
    await removeTree(this.runDir(ctrId).replace(/\/userdata$/, ""));
  }

  /**
   * Removes container files that no record owns: left by a create killed before its
   * transaction committed. Files whose creator process still runs are left alone.
   */
  async sweepOrphanContainers(): Promise<string[]> {
    const dir = this.driver.containerDir("x").replace(/\/x$/, "");
    const known = new Set(this.containerIds());
    const swept: string[] = [];
    let entries: Deno.DirEntry[] = [];
    try {
      entries = Array.from(Deno.readDirSync(dir));
    } catch {
      return swept;
    }
    for (const e of entries) {
      if (!/^[0-9a-f]{64}$/.test(e.name) || known.has(e.name)) continue;
      let creator = 0;
      try {
        creator = Number(Deno.readTextFileSync(`${dir}/${e.name}/.creator`));
      } catch { /* no marker: nobody is creating it */ }
      if (creator > 0 && creator !== Deno.pid) {
        try {
          Deno.statSync(`/proc/${creator}`);
          continue; // still being created
        } catch { /* creator is gone */ }
      }
      await this.removeContainerFiles(e.name);
      swept.push(e.name);
    }
    return swept;
  }

  /** IDs of containers whose rootfs rows exist (for consistency checks). */
  containerIds(): string[] {
    return this.#db.all("SELECT ContainerID FROM ContainerLayer").map((r) => String(r.ContainerID));
  }
}
