/** `skiff port`: list a container's published ports. */

import { UsageError } from "../../define/errors.ts";
import {
  allContainerPorts,
  type ContainerPorts,
  containerPorts,
  formatPortMapping,
  latestContainer,
} from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";

/** Parses `PORT[/PROTO]` as podman does (the protocol defaults to tcp). */
function parsePrivatePort(arg: string): { port: number; proto: string } {
  const [num, proto = "tcp"] = arg.split("/", 2) as [string, string?];
  if (!/^[0-9]+$/.test(num) || Number(num) > 65535) {
    throw new UsageError(`strconv.ParseUint: parsing "${num}": invalid syntax`);
  }
  return { port: Number(num), proto };
}

export const portCommand: Command = {
  name: "port",
  summary: "List port mappings or a specific mapping for the container",
  usage: "[options] CONTAINER [PRIVATE_PORT[/PROTO]]",
  args: { max: 2 },
  examples: ["skiff port --all", "skiff port ctrID 80/tcp", "skiff port --latest 80"],
  flags: [
    { name: "all", short: "a", type: "bool", help: "Display port information for all containers" },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
  ],
  async run(ctx) {
    const all = ctx.flags.bool("all");
    const latest = ctx.flags.bool("latest");
    if (all && ctx.args.length) throw new UsageError("no arguments are needed with --all");
    if (!all && !latest && !ctx.args.length) {
      throw new UsageError("you must supply a running container name or id");
    }
    const rest = latest ? ctx.args : ctx.args.slice(1);
    if (rest.length > 1) throw new UsageError("`port` accepts at most 2 arguments");
    const wanted = rest[0] !== undefined ? parsePrivatePort(rest[0]) : null;
    const rt = await ctx.runtime();
    let reports: ContainerPorts[];
    if (all) reports = await allContainerPorts(rt);
    else reports = [await containerPorts(rt, latest ? await latestContainer(rt) : ctx.args[0]!)];
    for (const r of reports) {
      if (!r.running) continue;
      if (wanted) {
        const hits = r.ports.filter((p) =>
          p.containerPort === wanted.port && p.protocol === wanted.proto
        );
        if (!hits.length) {
          throw new UsageError(`failed to find published port "${rest[0]}"`);
        }
        for (const p of hits) printLine(`${p.hostIp || "0.0.0.0"}:${p.hostPort}`);
        continue;
      }
      for (const p of r.ports) {
        const text = await formatPortMapping(p);
        printLine(all ? `${r.id.slice(0, 12)}\t${text}` : text);
      }
    }
    return 0;
  },
};
