/** `skiff load`: images from a docker-archive, oci-archive or OCI layout (file or stdin). */

import { UsageError } from "../../define/errors.ts";
import { loadImages } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";
import { progress } from "../progress.ts";

export const loadCommand: Command = {
  name: "load",
  summary: "Load image(s) from a tar archive",
  description:
    "Loads images from a docker-archive, an oci-archive or an OCI layout directory, read from a file or stdin.",
  usage: "[options]",
  args: { max: 0 },
  examples: ["skiff load -i busybox.tar", "skiff load < busybox.tar"],
  flags: [
    {
      name: "input",
      short: "i",
      type: "string",
      help: "Read from specified archive file (default: stdin)",
    },
    { name: "quiet", short: "q", type: "bool", help: "Suppress the output" },
  ],
  async run(ctx) {
    const input = ctx.flags.string("input");
    if (input === undefined && Deno.stdin.isTerminal()) {
      throw new UsageError(
        "cannot read from terminal, use command-line redirection or the --input flag",
      );
    }
    const rt = await ctx.runtime();
    const p = progress(ctx.flags.bool("quiet"));
    let names: string[];
    try {
      names = await loadImages(rt, input ?? Deno.stdin.readable, p);
    } finally {
      p.done();
    }
    if (!ctx.flags.bool("quiet")) { for (const n of names) printLine(`Loaded image: ${n}`); }
    return 0;
  },
};
