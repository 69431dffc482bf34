/**
 * Commands added by the networking work, merged into the table by commands.ts.
 * @module
 */

import type { Command } from "./command.ts";
import { networkCommand } from "./commands/network.ts";

/** Top-level commands (`skiff VERB`). */
export const TOP: Command[] = [networkCommand];
/** Commands under `skiff container`. */
export const CONTAINER: Command[] = [];
/** Commands under `skiff image`. */
export const IMAGE: Command[] = [];
