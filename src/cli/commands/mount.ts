/** `skiff mount` and `skiff umount` / `unmount`. */

import { UsageError } from "../../define/errors.ts";
import {
  latestContainer,
  listContainers,
  listMountedContainers,
  mountContainer,
  unmountableContainers,
  unmountContainer,
} from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printRows } from "../format_output.ts";
import { printLine, writeOut } from "../output.ts";
import { forEachContainer } from "./_many.ts";

const latestFlag = {
  name: "latest",
  short: "l",
  type: "bool",
  help: "Act on the latest container skiff is aware of",
} as const;

export const mountCommand: Command = {
  name: "mount",
  summary: "Mount a working container's root filesystem",
  description: "Mounts the specified containers' root file system in a location which can be " +
    "accessed from the host, and returns its location.\n\n" +
    "If you execute the command without any arguments, skiff will list all of the currently " +
    "mounted containers.",
  usage: "[options] [CONTAINER...]",
  examples: ["skiff mount", "skiff mount ctrID", "skiff mount --all"],
  flags: [
    { name: "all", short: "a", type: "bool", help: "Mount all containers" },
    {
      name: "format",
      type: "string",
      help: "Print the mounted containers in specified format (json)",
    },
    latestFlag,
    { name: "no-trunc", type: "bool", help: "Do not truncate output" },
  ],
  async run(ctx) {
    const format = ctx.flags.string("format");
    if (format !== undefined && format !== "json") {
      throw new UsageError(`unknown --format argument: "${format}"`);
    }
    const all = ctx.flags.bool("all");
    const latest = ctx.flags.bool("latest");
    if ((all || latest) && ctx.args.length) {
      throw new UsageError(
        all
          ? "no arguments are needed with --all"
          : "--latest and containers cannot be used together",
      );
    }
    const rt = await ctx.runtime();
    if (all || latest || ctx.args.length) {
      const ids = all
        ? (await listContainers(rt, { all: true })).map((c) => c.Id)
        : latest
        ? [await latestContainer(rt)]
        : ctx.args;
      return await forEachContainer(ids, async (c) => {
        printLine(await mountContainer(rt, c));
      });
    }
    const mounted = await listMountedContainers(rt);
    if (format === "json") {
      const report = mounted.map((m) => ({ id: m.id, Names: m.names, mountpoint: m.mountpoint }));
      writeOut(JSON.stringify(report, null, 1) + "\n");
      return 0;
    }
    const noTrunc = ctx.flags.bool("no-trunc");
    const rows = mounted.map((m) => ({
      ID: noTrunc ? m.id : m.id.slice(0, 12),
      Path: m.mountpoint,
    }));
    if (rows.length) printRows(rows, "table {{.ID}}\t{{.Path}}", { noHeading: true });
    return 0;
  },
};

export const umountCommand: Command = {
  name: "umount",
  aliases: ["unmount"],
  summary: "Unmount working container's root filesystem",
  description: "Container storage increments a mount counter each time a container is " +
    "mounted.\n\nWhen a container is unmounted, the mount counter is decremented and the " +
    "container's root filesystem is physically unmounted only when the mount counter reaches " +
    "zero indicating no other processes are using the mount.\n\nAn unmount can be forced " +
    "with the --force flag.",
  usage: "[options] CONTAINER [CONTAINER...]",
  examples: ["skiff umount ctrID", "skiff umount --all"],
  flags: [
    {
      name: "all",
      short: "a",
      type: "bool",
      help: "Unmount all of the currently mounted containers",
    },
    {
      name: "force",
      short: "f",
      type: "bool",
      help: "Force the complete unmount of the specified mounted containers",
    },
    latestFlag,
  ],
  async run(ctx) {
    const all = ctx.flags.bool("all");
    const latest = ctx.flags.bool("latest");
    if ((all || latest) && ctx.args.length) {
      throw new UsageError(`--${all ? "all" : "latest"} and containers cannot be used together`);
    }
    if (!all && !latest && !ctx.args.length) {
      throw new UsageError("you must provide at least one name or id");
    }
    const rt = await ctx.runtime();
    const ids = all
      ? await unmountableContainers(rt)
      : latest
      ? [await latestContainer(rt)]
      : ctx.args;
    const force = ctx.flags.bool("force") || all;
    return await forEachContainer(ids, async (c) => {
      await unmountContainer(rt, c, { force });
      printLine(c);
    });
  },
};
