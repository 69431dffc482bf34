/**
 * The lock segment's layout, the same as podman's `shm_struct_t` (`libpod/lock/shm/shm_lock.h`):
 * where each field, bitmap and mutex lives, and how a segment is built and checked.
 * @module
 */

import { LockError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { geteuid } from "../sys/libc.ts";
import {
  initRobustSharedMutexes,
  PTHREAD_MUTEX_ALIGN,
  PTHREAD_MUTEX_SIZE,
} from "../sys/pthread_mutex.ts";
import { shmCreatePublished, shmFilePath, type ShmMapping } from "../sys/shm.ts";
import { LOCKS_PER_BITMAP } from "./lock.ts";

// Segment layout (shm_struct_t); x86_64 values in comments.
//   uint16_t magic; uint16_t unused; pthread_mutex_t segment_lock;
//   uint32_t num_bitmaps; uint32_t num_locks; lock_group_t locks[];
//   lock_group_t = { uint32_t bitmap; pthread_mutex_t locks[32]; }
const MAGIC = 0x87d1;
const OFF_MAGIC = 0;
const OFF_UNUSED = 2;
export const OFF_SEGMENT_LOCK = alignUp(4); // 8
const OFF_NUM_BITMAPS = OFF_SEGMENT_LOCK + PTHREAD_MUTEX_SIZE; // 48
export const OFF_NUM_LOCKS = OFF_NUM_BITMAPS + 4; // 52
const OFF_GROUPS = alignUp(OFF_NUM_LOCKS + 4); // 56
const GROUP_OFF_LOCKS = alignUp(4); // 8
const GROUP_SIZE = alignUp(GROUP_OFF_LOCKS + LOCKS_PER_BITMAP * PTHREAD_MUTEX_SIZE); // 1288

function alignUp(n: number): number {
  return Math.ceil(n / PTHREAD_MUTEX_ALIGN) * PTHREAD_MUTEX_ALIGN;
}

export function bitmapOffset(group: number): number {
  return OFF_GROUPS + group * GROUP_SIZE;
}

export function mutexOffset(id: number): number {
  const group = Math.floor(id / LOCKS_PER_BITMAP);
  return bitmapOffset(group) + GROUP_OFF_LOCKS + (id % LOCKS_PER_BITMAP) * PTHREAD_MUTEX_SIZE;
}

/** The size in bytes of a segment for `numLocks` locks (82488 for 2048 on x86_64). */
export function segmentSize(numLocks: number): number {
  return OFF_GROUPS + Math.ceil(numLocks / LOCKS_PER_BITMAP) * GROUP_SIZE;
}

export function createSegment(path: string, numLocks: number): ShmMapping {
  const seg = shmCreatePublished(path, segmentSize(numLocks), (seg) => {
    const v = seg.view;
    v.setUint16(OFF_UNUSED, 0, true);
    v.setUint32(OFF_NUM_BITMAPS, numLocks / LOCKS_PER_BITMAP, true);
    v.setUint32(OFF_NUM_LOCKS, numLocks, true);
    initRobustSharedMutexes(allMutexes(seg, numLocks));
    v.setUint16(OFF_MAGIC, MAGIC, true);
  });
  log.debug("opened new lock segment", { path, numLocks });
  return seg;
}

function* allMutexes(seg: ShmMapping, numLocks: number): Generator<Deno.PointerObject> {
  yield seg.pointerAt(OFF_SEGMENT_LOCK);
  for (let id = 0; id < numLocks; id++) yield seg.pointerAt(mutexOffset(id));
}

export function checkSegment(seg: ShmMapping, path: string, numLocks: number): void {
  const euid = geteuid();
  if (seg.uid !== euid) {
    throw new LockError(
      `lock segment ${path} is owned by uid ${seg.uid}, not by uid ${euid}: remove ${
        shmFilePath(path)
      }`,
      { code: "EPERM" },
    );
  }
  const v = seg.view;
  const magic = seg.size >= OFF_GROUPS ? v.getUint16(OFF_MAGIC, true) : undefined;
  if (magic !== MAGIC) {
    const why = magic === undefined
      ? `it is only ${seg.size} bytes`
      : `magic 0x${magic.toString(16).padStart(4, "0")}, expected 0x${MAGIC.toString(16)}`;
    throw new LockError(`lock segment ${path} is not a skiff lock segment: ${why}`, {
      code: "EBADF",
    });
  }
  const stored = v.getUint32(OFF_NUM_LOCKS, true);
  if (stored !== numLocks) {
    throw new LockError(
      `lock segment ${path} has ${stored} locks but num_locks is ${numLocks}: ` +
        `run "skiff system renumber" to change the lock count`,
      { code: "ERANGE" },
    );
  }
  const bitmaps = v.getUint32(OFF_NUM_BITMAPS, true);
  if (bitmaps * LOCKS_PER_BITMAP !== stored || seg.size < segmentSize(stored)) {
    throw new LockError(
      `lock segment ${path} is damaged: ${bitmaps} bitmaps for ${stored} locks in ${seg.size} bytes`,
      { code: "EBADF" },
    );
  }
}
