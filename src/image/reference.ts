/**
 * Image references: the docker/OCI grammar (distribution/reference) and podman's rules for
 * qualifying short names, checked against podman 4.3.1.
 *
 * A reference is `[domain[:port]/]component(/component)*[:tag][@algorithm:hex]`. As in podman,
 * the first component is a registry only when more components follow and it contains `.` or
 * `:` or is `localhost`; so `foo/bar` has no domain and `Example.com/x` keeps its uppercase
 * registry, while `Foo/x` is refused for its uppercase path.
 * @module
 */

import { UsageError } from "../define/errors.ts";

/** The parts of a reference, exactly as written (no defaults added). */
export interface ImageReference {
  /** Registry host with optional port, or "" when the name has none. */
  domain: string;
  /** Slash-separated lowercase path components. */
  path: string;
  /** Tag, or null when absent. */
  tag: string | null;
  /** `algorithm:hex` digest, or null when absent. */
  digest: string | null;
}

/** A string that is not a valid image reference; `reason` says why, `input` what was given. */
export class InvalidReferenceError extends UsageError {
  /** The text that failed to parse. */
  readonly input: string;
  /** Why it failed, in lowercase words. */
  readonly reason: string;
  constructor(input: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid reference format: ${reason}: ${JSON.stringify(input)}`, options);
    this.input = input;
    this.reason = reason;
  }
}

/** Longest repository name (domain and path), as in distribution/reference. */
const NAME_MAX = 255;
/** A DNS-ish label; uppercase is allowed in a registry host. */
const LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const DOMAIN_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*(?::[0-9]+)?$`);
/**
 * distribution's `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`, rewritten so that every repetition
 * starts with a separator: the same language without exponential backtracking.
 */
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^\w[\w.-]{0,127}$/;
/** The digest form the reference grammar accepts, before the algorithm is checked. */
const DIGEST_FORM_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** go-digest's rule for an algorithm name. */
const ALGORITHM_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/;
/** Hex length of each algorithm podman can verify. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
/** Characters that may appear anywhere in a reference. */
const BAD_CHAR_RE = /[^A-Za-z0-9._\-:/@+]/;
const FULL_ID_RE = /^(?:sha256:)?[0-9a-f]{64}$/;
const ID_PREFIX_RE = /^[0-9a-f]{1,64}$/;

function isRegistry(component: string): boolean {
  return (component.includes(".") || component.includes(":") || component === "localhost") &&
    DOMAIN_RE.test(component);
}

/** The grammar alone; returns the parts, or the reason the input does not match. */
function structure(input: string): ImageReference | string {
  if (input === "") return "repository name is empty";
  const bad = BAD_CHAR_RE.exec(input);
  if (bad !== null) return `invalid character ${JSON.stringify(bad[0])}`;

  let rest = input;
  let digest: string | null = null;
  const at = input.indexOf("@");
  if (at >= 0) {
    digest = input.slice(at + 1);
    rest = input.slice(0, at);
    if (digest.includes("@")) return `more than one "@"`;
    if (!DIGEST_FORM_RE.test(digest)) {
      return `digest ${JSON.stringify(digest)} is not algorithm:hex with at least 32 hex digits`;
    }
  }

  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0 && !rest.slice(colon + 1).includes("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === "") return `empty tag after ":"`;
    if (!TAG_RE.test(tag)) {
      return `tag ${JSON.stringify(tag)} must be 1 to 128 letters, digits, "_", "." or "-", ` +
        `not starting with "." or "-"`;
    }
  }

  if (rest === "") return "repository name is empty";
  const parts = rest.split("/");
  if (parts.some((p) => p === "")) return `empty path component in ${JSON.stringify(rest)}`;
  let domain = "";
  const first = parts[0]!;
  if (parts.length > 1 && isRegistry(first)) {
    domain = first;
    parts.shift();
  } else if (parts.length > 1 && /[.:]/.test(first) && !COMPONENT_RE.test(first)) {
    return `invalid registry ${JSON.stringify(first)}`;
  }
  for (const p of parts) {
    if (p.includes(":")) {
      return `unexpected ":" in ${
        JSON.stringify(p)
      } (one ":tag" at the end; a registry port needs a "/" after it)`;
    }
    if (!COMPONENT_RE.test(p)) {
      return `invalid path component ${JSON.stringify(p)}: use lowercase letters and digits, ` +
        `separated by ".", "_", "__" or dashes`;
    }
  }
  return { domain, path: parts.join("/"), tag, digest };
}

/** go-digest's checks on a digest that has the right form; null when it is usable. */
function digestProblem(digest: string): string | null {
  const i = digest.indexOf(":");
  const algorithm = digest.slice(0, i);
  const hex = digest.slice(i + 1);
  if (!ALGORITHM_RE.test(algorithm)) return `invalid digest algorithm ${JSON.stringify(algorithm)}`;
  const want = DIGEST_HEX_LENGTH[algorithm];
  if (want === undefined) return `unsupported digest algorithm ${JSON.stringify(algorithm)}`;
  if (hex.length !== want) {
    return `${algorithm} digest has ${hex.length} hex digits, expected ${want}`;
  }
  if (!/^[0-9a-f]+$/.test(hex)) return `${algorithm} digest must be lowercase hex`;
  return null;
}

function repository(r: ImageReference): string {
  return r.domain === "" ? r.path : `${r.domain}/${r.path}`;
}

/**
 * Parses a reference strictly, adding no defaults.
 * @param input what the user typed, e.g. `quay.io/a/b:1` or `busybox@sha256:…`
 * @returns its parts; `domain` is "" unless the first component is a registry
 * @throws {InvalidReferenceError} naming the input and the reason
 */
export function parseReference(input: string): ImageReference {
  const r = structure(input);
  if (typeof r === "string") {
    // podman's own test: a reference that only fails because of case gets the clearer message.
    const lower = input.toLowerCase();
    const uppercase = lower !== input && typeof structure(lower) !== "string";
    throw new InvalidReferenceError(input, uppercase ? "repository name must be lowercase" : r);
  }
  const name = repository(r);
  if (name.length > NAME_MAX) {
    throw new InvalidReferenceError(
      input,
      `repository name is ${name.length} characters long, the limit is ${NAME_MAX}`,
    );
  }
  const problem = r.digest === null ? null : digestProblem(r.digest);
  if (problem !== null) throw new InvalidReferenceError(input, problem);
  return r;
}

/** Formats parts back into a reference; the inverse of {@link parseReference}. */
export function formatReference(r: ImageReference): string {
  return repository(r) + (r.tag === null ? "" : `:${r.tag}`) +
    (r.digest === null ? "" : `@${r.digest}`);
}

/**
 * Completes a parsed reference: `defaultDomain` when it has none, docker.io's `library/` and
 * `index.docker.io` rules, the tag dropped when there is a digest (docker compat: the digest
 * is the truth), else `latest` when untagged. Re-checks the length, naming `input`.
 */
function qualify(input: string, r: ImageReference, defaultDomain: string): string {
  let domain = r.domain === "" ? defaultDomain : r.domain;
  if (domain === "index.docker.io") domain = "docker.io";
  const path = domain === "docker.io" && !r.path.includes("/") ? `library/${r.path}` : r.path;
  const full: ImageReference = {
    domain,
    path,
    tag: r.digest === null ? r.tag ?? "latest" : null,
    digest: r.digest,
  };
  const name = repository(full);
  if (name.length > NAME_MAX) {
    throw new InvalidReferenceError(
      input,
      `repository name ${JSON.stringify(name)} is ${name.length} characters long, ` +
        `the limit is ${NAME_MAX}`,
    );
  }
  return formatReference(full);
}

/**
 * podman's rules for a name that is stored locally (libimage `NormalizeName`): a name without
 * a registry gets `localhost/`, a missing tag gets `latest` unless there is a digest, and a
 * tag next to a digest is dropped.
 * @example normalizeLocalName("busybox") // "localhost/busybox:latest"
 * @example normalizeLocalName("docker.io/busybox") // "docker.io/library/busybox:latest"
 * @throws {InvalidReferenceError} when the input, or the name it becomes, is invalid
 */
export function normalizeLocalName(input: string): string {
  return qualify(input, parseReference(input), "localhost");
}

/**
 * The name that `tag`, `import` and `commit` give an image: {@link normalizeLocalName}, but a
 * digest, or a name starting with `sha256:`, is refused as podman does ("tag by digest not
 * supported").
 * @throws {InvalidReferenceError}
 */
export function normalizeTagName(input: string): string {
  if (input.startsWith("sha256:")) throw new InvalidReferenceError(input, "cannot tag by digest");
  const r = parseReference(input);
  if (r.digest !== null) throw new InvalidReferenceError(input, "cannot tag by digest");
  return qualify(input, r, "localhost");
}

/**
 * The docker.io rule for pulls and short names (`ParseDockerRef`): a name without a registry
 * is on docker.io, a single component is under `library/`, a missing tag is `latest`, a tag
 * next to a digest is dropped. A bare 64-character hex string is refused: it is an image ID.
 * @example normalizeDockerName("busybox") // "docker.io/library/busybox:latest"
 * @throws {InvalidReferenceError}
 */
export function normalizeDockerName(input: string): string {
  if (/^[0-9a-f]{64}$/.test(input)) {
    throw new InvalidReferenceError(input, "a 64-character hex string is an image ID, not a name");
  }
  return qualify(input, parseReference(input), "docker.io");
}

/** True for a full image ID, with or without `sha256:`; podman looks such input up by ID only. */
export function isFullId(input: string): boolean {
  return FULL_ID_RE.test(input);
}

/**
 * True when the input may be an image ID or a prefix of one (1 to 64 lowercase hex digits, or
 * `sha256:` and 64). Only a full ID is unambiguous: podman tries a shorter hex string as a name
 * first (`localhost/ced2`, the search registries …) and as an ID prefix only when no name
 * matches, so `podman inspect ced2` finds a repository called `ced2` before an image whose ID
 * starts with `ced2`. Any prefix length works, even one digit.
 */
export function looksLikeId(input: string): boolean {
  return ID_PREFIX_RE.test(input) || FULL_ID_RE.test(input);
}

/**
 * The names to try, in order, when looking `input` up in local storage (podman's
 * `LookupImage`). A full ID gives none (look it up by ID only). A qualified name gives itself,
 * completed. A short name gives `alias` (the short-name alias for its repository, with the
 * input's tag or digest moved onto it), then `localhost/`, each search registry, and
 * `docker.io` (`library/` for one component), each with `latest` unless tagged or digested.
 * When none is found the caller tries the input as an ID prefix ({@link looksLikeId}).
 * @param searchRegistries registries.conf `unqualified-search-registries`, in order
 * @param alias e.g. `docker.io/library/almalinux` from registries.conf `[aliases]`
 * @throws {InvalidReferenceError} for an invalid name, or `sha256:` without a full ID
 */
export function localCandidates(
  input: string,
  searchRegistries: string[],
  alias?: string,
): string[] {
  if (isFullId(input)) return [];
  if (input.startsWith("sha256:")) {
    throw new InvalidReferenceError(input, `"sha256:" must be followed by a 64-digit hex image ID`);
  }
  const r = parseReference(input);
  if (r.domain !== "") return [qualify(input, r, "")];
  const out: string[] = [];
  const add = (candidate: string) => {
    try {
      const q = qualify(candidate, parseReference(candidate), "docker.io");
      if (!out.includes(q)) out.push(q);
    } catch (e) {
      // A prefix that makes the name too long (or a bad alias) yields no candidate, not an error.
      if (!(e instanceof InvalidReferenceError)) throw e;
    }
  };
  if (alias !== undefined) {
    add(alias + (r.tag === null ? "" : `:${r.tag}`) + (r.digest === null ? "" : `@${r.digest}`));
  }
  for (const registry of ["localhost", ...searchRegistries, "docker.io"]) {
    add(`${registry}/${input}`);
  }
  return out;
}

/** What `images` shows for one stored name. */
export interface RepoAndTag {
  /** REPOSITORY: the name without tag or digest, or `<none>`. */
  repository: string;
  /** TAG, or `<none>`. */
  tag: string;
  /** The digest of a name stored by digest, else null. */
  digest: string | null;
}

/**
 * Splits a stored name into what `images` shows. A name without a tag (stored by digest) has
 * TAG `<none>`; a name that does not parse shows `<none>` for both, as in podman.
 * @example repoAndTag("localhost/foo:1") // { repository: "localhost/foo", tag: "1", digest: null }
 */
export function repoAndTag(
  name: string,
): { repository: string; tag: string; digest: string | null } {
  let r: ImageReference;
  try {
    r = parseReference(name);
  } catch (e) {
    if (!(e instanceof InvalidReferenceError)) throw e;
    return { repository: "<none>", tag: "<none>", digest: null };
  }
  return { repository: repository(r), tag: r.tag ?? "<none>", digest: r.digest };
}
