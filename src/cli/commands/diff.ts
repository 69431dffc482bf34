/** `skiff diff`: what a container (or an image's top layer) changed. */

import { UsageError } from "../../define/errors.ts";
import { diffObject, latestContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine, writeOut } from "../output.ts";

export const diffCommand: Command = {
  name: "diff",
  summary: "Display the changes to the object's file system",
  description: "Displays changes on a container or image's filesystem.  The container or " +
    "image will be compared to its parent layer.",
  usage: "[options] {CONTAINER|IMAGE}",
  args: { max: 1 },
  examples: ["skiff diff ctrID", "skiff diff --format json localhost/busybox"],
  flags: [
    { name: "format", type: "string", help: "Change the output format (json)" },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
  ],
  async run(ctx) {
    const format = ctx.flags.string("format");
    if (format !== undefined && format !== "json") {
      throw new UsageError("only supported value for '--format' is 'json'");
    }
    const rt = await ctx.runtime();
    const latest = ctx.flags.bool("latest");
    if (latest && ctx.args.length) {
      throw new UsageError("--latest and containers cannot be used together");
    }
    if (!latest && !ctx.args.length) {
      throw new UsageError(
        `"${ctx.path.join(" ")}" requires a name, id, or the "--latest" flag`,
      );
    }
    const changes = await diffObject(rt, latest ? await latestContainer(rt) : ctx.args[0]!);
    if (format === "json") {
      // podman's report: three lists, each left out when empty, indented by five spaces
      const report: Record<string, string[]> = {};
      for (const [key, kind] of [["changed", "C"], ["added", "A"], ["deleted", "D"]]) {
        const paths = changes.filter((c) => c.kind === kind).map((c) => c.path);
        if (paths.length) report[key!] = paths;
      }
      writeOut(JSON.stringify(report, null, 5) + "\n");
      return 0;
    }
    for (const c of changes) printLine(`${c.kind} ${c.path}`);
    return 0;
  },
};
