/** Help text in the layout podman's (cobra's) `--help` uses. */

import type { Command } from "./command.ts";
import type { FlagSpec } from "./flags.ts";
import { GLOBAL_FLAGS } from "./global_flags.ts";

function flagLine(f: FlagSpec): [string, string] {
  const value = f.type === "bool"
    ? ""
    : ` ${
      f.valueName ?? (f.type === "int"
        ? "int"
        : f.type === "uint"
        ? "uint"
        : f.type === "string"
        ? "string"
        : f.type)
    }`;
  const left = `${f.short ? `-${f.short}, ` : "    "}--${f.name}${value}`;
  let help = f.help;
  const d = f.default;
  if (d !== undefined && d !== false && d !== "" && !(Array.isArray(d) && d.length === 0)) {
    help += ` (default ${
      typeof d === "string" ? JSON.stringify(d) : Array.isArray(d) ? `[${d.join(",")}]` : d
    })`;
  }
  return [left, help];
}

function flagBlock(flags: FlagSpec[]): string[] {
  const rows = flags.filter((f) => !f.hidden).sort((a, b) => a.name.localeCompare(b.name)).map(
    flagLine,
  );
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}   ${h}`);
}

/** The full help text of `cmd` reached through `path`. */
export function helpText(path: string[], cmd: Command): string {
  const lines: string[] = [cmd.summary, ""];
  if (cmd.description) {
    lines.push(
      "Description:",
      ...cmd.description.split("\n").map((l) => `  ${l}`),
      "",
    );
  }
  lines.push("Usage:");
  if (cmd.subcommands) lines.push(`  ${path.join(" ")} [options] COMMAND`);
  else lines.push(`  ${path.join(" ")} ${cmd.usage ?? "[options]"}`.trimEnd());
  lines.push("");
  if (cmd.aliases?.length) lines.push("Aliases:", `  ${[cmd.name, ...cmd.aliases].join(", ")}`, "");
  if (cmd.examples?.length) lines.push("Examples:", ...cmd.examples.map((e) => `  ${e}`), "");
  if (cmd.subcommands) {
    const subs = cmd.subcommands.filter((s) => !s.hidden).sort((a, b) =>
      a.name.localeCompare(b.name)
    );
    const w = Math.max(...subs.map((s) => s.name.length));
    lines.push(
      "Available Commands:",
      ...subs.map((s) => `  ${s.name.padEnd(w)}  ${s.summary}`),
      "",
    );
  }
  const own = cmd.flags ?? [];
  if (path.length === 1) {
    lines.push(
      "Options:",
      ...flagBlock([...GLOBAL_FLAGS, { name: "help", type: "bool", help: "Help for skiff" }, {
        name: "version",
        short: "v",
        type: "bool",
        help: "Version for skiff",
      }]),
    );
  } else {
    if (own.length) lines.push("Options:", ...flagBlock(own), "");
    lines.push("Global Options:", ...flagBlock(GLOBAL_FLAGS));
  }
  return lines.join("\n").trimEnd() + "\n";
}
