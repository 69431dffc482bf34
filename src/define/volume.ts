/** A named volume as stored: immutable config and mutable state. */

/** The immutable part of a volume. */
export interface VolumeConfig {
  name: string;
  lockId: number;
  createdAt: string;
  driver: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Where the volume's data lives on the host. */
  mountPoint: string;
}

/** The mutable part of a volume. */
export interface VolumeState {
  mountCount: number;
}

/** A volume record. */
export interface VolumeRecord {
  config: VolumeConfig;
  state: VolumeState;
}
