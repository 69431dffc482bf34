/**
 * The only writer to stdout and stderr. Writes are synchronous so that output and exit codes
 * stay in order; a closed pipe (`skiff ps | head -1`) ends output quietly.
 * @module
 */

const encoder = new TextEncoder();
let stdoutClosed = false;

function writeAll(file: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): boolean {
  let off = 0;
  while (off < bytes.length) {
    try {
      off += file.writeSync(bytes.subarray(off));
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) return false;
      if (e instanceof Deno.errors.WouldBlock || e instanceof Deno.errors.Interrupted) continue;
      throw e;
    }
  }
  return true;
}

/** Writes text (or bytes) to stdout as is. */
export function writeOut(data: string | Uint8Array): void {
  if (stdoutClosed) return;
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  if (!writeAll(Deno.stdout, bytes)) stdoutClosed = true;
}

/** Writes a line to stdout (adds the newline). */
export function printLine(line = ""): void {
  writeOut(line + "\n");
}

/** Writes text (or bytes) to stderr as is. */
export function writeErr(data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  writeAll(Deno.stderr, bytes);
}

/** True when stdout is a terminal (progress bars, colours). */
export function stdoutIsTerminal(): boolean {
  return Deno.stdout.isTerminal();
}

/** True when stderr is a terminal. */
export function stderrIsTerminal(): boolean {
  return Deno.stderr.isTerminal();
}
