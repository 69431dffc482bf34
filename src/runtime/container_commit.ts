/**
 * `commit CONTAINER [IMAGE]`: a new image made of the container's image layers plus one layer
 * of the container's changes (overlay whiteouts become OCI `.wh.` entries, opaque directories
 * `.wh..wh..opq`). Its config is the image's with the container's settings (environment,
 * command, entrypoint, user, working directory, labels, published ports) and then the
 * `--change` instructions; a history entry records the message and author. The layer blob is
 * kept, as `import` keeps its own, so that `save` can write the image.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { SkiffError } from "../define/errors.ts";
import { applyChanges } from "../image/changes.ts";
import {
  type ImageConfig,
  type ImageRuntimeConfig,
  normalizeTagName,
  parseImageConfig,
  TarWriter,
} from "../image/mod.ts";
import { containerChanges } from "../storage/container_changes.ts";
import { removeTree } from "../storage/mod.ts";
import { log } from "../util/logger.ts";
import { containerEnv } from "../oci/spec.ts";
import { createTar } from "./_ops_tar.ts";
import { isLive } from "./_ops_rootfs.ts";
import { withContainer } from "./container_lock.ts";
import type { ImageProgress } from "./image_store_archive.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";
import { sha256Hex } from "../util/digest.ts";

/** Options of {@linkcode commitContainer}. */
export interface CommitOptions {
  /** The new image's name; none makes a `<none>` image. */
  reference?: string;
  /** Dockerfile instructions applied to the config (CMD, ENV, LABEL …). */
  changes?: string[];
  /** The commit message, recorded in the new history entry. */
  message?: string;
  /** The author, recorded in the config and the history entry. */
  author?: string;
  /** Freeze a running container while its changes are read. @default false */
  pause?: boolean;
  /** Declare the container's volumes as image volumes. @default false */
  includeVolumes?: boolean;
  progress?: ImageProgress;
}

/** Files the runtime puts into every container: never part of a committed layer. */
const RUNTIME_FILES = new Set([
  "/etc/hostname",
  "/etc/hosts",
  "/etc/resolv.conf",
  "/run/.containerenv",
  "/run/secrets",
  "/run/notify",
  "/etc/mtab",
]);

/** Writes the layer tar of the container's changes to `blob`. */
async function writeLayer(rt: Runtime, id: string, blob: string): Promise<void> {
  const set = containerChanges(rt.store, id);
  const changes = set.changes.filter((c) => !RUNTIME_FILES.has(c.path));
  const opaque = new Set(set.opaque);
  const file = await Deno.open(blob, { write: true, createNew: true, mode: 0o600 });
  const writer = file.writable.getWriter();
  try {
    // Whiteouts first: they delete lower paths, and nothing of this layer exists yet.
    const tar = new TarWriter(writer);
    for (const c of changes) {
      if (c.kind !== "D") continue;
      const slash = c.path.lastIndexOf("/");
      const dir = c.path.slice(1, slash + 1);
      const name = c.path.slice(slash + 1);
      const marker = opaque.has(c.path) ? `${c.path.slice(1)}/.wh..wh..opq` : `${dir}.wh.${name}`;
      await tar.add({ name: marker, type: "file", size: 0, mode: 0o644 });
    }
    const names = changes.filter((c) => c.kind !== "D" || opaque.has(c.path))
      .map((c) => c.path.slice(1));
    const out = createTar(set.contentDir, names, {
      noRecursion: true,
      sort: false,
      what: `committing container ${id}`,
    });
    for await (const chunk of out.stream) {
      await writer.ready;
      await writer.write(chunk);
    }
    await out.done;
    await writer.close();
  } catch (e) {
    await writer.abort().catch(() => {});
    throw e;
  }
}

