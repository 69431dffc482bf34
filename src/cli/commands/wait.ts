/** `skiff wait`: block until containers exit and print their exit codes. */

import { UsageError } from "../../define/errors.ts";
import { waitContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";
import { forEachContainer, targets } from "./_many.ts";

export const waitCommand: Command = {
  name: "wait",
  summary: "Block on one or more containers",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    {
      name: "condition",
      type: "stringArray",
      help: "Condition to wait on (stopped, exited, running)",
    },
    {
      name: "interval",
      short: "i",
      type: "string",
      default: "250ms",
      help: "Time interval to wait before polling for completion",
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
    const conds = ctx.flags.strings("condition");
    for (const c of conds) {
      if (!["stopped", "exited", "running"].includes(c)) {
        throw new UsageError(`invalid condition "${c}": choose stopped, exited or running`);
      }
    }
    const m = /^(\d+)(ms|s)?$/.exec(ctx.flags.string("interval")!);
    if (!m) {
      throw new UsageError(
        `invalid --interval "${ctx.flags.string("interval")}": e.g. 250ms or 1s`,
      );
    }
    const intervalMs = Number(m[1]) * (m[2] === "s" ? 1000 : 1);
    return await forEachContainer(await targets(ctx, rt), async (c) => {
      const condition = conds.includes("running") ? "running" as const : undefined;
      printLine(
        String(await waitContainer(rt, c, { intervalMs, ...(condition ? { condition } : {}) })),
      );
    });
  },
};
