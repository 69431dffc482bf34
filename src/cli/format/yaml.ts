/**
 * A YAML emitter for plain JSON-like data, in the style of podman's `info` output (Go's
 * yaml.v2): two-space indentation, list items at the same indentation as their key, `{}` and
 * `[]` for empty collections, and the same choice of scalar style:
 *
 * - a string YAML would read as something else (`"12"`, `"true"`, `""`, `"2024-01-02"`) is
 *   double-quoted;
 * - a string that cannot be plain (`': '`, a leading `-` or `#`, surrounding spaces, …) is
 *   single-quoted: `'conmon version 2.1.6, commit: unknown'`;
 * - a string with a line break is a literal block (`|-`, `|` or `|+` by its trailing
 *   newlines); one with tabs or other control characters is double-quoted with escapes.
 *
 * Keys keep the order they have in the data. `undefined` values in maps are left out (as JSON
 * would), objects with `toJSON` (such as dates) are written as what it returns, and lines are
 * never folded.
 * @module
 */

import { formatGoFloat } from "./_value.ts";

/**
 * Serialises `value` as a YAML document.
 *
 * @param value JSON-like data: objects, Maps, arrays, strings, numbers, booleans, null
 * @returns the YAML text, ending with a newline
 * @example
 * ```ts
 * stringifyYaml({ host: { arch: "amd64", cpus: 2 }, registries: {} });
 * // "host:\n  arch: amd64\n  cpus: 2\nregistries: {}\n"
 * ```
 */
export function stringifyYaml(value: unknown): string {
  value = normalize(value);
  if (isNonEmptyMap(value)) return mapping(value, 0);
  if (Array.isArray(value) && value.length > 0) return sequence(value, 0);
  return inline(value, 2, "");
}

type YamlMap = Map<unknown, unknown>;

/** Turns objects into Maps and applies `toJSON`, so the writers see a few shapes only. */
function normalize(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === "function") return normalize(toJson.call(value));
  if (Array.isArray(value)) return value;
  if (value instanceof Map) return value;
  return new Map(Object.entries(value));
}

function isNonEmptyMap(value: unknown): value is YamlMap {
  return value instanceof Map && [...value.values()].some((v) => v !== undefined);
}

function isBlockValue(value: unknown): boolean {
  return isNonEmptyMap(value) || (Array.isArray(value) && value.length > 0);
}

function mapping(map: YamlMap, indent: number): string {
  const pad = " ".repeat(indent);
  let out = "";
  for (const [rawKey, rawValue] of map) {
    if (rawValue === undefined) continue;
    const key = scalar(String(rawKey), true);
    const value = normalize(rawValue);
    if (isNonEmptyMap(value)) out += `${pad}${key}:\n${mapping(value, indent + 2)}`;
    else if (isBlockValue(value)) out += `${pad}${key}:\n${sequence(value as unknown[], indent)}`;
    else out += `${pad}${key}:${inline(value, indent + 2, " ")}`;
  }
  return out;
}

function sequence(items: unknown[], indent: number): string {
  const pad = " ".repeat(indent);
  let out = "";
  for (const raw of items) {
    const item = normalize(raw === undefined ? null : raw);
    if (isNonEmptyMap(item)) {
      out += pad + "- " + mapping(item, indent + 2).slice(indent + 2);
    } else if (isBlockValue(item)) {
      out += pad + "- " + sequence(item as unknown[], indent + 2).slice(indent + 2);
    } else {
      out += `${pad}-${inline(item, indent + 2, " ")}`;
    }
  }
  return out;
}

/** A scalar or empty collection after `lead`, through the end of its last line. */
function inline(value: unknown, indent: number, lead: string): string {
  if (value === null || value === undefined) return `${lead}null\n`;
  if (Array.isArray(value)) return `${lead}[]\n`;
  if (value instanceof Map) return `${lead}{}\n`;
  switch (typeof value) {
    case "boolean":
    case "bigint":
      return `${lead}${value}\n`;
    case "number":
      return `${lead}${number(value)}\n`;
  }
  const text = String(value);
  if (text.includes("\n")) {
    const block = literal(text, indent);
    if (block !== undefined) return lead + block;
  }
  return `${lead}${scalar(text, false)}\n`;
}

function number(x: number): string {
  if (Number.isNaN(x)) return ".nan";
  if (!Number.isFinite(x)) return x > 0 ? ".inf" : "-.inf";
  if (Number.isInteger(x)) return Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
  return formatGoFloat(x);
}

