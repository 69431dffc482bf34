/**
 * `--format` handling shared by every command: `json`, a Go template (optionally `table …`),
 * or the command's default rendering.
 * @module
 */

import { UsageError } from "../define/errors.ts";
import {
  parseTemplate,
  renderEach,
  renderTable,
  type Template,
  TemplateError,
} from "./format/mod.ts";
import { writeOut } from "./output.ts";

/** Parses a user template, turning template errors into usage errors (exit 125). */
export function userTemplate(source: string): Template {
  try {
    return parseTemplate(source);
  } catch (e) {
    if (e instanceof TemplateError) throw new UsageError(e.message);
    throw e;
  }
}

/** Prints one object as `json` or through a template. */
export function printFormatted(data: unknown, format: string, jsonIndent = 4): void {
  if (format === "json" || format === "{{json .}}") {
    writeOut(JSON.stringify(data, null, jsonIndent) + "\n");
    return;
  }
  const t = userTemplate(format);
  try {
    writeOut(t.isTable ? renderTable(t, [data]) : renderEach(t, [data]));
  } catch (e) {
    if (e instanceof TemplateError) throw new UsageError(e.message);
    throw e;
  }
}

/** Prints rows through a template: a table (with headers) or one line per row. */
export function printRows(
  rows: unknown[],
  format: string,
  options: { headers?: Record<string, string>; noHeading?: boolean } = {},
): void {
  const t = userTemplate(format);
  try {
    writeOut(t.isTable ? renderTable(t, rows, options) : renderEach(t, rows));
  } catch (e) {
    if (e instanceof TemplateError) throw new UsageError(e.message);
    throw e;
  }
}
