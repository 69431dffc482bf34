/** `skiff stats`: a live stream of containers' resource usage. */

import { NotFoundError, UsageError } from "../../define/errors.ts";
import {
  containerStats,
  goDuration,
  latestContainer,
  listContainers,
  type Runtime,
  type StatsReport,
  statsReport,
} from "../../runtime/mod.ts";
import type { Command, CommandContext } from "../command.ts";
import { printRows } from "../format_output.ts";
import { stdoutIsTerminal, writeOut } from "../output.ts";
import { reportError } from "../main.ts";

/** go-units: `%.4g` of the value in decimal (`kB`) or binary (`KiB`) units, no space. */
function size(bytes: number, binary = false): string {
  const units = binary
    ? ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    : ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  const base = binary ? 1024 : 1000;
  let v = bytes;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

const pair = (a: number, b: number, binary = false) => `${size(a, binary)} / ${size(b, binary)}`;
const percent = (f: number) => `${Number.isFinite(f) ? f.toFixed(2) : "0.00"}%`;

function row(r: StatsReport, noTrunc: boolean) {
  return {
    ID: noTrunc ? r.id : r.id.slice(0, 12),
    Name: r.name,
    CPUPerc: percent(r.cpuPercent),
    CPU: r.cpuPercent,
    MemUsage: pair(r.memUsage, r.memLimit),
    MemUsageBytes: pair(r.memUsage, r.memLimit, true),
    MemPerc: percent(r.memPercent),
    NetIO: pair(r.netInput, r.netOutput),
    BlockIO: pair(r.blockInput, r.blockOutput),
    PIDS: String(r.pids),
    PIDs: String(r.pids),
    UpTime: goDuration(r.cpuNano),
    AVGCPU: percent(r.avgCpu),
  };
}

const HEADERS = {
  ID: "ID",
  Name: "NAME",
  CPUPerc: "CPU %",
  MemUsage: "MEM USAGE / LIMIT",
  MemUsageBytes: "MEM USAGE / LIMIT",
  MemPerc: "MEM %",
  NetIO: "NET IO",
  BlockIO: "BLOCK IO",
  PIDS: "PIDS",
  PIDs: "PIDS",
  UpTime: "CPU TIME",
  AVGCPU: "AVG CPU %",
};

async function targets(ctx: CommandContext, rt: Runtime): Promise<string[]> {
  const all = ctx.flags.bool("all");
  const latest = ctx.flags.bool("latest");
  if ((all || latest) && ctx.args.length) {
    throw new UsageError(`--${all ? "all" : "latest"} and containers cannot be used together`);
  }
  if (latest) return [await latestContainer(rt)];
  if (ctx.args.length) return ctx.args;
  return (await listContainers(rt, { all })).map((c) => c.Id);
}

export const statsCommand: Command = {
  name: "stats",
  summary: "Display a live stream of container resource usage statistics",
  usage: "[options] [CONTAINER...]",
  examples: ["skiff stats", "skiff stats --no-stream ctrID", "skiff stats --all --no-stream"],
  flags: [
    {
      name: "all",
      short: "a",
      type: "bool",
      help:
        "Show all containers. Only running containers are shown by default. The default is false",
    },
    {
      name: "format",
      type: "string",
      help: "Pretty-print container statistics to JSON or using a Go template",
    },
    {
      name: "interval",
      short: "i",
      type: "int",
      default: 5,
      help: "Time in seconds between stats reports",
    },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    { name: "no-reset", type: "bool", help: "Disable resetting the screen between intervals" },
    {
      name: "no-stream",
      type: "bool",
      help: "Disable streaming stats and only pull the first result, default setting is false",
    },
    { name: "no-trunc", type: "bool", help: "Do not truncate output" },
  ],
  async run(ctx) {
    const interval = ctx.flags.int("interval")!;
    if (interval < 1) throw new UsageError("stats interval cannot be less than 1 second");
    const rt = await ctx.runtime();
    const format = ctx.flags.string("format");
    const noTrunc = ctx.flags.bool("no-trunc");
    const explicit = ctx.args.length > 0 || ctx.flags.bool("latest");
    const prev = new Map<string, StatsReport>();
    let code = 0;
    for (;;) {
      const reports: StatsReport[] = [];
      for (const c of await targets(ctx, rt)) {
        try {
          const r = await statsReport(await containerStats(rt, c), prev.get(c) ?? null);
          prev.set(c, r);
          reports.push(r);
        } catch (e) {
          if (!explicit && e instanceof NotFoundError) continue; // removed meanwhile
          if (e instanceof NotFoundError && prev.size === 0) {
            throw new NotFoundError(
              "container",
              `unable to get list of containers: unable to look up container ${c}: ${e.message}`,
              { cause: e },
            );
          }
          code = reportError(e);
          if (explicit) return code;
        }
      }
      if (!ctx.flags.bool("no-stream") && !ctx.flags.bool("no-reset") && stdoutIsTerminal()) {
        writeOut("\x1b[2J\x1b[0;0H");
      }
      const rows = reports.map((r) => row(r, noTrunc));
      if (format === "json") {
        const json = rows.map((r) => ({
          id: r.ID,
          name: r.Name,
          cpu_time: r.UpTime,
          cpu_percent: r.CPUPerc,
          avg_cpu: r.AVGCPU,
          mem_usage: r.MemUsage,
          mem_percent: r.MemPerc,
          net_io: r.NetIO,
          block_io: r.BlockIO,
          pids: r.PIDS,
        }));
        writeOut(JSON.stringify(json, null, 1) + "\n");
      } else {
        printRows(
          rows,
          format ??
            "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t" +
              "{{.BlockIO}}\t{{.PIDS}}\t{{.UpTime}}\t{{.AVGCPU}}",
          { headers: HEADERS },
        );
      }
      if (ctx.flags.bool("no-stream")) return code;
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
  },
};