/** A literal block (`|-` and its lines), or undefined when the text cannot be one. */
function literal(text: string, indent: number): string | undefined {
  const analysis = analyze(text);
  if (!analysis.blockAllowed) return undefined;
  let chomp = "-";
  let body = text;
  if (text.endsWith("\n")) {
    body = text.slice(0, -1);
    chomp = body === "" || body.endsWith("\n") ? "+" : "";
  }
  const hint = text.startsWith(" ") || text.startsWith("\n") ? "2" : "";
  const pad = " ".repeat(indent);
  const lines = body.split("\n").map((line) => (line === "" ? "" : pad + line) + "\n");
  return `|${hint}${chomp}\n${lines.join("")}`;
}

const NULL_OR_BOOL = new Set([
  ...["~", "null", "Null", "NULL", "<<"],
  ...["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO"],
  ...["true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"],
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"],
  ...[".nan", ".NaN", ".NAN"],
]);

const INT = /^[-+]?(0b[01]+|0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60 = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/;
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;

/** Whether YAML would read the unquoted text as something other than a string. */
function readsAsOther(text: string): boolean {
  if (text === "" || NULL_OR_BOOL.has(text)) return true;
  const plain = text.replaceAll("_", "");
  return INT.test(plain) || FLOAT.test(plain) || BASE60.test(text) || TIMESTAMP.test(text);
}

/** A one-line scalar: plain when YAML allows it, else single- or double-quoted. */
function scalar(text: string, isKey: boolean): string {
  const analysis = analyze(text);
  if (isKey && analysis.multiline) return doubleQuoted(text);
  if (analysis.multiline && !isKey && !analysis.blockAllowed) return doubleQuoted(text);
  if (readsAsOther(text)) return doubleQuoted(text);
  if (analysis.plainAllowed) return text;
  if (analysis.singleAllowed) return `'${text.replaceAll("'", "''")}'`;
  return doubleQuoted(text);
}

interface Analysis {
  readonly multiline: boolean;
  readonly plainAllowed: boolean;
  readonly singleAllowed: boolean;
  readonly blockAllowed: boolean;
}

const PRINTABLE = /^[\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]$/u;
const BLANK = new Set([" ", "\t", "\r", "\n"]);

/** Which scalar styles can hold `text` in block context (libyaml's analysis, in short). */
function analyze(text: string): Analysis {
  const chars = [...text];
  let indicators = text.startsWith("---") || text.startsWith("...");
  let special = false, lineBreaks = false;
  let leadingSpace = false, trailingSpace = false, leadingBreak = false, trailingBreak = false;
  let spaceBreak = false, breakSpace = false, previousSpace = false, previousBreak = false;
  chars.forEach((ch, i) => {
    const next = chars[i + 1];
    const followedByBlank = next === undefined || BLANK.has(next);
    const precededByBlank = i === 0 || BLANK.has(chars[i - 1]!);
    if (i === 0 && "#,[]{}&*!|>'\"%@`".includes(ch)) indicators = true;
    if ((ch === "?" || ch === ":" || ch === "-") && i === 0 && followedByBlank) indicators = true;
    if (ch === ":" && i > 0 && followedByBlank) indicators = true;
    if (ch === "#" && i > 0 && precededByBlank) indicators = true;
    if (!PRINTABLE.test(ch) || ch === "\ufeff") special = true;
    const last = i === chars.length - 1;
    if (ch === " ") {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (ch === "\n") {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = previousBreak = false;
    }
  });
  const empty = chars.length === 0;
  return {
    multiline: lineBreaks,
    plainAllowed: !empty && !indicators && !special && !spaceBreak && !breakSpace &&
      !leadingSpace && !trailingSpace && !leadingBreak && !trailingBreak && !lineBreaks,
    singleAllowed: !special && !spaceBreak && !breakSpace,
    blockAllowed: !special && !spaceBreak && !trailingSpace,
  };
}

const DOUBLE_ESCAPES: Record<string, string> = {
  "\0": "\\0",
  "\x07": "\\a",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\v": "\\v",
  "\f": "\\f",
  "\r": "\\r",
  "\x1b": "\\e",
  '"': '\\"',
  "\\": "\\\\",
  "\x85": "\\N",
  "\u2028": "\\L",
  "\u2029": "\\P",
};

function doubleQuoted(text: string): string {
  let out = '"';
  for (const ch of text) {
    const escaped = DOUBLE_ESCAPES[ch];
    if (escaped !== undefined) {
      out += escaped;
    } else if (PRINTABLE.test(ch) && ch !== "\ufeff") {
      out += ch;
    } else {
      const code = ch.codePointAt(0) ?? 0;
      out += code <= 0xff
        ? "\\x" + code.toString(16).toUpperCase().padStart(2, "0")
        : code <= 0xffff
        ? "\\u" + code.toString(16).toUpperCase().padStart(4, "0")
        : "\\U" + code.toString(16).toUpperCase().padStart(8, "0");
    }
  }
  return out + '"';
}
