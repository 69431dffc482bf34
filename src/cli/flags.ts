/**
 * A pflag-compatible flag parser: `--name value`, `--name=value`, `-abc` clusters, `-p80`,
 * `-p=80`, `--rm=false`, repeated flags, `--` terminator, and commands that stop at their first
 * positional (`run IMAGE CMD --flags-of-cmd`).
 * @module
 */

import { UsageError } from "../define/errors.ts";

/** The value kinds of flags, named after pflag's. */
export type FlagType = "bool" | "string" | "stringArray" | "strings" | "int" | "uint";

/** One flag of a command. */
export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  help: string;
  /** Shown in help as "(default …)" and returned when the flag is not given. */
  default?: string | boolean | number | string[];
  /** The value placeholder shown in help (e.g. "string", "int"). */
  valueName?: string;
  hidden?: boolean;
}

/** Values of the flags given on the command line, keyed by long name. */
export type FlagValues = Map<string, string | boolean | number | string[]>;

/** Options for {@linkcode parseFlags}. */
export interface ParseOptions {
  /** Flags may follow positionals (false for run/exec/create). @default true */
  interspersed?: boolean;
  /** Stop at the first positional and return it and the rest untouched (command routing). */
  stopAtPositional?: boolean;
}

/** The result of parsing. */
export interface ParsedFlags {
  values: FlagValues;
  positionals: string[];
}

function parseBool(value: string, flag: string): boolean {
  if (/^(1|t|true|TRUE|True)$/.test(value)) return true;
  if (/^(0|f|false|FALSE|False)$/.test(value)) return false;
  throw new UsageError(`invalid argument "${value}" for "${flag}" flag: must be true or false`);
}

function store(values: FlagValues, spec: FlagSpec, raw: string | true, shown: string): void {
  if (spec.type === "bool") {
    values.set(spec.name, raw === true ? true : parseBool(raw, shown));
    return;
  }
  const value = raw as string;
  switch (spec.type) {
    case "string":
      values.set(spec.name, value);
      return;
    case "stringArray": {
      const prev = values.get(spec.name) as string[] | undefined;
      values.set(spec.name, [...(prev ?? []), value]);
      return;
    }
    case "strings": {
      const prev = values.get(spec.name) as string[] | undefined;
      values.set(spec.name, [...(prev ?? []), ...(value === "" ? [] : value.split(","))]);
      return;
    }
    case "int":
    case "uint": {
      const ok = spec.type === "int" ? /^[-+]?\d+$/.test(value) : /^\+?\d+$/.test(value);
      if (!ok) {
        throw new UsageError(
          `invalid argument "${value}" for "${shown}" flag: must be ${
            spec.type === "int" ? "an integer" : "a non-negative integer"
          }`,
        );
      }
      values.set(spec.name, Number(value));
      return;
    }
  }
}

/** Parses `args` against `specs`; throws UsageError naming an unknown or malformed flag. */
export function parseFlags(
  args: string[],
  specs: readonly FlagSpec[],
  options: ParseOptions = {},
): ParsedFlags {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const interspersed = options.interspersed ?? true;
  const values: FlagValues = new Map();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      const shown = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
      if (eq >= 0) {
        store(values, spec, a.slice(eq + 1), shown);
      } else if (spec.type === "bool") {
        store(values, spec, true, shown);
      } else {
        if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: --${name}`);
        store(values, spec, args[++i]!, shown);
      }
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const spec = byShort.get(c);
        if (!spec) throw new UsageError(`unknown shorthand flag: '${c}' in ${a}`);
        const shown = `-${c}, --${spec.name}`;
        if (spec.type === "bool") {
          if (a[j + 1] === "=") {
            store(values, spec, a.slice(j + 2), shown);
            break;
          }
          store(values, spec, true, shown);
          continue;
        }
        let rest = a.slice(j + 1);
        if (rest.startsWith("=")) rest = rest.slice(1);
        else if (rest === "") {
          if (i + 1 >= args.length) {
            throw new UsageError(`flag needs an argument: '${c}' in ${a}`);
          }
          rest = args[++i]!;
        }
        store(values, spec, rest, shown);
        break;
      }
      continue;
    }
    positionals.push(a);
    if (options.stopAtPositional || !interspersed) {
      positionals.push(...args.slice(i + 1));
      break;
    }
  }
  return { values, positionals };
}
