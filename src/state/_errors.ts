/**
 * The errors both state implementations throw, built in one place so that their text is
 * identical (podman 4.3.1's wording where podman has one; its tests grep for it).
 * @module
 */

import { ConflictError, NotFoundError, UsageError } from "../define/errors.ts";

/** The object kinds a container or pod name may belong to. */
export type NamedKind = "container" | "pod";

/** `container(id)` and friends: no object with this full ID. */
export function noSuchId(kind: NamedKind, id: string): NotFoundError {
  return new NotFoundError(kind, `no ${kind} with ID ${id} found in database: no such ${kind}`);
}

/** A lookup by name or ID prefix found nothing. */
export function noSuchName(kind: NamedKind, idOrName: string): NotFoundError {
  return new NotFoundError(
    kind,
    `no ${kind} with name or ID "${idOrName}" found: no such ${kind}`,
  );
}

/** A lookup by ID prefix matched more than one object. */
export function ambiguous(kind: NamedKind | "volume", idOrName: string): ConflictError {
  return new ConflictError(kind, `more than one result for ${kind} "${idOrName}"`);
}

/** An empty name or ID (podman's ErrEmptyID). */
export function emptyName(): UsageError {
  return new UsageError("name or ID cannot be empty");
}

/** Direct access to an object of another libpod namespace (podman's ErrNSMismatch). */
export function otherNamespace(
  kind: NamedKind,
  id: string,
  theirs: string,
  ours: string,
): ConflictError {
  return new ConflictError(
    kind,
    `${kind} ${id} is in namespace "${theirs}", does not match our namespace "${ours}": ` +
      "target is in a different namespace",
  );
}

/** Adding an object whose namespace is not the state's. */
export function addInOtherNamespace(
  kind: NamedKind,
  id: string,
  theirs: string,
  ours: string,
): ConflictError {
  return new ConflictError(
    kind,
    `cannot add ${kind} ${id} as it is in namespace "${theirs}" and we are in namespace ` +
      `"${ours}": target is in a different namespace`,
  );
}

/** The ID is already used by a container or pod. */
export function idInUse(id: string, owner: NamedKind): ConflictError {
  return new ConflictError(owner, `ID "${id}" is in use: ${owner} already exists`);
}

/**
 * The name is already used. A container taking another container's name gets podman's
 * storage wording; every other clash gets its state wording (`name "x" is in use: …`).
 */
export function nameInUse(
  adding: NamedKind,
  name: string,
  owner: { kind: NamedKind; id: string },
): ConflictError {
  if (adding === "container" && owner.kind === "container") {
    return new ConflictError(
      "container",
      `the container name "${name}" is already in use by ${owner.id}. You have to remove that ` +
        "container to be able to reuse that name: that name is already in use",
    );
  }
  return new ConflictError(owner.kind, `name "${name}" is in use: ${owner.kind} already exists`);
}

/** A container still has dependents. */
export function hasDependents(id: string, dependents: string[]): ConflictError {
  return new ConflictError(
    "container",
    `container ${id} has dependent containers which must be removed before it: ` +
      `${dependents.join(", ")}: container already exists`,
  );
}

/** A dependency of a new container is missing. */
export function missingDependency(id: string, dep: string): NotFoundError {
  return new NotFoundError(
    "container",
    `container ${id} depends on container ${dep} but it does not exist: no such container`,
  );
}

/** A dependency of a new container is in another pod or namespace, or is the container. */
export function badDependency(id: string, dep: string, why: string): ConflictError {
  return new ConflictError(
    "container",
    `container ${id} cannot depend on container ${dep}: ${why}`,
  );
}

/** A new container's pod is in another namespace. */
export function podInOtherNamespace(id: string, pod: string, podNs: string): ConflictError {
  return new ConflictError(
    "container",
    `container ${id} cannot join pod ${pod} in namespace "${podNs}": ` +
      "target is in a different namespace",
  );
}

/** `rewrite*Config()` tried to change something only `add*()` may set. */
export function immutableField(kind: NamedKind, id: string, field: string): ConflictError {
  return new ConflictError(
    kind,
    `cannot rewrite the config of ${kind} ${id}: its ${field} cannot change`,
  );
}

/** A pod still has containers. */
export function podNotEmpty(id: string, ctrs: string[]): ConflictError {
  return new ConflictError(
    "pod",
    `pod ${id} is not empty: it still has containers ${ctrs.join(", ")}`,
  );
}

/** No volume with this exact name. */
export function noSuchVolume(name: string): NotFoundError {
  return new NotFoundError(
    "volume",
    `no volume with name ${name} found in database: no such volume`,
  );
}

/** A volume lookup by name prefix found nothing. */
export function noSuchVolumeName(nameOrPrefix: string): NotFoundError {
  return new NotFoundError("volume", `no volume with name "${nameOrPrefix}" found: no such volume`);
}

/** The volume name is taken (podman 4.3.1's `volume create` wording). */
export function volumeExists(name: string): ConflictError {
  return new ConflictError(
    "volume",
    `volume with name ${name} already exists: volume already exists`,
  );
}

/** A volume is still used by containers. */
export function volumeInUse(name: string, ctrs: string[]): ConflictError {
  return new ConflictError(
    "volume",
    `volume ${name} is being used by the following container(s): ${ctrs.join(", ")}: ` +
      "volume is being used",
  );
}

/** No exit code recorded for this container. */
export function noSuchExitCode(id: string): NotFoundError {
  return new NotFoundError(
    "exit code",
    `getting exit code of container ${id} from database: no such exit code`,
  );
}

/** No exec session with this ID. */
export function noSuchExecSession(id: string): NotFoundError {
  return new NotFoundError(
    "exec session",
    `no exec session with ID ${id} found: no such exec session`,
  );
}

/** The exec session ID is taken. */
export function execSessionExists(id: string): ConflictError {
  return new ConflictError("exec session", `exec session ${id} already exists`);
}
