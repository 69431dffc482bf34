/**
 * Content-addressed blobs (`<graph root>/blobs/sha256/<hex>`): layer blobs kept as they were
 * received, so that `save` writes them back byte for byte and image IDs survive a round trip.
 * @module
 */

import { SkiffError } from "../define/errors.ts";

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** The hex part of a `sha256:<hex>` digest; throws on anything else. */
export function digestHex(digest: string): string {
  const m = DIGEST.exec(digest);
  if (!m) throw new SkiffError(`invalid digest "${digest}": expected sha256:<64 hex digits>`);
  return m[1]!;
}

/** A directory of blobs named by digest. */
export class BlobStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  /** The path of a blob (which may not exist). */
  path(digest: string): string {
    return `${this.root}/sha256/${digestHex(digest)}`;
  }

  /** True when the blob is stored. */
  has(digest: string): boolean {
    try {
      return Deno.statSync(this.path(digest)).isFile;
    } catch {
      return false;
    }
  }

  /**
   * Stores the file at `src` under `digest` (the caller verified it). Moves it when `move` and
   * it is on the same filesystem, else copies; a concurrent writer of the same blob is harmless.
   */
  async put(src: string, digest: string, move = false): Promise<void> {
    const dest = this.path(digest);
    if (this.has(digest)) {
      if (move) await Deno.remove(src).catch(() => {});
      return;
    }
    await Deno.mkdir(`${this.root}/sha256`, { recursive: true, mode: 0o700 });
    const tmp = `${dest}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    if (move) {
      try {
        await Deno.rename(src, tmp);
      } catch {
        await Deno.copyFile(src, tmp);
        await Deno.remove(src).catch(() => {});
      }
    } else {
      await Deno.copyFile(src, tmp);
    }
    await Deno.chmod(tmp, 0o600);
    await Deno.rename(tmp, dest);
  }

  /** Removes a blob; a missing one is fine. */
  async remove(digest: string): Promise<void> {
    await Deno.remove(this.path(digest)).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}
