/** `skiff stop` and `skiff kill`. */

import { killContainer, parseSignal, stopContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";
import { forEachContainer, targets } from "./_many.ts";

export const stopCommand: Command = {
  name: "stop",
  summary: "Stop one or more containers",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    { name: "all", short: "a", type: "bool", help: "Stop all running containers" },
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
      help: "Seconds to wait for stop before killing the container (default 10)",
    },
  ],
  async run(ctx) {
    const rt = await ctx.runtime();
    const timeout = ctx.flags.int("time");
    return await forEachContainer(await targets(ctx, rt, { allRunning: true }), async (c) => {
      await stopContainer(rt, c, timeout === undefined ? {} : { timeout });
      printLine(c);
    }, { ignoreMissing: ctx.flags.bool("ignore") });
  },
};

export const killCommand: Command = {
  name: "kill",
  summary: "Kill one or more running containers with a specific signal",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    { name: "all", short: "a", type: "bool", help: "Signal all running containers" },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    {
      name: "signal",
      short: "s",
      type: "string",
      default: "KILL",
      help: "Signal to send to the container",
    },
  ],
  async run(ctx) {
    const rt = await ctx.runtime();
    const signal = parseSignal(ctx.flags.string("signal")!);
    return await forEachContainer(await targets(ctx, rt, { allRunning: true }), async (c) => {
      await killContainer(rt, c, signal);
      printLine(c);
    });
  },
};
