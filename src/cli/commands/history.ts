/** `skiff history`: the layers and history of an image. */

import { imageHistory } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printRows } from "../format_output.ts";
import { printLine, writeOut } from "../output.ts";
import { humanSize, timeAgo } from "../units.ts";

export const historyCommand: Command = {
  name: "history",
  summary: "Show history of a specified image",
  usage: "[options] IMAGE",
  args: { min: 1, max: 1 },
  flags: [
    { name: "format", type: "string", help: "Change the output to JSON or a Go template" },
    {
      name: "human",
      short: "H",
      type: "bool",
      default: true,
      help: "Display sizes and dates in human readable format",
    },
    { name: "no-trunc", type: "bool", help: "Do not truncate the output" },
    { name: "quiet", short: "q", type: "bool", help: "Display the numeric IDs only" },
  ],
  async run(ctx) {
    const entries = await imageHistory(await ctx.runtime(), ctx.args[0]!);
    const noTrunc = ctx.flags.bool("no-trunc");
    const human = ctx.flags.bool("human");
    if (ctx.flags.bool("quiet")) {
      for (const e of entries) {
        printLine(noTrunc || e.id === "<missing>" ? e.id : e.id.slice(0, 12));
      }
      return 0;
    }
    const format = ctx.flags.string("format");
    if (format === "json") {
      writeOut(
        JSON.stringify(
          entries.map((e) => ({
            id: e.id,
            created: e.created,
            CreatedBy: e.createdBy,
            size: e.size,
            comment: e.comment,
          })),
          null,
          4,
        ) + "\n",
      );
      return 0;
    }
    const rows = entries.map((e) => ({
      ID: noTrunc || e.id === "<missing>" ? e.id : e.id.slice(0, 12),
      Created: human ? timeAgo(e.created) : e.created,
      CreatedSince: human ? timeAgo(e.created) : e.created,
      CreatedAt: e.created,
      CreatedBy: noTrunc || e.createdBy.length <= 45
        ? e.createdBy
        : `${e.createdBy.slice(0, 42)}...`,
      Size: human ? humanSize(e.size) : String(e.size),
      Comment: e.comment,
    }));
    printRows(
      rows,
      format ?? "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
      {
        headers: { CreatedBy: "CREATED BY" },
      },
    );
    return 0;
  },
};
