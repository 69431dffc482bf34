/**
 * Commands added by the "ops" work, merged into the table by commands.ts: top-level ones, and
 * those under `container` and `image`.
 * @module
 */

import type { Command } from "./command.ts";

/** Top-level commands (`skiff VERB`). */
export const TOP: Command[] = [];
/** Commands under `skiff container`. */
export const CONTAINER: Command[] = [];
/** Commands under `skiff image`. */
export const IMAGE: Command[] = [];
