/**
 * Images: references, and the archive formats images arrive in on air-gapped hosts —
 * docker-archive, oci-archive and OCI layout directories — read into verified configs and layer
 * blobs, and written the way podman 4.3.1 writes them.
 * @module
 */

export * from "./reference.ts";
export * from "./archive_types.ts";
export { detectArchiveFormat, readImageArchive } from "./archive_detect.ts";
export { writeDockerArchive } from "./docker_archive.ts";
export { writeOciArchive, writeOciDir } from "./oci_archive_write.ts";
export * from "./image_config.ts";
export {
  readTar,
  type ReadTarOptions,
  type TarEntry,
  type TarEntryType,
  TarError,
  type TarHeader,
  type TarSource,
} from "./tar_reader.ts";
export { type TarWriteHeader, TarWriter, type TarWriteType } from "./tar_writer.ts";
