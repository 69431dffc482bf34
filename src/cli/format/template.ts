/**
 * podman's `--format` templates: a subset of Go's text/template with podman's functions, and the
 * table rendering of containers/common `pkg/report`.
 *
 * Normalisation follows podman 4.3.1: the two-character escapes `\t` and `\n` typed by a user
 * become a tab and a newline; a source starting with `"table "` is a table whose row template is
 * the rest, in which every space also becomes a tab (so `table {{.ID}} {{.Image}}` gives two
 * aligned columns, and a space inside a quoted string in an action becomes a tab too, as in
 * podman). A source that is exactly `"table"` is a table with an empty row template: callers
 * substitute their default row format.
 * @module
 */

import { TemplateError } from "./_errors.ts";
import { execute, HEADER_ROOT } from "./_exec.ts";
import { FUNCS } from "./_funcs.ts";
import { type Node, parse } from "./_parser.ts";
import { PODMAN_TABLE, tabulateText } from "./tabwriter.ts";

export { TemplateError };

/** A parsed template: parse once, execute once per row. */
export interface Template {
  /** true when the source began with "table" */
  readonly isTable: boolean;
  /**
   * Renders the template with `data` as dot and `$`. Throws a TemplateError when a field is
   * looked up on a value that has none (`can't evaluate field X in type string`) or a function
   * fails.
   */
  execute(data: unknown): string;
}

class ParsedTemplate implements Template {
  readonly isTable: boolean;
  /** The source as typed by the user, for error messages. */
  readonly source: string;
  /** Whether the normalised row template ends in a newline (then rows get none added). */
  readonly endsWithNewline: boolean;
  readonly #nodes: Node[];

  constructor(source: string, body: string, isTable: boolean) {
    this.source = source;
    this.isTable = isTable;
    this.endsWithNewline = body.endsWith("\n");
    this.#nodes = parse(body, { name: source, isFunction: (name) => FUNCS.has(name) });
  }

  execute(data: unknown): string {
    return execute(this.#nodes, data, { source: this.source });
  }

  executeHeader(headers: Record<string, string>): string {
    return execute(this.#nodes, HEADER_ROOT, {
      source: this.source,
      header: (names) => headerFor(names, headers),
    });
  }
}

/**
 * Parses a podman `--format` template.
 *
 * @param source the template as the user typed it, e.g. `table {{.ID}}\t{{.Names}}`
 * @returns the parsed template
 * @throws {TemplateError} for a malformed template or an unknown function, with a message
 * like `template: parsing "{{.Foo": unclosed action`
 */
export function parseTemplate(source: string): Template {
  let body: string;
  let isTable = false;
  if (source.startsWith("table ")) {
    isTable = true;
    body = unescape(source.slice("table ".length)).replaceAll(" ", "\t");
  } else if (source === "table") {
    isTable = true;
    body = "";
  } else {
    body = unescape(source);
  }
  return new ParsedTemplate(source, body, isTable);
}

function unescape(text: string): string {
  return text.replaceAll("\\t", "\t").replaceAll("\\n", "\n");
}

function asParsed(template: Template): ParsedTemplate {
  if (!(template instanceof ParsedTemplate)) {
    throw new TypeError("cannot render template: it was not made by parseTemplate()");
  }
  return template;
}

function withNewline(template: ParsedTemplate, text: string): string {
  return template.endsWithNewline ? text : text + "\n";
}

/** Options of {@link renderTable}. */
export interface RenderTableOptions {
  /**
   * Column headers by field name (`{ ID: "CONTAINER ID" }`); they are upper-cased as podman
   * does. A field without one gets its name split at case changes and upper-cased.
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * Leave out the header row.
   * @default false
   */
  noHeading?: boolean;
}

/**
 * Renders rows as podman does for `--format "table …"` and for its default tables: a header
 * row, then one row per item, aligned with podman's tabwriter settings.
 *
 * The header row is the row template executed in header mode, where every field yields its
 * header text, so literal text and functions in the template apply to headers as in podman.
 */
export function renderTable(
  template: Template,
  rows: unknown[],
  options?: RenderTableOptions,
): string {
  const parsed = asParsed(template);
  let text = "";
  if (!options?.noHeading) {
    text += withNewline(parsed, parsed.executeHeader(options?.headers ?? {}));
  }
  for (const row of rows) text += withNewline(parsed, parsed.execute(row));
  return tabulateText(text, PODMAN_TABLE);
}

/**
 * Executes a non-table template once per row, as podman does for `ps --format '{{.ID}}'`: each
 * output ends with a newline (unless the template itself ends with one), and they are joined.
 */
export function renderEach(template: Template, rows: unknown[]): string {
  const parsed = asParsed(template);
  let text = "";
  for (const row of rows) text += withNewline(parsed, parsed.execute(row));
  return text;
}

/**
 * The header of a field chain: an entry of `headers` for the whole chain (`"Host.Arch"`) or its
 * last field (matched exactly, then ignoring case), else the last field split into words.
 */
function headerFor(names: readonly string[], headers: Record<string, string>): string {
  const last = names[names.length - 1] ?? "";
  for (const key of [names.join("."), last]) {
    const exact = headers[key];
    if (exact !== undefined) return exact.toUpperCase();
  }
  for (const key of [names.join("."), last]) {
    const lower = key.toLowerCase();
    const match = Object.keys(headers).find((k) => k.toLowerCase() === lower);
    if (match !== undefined) return (headers[match] ?? "").toUpperCase();
  }
  return splitCamelCase(last).join(" ").toUpperCase();
}

/**
 * Splits an identifier into words the way podman's headers do (fatih/camelcase): runs of
 * lower-case letters, upper-case letters, digits and other characters, where the last capital
 * of an upper-case run starts the next word: `RunningFor` → `Running For`, `ImageID` →
 * `Image ID`, `IPv6Enabled` → `I Pv 6 Enabled`.
 */
export function splitCamelCase(name: string): string[] {
  const classOf = (ch: string) =>
    /\p{Ll}/u.test(ch) ? 1 : /\p{Lu}/u.test(ch) ? 2 : /\p{Nd}/u.test(ch) ? 3 : 4;
  const runs: string[][] = [];
  let lastClass = 0;
  for (const ch of name) {
    const cls = classOf(ch);
    if (cls === lastClass) runs[runs.length - 1]!.push(ch);
    else runs.push([ch]);
    lastClass = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const run = runs[i]!, next = runs[i + 1]!;
    if (classOf(run[0]!) === 2 && classOf(next[0]!) === 1) next.unshift(run.pop()!);
  }
  return runs.filter((run) => run.length > 0).map((run) => run.join(""));
}
