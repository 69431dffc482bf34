/** `skiff inspect` (containers or images) and `skiff container inspect`. */

import { UsageError } from "../../define/errors.ts";
import {
  containerExists,
  findImage,
  inspectContainer,
  inspectImage,
  latestContainer,
} from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printRows } from "../format_output.ts";
import { writeOut } from "../output.ts";

function inspectCmd(name: string, kind: "any" | "container"): Command {
  return {
    name,
    summary: kind === "any"
      ? "Display the configuration of object denoted by ID"
      : "Display the configuration of a container",
    usage: "[options] {CONTAINER|IMAGE} [...]",
    flags: [
      {
        name: "format",
        short: "f",
        type: "string",
        help: "Format the output to a Go template or json",
      },
      {
        name: "latest",
        short: "l",
        type: "bool",
        help: "Act on the latest container skiff is aware of",
      },
      {
        name: "type",
        short: "t",
        type: "string",
        default: kind === "any" ? "all" : "container",
        help: "Specify inspect-object type (container, image, all)",
      },
      { name: "size", short: "s", type: "bool", help: "Display total file size", hidden: true },
    ],
    async run(ctx) {
      const rt = await ctx.runtime();
      const type = ctx.flags.string("type")!;
      if (!["all", "container", "image"].includes(type)) {
        throw new UsageError(`invalid --type "${type}": choose container, image or all`);
      }
      const names = ctx.flags.bool("latest") ? [await latestContainer(rt)] : ctx.args;
      if (!names.length) {
        throw new UsageError(`"${ctx.path.join(" ")}" requires at least 1 argument`);
      }
      const data = [];
      for (const n of names) {
        if (type !== "image" && (type === "container" || await containerExists(rt, n))) {
          data.push(await inspectContainer(rt, n));
          continue;
        }
        if (type === "all" && !(await findImage(rt, n))) {
          throw new UsageError(`no such object: "${n}"`);
        }
        data.push(await inspectImage(rt, n));
      }
      const format = ctx.flags.string("format");
      if (format && format !== "json") printRows(data, format);
      else writeOut(JSON.stringify(data, null, 4) + "\n");
      return 0;
    },
  };
}

export const inspectCommand = inspectCmd("inspect", "any");
export const containerInspectCommand = inspectCmd("inspect", "container");
