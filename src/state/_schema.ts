/**
 * The state component's tables (schema version 1) and their forward migrations. Versioning is
 * per component (`util/sqlite_schema.ts`), so that the storage module keeps its own tables and
 * version in the same database file.
 * @module
 */

import type { ComponentSchema } from "../util/sqlite_schema.ts";

/**
 * The container statuses the v1 CHECK allows, frozen with the schema: adding a status to
 * `ALL_STATUSES` needs a migration that rebuilds ContainerState (a test compares the two).
 */
export const V1_STATUSES = [
  "configured",
  "created",
  "running",
  "paused",
  "stopping",
  "stopped",
  "exited",
  "removing",
  "unknown",
] as const;

const V1 = `
CREATE TABLE DBConfig (
  ID INTEGER PRIMARY KEY NOT NULL CHECK (ID = 1),
  OS TEXT NOT NULL,
  StaticDir TEXT NOT NULL,
  TmpDir TEXT NOT NULL,
  GraphRoot TEXT NOT NULL,
  RunRoot TEXT NOT NULL,
  GraphDriver TEXT NOT NULL,
  VolumePath TEXT NOT NULL
);
-- Container and pod IDs and names share one namespace.
CREATE TABLE IDNamespace (
  ID TEXT PRIMARY KEY NOT NULL,
  Name TEXT NOT NULL UNIQUE,
  Kind TEXT NOT NULL CHECK (Kind IN ('container', 'pod')),
  UNIQUE (ID, Name, Kind)
);
CREATE TABLE PodConfig (
  ID TEXT PRIMARY KEY NOT NULL,
  Name TEXT NOT NULL UNIQUE,
  Kind TEXT NOT NULL DEFAULT 'pod' CHECK (Kind = 'pod'),
  Namespace TEXT NOT NULL,
  LockID INTEGER NOT NULL,
  JSON TEXT NOT NULL,
  FOREIGN KEY (ID, Name, Kind) REFERENCES IDNamespace (ID, Name, Kind)
    DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (ID) REFERENCES PodState (ID) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE PodState (
  ID TEXT PRIMARY KEY NOT NULL,
  JSON TEXT NOT NULL,
  FOREIGN KEY (ID) REFERENCES PodConfig (ID) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE ContainerConfig (
  ID TEXT PRIMARY KEY NOT NULL,
  Name TEXT NOT NULL UNIQUE,
  Kind TEXT NOT NULL DEFAULT 'container' CHECK (Kind = 'container'),
  PodID TEXT,
  Namespace TEXT NOT NULL,
  LockID INTEGER NOT NULL,
  JSON TEXT NOT NULL,
  FOREIGN KEY (ID, Name, Kind) REFERENCES IDNamespace (ID, Name, Kind)
    DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (ID) REFERENCES ContainerState (ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (PodID) REFERENCES PodConfig (ID)
);
CREATE INDEX ContainerConfigPodID ON ContainerConfig (PodID);
CREATE TABLE ContainerState (
  ID TEXT PRIMARY KEY NOT NULL,
  State TEXT NOT NULL CHECK (State IN (${V1_STATUSES.map((s) => `'${s}'`).join(", ")})),
  ExitCode INTEGER NOT NULL CHECK (ExitCode BETWEEN -1 AND 255),
  JSON TEXT NOT NULL,
  FOREIGN KEY (ID) REFERENCES ContainerConfig (ID) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX ContainerStateState ON ContainerState (State);
CREATE TABLE ContainerDependency (
  ID TEXT NOT NULL,
  DependencyID TEXT NOT NULL,
  PRIMARY KEY (ID, DependencyID),
  FOREIGN KEY (ID) REFERENCES ContainerConfig (ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (DependencyID) REFERENCES ContainerConfig (ID),
  CHECK (ID <> DependencyID)
);
CREATE INDEX ContainerDependencyDependencyID ON ContainerDependency (DependencyID);
CREATE TABLE VolumeConfig (
  Name TEXT PRIMARY KEY NOT NULL,
  LockID INTEGER NOT NULL,
  JSON TEXT NOT NULL,
  FOREIGN KEY (Name) REFERENCES VolumeState (Name) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE VolumeState (
  Name TEXT PRIMARY KEY NOT NULL,
  JSON TEXT NOT NULL,
  FOREIGN KEY (Name) REFERENCES VolumeConfig (Name) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE ContainerVolume (
  ContainerID TEXT NOT NULL,
  VolumeName TEXT NOT NULL,
  PRIMARY KEY (ContainerID, VolumeName),
  FOREIGN KEY (ContainerID) REFERENCES ContainerConfig (ID) DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (VolumeName) REFERENCES VolumeConfig (Name)
);
CREATE INDEX ContainerVolumeVolumeName ON ContainerVolume (VolumeName);
CREATE TABLE ContainerExecSession (
  ID TEXT PRIMARY KEY NOT NULL,
  ContainerID TEXT NOT NULL,
  JSON TEXT NOT NULL,
  FOREIGN KEY (ContainerID) REFERENCES ContainerConfig (ID)
);
CREATE INDEX ContainerExecSessionContainerID ON ContainerExecSession (ContainerID);
-- No foreign key: exit codes outlive their containers (pruned after 5 minutes).
CREATE TABLE ContainerExitCode (
  ID TEXT PRIMARY KEY NOT NULL,
  Timestamp INTEGER NOT NULL,
  ExitCode INTEGER NOT NULL CHECK (ExitCode BETWEEN -1 AND 255)
);
CREATE INDEX ContainerExitCodeTimestamp ON ContainerExitCode (Timestamp);
`;

/** The state component: version 1 is the baseline; migrations are added as `{1: (db) => …}`. */
export const STATE_SCHEMA: ComponentSchema = {
  component: "state",
  version: 1,
  create: (db) => db.exec(V1),
  migrations: {},
};
