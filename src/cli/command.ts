/**
 * The shape of a command in skiff's command table, and the context a command runs with.
 * @module
 */

import { UsageError } from "../define/errors.ts";
import type { GlobalFlags } from "../config/mod.ts";
import type { FlagSpec, FlagValues } from "./flags.ts";
import type { Runtime } from "../runtime/mod.ts";

/** One node of the command tree: a group (with subcommands) or a leaf (with `run`). */
export interface Command {
  name: string;
  aliases?: string[];
  /** One line, shown in command lists. */
  summary: string;
  /** Longer text for `--help`; defaults to the summary. */
  description?: string;
  /** The part of the usage line after the command path, e.g. "[options] IMAGE [COMMAND [ARG...]]". */
  usage?: string;
  examples?: string[];
  flags?: FlagSpec[];
  /** Flags may follow positionals. @default true */
  interspersed?: boolean;
  /** Positional argument count bounds. */
  args?: { min?: number; max?: number };
  subcommands?: Command[];
  hidden?: boolean;
  run?: (ctx: CommandContext) => Promise<number | void>;
}

/** Typed access to parsed flag values, falling back to each flag's default. */
export class Flags {
  readonly #values: FlagValues;
  readonly #specs: Map<string, FlagSpec>;
  constructor(values: FlagValues, specs: readonly FlagSpec[]) {
    this.#values = values;
    this.#specs = new Map(specs.map((s) => [s.name, s]));
  }
  #get(name: string): unknown {
    if (!this.#specs.has(name)) throw new Error(`internal: flag --${name} is not declared`);
    return this.#values.has(name) ? this.#values.get(name) : this.#specs.get(name)!.default;
  }
  /** True when the flag was given on the command line. */
  changed(name: string): boolean {
    return this.#values.has(name);
  }
  bool(name: string): boolean {
    return Boolean(this.#get(name) ?? false);
  }
  string(name: string): string | undefined {
    const v = this.#get(name);
    return v === undefined ? undefined : String(v);
  }
  strings(name: string): string[] {
    const v = this.#get(name);
    return Array.isArray(v) ? [...v] : v === undefined ? [] : [String(v)];
  }
  int(name: string): number | undefined {
    const v = this.#get(name);
    return v === undefined ? undefined : Number(v);
  }
}

/** What a command's `run` receives. */
export interface CommandContext {
  /** The command path as typed, e.g. ["skiff", "container", "ls"]. */
  path: string[];
  /** The whole command line, as `inspect` records it (CreateCommand). */
  argv: string[];
  args: string[];
  flags: Flags;
  global: GlobalFlags;
  /**
   * Opens the runtime on first use (loading configuration); later calls return the same.
   * `renumber` reallocates every lock while opening (`system renumber`).
   */
  runtime(options?: { renumber?: boolean }): Promise<Runtime>;
}

/** Throws the usage error podman gives for a wrong number of arguments. */
export function requireArgs(ctx: CommandContext, min: number, what = "argument"): void {
  if (ctx.args.length < min) {
    throw new UsageError(
      `"${ctx.path.join(" ")}" requires at least ${min} ${what}${min === 1 ? "" : "s"}`,
    );
  }
}
