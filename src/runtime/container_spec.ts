/**
 * Building a container's OCI spec from its config and image: the host facts the pure
 * generator needs (rlimits, capability bounding set, seccomp profile, hooks) are gathered
 * here.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { parseImageConfig } from "../image/image_config.ts";
import { readBoundingSet } from "../oci/capabilities.ts";
import { readHooksDirs, selectHooks } from "../oci/hooks.ts";
import { generateSpec, loadSeccompProfile, readProcessRlimits } from "../oci/spec.ts";
import type { OciSpec } from "../oci/types.ts";
import type { ImageRecord } from "../storage/mod.ts";
import type { Runtime } from "./runtime.ts";

/** Where the container runs, for the spec. */
export interface SpecPlace {
  image: ImageRecord;
  rootfs: string;
  /** Network namespace to join (bridge mode), else the config's mode decides. */
  netnsPath?: string;
  /** Only validate: skip hooks and anything that reads the container's files. */
  dryRun?: boolean;
}

/** Builds the spec (throws UsageError & co on bad user input). */
export async function buildSpec(
  rt: Runtime,
  rec: ContainerRecord,
  place: SpecPlace,
): Promise<OciSpec> {
  const { config } = rec;
  const dec = new TextDecoder();
  const file = (p: string) => {
    const b = rt.store.readImageFile(place.image, p);
    return b ? dec.decode(b) : null;
  };
  const imageConfig = parseImageConfig(new TextEncoder().encode(place.image.config)).config ?? {};
  const mode = config.network.mode;
  const input = {
    config,
    image: imageConfig,
    rootfs: place.rootfs,
    runDir: rt.store.runDir(config.id),
    passwd: file("etc/passwd"),
    group: file("etc/group"),
    hostRlimits: await readProcessRlimits(),
    cgroupManager: rt.config.runtime.cgroupManager === "systemd"
      ? "systemd" as const
      : "cgroupfs" as const,
    network: place.netnsPath
      ? { mode: "path" as const, path: place.netnsPath }
      : { mode: mode === "host" ? "host" as const : "none" as const },
    seccomp: config.privileged ? null : await loadSeccompProfile(),
    initPath: rt.config.runtime.initPath,
    createdAt: config.createdAt,
    boundingSet: await readBoundingSet(),
    hostHostname: Deno.hostname(),
    kernelVersion: Deno.osRelease(),
  };
  const spec = generateSpec(input);
  if (place.dryRun) return spec;
  const defs = await readHooksDirs(rt.config.runtime.hooksDir ?? []);
  const hooks = selectHooks(defs, spec);
  return hooks && Object.keys(hooks).length ? generateSpec({ ...input, hooks }) : spec;
}
