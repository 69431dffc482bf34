/**
 * Commands added by the "exec" work, merged into the table by commands.ts: top-level ones, and
 * those under `container` and `image`.
 * @module
 */

import type { Command } from "./command.ts";
import { attachCommand } from "./commands/attach.ts";
import { execCommand } from "./commands/exec.ts";

/** Top-level commands (`skiff VERB`). */
export const TOP: Command[] = [attachCommand, execCommand];
/** Commands under `skiff container`. */
export const CONTAINER: Command[] = [attachCommand, execCommand];
/** Commands under `skiff image`. */
export const IMAGE: Command[] = [];
