/**
 * Records and assertions for the state tests (imported only by tests and the benchmark).
 * @module
 */

import assert from "node:assert/strict";
import type { ContainerRecord } from "../define/container.ts";
import type { ContainerStatus } from "../define/container_status.ts";
import type { ObjectKind } from "../define/errors.ts";
import { ConflictError, NotFoundError } from "../define/errors.ts";
import type { PodRecord } from "../define/pod.ts";
import type { VolumeRecord } from "../define/volume.ts";
import { newId } from "../util/ids.ts";
import { containerRecord } from "../testing/records.ts";

let counter = 0;

/** What a test container may set; the rest gets defaults. */
export interface CtrSpec {
  id?: string;
  name?: string;
  pod?: string | null;
  namespace?: string;
  dependencies?: string[];
  namedVolumes?: string[];
  status?: ContainerStatus;
  lockId?: number;
}

/** A complete container record. */
export function ctr(spec: CtrSpec = {}): ContainerRecord {
  const id = spec.id ?? newId();
  const name = spec.name ?? `ctr_${++counter}_${id.slice(0, 6)}`;
  const record = containerRecord(spec.lockId ?? counter, {
    id,
    name,
    pod: spec.pod ?? null,
    namespace: spec.namespace ?? "",
    createdAt: "2024-01-02T03:04:05Z",
    createCommand: ["skiff", "create", "busybox"],
    image: { id: "a".repeat(64), name: "localhost/busybox:latest" },
    command: ["sh", "-c", "echo hi"],
    env: { PATH: "/bin", LANG: "C.UTF-8" },
    workdir: "/",
    hostname: id.slice(0, 12),
    labels: { app: "test" },
    network: {
      mode: "bridge",
      ports: [{ hostIp: "", hostPort: 8080, containerPort: 80, protocol: "tcp" }],
    },
    dependencies: spec.dependencies ?? [],
    namedVolumes: spec.namedVolumes ?? [],
  });
  record.state.status = spec.status ?? "configured";
  return record;
}

/** A pod record. */
export function pod(spec: { id?: string; name?: string; namespace?: string } = {}): PodRecord {
  const id = spec.id ?? newId();
  return {
    config: {
      id,
      name: spec.name ?? `pod_${++counter}`,
      namespace: spec.namespace ?? "",
      lockId: ++counter,
      createdAt: "2024-01-02T03:04:05Z",
      labels: {},
    },
    state: { cgroupPath: `/machine.slice/pod-${id.slice(0, 12)}`, infraContainerId: null },
  };
}

/** A volume record. */
export function vol(name: string): VolumeRecord {
  return {
    config: {
      name,
      lockId: ++counter,
      createdAt: "2024-01-02T03:04:05Z",
      driver: "local",
      labels: {},
      options: {},
      mountPoint: `/var/lib/skiff/volumes/${name}/_data`,
    },
    state: { mountCount: 0 },
  };
}

/** An ID sharing `prefix`, with a random rest. */
export function idWithPrefix(prefix: string): string {
  return prefix + newId().slice(prefix.length);
}

/** Asserts that `fn` throws NotFoundError of `kind` whose message matches. */
export function assertNotFound(fn: () => unknown, kind: ObjectKind, message?: RegExp | string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof NotFoundError, `expected NotFoundError, got ${e}`);
    assert.equal(e.kind, kind);
    checkMessage(e, message);
    return true;
  });
}

/** Asserts that `fn` throws ConflictError whose message matches. */
export function assertConflict(fn: () => unknown, message?: RegExp | string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConflictError, `expected ConflictError, got ${e}`);
    checkMessage(e, message);
    return true;
  });
}

function checkMessage(e: Error, message?: RegExp | string) {
  if (typeof message === "string") assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
}
