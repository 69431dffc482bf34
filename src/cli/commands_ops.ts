/**
 * Commands added by the "ops" work, merged into the table by commands.ts: top-level ones, and
 * those under `container` and `image`.
 * @module
 */

import type { Command } from "./command.ts";
import { commitCommand } from "./commands/commit.ts";
import { cpCommand } from "./commands/cp.ts";
import { diffCommand } from "./commands/diff.ts";
import { exportCommand } from "./commands/export.ts";
import { mountCommand, umountCommand } from "./commands/mount.ts";
import { pauseCommand, unpauseCommand } from "./commands/pause.ts";
import { portCommand } from "./commands/port.ts";
import { statsCommand } from "./commands/stats.ts";
import { topCommand } from "./commands/top.ts";

/** Top-level commands (`skiff VERB`). */
export const TOP: Command[] = [
  commitCommand,
  cpCommand,
  diffCommand,
  exportCommand,
  mountCommand,
  pauseCommand,
  portCommand,
  statsCommand,
  topCommand,
  umountCommand,
  unpauseCommand,
];
/** Commands under `skiff container`. */
export const CONTAINER: Command[] = [...TOP];
/** Commands under `skiff image`. */
export const IMAGE: Command[] = [{
  ...diffCommand,
  summary: "Inspect changes to the image's file systems",
}];
