/**
 * Shared types of the image archive readers and writers (docker-archive, oci-archive, OCI
 * layout directories) and the one error class they throw.
 * @module
 */

import { SkiffError } from "../define/errors.ts";

/** The archive formats skiff reads and writes, named as podman names them. */
export type ArchiveFormat = "docker-archive" | "oci-archive" | "oci-dir";

/** How a layer blob is compressed, as sniffed from its first bytes. */
export type LayerCompression = "none" | "gzip" | "zstd";

/** One layer of an image read from an archive. */
export interface ArchiveLayer {
  /** The blob file on disk: a spool file in `spoolDir`, or a blob inside an OCI layout dir. */
  path: string;
  /**
   * True when `path` is a spool file the caller may rename into its store; false when it is a
   * blob inside a user's layout directory, which must be copied and never moved.
   */
  owned: boolean;
  /** `sha256:<hex>` digest of the blob file, verified while reading. */
  digest: string;
  /** Size of the blob file in bytes. */
  size: number;
  /** Media type from the manifest, or the OCI type matching the sniffed compression. */
  mediaType: string;
  /** Compression sniffed from the blob's first bytes. */
  compression: LayerCompression;
  /**
   * `sha256:<hex>` diff ID from the config's `rootfs.diff_ids`. For an uncompressed blob it has
   * been checked against `digest`; for a compressed one the extractor must check it.
   */
  diffId: string;
}

/** One image read from an archive. */
export interface ArchiveImage {
  /** The config bytes exactly as stored; the image ID is their sha256. */
  config: Uint8Array;
  /** `sha256:<hex>` of `config`. */
  configDigest: string;
  /** Layers, base first. */
  layers: ArchiveLayer[];
  /** Names from RepoTags or `org.opencontainers.image.ref.name`, as written (not normalised). */
  names: string[];
  /** The image manifest bytes when the format has one (OCI), else null. */
  manifest: Uint8Array | null;
  /** `sha256:<hex>` of `manifest`, or null. */
  manifestDigest: string | null;
}

/** What {@linkcode readImageArchive} found. */
export interface ReadArchiveResult {
  format: ArchiveFormat;
  images: ArchiveImage[];
}

/** One layer to save: a producer of its uncompressed tar stream. */
export interface SaveLayer {
  /** `sha256:<hex>` of the uncompressed layer tar; the writers verify the stream against it. */
  diffId: string;
  /** Opens a fresh stream of the uncompressed layer tar (may be called more than once). */
  open(): Promise<ReadableStream<Uint8Array>>;
  /** Size of the uncompressed tar, when known (saves a counting pass). */
  size?: number;
}

/** One image to save. */
export interface SaveImage {
  /** Full names such as `localhost/busybox:latest`; may be empty. */
  names: string[];
  /** The config bytes exactly as stored. */
  config: Uint8Array;
  /** Layers, base first, matching the config's `rootfs.diff_ids`. */
  layers: SaveLayer[];
}

/** Options of the OCI writers. */
export interface OciWriteOptions {
  /**
   * gzip the layers, as `podman save --format oci-archive|oci-dir` always does.
   * @default true
   */
  compress?: boolean;
  /** Where compressed layers are staged before they are written. @default Deno's temp dir */
  tmpDir?: string;
}

/**
 * An image archive cannot be read or written: not an archive, truncated, a missing member, a
 * digest mismatch, an unsupported layout. The message names the archive and what is wrong.
 */
export class ArchiveError extends SkiffError {
  /** The archive path (or `stdin`). */
  readonly archive: string;
  constructor(archive: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.archive = archive;
  }
}

/** Media types the archive code reads and writes. */
export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** The OCI layer media type for a compression. */
export function ociLayerMediaType(compression: LayerCompression): string {
  return compression === "gzip"
    ? MediaType.ociLayerGzip
    : compression === "zstd"
    ? MediaType.ociLayerZstd
    : MediaType.ociLayer;
}
