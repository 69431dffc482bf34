/** `container cleanup`, `container prune`, `container exists`, `rename`. */

import {
  cleanupContainer,
  containerExists,
  pruneContainers,
  renameContainer,
} from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";
import { confirm } from "../prompt.ts";

export const containerCleanupCommand: Command = {
  name: "cleanup",
  summary: "Clean up network and mountpoints of one or more containers",
  description: "Run by conmon when a container exits; rarely needed by hand.",
  usage: "[options] CONTAINER [CONTAINER...]",
  args: { min: 1 },
  flags: [{ name: "rm", type: "bool", help: "After cleanup, remove the container entirely" }],
  async run(ctx) {
    const rt = await ctx.runtime();
    for (const c of ctx.args) await cleanupContainer(rt, c, { remove: ctx.flags.bool("rm") });
    return 0;
  },
};

export const containerPruneCommand: Command = {
  name: "prune",
  summary: "Remove all non running containers",
  usage: "[options]",
  args: { max: 0 },
  flags: [{ name: "force", short: "f", type: "bool", help: "Do not prompt for confirmation" }],
  async run(ctx) {
    if (!ctx.flags.bool("force")) {
      if (
        !(await confirm(
          "WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ",
        ))
      ) return 0;
    }
    for (const id of await pruneContainers(await ctx.runtime())) printLine(id);
    return 0;
  },
};

export const containerExistsCommand: Command = {
  name: "exists",
  summary: "Check if a container exists in local storage",
  usage: "CONTAINER",
  args: { min: 1, max: 1 },
  async run(ctx) {
    return (await containerExists(await ctx.runtime(), ctx.args[0]!)) ? 0 : 1;
  },
};

export const renameCommand: Command = {
  name: "rename",
  summary: "Rename an existing container",
  usage: "CONTAINER NAME",
  args: { min: 2, max: 2 },
  async run(ctx) {
    await renameContainer(await ctx.runtime(), ctx.args[0]!, ctx.args[1]!);
    return 0;
  },
};
