/** `skiff help [COMMAND...]`: the help of any command. */

import { UsageError } from "../../define/errors.ts";
import type { Command } from "../command.ts";
import { helpText } from "../help.ts";
import { writeOut } from "../output.ts";

/** Builds the help command for a given root (the table imports this, not the reverse). */
export function helpCommand(root: () => Command): Command {
  return {
    name: "help",
    summary: "Help about any command",
    usage: "[command]",
    run(ctx) {
      let cmd = root();
      const path = ["skiff"];
      for (const word of ctx.args) {
        const next = cmd.subcommands?.find((c) => c.name === word || c.aliases?.includes(word));
        if (!next) throw new UsageError(`unknown help topic \`${[...path, word].join(" ")}\``);
        path.push(word);
        cmd = next;
      }
      writeOut(helpText(path, cmd));
      return Promise.resolve(0);
    },
  };
}
