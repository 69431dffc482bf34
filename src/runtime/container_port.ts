/**
 * `port`: the published ports of running containers, from their network config. Like
 * podman, a container that does not run has none to show.
 * @module
 */

import type { PortMapping } from "../define/container.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

/** The published ports of one container (empty unless it runs). */
export interface ContainerPorts {
  id: string;
  /** False when the container does not run (podman then reports nothing for it). */
  running: boolean;
  ports: PortMapping[];
}

/** The published ports of `idOrName`. */
export function containerPorts(rt: Runtime, idOrName: string): Promise<ContainerPorts> {
  return withContainer(rt, idOrName, (rec) =>
    Promise.resolve({
      id: rec.config.id,
      running: rec.state.status === "running",
      ports: rec.state.status === "running" ? [...rec.config.network.ports] : [],
    }));
}

/** The published ports of every running container, newest first. */
export async function allContainerPorts(rt: Runtime): Promise<ContainerPorts[]> {
  const running = rt.state.allContainers()
    .filter((r) => r.state.status === "running")
    .sort((a, b) => b.config.createdAt.localeCompare(a.config.createdAt));
  const out: ContainerPorts[] = [];
  for (const r of running) {
    try {
      out.push(await containerPorts(rt, r.config.id));
    } catch { /* removed meanwhile */ }
  }
  return out;
}

/** `80/tcp -> 0.0.0.0:8080`, as podman prints a mapping. */
export function formatPortMapping(p: PortMapping): string {
  return `${p.containerPort}/${p.protocol} -> ${p.hostIp || "0.0.0.0"}:${p.hostPort}`;
}
