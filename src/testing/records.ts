/** Record builders for tests: complete define/ records with sensible defaults. */

import {
  type ContainerConfig,
  type ContainerRecord,
  initialContainerState,
  type NetworkOptions,
} from "../define/container.ts";
import type { PodRecord } from "../define/pod.ts";
import type { VolumeRecord } from "../define/volume.ts";
import { newId } from "../util/ids.ts";

/** Config fields to replace; `network` is merged field by field. */
export type ConfigOverrides = Partial<Omit<ContainerConfig, "network">> & {
  network?: Partial<NetworkOptions>;
};

/** A container record; `overrides` replace config fields. */
export function containerRecord(lockId: number, overrides: ConfigOverrides = {}): ContainerRecord {
  return { config: containerConfig(lockId, overrides), state: initialContainerState() };
}

/** A complete container config with every flag at its default; `overrides` replace fields. */
export function containerConfig(lockId: number, overrides: ConfigOverrides = {}): ContainerConfig {
  const { network, ...rest } = overrides;
  const id = overrides.id ?? newId();
  return {
    id,
    name: `ctr-${id.slice(0, 8)}`,
    pod: null,
    namespace: "",
    lockId,
    createdAt: new Date().toISOString(),
    createCommand: [],
    image: { id: "", name: "" },
    command: ["true"],
    entrypoint: null,
    env: {},
    user: "",
    workdir: "",
    tty: false,
    interactive: false,
    hostname: "",
    labels: {},
    annotations: {},
    capAdd: [],
    capDrop: [],
    privileged: false,
    readOnly: false,
    init: false,
    mounts: [],
    ulimits: [],
    stopSignal: 15,
    stopTimeout: 10,
    autoRemove: false,
    network: {
      mode: "none",
      networks: [],
      ports: [],
      publishAll: false,
      dns: [],
      dnsSearch: [],
      addHosts: [],
      ...network,
    },
    dependencies: [],
    namedVolumes: [],
    ...rest,
  };
}

/** A pod record. */
export function podRecord(lockId: number, name?: string): PodRecord {
  const id = newId();
  return {
    config: {
      id,
      name: name ?? `pod-${id.slice(0, 8)}`,
      namespace: "",
      lockId,
      createdAt: new Date().toISOString(),
      labels: {},
    },
    state: { cgroupPath: "", infraContainerId: null },
  };
}

/** A volume record. */
export function volumeRecord(lockId: number, name: string): VolumeRecord {
  return {
    config: {
      name,
      lockId,
      createdAt: new Date().toISOString(),
      driver: "local",
      labels: {},
      options: {},
      mountPoint: `/vols/${name}`,
    },
    state: { mountCount: 0 },
  };
}
