/**
 * Error classes shared by every layer. Messages are lowercase, name the offending value and
 * carry their cause; only `src/cli/main.ts` turns them into `Error: …` and an exit code.
 * Callers branch with `instanceof` (and `kind` where one class covers several sentinels).
 * @module
 */

import { EXIT_ENGINE, EXIT_NOT_FOUND, EXIT_PERMISSION } from "./exit_codes.ts";

/** Base class: an engine error, exit code 125 unless a subclass says otherwise. */
export class SkiffError extends Error {
  /** The process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options?.exitCode ?? EXIT_ENGINE;
  }
}

/** Bad command-line input: an unknown command or flag, a malformed value. */
export class UsageError extends SkiffError {}

/** A configuration file or value that cannot be used (file and line in the message). */
export class ConfigError extends SkiffError {}

/** What kind of object was not found; podman's `ErrNoSuch*` sentinels. */
export type ObjectKind =
  | "container"
  | "pod"
  | "volume"
  | "image"
  | "layer"
  | "network"
  | "exec session"
  | "exit code"
  | "lock";

/** No object matches the given name or ID (podman: "no such container"). */
export class NotFoundError extends SkiffError {
  readonly kind: ObjectKind;
  constructor(kind: ObjectKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** A name or ID already in use, an ambiguous prefix, or an object others depend on. */
export class ConflictError extends SkiffError {
  readonly kind: ObjectKind;
  constructor(kind: ObjectKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** An operation that the object's current state does not allow ("container state improper"). */
export class StateError extends SkiffError {}

/** The stored database configuration does not match the runtime's (podman: ErrDBBadConfig). */
export class DatabaseConfigError extends SkiffError {}

/** The state database cannot be opened or used: corrupt, foreign, or from a newer skiff. */
export class DatabaseError extends SkiffError {}

/** A lock manager failure: segment mismatch, exhausted locks, a bad lock number. */
export class LockError extends SkiffError {
  /** The errno name behind the failure, when there is one (`ERANGE`, `ENOSPC`, …). */
  readonly code: string | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code;
  }
}

/** Why the OCI runtime failed, which decides the exit code (podman `getOCIRuntimeError`). */
export type OciFailure = "generic" | "permission" | "not-found";

/** The OCI runtime (runc, through conmon) reported an error. */
export class OciRuntimeError extends SkiffError {
  readonly failure: OciFailure;
  constructor(failure: OciFailure, message: string, options?: { cause?: unknown }) {
    super(message, {
      ...options,
      exitCode: failure === "permission"
        ? EXIT_PERMISSION
        : failure === "not-found"
        ? EXIT_NOT_FOUND
        : EXIT_ENGINE,
    });
    this.failure = failure;
  }
}

/** A child process (tar, ip, a CNI plugin …) failed; the message carries its stderr. */
export class CommandError extends SkiffError {
  readonly code: number;
  readonly stderr: string;
  constructor(message: string, code: number, stderr: string) {
    super(message);
    this.code = code;
    this.stderr = stderr;
  }
}

/** Returns the message of an unknown thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
