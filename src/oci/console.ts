/**
 * Terminal control through conmon's `ctl` FIFO (`<bundle>/ctl`, or `<bundle>/<SID>/ctl` for an
 * exec session): a line `"1 <rows> <cols>\n"` makes conmon set the pty's window size
 * (TIOCSWINSZ on the master, so the process gets SIGWINCH). conmon keeps a reader open while it
 * runs; the FIFO is opened `O_WRONLY|O_NONBLOCK`, which fails with ENXIO at once when conmon is
 * gone instead of blocking, and a full FIFO (EAGAIN) or EINTR is retried, as podman does.
 * @module
 */

import { errorMessage, OciRuntimeError } from "../define/errors.ts";
import { O } from "../sys/libc.ts";

/** A terminal's size in character cells. */
export interface TerminalSize {
  rows: number;
  cols: number;
}

/** conmon's `WIN_RESIZE_EVENT`. */
const RESIZE_EVENT = 1;
/** podman retries 600 × 100 ms; a resize that late is useless, so skiff gives up sooner. */
const RETRIES = 50;
const RETRY_MS = 20;

/** The ctl line that asks conmon to resize the terminal. Pure. */
export function resizeMessage(size: TerminalSize): string {
  const clamp = (n: number) => Math.max(0, Math.min(65535, Math.trunc(n)));
  return `${RESIZE_EVENT} ${clamp(size.rows)} ${clamp(size.cols)}\n`;
}

type NodeFs = typeof import("node:fs");
let nodeFs: NodeFs | undefined;

/** node:fs takes raw open(2) flags (O_NONBLOCK), which Deno.open cannot; loaded on first use. */
async function fs(): Promise<NodeFs> {
  nodeFs ??= await import("node:fs");
  return nodeFs;
}

function errnoCode(e: unknown): string | undefined {
  return (e as { code?: string }).code;
}

/**
 * Writes `line` to the `ctl` FIFO in `dir`. Throws an OciRuntimeError when conmon is not
 * listening (ENXIO, ENOENT) or the FIFO stays full.
 */
export async function writeControl(dir: string, line: string): Promise<void> {
  const f = await fs();
  const path = `${dir}/ctl`;
  const bytes = new TextEncoder().encode(line);
  for (let attempt = 0;; attempt++) {
    let fd = -1;
    try {
      // O_CLOEXEC comes from libc.ts (node:fs does not name it): no child inherits the FIFO
      fd = f.openSync(path, f.constants.O_WRONLY | f.constants.O_NONBLOCK | O.CLOEXEC);
      // one write of < PIPE_BUF bytes to a FIFO is atomic: all of it or EAGAIN
      f.writeSync(fd, bytes);
      return;
    } catch (e) {
      const code = errnoCode(e);
      if ((code === "EAGAIN" || code === "EINTR") && attempt < RETRIES) {
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      }
      throw new OciRuntimeError(
        "generic",
        `writing to control file ${path}: ${
          code === "ENXIO" ? "conmon is not running" : errorMessage(e)
        }`,
        { cause: e },
      );
    } finally {
      if (fd >= 0) f.closeSync(fd);
    }
  }
}

/** Sets the window size of the pty conmon holds for the container or exec session in `dir`. */
export function resizeTerminal(dir: string, size: TerminalSize): Promise<void> {
  return writeControl(dir, resizeMessage(size));
}
