/** `skiff image inspect`: podman-shaped JSON of one or more images. */

import { inspectImage } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printRows } from "../format_output.ts";
import { writeOut } from "../output.ts";

export const imageInspectCommand: Command = {
  name: "inspect",
  summary: "Display the configuration of an image",
  usage: "[options] IMAGE [IMAGE...]",
  args: { min: 1 },
  flags: [{
    name: "format",
    short: "f",
    type: "string",
    help: "Format the output to a Go template or json",
  }],
  async run(ctx) {
    const rt = await ctx.runtime();
    const data = [];
    for (const a of ctx.args) data.push(await inspectImage(rt, a));
    const format = ctx.flags.string("format");
    if (format && format !== "json") printRows(data, format);
    else writeOut(JSON.stringify(data, null, 4) + "\n");
    return 0;
  },
};
