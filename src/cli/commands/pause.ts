/** `skiff pause` and `skiff unpause`. */

import { UsageError } from "../../define/errors.ts";
import {
  latestContainer,
  listContainers,
  pauseContainer,
  type Runtime,
  unpauseContainer,
} from "../../runtime/mod.ts";
import type { Command, CommandContext } from "../command.ts";
import { printLine } from "../output.ts";
import { forEachContainer } from "./_many.ts";

/** Names given, or all containers in `state` (`--all`), or the newest (`--latest`). */
async function pick(ctx: CommandContext, rt: Runtime, state: string): Promise<string[]> {
  const all = ctx.flags.bool("all");
  const latest = ctx.flags.bool("latest");
  if ((all || latest) && ctx.args.length) {
    throw new UsageError(`--${all ? "all" : "latest"} and containers cannot be used together`);
  }
  if (all) {
    return (await listContainers(rt, { all: true })).filter((c) => c.State === state).map((c) =>
      c.Id
    );
  }
  if (latest) return [await latestContainer(rt)];
  if (!ctx.args.length) throw new UsageError("you must provide at least one name or id");
  return ctx.args;
}

function verb(
  name: string,
  summary: string,
  state: string,
  act: (rt: Runtime, c: string) => Promise<string>,
): Command {
  return {
    name,
    summary,
    usage: "[options] CONTAINER [CONTAINER...]",
    examples: [`skiff ${name} mywebserver`, `skiff ${name} --all`],
    flags: [
      {
        name: "all",
        short: "a",
        type: "bool",
        help: `${name === "pause" ? "Pause all running" : "Unpause all paused"} containers`,
      },
      {
        name: "latest",
        short: "l",
        type: "bool",
        help: "Act on the latest container skiff is aware of",
      },
    ],
    async run(ctx) {
      const rt = await ctx.runtime();
      return await forEachContainer(await pick(ctx, rt, state), async (c) => {
        const id = await act(rt, c);
        printLine(ctx.flags.bool("all") ? id : c);
      });
    },
  };
}

export const pauseCommand: Command = verb(
  "pause",
  "Pause all the processes in one or more containers",
  "running",
  pauseContainer,
);

export const unpauseCommand: Command = verb(
  "unpause",
  "Unpause the processes in one or more containers",
  "paused",
  unpauseContainer,
);
