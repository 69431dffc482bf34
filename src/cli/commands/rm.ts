/** `skiff rm`: remove containers. */

import { removeContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";
import { forEachContainer, targets } from "./_many.ts";

export const rmCommand: Command = {
  name: "rm",
  summary: "Remove one or more containers",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    { name: "all", short: "a", type: "bool", help: "Remove all containers" },
    {
      name: "force",
      short: "f",
      type: "bool",
      help: "Force removal of a running or unusable container",
    },
    {
      name: "ignore",
      short: "i",
      type: "bool",
      help: "Ignore errors when a specified container is missing",
    },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    {
      name: "time",
      short: "t",
      type: "uint",
      help: "Seconds to wait for stop before killing the container",
    },
    {
      name: "volumes",
      short: "v",
      type: "bool",
      help: "Remove anonymous volumes associated with the container",
    },
  ],
  async run(ctx) {
    const rt = await ctx.runtime();
    const timeout = ctx.flags.int("time");
    return await forEachContainer(await targets(ctx, rt), async (c) => {
      printLine(
        await removeContainer(rt, c, {
          force: ctx.flags.bool("force"),
          ...(timeout !== undefined ? { timeout } : {}),
        }),
      );
    }, { ignoreMissing: ctx.flags.bool("ignore"), missingCode: 1 });
  },
};
