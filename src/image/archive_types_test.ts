import assert from "node:assert/strict";
import { ArchiveError, MediaType, ociLayerMediaType } from "./archive_types.ts";
import { SkiffError } from "../define/errors.ts";

Deno.test("ociLayerMediaType() names the OCI layer type of each compression", () => {
  assert.equal(ociLayerMediaType("none"), MediaType.ociLayer);
  assert.equal(ociLayerMediaType("gzip"), "application/vnd.oci.image.layer.v1.tar+gzip");
  assert.equal(ociLayerMediaType("zstd"), "application/vnd.oci.image.layer.v1.tar+zstd");
});

Deno.test("ArchiveError is an engine error that carries the archive and its cause", () => {
  const cause = new Error("inner");
  const e = new ArchiveError("/x.tar", 'reading image archive "/x.tar": bad', { cause });
  assert.ok(e instanceof SkiffError);
  assert.equal(e.name, "ArchiveError");
  assert.equal(e.archive, "/x.tar");
  assert.equal(e.cause, cause);
  assert.equal(e.exitCode, 125);
});
