/**
 * skiff's version and build facts. A compiled binary carries `build_info.json` written by
 * `deno task compile`; a source checkout reads its git HEAD instead.
 * @module
 */

/** The release version. */
export const VERSION = "0.1.0";

/** Facts about how this skiff was built. */
export interface BuildInfo {
  gitCommit: string;
  /** Unix seconds, 0 when unknown (podman prints the epoch then). */
  built: number;
}

function readGitHead(root: URL): string {
  try {
    const head = Deno.readTextFileSync(new URL(".git/HEAD", root)).trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    try {
      return Deno.readTextFileSync(new URL(`.git/${ref}`, root)).trim();
    } catch {
      const packed = Deno.readTextFileSync(new URL(".git/packed-refs", root));
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(" ")[0] ?? "";
    }
  } catch {
    return "";
  }
}

/** Reads the build facts (never throws). */
export function buildInfo(): BuildInfo {
  const root = new URL("../../", import.meta.url);
  try {
    const info = JSON.parse(Deno.readTextFileSync(new URL("build_info.json", root)));
    return { gitCommit: String(info.gitCommit ?? ""), built: Number(info.built ?? 0) };
  } catch {
    return { gitCommit: readGitHead(root), built: 0 };
  }
}
