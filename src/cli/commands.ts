/**
 * The explicit command table: podman's command tree, with top-level shortcuts such as `ps`
 * for `container ls`. Each leaf lives in `commands/<verb>.ts`.
 * @module
 */

import type { Command } from "./command.ts";
import * as exec from "./commands_exec.ts";
import * as network from "./commands_network.ts";
import * as ops from "./commands_ops.ts";
import { helpCommand } from "./commands/help.ts";
import {
  containerCleanupCommand,
  containerExistsCommand,
  containerPruneCommand,
  renameCommand,
} from "./commands/container_misc.ts";
import { createCommand, runCommand } from "./commands/create.ts";
import { containerInspectCommand, inspectCommand } from "./commands/inspect.ts";
import { logsCommand } from "./commands/logs.ts";
import { psCommand } from "./commands/ps.ts";
import { rmCommand } from "./commands/rm.ts";
import { initCommand, restartCommand, startCommand } from "./commands/start.ts";
import { killCommand, stopCommand } from "./commands/stop.ts";
import { waitCommand } from "./commands/wait.ts";
import { historyCommand } from "./commands/history.ts";
import { imageExistsCommand } from "./commands/image_exists.ts";
import { imageInspectCommand } from "./commands/image_inspect.ts";
import { imagePruneCommand } from "./commands/image_prune.ts";
import { imagesCommand } from "./commands/images.ts";
import { importCommand } from "./commands/import.ts";
import { infoCommand } from "./commands/info.ts";
import { loadCommand } from "./commands/load.ts";
import { rmiCommand } from "./commands/rmi.ts";
import { saveCommand } from "./commands/save.ts";
import { systemRenumberCommand } from "./commands/system_renumber.ts";
import { tagCommand, untagCommand } from "./commands/tag.ts";
import { versionCommand } from "./commands/version.ts";

/** `cmd` under another name (podman's `image ls` for `images`, `image rm` for `rmi` …). */
function alias(cmd: Command, name: string, aliases: string[] = []): Command {
  return { ...cmd, name, aliases };
}

const image: Command = {
  name: "image",
  summary: "Manage images",
  subcommands: [
    imageExistsCommand,
    historyCommand,
    importCommand,
    imageInspectCommand,
    alias(imagesCommand, "list", ["ls"]),
    loadCommand,
    imagePruneCommand,
    alias(rmiCommand, "rm"),
    saveCommand,
    tagCommand,
    untagCommand,
    ...ops.IMAGE,
    ...exec.IMAGE,
    ...network.IMAGE,
  ],
};

const container: Command = {
  name: "container",
  summary: "Manage containers",
  subcommands: [
    containerCleanupCommand,
    createCommand,
    containerExistsCommand,
    initCommand,
    containerInspectCommand,
    killCommand,
    alias(psCommand, "list", ["ls", "ps"]),
    logsCommand,
    containerPruneCommand,
    renameCommand,
    restartCommand,
    rmCommand,
    runCommand,
    startCommand,
    stopCommand,
    waitCommand,
    ...ops.CONTAINER,
    ...exec.CONTAINER,
    ...network.CONTAINER,
  ],
};

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
    container,
    createCommand,
    helpCommand(() => ROOT),
    historyCommand,
    image,
    imagesCommand,
    importCommand,
    infoCommand,
    initCommand,
    inspectCommand,
    killCommand,
    loadCommand,
    logsCommand,
    psCommand,
    renameCommand,
    restartCommand,
    rmCommand,
    runCommand,
    startCommand,
    stopCommand,
    rmiCommand,
    saveCommand,
    system,
    tagCommand,
    untagCommand,
    versionCommand,
    waitCommand,
    ...ops.TOP,
    ...exec.TOP,
    ...network.TOP,
  ],
};
