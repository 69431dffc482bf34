/**
 * The vfs driver: every layer is a full snapshot (its parent copied, then the layer applied),
 * and a container's rootfs is a full copy of its image's top snapshot. Slow and large, but it
 * needs no kernel support and works rootless.
 * @module
 */

import { runCommand } from "../../sys/command.ts";
import {
  type Driver,
  extractToStaging,
  removeTree,
  type StagedLayer,
  stagingName,
} from "./driver.ts";

/** Copies a tree preserving everything (owners, modes, links, xattrs, devices). */
async function copyTree(src: string, dest: string): Promise<void> {
  await runCommand(["cp", "-a", "--reflink=auto", "--", src, dest]);
}

/** The vfs driver rooted at `<graph root>`. */
export class VfsDriver implements Driver {
  readonly name = "vfs" as const;
  readonly #home: string;
  readonly #containers: string;

  constructor(graphRoot: string) {
    this.#home = `${graphRoot}/vfs`;
    this.#containers = `${graphRoot}/vfs-containers`;
  }

  layerDir(id: string): string {
    return `${this.#home}/dir/${id}`;
  }

  hasLayer(id: string): boolean {
    try {
      return Deno.statSync(this.layerDir(id)).isDirectory;
    } catch {
      return false;
    }
  }

  stageLayer(
    parent: string | null,
    blobPath: string,
    expect: { diffId?: string; blobDigest?: string },
    onProgress?: (bytes: number) => void,
  ): Promise<StagedLayer> {
    return extractToStaging(
      `${this.#home}/tmp`,
      "layer",
      "keep",
      { blobPath, expect, onProgress },
      async (staging, result) => {
        if (parent) {
          await copyTree(this.layerDir(parent), `${staging}/snapshot`);
          const { applyLayer } = await import("../_apply_layer.ts");
          await applyLayer(
            `${staging}/layer`,
            `${staging}/snapshot`,
            result.whiteouts,
            result.opaqueDirs,
          );
          await removeTree(`${staging}/layer`);
        } else {
          // A base layer is its own snapshot; only the whiteout markers must go.
          await removeWhiteoutFiles(`${staging}/layer`, result.whiteouts, result.opaqueDirs);
          await Deno.rename(`${staging}/layer`, `${staging}/snapshot`);
        }
      },
    );
  }

  async commitLayer(staging: string, id: string): Promise<boolean> {
    if (this.hasLayer(id)) {
      await removeTree(staging);
      return false;
    }
    await Deno.mkdir(`${this.#home}/dir`, { recursive: true, mode: 0o700 });
    try {
      await Deno.rename(`${staging}/snapshot`, this.layerDir(id));
    } catch (e) {
      await removeTree(staging);
      if (this.hasLayer(id)) return false;
      throw e;
    }
    await removeTree(staging);
    return true;
  }

  discard(staging: string): Promise<void> {
    return removeTree(staging);
  }

  async removeLayer(id: string): Promise<void> {
    await Deno.mkdir(`${this.#home}/tmp`, { recursive: true, mode: 0o700 });
    const doomed = stagingName(`${this.#home}/tmp`);
    try {
      await Deno.rename(this.layerDir(id), doomed);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    await removeTree(doomed);
  }

  containerDir(ctrId: string): string {
    return `${this.#containers}/${ctrId}`;
  }

  async createContainer(ctrId: string, chain: string[]): Promise<void> {
    const dir = this.containerDir(ctrId);
    await Deno.mkdir(this.#containers, { recursive: true, mode: 0o700 });
    await Deno.mkdir(dir, { mode: 0o700 });
    const top = chain[chain.length - 1];
    if (top) await copyTree(this.layerDir(top), `${dir}/rootfs`);
    else await Deno.mkdir(`${dir}/rootfs`, { mode: 0o755 });
  }

  mount(ctrId: string, _chain: string[]): Promise<string> {
    return Promise.resolve(`${this.containerDir(ctrId)}/rootfs`);
  }

  unmount(_ctrId: string): Promise<void> {
    return Promise.resolve();
  }

  isMounted(ctrId: string): boolean {
    try {
      return Deno.statSync(`${this.containerDir(ctrId)}/rootfs`).isDirectory;
    } catch {
      return false;
    }
  }

  changesDir(ctrId: string): string {
    return `${this.containerDir(ctrId)}/rootfs`;
  }

  async removeContainer(ctrId: string): Promise<void> {
    await removeTree(this.containerDir(ctrId));
  }
}

async function removeWhiteoutFiles(root: string, whiteouts: string[], opaque: string[]) {
  for (const path of whiteouts) {
    const slash = path.lastIndexOf("/");
    const marker = slash < 0
      ? `.wh.${path}`
      : `${path.slice(0, slash)}/.wh.${path.slice(slash + 1)}`;
    await Deno.remove(`${root}/${marker}`).catch(() => {});
  }
  for (const dir of opaque) {
    await Deno.remove(`${root}/${dir === "." ? "" : dir + "/"}.wh..wh..opq`).catch(() => {});
  }
}
