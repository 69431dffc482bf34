/**
 * How JSON-like JS values look through Go's eyes: type names for error messages, truthiness,
 * field lookup, sorted map entries, and fmt's default `%v` rendering.
 *
 * JS has one number type; an integral number is treated as Go's `int`, any other as `float64`.
 * A plain object or a `Map` is treated as a Go map (sorted keys when printed or ranged over).
 * @module
 */

/** What a missing value prints as when it is the result of an action. */
export const NO_VALUE = "<no value>";

/** A plain object or Map: the values Go would see as `map[string]interface {}`. */
export function isMapLike(
  value: unknown,
): value is Map<unknown, unknown> | Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

/** The Go type name of a value, as Go's error messages print it. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "bigint":
      return "int64";
    case "number":
      return Number.isInteger(value) ? "int" : "float64";
    case "function":
      return "func";
  }
  if (Array.isArray(value)) return "[]interface {}";
  if (value instanceof Date) return "time.Time";
  return "map[string]interface {}";
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * Go's notion of "empty" for if/with/and/or/not: false, 0, nil, "" and empty lists and maps are
 * false; everything else is true. Class instances count as structs, which are always true.
 */
export function truth(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      return value !== 0;
    case "bigint":
      return value !== 0n;
    case "string":
      return value.length > 0;
    case "object":
      if (Array.isArray(value)) return value.length > 0;
      if (value instanceof Map) return value.size > 0;
      if (value instanceof Date || !isPlainObject(value)) return true;
      return Object.keys(value).length > 0;
  }
  return true;
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The entries of a map-like value, sorted by key as Go's fmt and range do. */
export function sortedEntries(value: Map<unknown, unknown> | Record<string, unknown>) {
  const entries: [unknown, unknown][] = value instanceof Map
    ? [...value.entries()]
    : Object.keys(value).map((key) => [key, value[key]]);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

/** Result of looking a field up: `found` is false when no key matched. */
export interface Lookup {
  readonly found: boolean;
  readonly value: unknown;
}

const MISSING: Lookup = { found: false, value: undefined };

/**
 * Looks `name` up on an object or Map: the exact key first, then the first key that matches
 * ignoring case (podman's `{{.Host.Arch}}` on `{host: {arch: …}}`). Getters and methods
 * inherited from a class count; `Object.prototype` and `constructor` do not.
 */
export function lookupField(receiver: object, name: string): Lookup {
  if (receiver instanceof Map) {
    if (receiver.has(name)) return { found: true, value: receiver.get(name) };
    const lower = name.toLowerCase();
    for (const key of receiver.keys()) {
      if (typeof key === "string" && key.toLowerCase() === lower) {
        return { found: true, value: receiver.get(key) };
      }
    }
    return MISSING;
  }
  if (name === "constructor") return MISSING;
  for (let o: object | null = receiver; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, name)) return { found: true, value: Reflect.get(receiver, name) };
  }
  const lower = name.toLowerCase();
  for (let o: object | null = receiver; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key !== "constructor" && key.toLowerCase() === lower) {
        return { found: true, value: Reflect.get(receiver, key) };
      }
    }
  }
  return MISSING;
}

/** Whether an object has its own `toString` (Go's Stringer), e.g. a class with a custom one. */
export function hasStringer(value: object): boolean {
  const fn = (value as { toString?: unknown }).toString;
  return typeof fn === "function" && fn !== Object.prototype.toString &&
    fn !== Array.prototype.toString && !(value instanceof Map);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * Go's `time.Time.String()` layout, `2006-01-02 15:04:05.999999999 -0700 MST`, always in UTC
 * (JS dates carry no zone name) and with millisecond precision: `2024-05-01 10:20:30.5 +0000 UTC`.
 */
export function formatGoTime(date: Date): string {
  if (Number.isNaN(date.getTime())) return "Invalid Date";
  const year = String(date.getUTCFullYear()).padStart(4, "0");
  const ms = date.getUTCMilliseconds();
  const frac = ms === 0 ? "" : "." + String(ms).padStart(3, "0").replace(/0+$/, "");
  return `${year}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())} ` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}` +
    `${frac} +0000 UTC`;
}

/** Writes an exponent the Go way: sign and at least two digits (`e+06`, `e-05`). */
export function goExponent(exp: number): string {
  return (exp < 0 ? "e-" : "e+") + String(Math.abs(exp)).padStart(2, "0");
}

/**
 * Go's shortest `%v`/`%g` of a float64: fixed notation for exponents -4…5, otherwise
 * scientific with a two-digit exponent (`1.2345675e+06`, `1e-05`).
 */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa = "0", exp = "0"] = x.toExponential().split("e");
  const e = Number(exp);
  return e < -4 || e >= 6 ? mantissa + goExponent(e) : String(x);
}

/** Formats a number as Go would: integers plainly, other numbers as float64. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) {
    return Math.abs(x) < 1e21 ? String(Object.is(x, -0) ? 0 : x) : BigInt(x).toString();
  }
  return formatGoFloat(x);
}

/**
 * fmt's `%v` rendering: strings as is, numbers without needless decimals, `[a b c]` for lists,
 * `map[k1:v1 k2:v2]` with sorted keys for objects and Maps, Go's time format for dates.
 * `nil` prints as `<nil>` (an action's missing result prints as `<no value>` instead; the
 * executor decides that).
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return formatNumber(value);
    case "boolean":
    case "bigint":
      return String(value);
    case "function":
      return "<func>";
    case "symbol":
      return value.toString();
  }
  if (Array.isArray(value)) return "[" + value.map(formatValue).join(" ") + "]";
  if (value instanceof Date) return formatGoTime(value);
  if (hasStringer(value)) return String(value);
  const parts = sortedEntries(value as Record<string, unknown>).map(([k, v]) =>
    `${formatValue(k)}:${formatValue(v)}`
  );
  return "map[" + parts.join(" ") + "]";
}