/** The image config of the commit: the image's, the container's settings, the changes. */
function commitConfig(
  rec: ContainerRecord,
  base: ImageConfig,
  options: CommitOptions,
  diffId: string,
  imageName: string,
  now: string,
): ImageConfig {
  const { config } = rec;
  const run: ImageRuntimeConfig = { ...(base.config ?? {}) };
  run.Env = [...containerEnv(config, run)].map(([k, v]) => `${k}=${v}`);
  if (config.command.length) run.Cmd = [...config.command];
  if (config.entrypoint !== null) {
    run.Entrypoint = [...config.entrypoint];
    if (!config.command.length) run.Cmd = null;
  }
  if (config.user) run.User = config.user;
  if (config.workdir) run.WorkingDir = config.workdir;
  if (Object.keys(config.labels).length) run.Labels = { ...(run.Labels ?? {}), ...config.labels };
  if (config.network.ports.length) {
    const ports = { ...(run.ExposedPorts ?? {}) };
    for (const p of config.network.ports) ports[`${p.containerPort}/${p.protocol}`] = {};
    run.ExposedPorts = ports;
  }
  if (options.includeVolumes) {
    const vols = { ...(run.Volumes ?? {}) };
    for (const m of config.mounts) if (m.type === "volume") vols[m.destination] = {};
    run.Volumes = vols;
  }
  applyChanges(run, options.changes ?? []);
  const out: ImageConfig = {
    created: now,
    ...(options.author ? { author: options.author } : {}),
    architecture: base.architecture,
    os: base.os,
    ...(base.variant ? { variant: base.variant } : {}),
    config: run,
    rootfs: { type: "layers", diff_ids: [...base.rootfs.diff_ids, diffId] },
    history: [
      ...(base.history ?? []),
      {
        created: now,
        created_by: "/bin/sh",
        ...(options.author ? { author: options.author } : {}),
        comment: options.message ?? `FROM ${imageName}`,
      },
    ],
  };
  return out;
}

/** Commits the container `idOrName` as a new image; returns the image ID (hex). */
export function commitContainer(
  rt: Runtime,
  idOrName: string,
  options: CommitOptions = {},
): Promise<string> {
  // What the user typed is checked before anything is touched.
  const name = options.reference ? normalizeTagName(options.reference) : null;
  applyChanges({}, options.changes ?? []);
  return withContainer(rt, idOrName, async (rec) => {
    const id = rec.config.id;
    const image = rt.store.images.get(rec.config.image.id);
    const base = parseImageConfig(new TextEncoder().encode(image.config));
    const progress = options.progress ?? {};
    const work = `${rt.store.graphRoot}/tmp/commit-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.mkdir(work, { recursive: true, mode: 0o700 });
    let layerId: string | null = null;
    let created = false;
    const pause = (options.pause ?? false) && isLive(rec) && rec.state.status === "running";
    try {
      progress.onStep?.("Getting image source signatures");
      if (pause) await ociRuntime(rt).pause(id);
      try {
        await writeLayer(rt, id, `${work}/layer.tar`);
      } finally {
        if (pause) {
          await ociRuntime(rt).resume(id).catch((e) =>
            log.warn(`resuming container ${id} after the commit: ${(e as Error).message}`)
          );
        }
      }
      const before = new Set(rt.store.layers.all().map((l) => l.id));
      for (const l of rt.store.imageChain(image)) {
        progress.onStep?.(`Copying blob ${l.blobDigest ?? l.diffId}`);
      }
      const layer = await rt.store.layers.create({
        blobPath: `${work}/layer.tar`,
        parent: image.topLayer,
        keepBlob: "move",
      });
      layerId = layer.id;
      created = !before.has(layer.id);
      progress.onStep?.(`Copying blob ${layer.blobDigest ?? layer.diffId}`);
      const now = new Date().toISOString();
      const config = commitConfig(rec, base, options, layer.diffId, rec.config.image.name, now);
      const bytes = new TextEncoder().encode(JSON.stringify(config));
      const imageId = await sha256Hex(bytes);
      progress.onStep?.(`Copying config sha256:${imageId}`);
      progress.onStep?.("Writing manifest to image destination");
      progress.onStep?.("Storing signatures");
      const size = rt.store.layers.chain(layer.id).reduce((n, l) => n + l.size, 0);
      rt.store.transaction(() =>
        rt.store.images.put({
          id: imageId,
          topLayer: layer.id,
          config: new TextDecoder().decode(bytes),
          manifest: null,
          digest: null,
          created: now,
          loaded: Date.now(),
          size: size + bytes.length,
        }, name ? [name] : [])
      );
      return imageId;
    } catch (e) {
      if (created && layerId) {
        const gone = rt.store.transaction(() => rt.store.layers.deleteRow(layerId!));
        await rt.store.layers.removeFiles([gone]).catch(() => {});
      }
      if (e instanceof SkiffError) throw e;
      throw new SkiffError(`committing container ${id}: ${(e as Error).message}`, { cause: e });
    } finally {
      await removeTree(work);
    }
  });
}
