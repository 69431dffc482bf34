/**
 * A subset of Go's fmt.Sprintf for the template `printf` function: flags `-+# 0`, width and
 * precision (also `*`), and the verbs v s q d t x X o b c U e E f F g G T %. Mismatches print
 * the way Go prints them: `%!d(string=hi)`, `%!s(MISSING)`, `%!(EXTRA int=1)`.
 *
 * One JS number type stands for Go's int and float64: an integral number formats as an int,
 * and is also accepted by the float verbs (Go would reject `%f` of an int).
 * @module
 */

import {
  formatGoFloat,
  formatValue,
  goExponent,
  hasStringer,
  isMapLike,
  sortedEntries,
  typeName,
} from "./_value.ts";

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  precision: number | undefined;
}

/** Formats `args` according to the Go format string `format`. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argIndex = 0;
  const chars = [...format];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch !== "%") {
      out += ch;
      continue;
    }
    const spec: Spec = {
      minus: false,
      plus: false,
      sharp: false,
      space: false,
      zero: false,
      width: undefined,
      precision: undefined,
    };
    i++;
    for (; i < chars.length; i++) {
      const flag = chars[i];
      if (flag === "-") spec.minus = true;
      else if (flag === "+") spec.plus = true;
      else if (flag === "#") spec.sharp = true;
      else if (flag === " ") spec.space = true;
      else if (flag === "0") spec.zero = true;
      else break;
    }
    const readNumber = (): number | undefined => {
      if (chars[i] === "*") {
        i++;
        const arg = args[argIndex++];
        return typeof arg === "number" && Number.isInteger(arg) ? arg : undefined;
      }
      let digits = "";
      while (/[0-9]/.test(chars[i] ?? "")) digits += chars[i++];
      return digits === "" ? undefined : Number(digits);
    };
    spec.width = readNumber();
    if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (chars[i] === ".") {
      i++;
      spec.precision = readNumber() ?? 0;
    }
    const verb = chars[i];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argIndex++], verb, spec);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) =>
      a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatValue(a)}`
    );
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function badVerb(arg: unknown, verb: string): string {
  if (arg === null || arg === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(arg)}=${formatValue(arg)})`;
}

function pad(text: string, spec: Spec): string {
  const width = spec.width ?? 0;
  const length = [...text].length;
  if (length >= width) return text;
  const fill = " ".repeat(width - length);
  return spec.minus ? text + fill : fill + text;
}

/** Pads a number, putting zeros between the sign and the digits when asked to. */
function padNumber(sign: string, digits: string, spec: Spec, allowZero: boolean): string {
  const width = spec.width ?? 0;
  if (spec.zero && allowZero && !spec.minus && sign.length + digits.length < width) {
    return sign + digits.padStart(width - sign.length, "0");
  }
  return pad(sign + digits, spec);
}

function signOf(negative: boolean, spec: Spec): string {
  return negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
}

function formatArg(arg: unknown, verb: string, spec: Spec): string {
  if (verb === "T") return pad(arg === null || arg === undefined ? "<nil>" : typeName(arg), spec);
  if (arg === null || arg === undefined) {
    return verb === "v" ? pad("<nil>", spec) : badVerb(arg, verb);
  }
  switch (typeof arg) {
    case "boolean":
      return verb === "v" || verb === "t" ? pad(String(arg), spec) : badVerb(arg, verb);
    case "bigint":
      return formatInteger(arg, verb, spec) ?? badVerb(arg, verb);
    case "number":
      if (Number.isInteger(arg) && "bdoOxXcqUv".includes(verb)) {
        return formatInteger(BigInt(arg), verb, spec) ?? badVerb(arg, verb);
      }
      return formatFloat(arg, verb, spec) ?? badVerb(arg, verb);
    case "string":
      return formatString(arg, verb, spec) ?? badVerb(arg, verb);
  }
  if (Array.isArray(arg)) {
    if (verb === "q" || verb === "v" || verb === "s" || "dxXobeEfFgGt".includes(verb)) {
      return "[" + arg.map((item) => formatArg(item, verb, spec)).join(" ") + "]";
    }
    return badVerb(arg, verb);
  }
  if (arg instanceof Date || (typeof arg === "object" && hasStringer(arg))) {
    return formatString(arg instanceof Date ? formatValue(arg) : String(arg), verb, spec) ??
      badVerb(arg, verb);
  }
  if (isMapLike(arg)) {
    const parts = sortedEntries(arg).map(([k, v]) =>
      `${formatArg(k, verb, spec)}:${formatArg(v, verb, spec)}`
    );
    return "map[" + parts.join(" ") + "]";
  }
  return badVerb(arg, verb);
}

