/**
 * The storage tables in the shared database. Foreign keys are the reference counts: a layer
 * that is the parent of another layer, the top layer of an image or the base of a container
 * rootfs cannot be deleted, and an image a container was created from cannot be removed.
 * @module
 */

import type { ComponentSchema } from "../util/sqlite_schema.ts";

const V1 = `
CREATE TABLE Layer (
  ID TEXT PRIMARY KEY NOT NULL,              -- chain ID, hex
  Parent TEXT REFERENCES Layer (ID),
  DiffID TEXT NOT NULL,                      -- sha256:<hex> of the uncompressed tar
  BlobDigest TEXT,                           -- sha256:<hex> of the blob as stored, if kept
  Compression TEXT NOT NULL CHECK (Compression IN ('none', 'gzip', 'zstd')),
  CompressedSize INTEGER NOT NULL CHECK (CompressedSize >= 0),
  Size INTEGER NOT NULL CHECK (Size >= 0),
  Driver TEXT NOT NULL,
  Created INTEGER NOT NULL
);
CREATE INDEX LayerParent ON Layer (Parent);
CREATE TABLE Image (
  ID TEXT PRIMARY KEY NOT NULL,              -- sha256 hex of the config bytes
  TopLayer TEXT REFERENCES Layer (ID),
  Config TEXT NOT NULL,                      -- the config JSON exactly as stored
  Manifest TEXT,
  Digest TEXT,                               -- manifest digest, when known
  Created TEXT NOT NULL,                     -- the image's own creation time (RFC 3339)
  Loaded INTEGER NOT NULL,                   -- when it entered this store (unix ms)
  Size INTEGER NOT NULL CHECK (Size >= 0)
);
CREATE INDEX ImageTopLayer ON Image (TopLayer);
CREATE TABLE ImageName (
  Name TEXT PRIMARY KEY NOT NULL,
  ImageID TEXT NOT NULL REFERENCES Image (ID) ON DELETE CASCADE,
  Position INTEGER NOT NULL
);
CREATE INDEX ImageNameImageID ON ImageName (ImageID);
CREATE TABLE ContainerLayer (
  ContainerID TEXT PRIMARY KEY NOT NULL,
  ImageID TEXT REFERENCES Image (ID),
  TopLayer TEXT REFERENCES Layer (ID),
  Driver TEXT NOT NULL,
  Created INTEGER NOT NULL
);
CREATE INDEX ContainerLayerImageID ON ContainerLayer (ImageID);
CREATE INDEX ContainerLayerTopLayer ON ContainerLayer (TopLayer);
`;

/** The storage component's schema. */
export const STORAGE_SCHEMA: ComponentSchema = {
  component: "storage",
  version: 1,
  create: (db) => db.exec(V1),
  migrations: {},
};
