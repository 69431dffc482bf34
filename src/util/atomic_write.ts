/**
 * Crash-safe file writes: write a temporary file beside the target, fsync it, then rename it
 * over the target, so a reader sees the old content or the new, never half of either.
 * @module
 */

/** Options for {@linkcode atomicWrite}. */
export interface AtomicWriteOptions {
  /** File mode of the new file. @default 0o644 */
  mode?: number;
  /** fsync the file before the rename. @default true */
  sync?: boolean;
}

/** Writes `data` to `path` atomically (temp file + rename in the same directory). */
export async function atomicWrite(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const file = await Deno.open(tmp, {
    write: true,
    createNew: true,
    mode: options.mode ?? 0o644,
  });
  try {
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    if (options.sync ?? true) await file.sync();
  } catch (e) {
    file.close();
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  file.close();
  try {
    if (options.mode !== undefined) await Deno.chmod(tmp, options.mode);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Synchronous variant of {@linkcode atomicWrite} for paths that must not yield. */
export function atomicWriteSync(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    Deno.writeFileSync(tmp, bytes, { createNew: true, mode: options.mode ?? 0o644 });
    if (options.mode !== undefined) Deno.chmodSync(tmp, options.mode);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw e;
  }
}
