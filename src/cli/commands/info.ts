/** `skiff info`: host, store, registries and version facts. */

import type { Command } from "../command.ts";
import { printFormatted } from "../format_output.ts";
import { stringifyYaml } from "../format/mod.ts";
import { writeOut } from "../output.ts";
import { runtimeInfo } from "../../runtime/mod.ts";

export const infoCommand: Command = {
  name: "info",
  summary: "Display skiff system information",
  description:
    "Display information pertaining to the host, current storage stats, and build of skiff.",
  usage: "[options]",
  args: { max: 0 },
  examples: ["skiff info", "skiff info --format json", "skiff info --format '{{.Host.Arch}}'"],
  flags: [
    {
      name: "format",
      short: "f",
      type: "string",
      help: "Change the output format to JSON or a Go template",
    },
    {
      name: "debug",
      short: "D",
      type: "bool",
      help: "Display additional debug information",
      hidden: true,
    },
  ],
  async run(ctx) {
    const info = await runtimeInfo(await ctx.runtime());
    const format = ctx.flags.string("format");
    if (format) printFormatted(info, format, 2);
    else writeOut(stringifyYaml(info));
    return 0;
  },
};
