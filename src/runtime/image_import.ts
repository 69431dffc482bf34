/**
 * `import`: a root filesystem tarball (a file, `-` for stdin, or a directory) becomes a
 * one-layer image with a config built from `--change` instructions and `--message`.
 * @module
 */

import { UsageError } from "../define/errors.ts";
import { applyChanges } from "../image/changes.ts";
import type { ImageConfig } from "../image/image_config.ts";
import { normalizeTagName } from "../image/reference.ts";
import { removeTree } from "../storage/mod.ts";
import { runCommand, toolEnv } from "../sys/command.ts";
import { goArch } from "../sys/host_info.ts";
import type { ImageProgress } from "./image_store_archive.ts";
import type { Runtime } from "./runtime.ts";
import { sha256Hex } from "../util/digest.ts";

/** Options of {@linkcode importImage}. */
export interface ImportOptions {
  reference?: string;
  changes?: string[];
  message?: string;
  progress?: ImageProgress;
}

/** Spools the source into `blob`: copies a file or stdin, tars a directory. */
async function spool(source: string | ReadableStream<Uint8Array>, blob: string): Promise<void> {
  if (typeof source !== "string") {
    const f = await Deno.open(blob, { write: true, createNew: true, mode: 0o600 });
    await source.pipeTo(f.writable);
    return;
  }
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(source);
  } catch (e) {
    throw new UsageError(`opening ${source}: ${(e as Error).message}`);
  }
  if (st.isDirectory) {
    await runCommand(
      ["tar", "--numeric-owner", "--xattrs", "-C", source, "-cf", blob, "."],
      toolEnv(),
    );
  } else {
    await Deno.copyFile(source, blob);
  }
}

/** Imports a tarball as a new image; returns its ID (hex). */
export async function importImage(
  rt: Runtime,
  source: string | ReadableStream<Uint8Array>,
  options: ImportOptions = {},
): Promise<string> {
  // Validate everything the user typed before touching the store.
  const name = options.reference ? normalizeTagName(options.reference) : null;
  const runtimeConfig = applyChanges({}, options.changes ?? []);
  const work = `${rt.store.graphRoot}/tmp/import-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(work, { recursive: true, mode: 0o700 });
  let layerId: string | null = null;
  let created = false;
  try {
    await spool(source, `${work}/blob`);
    const before = rt.store.layers.all().map((l) => l.id);
    options.progress?.onStep?.("Copying blob");
    const layer = await rt.store.layers.create({
      blobPath: `${work}/blob`,
      parent: null,
      keepBlob: "move",
      ...(options.progress?.onBytes ? { onProgress: options.progress.onBytes } : {}),
    });
    layerId = layer.id;
    created = !before.includes(layer.id);
    const now = new Date().toISOString();
    const config: ImageConfig = {
      created: now,
      architecture: goArch(),
      os: "linux",
      config: runtimeConfig,
      rootfs: { type: "layers", diff_ids: [layer.diffId] },
      history: [{
        created: now,
        created_by: `/bin/sh -c #(nop) ADD file:${layer.diffId.slice(7)} in /`,
        ...(options.message ? { comment: options.message } : {}),
      }],
    };
    const bytes = new TextEncoder().encode(JSON.stringify(config));
    const id = await sha256Hex(bytes);
    options.progress?.onStep?.(`Copying config sha256:${id}`);
    rt.store.transaction(() =>
      rt.store.images.put({
        id,
        topLayer: layer.id,
        config: new TextDecoder().decode(bytes),
        manifest: null,
        digest: null,
        created: now,
        loaded: Date.now(),
        size: layer.size + bytes.length,
      }, name ? [name] : [])
    );
    return id;
  } catch (e) {
    if (created && layerId) {
      const gone = rt.store.transaction(() => rt.store.layers.deleteRow(layerId!));
      await rt.store.layers.removeFiles([gone]).catch(() => {});
    }
    throw e;
  } finally {
    await removeTree(work);
  }
}