function formatString(text: string, verb: string, spec: Spec): string | undefined {
  if (spec.precision !== undefined) text = [...text].slice(0, spec.precision).join("");
  switch (verb) {
    case "v":
      return pad(spec.sharp ? goQuote(text, '"') : text, spec);
    case "s":
      return pad(text, spec);
    case "q":
      return pad(spec.sharp && canBackquote(text) ? "`" + text + "`" : goQuote(text, '"'), spec);
    case "x":
    case "X": {
      let hex = [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0"))
        .join("");
      if (spec.sharp) hex = "0x" + hex;
      return pad(verb === "X" ? hex.toUpperCase() : hex, spec);
    }
  }
  return undefined;
}

function formatInteger(n: bigint, verb: string, spec: Spec): string | undefined {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const sign = signOf(negative, spec);
  const withPrecision = (digits: string) =>
    spec.precision === undefined ? digits : digits.padStart(spec.precision, "0");
  switch (verb) {
    case "d":
    case "v":
      return padNumber(sign, withPrecision(abs.toString()), spec, spec.precision === undefined);
    case "b":
      return padNumber(sign, (spec.sharp ? "0b" : "") + withPrecision(abs.toString(2)), spec, true);
    case "o":
    case "O": {
      const prefix = verb === "O" ? "0o" : spec.sharp ? "0" : "";
      return padNumber(sign, prefix + withPrecision(abs.toString(8)), spec, true);
    }
    case "x":
    case "X": {
      let digits = withPrecision(abs.toString(16));
      if (spec.sharp) digits = "0x" + digits;
      return padNumber(sign, verb === "X" ? digits.toUpperCase() : digits, spec, true);
    }
    case "c":
      return pad(String.fromCodePoint(Number(abs)), spec);
    case "q":
      return pad(goQuote(String.fromCodePoint(Number(abs)), "'"), spec);
    case "U": {
      let text = "U+" + abs.toString(16).toUpperCase().padStart(4, "0");
      if (spec.sharp) text += ` '${String.fromCodePoint(Number(abs))}'`;
      return pad(text, spec);
    }
  }
  return undefined;
}

function formatFloat(x: number, verb: string, spec: Spec): string | undefined {
  if (!"eEfFgGv".includes(verb)) return undefined;
  const negative = x < 0 || Object.is(x, -0);
  const sign = signOf(negative, spec);
  const abs = Math.abs(x);
  if (!Number.isFinite(abs)) {
    const text = Number.isNaN(abs) ? "NaN" : (negative ? "-" : "+") + "Inf";
    return pad(Number.isNaN(abs) && spec.plus ? "+NaN" : text, spec);
  }
  let digits: string;
  switch (verb) {
    case "f":
    case "F":
      digits = abs.toFixed(spec.precision ?? 6);
      break;
    case "e":
    case "E":
      digits = exponential(abs, spec.precision ?? 6);
      break;
    default:
      digits = spec.precision === undefined ? formatGoFloat(abs) : general(abs, spec.precision);
  }
  if (verb === "E" || verb === "G") digits = digits.toUpperCase();
  return padNumber(sign, digits, spec, true);
}

function exponential(x: number, precision: number): string {
  const [mantissa = "0", exp = "0"] = x.toExponential(precision).split("e");
  return mantissa + goExponent(Number(exp));
}

/** `%.Ng`: N significant digits, scientific when the exponent is < -4 or >= N. */
function general(x: number, precision: number): string {
  const p = Math.max(precision, 1);
  const [mantissa = "0", exp = "0"] = x.toExponential(p - 1).split("e");
  const e = Number(exp);
  const trim = (s: string) => s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  if (e < -4 || e >= p) return trim(mantissa) + goExponent(e);
  return trim(x.toFixed(Math.max(0, p - 1 - e)));
}

/** Go's strconv.CanBackquote: no backquote and no control character other than tab. */
function canBackquote(text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "`" || code === 0x7f || (code < 0x20 && ch !== "\t")) return false;
  }
  return true;
}

const QUOTE_ESCAPES: Record<string, string> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  "\\": "\\\\",
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote (with `"`) and QuoteRune (with `'`). */
export function goQuote(text: string, quote: '"' | "'"): string {
  let out = quote;
  for (const ch of text) {
    const escaped = QUOTE_ESCAPES[ch];
    if (escaped !== undefined) out += escaped;
    else if (ch === quote) out += "\\" + ch;
    else if (PRINTABLE.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0) ?? 0;
      if (code < 0x80) out += "\\x" + code.toString(16).padStart(2, "0");
      else if (code < 0x10000) out += "\\u" + code.toString(16).padStart(4, "0");
      else out += "\\U" + code.toString(16).padStart(8, "0");
    }
  }
  return out + quote;
}
