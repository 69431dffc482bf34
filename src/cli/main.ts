/**
 * The CLI entry: routes argv through the command table, applies global flags, opens the
 * runtime on demand, and turns errors into one `Error: …` line and podman's exit codes.
 * @module
 */

import { SkiffError, UsageError } from "../define/errors.ts";
import { EXIT_ENGINE } from "../define/exit_codes.ts";
import { log, parseLogLevel, setLogLevel } from "../util/logger.ts";
import { type Command, type CommandContext, Flags } from "./command.ts";
import { ROOT } from "./commands.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";
import { GLOBAL_FLAGS, isGlobalFlag, toGlobalFlags } from "./global_flags.ts";
import { helpText } from "./help.ts";
import { printLine, writeErr, writeOut } from "./output.ts";
import type { Runtime } from "../runtime/mod.ts";
import { VERSION } from "../define/version.ts";

const HELP: FlagSpec = { name: "help", type: "bool", help: "Help for this command" };

function findChild(cmd: Command, name: string): Command | undefined {
  return cmd.subcommands?.find((c) => c.name === name || c.aliases?.includes(name));
}

/** Runs the CLI with `args` and returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  let runtime: Runtime | undefined;
  try {
    const path = ["skiff"];
    let cmd = ROOT;
    let rest = args;
    const globals = new Map<string, string | boolean | number | string[]>();
    // Walk down the groups; global flags may appear at every level.
    while (cmd.subcommands) {
      const specs = [...GLOBAL_FLAGS, HELP];
      if (cmd === ROOT) specs.push({ name: "version", short: "v", type: "bool", help: "" });
      const parsed = parseFlags(rest, specs, { stopAtPositional: true });
      for (const [k, v] of parsed.values) globals.set(k, v);
      applyLogLevel(globals);
      if (globals.get("help")) {
        writeOut(helpText(path, cmd));
        return 0;
      }
      if (globals.get("version")) {
        printLine(`skiff version ${VERSION}`);
        return 0;
      }
      const word = parsed.positionals[0];
      if (word === undefined) {
        throw new UsageError(`missing command '${path.join(" ")} COMMAND'`);
      }
      const child = findChild(cmd, word);
      if (!child) throw new UsageError(`unrecognized command \`${path.join(" ")} ${word}\``);
      path.push(word);
      cmd = child;
      rest = parsed.positionals.slice(1);
    }
    const own = cmd.flags ?? [];
    const help: FlagSpec = own.some((f) => f.short === "h") ? HELP : { ...HELP, short: "h" };
    const specs = [
      ...own,
      ...GLOBAL_FLAGS.filter((g) => !own.some((f) => f.name === g.name)),
      help,
    ];
    let parsed;
    try {
      parsed = parseFlags(rest, specs, { interspersed: cmd.interspersed ?? true });
    } catch (e) {
      if (e instanceof UsageError) {
        throw new UsageError(`${e.message} (see '${path.join(" ")} --help')`);
      }
      throw e;
    }
    const leafValues = new Map(parsed.values);
    for (const [k, v] of parsed.values) {
      if (isGlobalFlag(k) && !own.some((f) => f.name === k)) {
        globals.set(k, v);
        leafValues.delete(k);
      }
    }
    applyLogLevel(globals);
    if (leafValues.get("help")) {
      writeOut(helpText(path, cmd));
      return 0;
    }
    const { min = 0, max = Infinity } = cmd.args ?? {};
    const n = parsed.positionals.length;
    if (n < min || n > max) throw new UsageError(argCountMessage(path, min, max));
    const global = toGlobalFlags(globals);
    const ctx: CommandContext = {
      path,
      argv: ["skiff", ...args],
      args: parsed.positionals,
      flags: new Flags(leafValues, own),
      global,
      async runtime(options = {}) {
        if (!runtime) {
          const [{ loadConfig }, { openRuntime }] = await Promise.all([
            import("../config/mod.ts"),
            import("../runtime/mod.ts"),
          ]);
          runtime = await openRuntime(loadConfig(global), options);
        }
        return runtime;
      },
    };
    const code = await cmd.run!(ctx);
    return typeof code === "number" ? code : 0;
  } catch (e) {
    return reportError(e);
  } finally {
    if (runtime) {
      await runtime.shutdown().catch((e) => log.warn(`shutting down the runtime: ${e}`));
    }
  }
}

function applyLogLevel(globals: Map<string, unknown>): void {
  const level = globals.get("log-level");
  if (typeof level !== "string") return;
  try {
    setLogLevel(parseLogLevel(level));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function argCountMessage(path: string[], min: number, max: number): string {
  const name = `"${path.join(" ")}"`;
  if (max === 0) return `${name} accepts no arguments`;
  if (min === max) return `${name} requires exactly ${min} argument${min === 1 ? "" : "s"}`;
  if (max === Infinity) return `${name} requires at least ${min} argument${min === 1 ? "" : "s"}`;
  if (min === 0) return `${name} accepts at most ${max} argument${max === 1 ? "" : "s"}`;
  return `${name} requires between ${min} and ${max} arguments`;
}

/** Prints `Error: …` and returns the exit code that belongs to the error. */
export function reportError(e: unknown): number {
  const message = e instanceof Error ? e.message : String(e);
  writeErr(`Error: ${message.replace(/\n+$/, "").replaceAll("\n", " ")}\n`);
  if (e instanceof Error && !(e instanceof SkiffError) && e.stack) {
    log.debug("stack of the unexpected error", { stack: e.stack });
  }
  return e instanceof SkiffError ? e.exitCode : EXIT_ENGINE;
}
