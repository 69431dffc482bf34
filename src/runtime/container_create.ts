/**
 * `create`: a container defined from an image. Everything the user typed is validated first
 * (name, image, user, ulimits, capabilities, command) by building the spec once; only then are
 * a lock, the rootfs files and the record created — the record and its rootfs row in one
 * transaction — and each is undone if a later step fails.
 * @module
 */

import {
  type ContainerConfig,
  type ContainerRecord,
  initialContainerState,
} from "../define/container.ts";
import { ConflictError, NotFoundError, UsageError } from "../define/errors.ts";
import { parseImageConfig } from "../image/image_config.ts";
import { newId } from "../util/ids.ts";
import { parseSignal } from "./signals.ts";
import { log } from "../util/logger.ts";
import { buildSpec } from "./container_spec.ts";
import { assignHostPorts } from "./container_network.ts";
import { networkBackend } from "./network.ts";
import { findImageAndName } from "./image_lookup.ts";
import { generateName } from "./names.ts";
import type { Runtime } from "./runtime.ts";

/** What `create`/`run` take: a container config without the generated fields. */
export type CreateOptions =
  & Omit<
    ContainerConfig,
    | "id"
    | "name"
    | "lockId"
    | "createdAt"
    | "image"
    | "pod"
    | "namespace"
    | "stopSignal"
    | "stopTimeout"
  >
  & { image: string; name?: string; stopSignal?: number; stopTimeout?: number };

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** True when `name` is used by a container or pod, as a name or an ID prefix. */
function taken(rt: Runtime, name: string): boolean {
  for (const look of [() => rt.state.lookupContainer(name), () => rt.state.lookupPod(name)]) {
    try {
      look();
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) continue;
      if (e instanceof ConflictError) return true; // ambiguous prefix: certainly taken
      throw e;
    }
  }
  return false;
}

/** The ID of the container named exactly `name`, or null. */
function namedContainer(rt: Runtime, name: string): string | null {
  try {
    const c = rt.state.lookupContainer(name);
    return c.config.name === name ? c.config.id : null;
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof ConflictError) return null;
    throw e;
  }
}

/**
 * Checks the networks exist and gives `-p PORT` and `-P` their host ports now, so that the
 * config (and `port`) says which they are.
 */
async function resolveNetwork(
  rt: Runtime,
  net: CreateOptions["network"],
  exposed: Record<string, unknown>,
): Promise<CreateOptions["network"]> {
  if (net.mode !== "bridge") return net;
  const backend = networkBackend(rt);
  await backend.ensureDefault();
  for (const n of net.networks) await backend.find(n);
  const ports = [...net.ports];
  if (net.publishAll) {
    for (const key of Object.keys(exposed)) {
      const [port, proto = "tcp"] = key.split("/");
      if (!ports.some((p) => p.containerPort === Number(port) && p.protocol === proto)) {
        ports.push({
          hostIp: "",
          hostPort: 0,
          containerPort: Number(port),
          protocol: proto === "udp" ? "udp" : "tcp",
        });
      }
    }
  }
  return { ...net, ports: assignHostPorts(ports) };
}

/** Creates a container record and its rootfs; returns the record (status "configured"). */
export async function createContainer(rt: Runtime, opts: CreateOptions): Promise<ContainerRecord> {
  if (opts.name !== undefined && !NAME_RE.test(opts.name)) {
    throw new UsageError(
      `names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid name "${opts.name}"`,
    );
  }
  if (opts.name !== undefined) {
    // Only an exact name clashes: a name may well equal another container's ID prefix.
    const other = namedContainer(rt, opts.name);
    if (other) {
      throw new ConflictError(
        "container",
        `the container name "${opts.name}" is already in use by ${other}. You have to remove that container to be able to reuse that name: that name is already in use`,
      );
    }
  }
  const hit = findImageAndName(rt, opts.image);
  if (!hit) throw new NotFoundError("image", `${opts.image}: image not known`);
  const image = hit.image;
  const imageConfig = parseImageConfig(new TextEncoder().encode(image.config)).config ?? {};
  const id = newId();
  const { image: imageRef, name, stopSignal, stopTimeout, ...rest } = opts;
  rest.network = await resolveNetwork(rt, rest.network, imageConfig.ExposedPorts ?? {});
  if (rest.network.mode === "container") {
    // joining another container's namespace makes it a dependency: it cannot go first
    const other = rt.state.lookupContainer(rest.network.containerId ?? "").config.id;
    rest.network = { ...rest.network, containerId: other };
    rest.dependencies = [...new Set([...rest.dependencies, other])];
  }
  const config: ContainerConfig = {
    ...rest,
    id,
    name: name ?? generateName((n) => taken(rt, n)),
    pod: null,
    namespace: rt.config.runtime.namespace,
    lockId: -1,
    createdAt: new Date().toISOString(),
    image: { id: image.id, name: hit.name ?? image.names[0] ?? imageRef },
    stopSignal: stopSignal ?? (imageConfig.StopSignal ? parseSignal(imageConfig.StopSignal) : 15),
    stopTimeout: stopTimeout ?? 10,
  };
  // Build the spec once now, so a bad -u, --ulimit, --cap-add or a missing command fails
  // before anything is created.
  await buildSpec(rt, { config, state: initialContainerState() }, {
    image,
    rootfs: "/nonexistent",
    dryRun: true,
  });

  const locker = rt.locks.allocate();
  config.lockId = locker.id;
  let filesMade = false;
  try {
    const layer = await rt.store.createContainerFiles(id, image);
    filesMade = true;
    const rec: ContainerRecord = { config, state: initialContainerState() };
    rt.state.transaction(() => {
      rt.state.addContainer(rec);
      rt.store.recordContainer(layer);
    });
    log.debug("created container", { id, name: config.name, image: image.id });
    return rec;
  } catch (e) {
    if (filesMade) await rt.store.removeContainerFiles(id).catch(() => {});
    try {
      locker.free();
    } catch { /* already free */ }
    throw e;
  }
}
