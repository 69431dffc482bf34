/**
 * The functions a template may call: Go's builtins (and, or, not, len, index, slice, print,
 * printf, println, eq, ne, lt, le, gt, ge) and podman's additions (json, join, lower, upper,
 * title, truncate, pad, split) plus contains, replace and trim.
 * @module
 */

import { sprintf } from "./_printf.ts";
import { formatValue, isMapLike, truth, typeName } from "./_value.ts";

/** A mistake in how a function was called; printed without the "error calling" prefix. */
export class ArgError extends Error {}

/** A function that ran and failed; printed as `error calling NAME: …` like Go. */
export class CallError extends Error {}

/** A template function: arity bounds (`max` undefined = variadic) and the implementation. */
export interface Func {
  readonly min: number;
  readonly max?: number;
  readonly fn: (args: unknown[]) => unknown;
}

function wrongType(expected: string, value: unknown): ArgError {
  return new ArgError(`wrong type for value; expected ${expected}; got ${typeName(value)}`);
}

function str(value: unknown): string {
  if (typeof value !== "string") throw wrongType("string", value);
  return value;
}

function int(value: unknown): number {
  if (typeof value === "bigint") return Number(value);
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType("int", value);
  return value;
}

function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw wrongType("[]string", value);
  return value;
}

const utf8 = new TextEncoder();

type Kind = "nil" | "bool" | "number" | "string" | "time" | "other";

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number" || typeof value === "bigint") return "number";
  if (typeof value === "string") return "string";
  if (value instanceof Date) return "time";
  return "other";
}

function equal(a: unknown, b: unknown): boolean {
  const ka = kindOf(a), kb = kindOf(b);
  if (ka === "nil" || kb === "nil") return ka === kb;
  if (ka !== kb) throw new CallError("incompatible types for comparison");
  if (ka === "other") throw new CallError(`non-comparable type ${formatValue(a)}: ${typeName(a)}`);
  // deno-lint-ignore eqeqeq -- a bigint and a number of equal value are equal, as in Go.
  if (ka === "number") return a == b;
  if (ka === "time") return (a as Date).getTime() === (b as Date).getTime();
  return a === b;
}

function less(a: unknown, b: unknown): boolean {
  const ka = kindOf(a), kb = kindOf(b);
  if (ka !== "number" && ka !== "string") throw new CallError("invalid type for comparison");
  if (kb !== "number" && kb !== "string") throw new CallError("invalid type for comparison");
  if (ka !== kb) throw new CallError("incompatible types for comparison");
  return (a as number | string) < (b as number | string);
}

function lessOrEqual(a: unknown, b: unknown): boolean {
  return less(a, b) || equal(a, b);
}

function length(value: unknown): number {
  if (typeof value === "string") return utf8.encode(value).length;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (isMapLike(value)) return Object.keys(value).length;
  if (value === null || value === undefined) throw new CallError("len of nil pointer");
  throw new CallError(`len of type ${typeName(value)}`);
}

/**
 * Go's `index`. A missing key yields the map's zero value: "" when every value present is a
 * string (podman's labels and annotations are `map[string]string`), otherwise nil.
 */
function index(item: unknown, keys: unknown[]): unknown {
  for (const key of keys) {
    if (item === null || item === undefined) throw new CallError("index of untyped nil");
    if (Array.isArray(item) || typeof item === "string") {
      const i = int(key);
      const size = typeof item === "string" ? utf8.encode(item).length : item.length;
      if (i < 0 || i >= size) throw new CallError(`index out of range: ${i}`);
      item = typeof item === "string" ? utf8.encode(item)[i] : item[i];
    } else if (isMapLike(item)) {
      const name = String(key);
      const found = item instanceof Map
        ? { found: item.has(key), value: item.get(key) }
        : Object.hasOwn(item, name)
        ? { found: true, value: item[name] }
        : { found: false, value: undefined };
      if (found.found) {
        item = found.value;
      } else {
        const values = item instanceof Map ? [...item.values()] : Object.values(item);
        item = values.every((v) => typeof v === "string") ? "" : undefined;
      }
    } else {
      throw new CallError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, bounds: unknown[]): unknown {
  if (typeof item !== "string" && !Array.isArray(item)) {
    throw new CallError(`can't slice item of type ${typeName(item)}`);
  }
  if (bounds.length > 2) throw new CallError("too many slice indexes: " + bounds.length);
  const size = item.length;
  const [from = 0, to = size] = bounds.map(int);
  for (const i of [from, to]) {
    if (i < 0 || i > size) throw new CallError(`index out of range: ${i}`);
  }
  if (from > to) throw new CallError(`invalid slice index: ${from} > ${to}`);
  return item.slice(from, to);
}

/** fmt.Sprint: a space between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(arg);
  });
  return out;
}

/** strings.Title: upper-cases each letter that follows a separator. */
function title(text: string): string {
  let out = "";
  let previous = " ";
  for (const ch of text) {
    const separator = previous.charCodeAt(0) < 0x80
      ? !/^[A-Za-z0-9_]$/.test(previous)
      : /^\s$/u.test(previous);
    out += separator ? ch.toUpperCase() : ch;
    previous = ch;
  }
  return out;
}

function toJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return Number(v);
    if (v instanceof Map) return Object.fromEntries(v);
    return v;
  });
  return text ?? "null";
}

