/** `skiff version`: skiff, Deno, V8 and TypeScript versions, git commit and build time. */

import type { Command } from "../command.ts";
import { printFormatted } from "../format_output.ts";
import { printLine } from "../output.ts";
import { versionInfo } from "../../runtime/mod.ts";

export const versionCommand: Command = {
  name: "version",
  summary: "Display the skiff version information",
  usage: "[options]",
  args: { max: 0 },
  flags: [{
    name: "format",
    short: "f",
    type: "string",
    help: "Change the output format to JSON or a Go template",
  }],
  run(ctx) {
    const client = versionInfo();
    const format = ctx.flags.string("format");
    if (format) {
      printFormatted({ Client: client }, format);
      return Promise.resolve(0);
    }
    const rows: [string, unknown][] = [
      ["Version:", client.Version],
      ["Deno Version:", client.DenoVersion],
      ["V8 Version:", client.V8Version],
      ["TypeScript Version:", client.TypeScriptVersion],
      ["Git Commit:", client.GitCommit],
      ["Built:", client.BuiltTime],
      ["OS/Arch:", client.OsArch],
    ];
    for (const [k, v] of rows) printLine(`${k.padEnd(20)}${v}`);
    return Promise.resolve(0);
  },
};
