/** `skiff logs`: a container's output, from its k8s-file log. */

import { UsageError } from "../../define/errors.ts";
import { containerLogs, latestContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { writeErr, writeOut } from "../output.ts";

/** `--since`/`--until`: RFC 3339, a date, unix seconds, or a duration back from now (10m). */
export function parseTime(flag: string, v: string, now = Date.now()): Date {
  const d = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(v);
  if (d) {
    const unit = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[d[2] as "s"];
    return new Date(now - Number(d[1]) * unit);
  }
  if (/^\d+(\.\d+)?$/.test(v)) return new Date(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) {
    throw new UsageError(
      `invalid ${flag} "${v}": expected a timestamp (RFC 3339 or unix) or a duration like 10m`,
    );
  }
  return new Date(t);
}

export const logsCommand: Command = {
  name: "logs",
  summary: "Fetch the logs of one or more containers",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    { name: "follow", short: "f", type: "bool", help: "Follow log output" },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    { name: "names", short: "n", type: "bool", help: "Output the container name in the log" },
    { name: "since", type: "string", help: "Show logs since TIMESTAMP" },
    {
      name: "tail",
      type: "int",
      default: -1,
      help: "Output the specified number of LINES at the end of the logs",
    },
    { name: "timestamps", short: "t", type: "bool", help: "Output the timestamps in the log" },
    { name: "until", type: "string", help: "Show logs until TIMESTAMP" },
  ],
  async run(ctx) {
    const rt = await ctx.runtime();
    const names = ctx.flags.bool("latest") ? [await latestContainer(rt)] : ctx.args;
    if (!names.length) throw new UsageError(`"skiff logs" requires at least 1 argument`);
    const since = ctx.flags.string("since");
    const until = ctx.flags.string("until");
    const tail = ctx.flags.int("tail")!;
    for (const name of names) {
      const prefix = ctx.flags.bool("names") || names.length > 1 ? `${name} ` : "";
      for await (
        const line of containerLogs(rt, name, {
          follow: ctx.flags.bool("follow"),
          ...(since ? { since: parseTime("--since", since) } : {}),
          ...(until ? { until: parseTime("--until", until) } : {}),
          ...(tail >= 0 ? { tail } : {}),
        })
      ) {
        const text = `${prefix}${
          ctx.flags.bool("timestamps") ? `${line.timeText} ` : ""
        }${line.text}${line.partial ? "" : "\n"}`;
        if (line.stream === "stderr") writeErr(text);
        else writeOut(text);
      }
    }
    return 0;
  },
};
