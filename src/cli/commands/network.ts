/** `skiff network create|ls|inspect|rm|exists|prune`. */

import { UsageError } from "../../define/errors.ts";
import type { Command } from "../command.ts";
import { printRows } from "../format_output.ts";
import { printLine, writeOut } from "../output.ts";
import { confirm } from "../prompt.ts";
import { forEachContainer } from "./_many.ts";

const create: Command = {
  name: "create",
  summary: "Create a network",
  usage: "[options] [NAME]",
  args: { max: 1 },
  flags: [
    {
      name: "driver",
      short: "d",
      type: "string",
      default: "bridge",
      help: "Driver to manage the network",
    },
    { name: "gateway", type: "string", help: "IPv4 or IPv6 gateway for the subnet" },
    {
      name: "interface-name",
      type: "string",
      help: "Name of the bridge interface (default: skiffN)",
    },
    { name: "internal", type: "bool", help: "Restrict external access from this network" },
    { name: "ip-range", type: "string", help: "Allocate container IP from range" },
    { name: "label", type: "stringArray", help: "Set metadata on a network" },
    { name: "subnet", type: "string", help: "Subnet in CIDR format" },
  ],
  async run(ctx) {
    const { createNetwork, listNetworks } = await import("../../runtime/mod.ts");
    const rt = await ctx.runtime();
    const driver = ctx.flags.string("driver")!;
    if (driver !== "bridge") {
      throw new UsageError(`unsupported driver ${driver}: only bridge is supported`);
    }
    const labels: Record<string, string> = {};
    for (const l of ctx.flags.strings("label")) {
      const [k, v = ""] = l.split(/=(.*)/s);
      labels[k!] = v;
    }
    let name = ctx.args[0];
    if (!name) {
      const taken = new Set((await listNetworks(rt)).map((n) => n.name));
      for (let i = 1; !name; i++) if (!taken.has(`skiff${i}`)) name = `skiff${i}`;
    }
    const gateway = ctx.flags.string("gateway");
    const subnet = ctx.flags.string("subnet");
    const ipRange = ctx.flags.string("ip-range");
    if ((gateway || ipRange) && !subnet) {
      throw new UsageError("--gateway and --ip-range need --subnet");
    }
    const info = await createNetwork(rt, name, {
      driver,
      internal: ctx.flags.bool("internal"),
      labels,
      ...(subnet ? { subnet } : {}),
      ...(gateway ? { gateway } : {}),
      ...(ipRange ? { ipRange } : {}),
      ...(ctx.flags.string("interface-name")
        ? { interfaceName: ctx.flags.string("interface-name")! }
        : {}),
    });
    printLine(info.name);
    return 0;
  },
};

const ls: Command = {
  name: "ls",
  aliases: ["list"],
  summary: "List networks",
  usage: "[options]",
  args: { max: 0 },
  flags: [
    {
      name: "filter",
      short: "f",
      type: "stringArray",
      help: "Provide filter values (name, id, driver, label)",
    },
    {
      name: "format",
      type: "string",
      help: "Pretty-print networks to JSON or using a Go template",
    },
    { name: "noheading", type: "bool", help: "Do not print headers" },
    { name: "no-trunc", type: "bool", help: "Do not truncate the network ID" },
    { name: "quiet", short: "q", type: "bool", help: "Display only the network name" },
  ],
  async run(ctx) {
    const { listNetworks } = await import("../../runtime/mod.ts");
    const list = await listNetworks(await ctx.runtime(), ctx.flags.strings("filter"));
    if (ctx.flags.bool("quiet")) {
      for (const n of list) printLine(n.name);
      return 0;
    }
    const format = ctx.flags.string("format");
    if (format === "json") {
      writeOut(JSON.stringify(list, null, 4) + "\n");
      return 0;
    }
    const rows = list.map((n) => ({
      ...n,
      ID: ctx.flags.bool("no-trunc") ? n.id : n.id.slice(0, 12),
      Name: n.name,
      Driver: n.driver,
    }));
    printRows(rows, format ?? "table {{.ID}}\t{{.Name}}\t{{.Driver}}", {
      headers: { ID: "NETWORK ID" },
      noHeading: ctx.flags.bool("noheading"),
    });
    return 0;
  },
};

const inspect: Command = {
  name: "inspect",
  summary: "Displays the network configuration for one or more networks",
  usage: "[options] NETWORK [NETWORK...]",
  args: { min: 1 },
  flags: [{
    name: "format",
    short: "f",
    type: "string",
    help: "Pretty-print network to JSON or using a Go template",
  }],
  async run(ctx) {
    const { inspectNetwork } = await import("../../runtime/mod.ts");
    const rt = await ctx.runtime();
    const data = [];
    for (const n of ctx.args) data.push(await inspectNetwork(rt, n));
    const format = ctx.flags.string("format");
    if (format && format !== "json") printRows(data, format);
    else writeOut(JSON.stringify(data, null, 4) + "\n");
    return 0;
  },
};

const rm: Command = {
  name: "rm",
  aliases: ["remove"],
  summary: "Remove networks",
  usage: "[options] NETWORK [NETWORK...]",
  args: { min: 1 },
  flags: [
    { name: "force", short: "f", type: "bool", help: "Remove any containers using network" },
    {
      name: "time",
      short: "t",
      type: "uint",
      help: "Seconds to wait for running containers to stop before killing the container",
    },
  ],
  async run(ctx) {
    const { removeContainer, removeNetwork } = await import("../../runtime/mod.ts");
    const rt = await ctx.runtime();
    return await forEachContainer(ctx.args, async (n) => {
      printLine(
        await removeNetwork(rt, n, {
          force: ctx.flags.bool("force"),
          removeContainer: (id) =>
            removeContainer(rt, id, { force: true, timeout: ctx.flags.int("time") ?? 0 }),
        }),
      );
    });
  },
};

const exists: Command = {
  name: "exists",
  summary: "Check if a network exists",
  usage: "NETWORK",
  args: { min: 1, max: 1 },
  async run(ctx) {
    const { networkExists } = await import("../../runtime/mod.ts");
    return (await networkExists(await ctx.runtime(), ctx.args[0]!)) ? 0 : 1;
  },
};

const prune: Command = {
  name: "prune",
  summary: "Prune unused networks",
  usage: "[options]",
  args: { max: 0 },
  flags: [{ name: "force", short: "f", type: "bool", help: "Do not prompt for confirmation" }],
  async run(ctx) {
    const { pruneNetworks } = await import("../../runtime/mod.ts");
    if (!ctx.flags.bool("force")) {
      if (
        !(await confirm(
          "WARNING! This will remove all networks not used by at least one container.\nAre you sure you want to continue? [y/N] ",
        ))
      ) return 0;
    }
    for (const n of await pruneNetworks(await ctx.runtime())) printLine(n);
    return 0;
  },
};

/** The `network` command group. */
export const networkCommand: Command = {
  name: "network",
  summary: "Manage networks",
  subcommands: [create, exists, inspect, ls, prune, rm],
};
