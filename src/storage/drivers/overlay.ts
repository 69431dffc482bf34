/**
 * The overlay driver: each layer is its own diff directory (whiteouts in overlay form); a
 * container's rootfs is a kernel overlay mount of the layers (topmost first) under a private
 * upper and work dir. Layers are reached through short links in `l/` so that the mount option
 * string stays short however many layers an image has.
 * @module
 */

import { isMountPoint, mountOverlay, unmount } from "../../sys/mount.ts";
import {
  type Driver,
  extractToStaging,
  removeTree,
  type StagedLayer,
  stagingName,
} from "./driver.ts";

const LINK_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function shortLink(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(26));
  return Array.from(bytes, (b) => LINK_CHARS[b % LINK_CHARS.length]).join("");
}

/** The overlay driver rooted at `<graph root>`. */
export class OverlayDriver implements Driver {
  readonly name = "overlay" as const;
  readonly #home: string;
  readonly #containers: string;

  constructor(graphRoot: string) {
    this.#home = `${graphRoot}/overlay`;
    this.#containers = `${graphRoot}/overlay-containers`;
  }

  layerDir(id: string): string {
    return `${this.#home}/${id}/diff`;
  }

  hasLayer(id: string): boolean {
    try {
      return Deno.statSync(`${this.#home}/${id}/link`).isFile;
    } catch {
      return false;
    }
  }

  stageLayer(
    _parent: string | null,
    blobPath: string,
    expect: { diffId?: string; blobDigest?: string },
    onProgress?: (bytes: number) => void,
  ): Promise<StagedLayer> {
    return extractToStaging(`${this.#home}/tmp`, "diff", "overlay", {
      blobPath,
      expect,
      onProgress,
    });
  }

  async commitLayer(staging: string, id: string): Promise<boolean> {
    if (this.hasLayer(id)) {
      await removeTree(staging);
      return false;
    }
    const link = shortLink();
    await Deno.writeTextFile(`${staging}/link`, link);
    try {
      await Deno.rename(staging, `${this.#home}/${id}`);
    } catch (e) {
      // Another process committed the same layer first: keep theirs.
      await removeTree(staging);
      if (this.hasLayer(id)) return false;
      throw e;
    }
    await Deno.mkdir(`${this.#home}/l`, { recursive: true, mode: 0o700 });
    await Deno.symlink(`../${id}/diff`, `${this.#home}/l/${link}`);
    return true;
  }

  discard(staging: string): Promise<void> {
    return removeTree(staging);
  }

  async removeLayer(id: string): Promise<void> {
    try {
      const link = (await Deno.readTextFile(`${this.#home}/${id}/link`)).trim();
      if (/^[A-Z0-9]+$/.test(link)) await Deno.remove(`${this.#home}/l/${link}`).catch(() => {});
    } catch { /* no link: nothing to remove */ }
    // Rename first so that a half-removed layer is never mistaken for a whole one.
    const doomed = stagingName(`${this.#home}/tmp`);
    await Deno.mkdir(`${this.#home}/tmp`, { recursive: true, mode: 0o700 });
    try {
      await Deno.rename(`${this.#home}/${id}`, doomed);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    await removeTree(doomed);
  }

  containerDir(ctrId: string): string {
    return `${this.#containers}/${ctrId}`;
  }

  async createContainer(ctrId: string, _chain: string[]): Promise<void> {
    const dir = this.containerDir(ctrId);
    await Deno.mkdir(this.#containers, { recursive: true, mode: 0o700 });
    await Deno.mkdir(dir, { mode: 0o700 });
    for (const sub of ["upper", "work", "merged", "empty"]) {
      await Deno.mkdir(`${dir}/${sub}`, { mode: 0o755 });
    }
  }

  async mount(ctrId: string, chain: string[]): Promise<string> {
    const dir = this.containerDir(ctrId);
    const target = `${dir}/merged`;
    if (isMountPoint(target)) return target;
    const lower: string[] = [];
    for (const id of [...chain].reverse()) {
      const link = (await Deno.readTextFile(`${this.#home}/${id}/link`)).trim();
      lower.push(`l/${link}`);
    }
    // overlay needs at least one lower dir; an image without layers gets an empty one
    if (lower.length === 0) lower.push(`${dir}/empty`);
    await mountOverlay({
      lower,
      upper: `${dir}/upper`,
      work: `${dir}/work`,
      target,
      cwd: this.#home,
    });
    return target;
  }

  async unmount(ctrId: string): Promise<void> {
    await unmount(`${this.containerDir(ctrId)}/merged`);
  }

  isMounted(ctrId: string): boolean {
    return isMountPoint(`${this.containerDir(ctrId)}/merged`);
  }

  changesDir(ctrId: string): string {
    return `${this.containerDir(ctrId)}/upper`;
  }

  async removeContainer(ctrId: string): Promise<void> {
    await this.unmount(ctrId);
    await removeTree(this.containerDir(ctrId));
  }
}
