/**
 * Container states and the transitions between them, as data. Every verb checks its can*()
 * predicate before acting, and says plainly what state the container is in when it cannot.
 * @module
 */

/**
 * A container's state. Names follow podman's `String()`: both "configured" (defined, no
 * runtime container yet) and "created" (runc container exists, not started) print "created".
 */
export type ContainerStatus =
  /** Defined in the database only; runc knows nothing of it. */
  | "configured"
  /** `runc create` done: conmon supervises a container that has not started. */
  | "created"
  /** The container's process runs. */
  | "running"
  /** Frozen by the cgroup freezer (`pause`). */
  | "paused"
  /** A stop is in progress (signal sent, waiting for exit). */
  | "stopping"
  /** The process ended but cleanup (exit code, runc delete) has not run yet. */
  | "stopped"
  /** Ended and cleaned up; can be started again. */
  | "exited"
  /** Being removed; nothing else may act on it. */
  | "removing"
  /** State could not be determined. */
  | "unknown";

/** Every status, for CHECK constraints and validation. */
export const ALL_STATUSES: readonly ContainerStatus[] = [
  "configured",
  "created",
  "running",
  "paused",
  "stopping",
  "stopped",
  "exited",
  "removing",
  "unknown",
];

/** The docker-compatible name shown by `ps` and `inspect`. */
export function statusName(s: ContainerStatus): string {
  return s === "configured" ? "created" : s;
}

/** `start` is allowed: never started, or ended and cleaned up. */
export function canStart(s: ContainerStatus): boolean {
  return s === "configured" || s === "created" || s === "exited" || s === "stopped";
}

/** `init` (runc create without start) is allowed. */
export function canInit(s: ContainerStatus): boolean {
  return s === "configured" || s === "exited" || s === "stopped";
}

/** `stop` has something to do. */
export function canStop(s: ContainerStatus): boolean {
  return s === "running" || s === "paused" || s === "stopping";
}

/** `kill` may signal the container: whenever it may have live processes. */
export function canKill(s: ContainerStatus): boolean {
  return isActive(s);
}

/** `pause` is allowed. */
export function canPause(s: ContainerStatus): boolean {
  return s === "running";
}

/** `unpause` is allowed. */
export function canUnpause(s: ContainerStatus): boolean {
  return s === "paused";
}

/** `exec` and `attach` need a running process. */
export function canExec(s: ContainerStatus): boolean {
  return s === "running";
}

/** `rm` without force is allowed. */
export function canRemove(s: ContainerStatus): boolean {
  return s === "configured" || s === "created" || s === "exited" || s === "stopped" ||
    s === "unknown";
}

/** The container has (or may have) live processes. */
export function isActive(s: ContainerStatus): boolean {
  return s === "running" || s === "paused" || s === "stopping" || s === "created";
}
