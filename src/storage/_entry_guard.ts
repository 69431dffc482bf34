/**
 * The rules that keep a layer inside its root, applied to each tar entry before GNU tar sees
 * it, plus the bookkeeping of OCI whiteouts. GNU tar already strips `/` and `..` and defers
 * symlinks that point outside, but it follows symlinks made earlier in the same run; refusing
 * here means we never depend on those details.
 * @module
 */

import type { TarEntry } from "./_tar_scanner.ts";

/** An entry the guard refuses; the caller turns it into a LayerEscapeError. */
export class EntryRefusal extends Error {
  /** The entry's name as the archive spells it. */
  readonly entry: string;
  /** Why it is refused, e.g. `absolute path`. */
  readonly reason: string;
  constructor(entry: string, reason: string) {
    super(`layer entry "${entry}" escapes the layer root: ${reason}`);
    this.entry = entry;
    this.reason = reason;
  }
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";

/**
 * The components of a relative entry path with "." and empty parts dropped; throws an
 * EntryRefusal for absolute paths, `..` components and NUL bytes.
 */
export function pathParts(entry: string, path: string, what = ""): string[] {
  const prefix = what === "" ? "" : `${what} "${path}" `;
  if (path.startsWith("/")) throw new EntryRefusal(entry, `${prefix}is an absolute path`);
  if (path.includes("\0")) throw new EntryRefusal(entry, `${prefix}contains a NUL byte`);
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new EntryRefusal(entry, `${prefix}has a ".." component`);
  return parts;
}

/** Tracks what a layer created so far and refuses entries that would leave the root. */
export class EntryGuard {
  /** Paths of symlinks created earlier in this layer. */
  #symlinks = new Set<string>();
  #whiteouts = new Set<string>();
  #opaque = new Set<string>();

  /** Paths the layer deletes (`dir/.wh.X` → `dir/X`), in archive order. */
  get whiteouts(): string[] {
    return [...this.#whiteouts];
  }

  /** Directories marked opaque (`dir/.wh..wh..opq` → `dir`; the root is "."). */
  get opaqueDirs(): string[] {
    return [...this.#opaque];
  }

  /** Checks one entry; throws an EntryRefusal naming it when it must not be extracted. */
  check(e: TarEntry): void {
    for (const other of e.otherNames) pathParts(other, other);
    if (e.kind === "label") return; // a volume label creates nothing
    const parts = pathParts(e.name, e.name);
    if (parts.length === 0 && e.kind !== "dir") {
      throw new EntryRefusal(e.name, `a ${e.kind} cannot replace the layer root`);
    }
    this.#notThroughSymlink(e.name, parts);
    if (e.kind === "hardlink") {
      const target = pathParts(e.name, e.linkname, "hardlink target");
      if (target.length === 0) {
        throw new EntryRefusal(e.name, "hardlink to the layer root");
      }
      this.#notThroughSymlink(e.name, target, e.linkname);
    } else if (e.kind === "symlink") {
      // Absolute targets are normal in a rootfs and resolve inside the container; only a
      // relative target can climb out of the root, seen lexically from the link's own dir.
      if (!e.linkname.startsWith("/") && climbsOut(parts.slice(0, -1), e.linkname)) {
        throw new EntryRefusal(e.name, `symlink target "${e.linkname}" leaves the layer root`);
      }
      this.#symlinks.add(parts.join("/"));
    }
    const base = parts[parts.length - 1];
    if (e.kind !== "dir" && base !== undefined && base.startsWith(WHITEOUT)) {
      this.#whiteout(e.name, parts.slice(0, -1), base);
    }
  }

  #notThroughSymlink(entry: string, parts: string[], target?: string): void {
    if (this.#symlinks.size === 0) return;
    let path = "";
    for (let i = 0; i < parts.length; i++) {
      path = i === 0 ? parts[0] ?? "" : `${path}/${parts[i]}`;
      if (!this.#symlinks.has(path)) continue;
      const what = target === undefined ? "" : `hardlink target "${target}" `;
      throw new EntryRefusal(
        entry,
        i < parts.length - 1
          ? `${what}goes through symlink "${path}" created earlier in the layer`
          : target === undefined
          ? `would be written over symlink "${path}" created earlier in the layer`
          : `${what}is a symlink created earlier in the layer`,
      );
    }
  }

  #whiteout(entry: string, dir: string[], base: string): void {
    if (base === OPAQUE) {
      this.#opaque.add(dir.length === 0 ? "." : dir.join("/"));
      return;
    }
    // Other ".wh..wh." names are aufs bookkeeping (hardlink dirs), not deletions.
    if (base.startsWith(WHITEOUT + WHITEOUT)) return;
    const target = base.slice(WHITEOUT.length);
    if (target === "" || target === "." || target === "..") {
      throw new EntryRefusal(entry, `whiteout of "${target}"`);
    }
    this.#whiteouts.add([...dir, target].join("/"));
  }
}

/** Whether `target`, followed lexically from the directory `dir`, ends above the root. */
function climbsOut(dir: string[], target: string): boolean {
  let depth = dir.length;
  for (const p of target.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (--depth < 0) return true;
    } else {
      depth++;
    }
  }
  return false;
}
