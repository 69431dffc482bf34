/**
 * The network step of a container's life, kept as a seam: `none` and `host` need nothing
 * here (runc makes the empty namespace, or none); CNI networks plug in behind these two calls.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { UsageError } from "../define/errors.ts";
import type { Runtime } from "./runtime.ts";

/** What the network step produced for the spec. */
export interface NetworkSetup {
  /** A network namespace to join, when one was created. */
  netnsPath?: string;
  /** The container's address, for /etc/hosts. */
  ip?: string;
}

/** Prepares the container's network before `runc create`; records what it made in the state. */
export function setupNetwork(_rt: Runtime, rec: ContainerRecord): Promise<NetworkSetup> {
  const mode = rec.config.network.mode;
  if (mode === "none" || mode === "host") return Promise.resolve({});
  return Promise.reject(
    new UsageError(`network mode "${mode}" is not supported yet: use --network none or host`),
  );
}

/** Undoes {@linkcode setupNetwork}; safe to call when nothing was set up. */
export function teardownNetwork(_rt: Runtime, rec: ContainerRecord): Promise<void> {
  rec.state.netNs = null;
  rec.state.networkResults = null;
  return Promise.resolve();
}
