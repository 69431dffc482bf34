/** Helpers shared by the extract_layer_*_test.ts files: a scratch dir, blob files, existence. */
import { join } from "node:path";

/** Most extraction tests need root (device nodes, ownership, trusted xattrs). */
export const notRoot = Deno.uid() !== 0;

/** Runs `fn` with a fresh work dir, removed afterwards. */
export async function withWorkDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-extract-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `data` to `dir/name` and returns the path. */
export async function writeBlob(dir: string, name: string, data: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await Deno.writeFile(path, data);
  return path;
}

/** Whether anything (even a dangling symlink) exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
