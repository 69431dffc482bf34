/**
 * Progress for load, import and save: step lines and a byte counter on stderr when it is a
 * terminal, nothing when piped (scripts get only the result on stdout).
 * @module
 */

import { humanSize } from "./units.ts";
import { stderrIsTerminal, writeErr } from "./output.ts";

/** Callbacks for the runtime's progress hooks. */
export interface Progress {
  onStep?: (message: string) => void;
  onBytes?: (bytes: number) => void;
  /** Ends the counter line. */
  done(): void;
}

/** A progress printer, silent unless stderr is a terminal (or `quiet`). */
export function progress(quiet = false): Progress {
  if (quiet || !stderrIsTerminal()) return { done() {} };
  let counting = false;
  let last = 0;
  return {
    onStep(message) {
      if (counting) writeErr("\n");
      counting = false;
      writeErr(`${message}\n`);
    },
    onBytes(bytes) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      counting = true;
      writeErr(`\r\x1b[KReading ${humanSize(bytes)}`);
    },
    done() {
      if (counting) writeErr("\n");
      counting = false;
    },
  };
}
