/**
 * The explicit command table: podman's command tree, with top-level shortcuts such as `ps`
 * for `container ls`. Each leaf lives in `commands/<verb>.ts`.
 * @module
 */

import type { Command } from "./command.ts";
import { helpCommand } from "./commands/help.ts";
import { infoCommand } from "./commands/info.ts";
import { systemRenumberCommand } from "./commands/system_renumber.ts";
import { versionCommand } from "./commands/version.ts";

const system: Command = {
  name: "system",
  summary: "Manage skiff",
  subcommands: [infoCommand, systemRenumberCommand],
};

/** The root of the command tree. */
export const ROOT: Command = {
  name: "skiff",
  summary: "Manage pods, containers and images",
  subcommands: [
    helpCommand(() => ROOT),
    infoCommand,
    system,
    versionCommand,
  ],
};
