/** `skiff image prune`: remove dangling (or, with -a, all unused) images. */

import { pruneImages } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { confirm } from "../prompt.ts";
import { printLine } from "../output.ts";

export const imagePruneCommand: Command = {
  name: "prune",
  summary: "Remove unused images",
  usage: "[options]",
  args: { max: 0 },
  flags: [
    {
      name: "all",
      short: "a",
      type: "bool",
      help: "Remove all images not in use by containers, not just dangling ones",
    },
    { name: "force", short: "f", type: "bool", help: "Do not prompt for confirmation" },
  ],
  async run(ctx) {
    const all = ctx.flags.bool("all");
    if (!ctx.flags.bool("force")) {
      const what = all
        ? "all images without at least one container associated to them"
        : "all dangling images";
      if (
        !(await confirm(
          `WARNING! This command removes ${what}.\nAre you sure you want to continue? [y/N] `,
        ))
      ) return 0;
    }
    for (const id of await pruneImages(await ctx.runtime(), { all })) printLine(id);
    return 0;
  },
};