/** The function table, by name. */
export const FUNCS: ReadonlyMap<string, Func> = new Map<string, Func>([
  // and/or are evaluated lazily by the executor; these bodies serve direct calls only.
  ["and", { min: 1, fn: (a) => a.find((v) => !truth(v)) ?? a[a.length - 1] }],
  ["or", { min: 1, fn: (a) => a.find((v) => truth(v)) ?? a[a.length - 1] }],
  ["not", { min: 1, max: 1, fn: (a) => !truth(a[0]) }],
  ["len", { min: 1, max: 1, fn: (a) => length(a[0]) }],
  ["index", { min: 1, fn: (a) => index(a[0], a.slice(1)) }],
  ["slice", { min: 1, fn: (a) => slice(a[0], a.slice(1)) }],
  ["print", { min: 0, fn: sprint }],
  ["println", { min: 0, fn: (a) => a.map(formatValue).join(" ") + "\n" }],
  ["printf", { min: 1, fn: (a) => sprintf(str(a[0]), a.slice(1)) }],
  ["eq", {
    min: 1,
    fn: (a) => {
      if (a.length < 2) throw new CallError("missing argument for comparison");
      return a.slice(1).some((b) => equal(a[0], b));
    },
  }],
  ["ne", { min: 2, max: 2, fn: (a) => !equal(a[0], a[1]) }],
  ["lt", { min: 2, max: 2, fn: (a) => less(a[0], a[1]) }],
  ["le", { min: 2, max: 2, fn: (a) => lessOrEqual(a[0], a[1]) }],
  ["gt", { min: 2, max: 2, fn: (a) => !lessOrEqual(a[0], a[1]) }],
  ["ge", { min: 2, max: 2, fn: (a) => !less(a[0], a[1]) }],
  ["json", { min: 1, max: 1, fn: (a) => toJson(a[0]) }],
  ["join", { min: 2, max: 2, fn: (a) => list(a[0]).map(formatValue).join(str(a[1])) }],
  ["lower", { min: 1, max: 1, fn: (a) => str(a[0]).toLowerCase() }],
  ["upper", { min: 1, max: 1, fn: (a) => str(a[0]).toUpperCase() }],
  ["title", { min: 1, max: 1, fn: (a) => title(str(a[0])) }],
  ["truncate", {
    min: 2,
    max: 2,
    fn: (a) => [...str(a[0])].slice(0, Math.max(0, int(a[1]))).join(""),
  }],
  ["pad", {
    min: 3,
    max: 3,
    fn: (a) => " ".repeat(Math.max(0, int(a[1]))) + str(a[0]) + " ".repeat(Math.max(0, int(a[2]))),
  }],
  ["split", {
    min: 2,
    max: 2,
    fn: (a) => {
      const text = str(a[0]), sep = str(a[1]);
      return sep === "" ? [...text] : text.split(sep);
    },
  }],
  ["contains", {
    min: 2,
    max: 2,
    fn: (a) => {
      if (Array.isArray(a[0])) return a[0].some((v) => kindOf(v) === kindOf(a[1]) && v === a[1]);
      return str(a[0]).includes(str(a[1]));
    },
  }],
  ["replace", { min: 3, max: 3, fn: (a) => str(a[0]).replaceAll(str(a[1]), str(a[2])) }],
  ["trim", { min: 1, max: 1, fn: (a) => str(a[0]).trim() }],
]);
