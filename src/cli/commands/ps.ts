/** `skiff ps` / `skiff container ls`: list containers. */

import { UsageError } from "../../define/errors.ts";
import { type ContainerSummary, listContainers } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printRows } from "../format_output.ts";
import { printLine, writeOut } from "../output.ts";
import { humanDuration, timeAgo } from "../units.ts";

function statusText(s: ContainerSummary, now: number): string {
  switch (s.State) {
    case "running":
      return `Up ${timeAgo(s.StartedAt * 1000, now)}`;
    case "paused":
      return "Paused";
    case "exited":
      return `Exited (${s.ExitCode}) ${timeAgo(s.ExitedAt * 1000, now)}`;
    case "created":
      return "Created";
    default:
      return s.State.charAt(0).toUpperCase() + s.State.slice(1);
  }
}

function ports(s: ContainerSummary): string {
  return (s.Ports ?? []).map((p) =>
    `${p.hostIp || "0.0.0.0"}:${p.hostPort}->${p.containerPort}/${p.protocol}`
  ).join(", ");
}

const SORTS: Record<string, (a: Record<string, unknown>, b: Record<string, unknown>) => number> = {
  command: (a, b) => String(a.Command).localeCompare(String(b.Command)),
  created: (a, b) => Number(b.Created) - Number(a.Created),
  id: (a, b) => String(a.ID).localeCompare(String(b.ID)),
  image: (a, b) => String(a.Image).localeCompare(String(b.Image)),
  names: (a, b) => String(a.Names).localeCompare(String(b.Names)),
  runningfor: (a, b) => Number(b.Created) - Number(a.Created),
  status: (a, b) => String(a.Status).localeCompare(String(b.Status)),
  size: () => 0,
};

export const psCommand: Command = {
  name: "ps",
  summary: "List containers",
  description: "Prints out information about the containers",
  usage: "[options]",
  args: { max: 0 },
  examples: ["skiff ps -a", "skiff ps -a --format '{{.ID}}  {{.Image}}  {{.Labels}}'"],
  flags: [
    {
      name: "all",
      short: "a",
      type: "bool",
      help: "Show all the containers, default is only running containers",
    },
    {
      name: "filter",
      short: "f",
      type: "stringArray",
      help: "Filter output based on conditions given (id, name, status, label, exited, ancestor)",
    },
    {
      name: "format",
      type: "string",
      help: "Pretty-print containers to JSON or using a Go template",
    },
    {
      name: "last",
      short: "n",
      type: "int",
      default: -1,
      help: "Print the n last created containers (all states)",
    },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    { name: "no-trunc", type: "bool", help: "Display the extended information" },
    { name: "noheading", type: "bool", help: "Do not print headers" },
    {
      name: "quiet",
      short: "q",
      type: "bool",
      help: "Print the numeric IDs of the containers only",
    },
    {
      name: "sort",
      type: "string",
      default: "created",
      help: "Sort output by: command, created, id, image, names, runningfor, size, status",
    },
  ],
  async run(ctx) {
    const sort = ctx.flags.string("sort")!;
    if (!SORTS[sort]) {
      throw new UsageError(
        `invalid option for --sort "${sort}": choose command, created, id, image, names, runningfor, size or status`,
      );
    }
    const list = await listContainers(await ctx.runtime(), {
      all: ctx.flags.bool("all"),
      filters: ctx.flags.strings("filter"),
      last: ctx.flags.int("last")!,
      latest: ctx.flags.bool("latest"),
    });
    const noTrunc = ctx.flags.bool("no-trunc");
    if (ctx.flags.bool("quiet")) {
      for (const s of list) printLine(noTrunc ? s.Id : s.Id.slice(0, 12));
      return 0;
    }
    const format = ctx.flags.string("format");
    if (format === "json") {
      writeOut(JSON.stringify(list, null, 4) + "\n");
      return 0;
    }
    const now = Date.now();
    const rows = list.map((s) => {
      const command = s.Command.join(" ");
      return {
        ...s,
        ID: noTrunc ? s.Id : s.Id.slice(0, 12),
        Command: noTrunc || command.length <= 20 ? command : `${command.slice(0, 17)}...`,
        CreatedAt: s.CreatedAt,
        CreatedHuman: timeAgo(s.CreatedAt, now),
        RunningFor: humanDuration(now - s.Created * 1000),
        Status: statusText(s, now),
        Names: s.Names[0],
        Ports: ports(s),
        Labels: s.Labels,
      };
    }).sort(SORTS[sort]);
    const template = format ??
      "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    printRows(rows, template, {
      headers: {
        ID: "CONTAINER ID",
        CreatedHuman: "CREATED",
        RunningFor: "CREATED",
        Names: "NAMES",
      },
      noHeading: ctx.flags.bool("noheading"),
    });
    return 0;
  },
};
