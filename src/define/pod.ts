/** A pod as stored: immutable config and mutable state. */

/** The immutable part of a pod. */
export interface PodConfig {
  id: string;
  name: string;
  namespace: string;
  lockId: number;
  createdAt: string;
  labels: Record<string, string>;
}

/** The mutable part of a pod. */
export interface PodState {
  cgroupPath: string;
  infraContainerId: string | null;
}

/** A pod record. */
export interface PodRecord {
  config: PodConfig;
  state: PodState;
}
