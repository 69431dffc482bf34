/**
 * Column alignment with the semantics of Go's text/tabwriter (elastic tabstops), which podman
 * uses for every table.
 *
 * Each line is split at tabs into cells. A cell followed by a tab belongs to a column; the text
 * after a line's last tab belongs to no column and is never padded. A column block is a run of
 * adjacent lines that all have a cell in that column; every cell of the block is padded to the
 * block's width: the widest cell plus `padding`, and at least `minWidth`. A line with fewer
 * cells ends the blocks of the columns it lacks, so alignment starts afresh below it.
 *
 * Widths count Unicode code points, as Go counts runes. Go's escape character, HTML filtering,
 * `\v` and `\f` and the alignment flags are not supported (podman uses none of them).
 * @module
 */

/** Options of {@link tabulate}; the defaults are Go's zero values with padding 1. */
export interface TabWriterOptions {
  /**
   * Minimal width of a column, padding included.
   * @default 0
   */
  minWidth?: number;
  /**
   * Width of a tab character, used only when `padChar` is a tab.
   * @default 8
   */
  tabWidth?: number;
  /**
   * Added to the widest cell of a column to get the column's width.
   * @default 1
   */
  padding?: number;
  /**
   * The character that pads cells; with "\t", cells are padded with tabs to the next multiple
   * of `tabWidth`.
   * @default " "
   */
  padChar?: string;
}

/**
 * podman's table settings: containers/common `report.NewWriterDefault` uses minwidth 12,
 * tabwidth 2, padding 2, padchar space and no flags.
 */
export const PODMAN_TABLE: TabWriterOptions = Object.freeze({
  minWidth: 12,
  tabWidth: 2,
  padding: 2,
  padChar: " ",
});

interface Cell {
  readonly text: string;
  readonly width: number;
}

interface Resolved {
  readonly minWidth: number;
  readonly tabWidth: number;
  readonly padding: number;
  readonly padChar: string;
}

function resolve(options: TabWriterOptions | undefined): Resolved {
  const resolved = {
    minWidth: options?.minWidth ?? 0,
    tabWidth: options?.tabWidth ?? 8,
    padding: options?.padding ?? 1,
    padChar: options?.padChar ?? " ",
  };
  for (const key of ["minWidth", "tabWidth", "padding"] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`cannot align columns: ${key} ${value} is not a whole number >= 0`);
    }
  }
  if ([...resolved.padChar].length !== 1) {
    throw new RangeError(
      `cannot align columns: padChar ${JSON.stringify(resolved.padChar)} is not one character`,
    );
  }
  return resolved;
}

/**
 * Aligns tab-separated cells into columns.
 *
 * @param lines the lines, cells separated by "\t" (a line may itself contain "\n")
 * @param options widths and padding; see {@link PODMAN_TABLE} for podman's
 * @returns the aligned text, with "\n" after each line
 * @example
 * ```ts
 * tabulate(["CONTAINER ID\tIMAGE", "abc\tbusybox"], PODMAN_TABLE);
 * // "CONTAINER ID  IMAGE\nabc           busybox\n"
 * ```
 */
export function tabulate(lines: string[], options?: TabWriterOptions): string {
  return tabulateText(lines.map((line) => line + "\n").join(""), options);
}

/**
 * Aligns a whole text as Go's tabwriter does between writes and a flush: like
 * {@link tabulate}, but a last line without a newline stays without one.
 */
export function tabulateText(text: string, options?: TabWriterOptions): string {
  if (text === "") return "";
  const settings = resolve(options);
  const raw = text.split("\n");
  const endsWithNewline = raw[raw.length - 1] === "";
  if (endsWithNewline) raw.pop();
  const lines = raw.map((line) =>
    line.split("\t").map((cell): Cell => ({ text: cell, width: [...cell].length }))
  );
  const out: string[] = [];
  layout(lines, 0, lines.length, [], settings, out);
  return out.join("\n") + (endsWithNewline ? "\n" : "");
}

/** Whether `line` has a cell in `column` that a tab terminates (so it belongs to a column). */
function hasColumn(line: Cell[], column: number): boolean {
  return column < line.length - 1;
}

/**
 * Lays out lines [from, to), all of which have cells in the columns whose widths are known.
 * Finds the blocks of the next column, recursing into each with its width added.
 */
function layout(
  lines: Cell[][],
  from: number,
  to: number,
  widths: number[],
  settings: Resolved,
  out: string[],
): void {
  const column = widths.length;
  let line = from;
  while (line < to) {
    if (!hasColumn(lines[line]!, column)) {
      out.push(render(lines[line]!, widths, settings));
      line++;
      continue;
    }
    const start = line;
    let width = settings.minWidth;
    for (; line < to && hasColumn(lines[line]!, column); line++) {
      width = Math.max(width, lines[line]![column]!.width + settings.padding);
    }
    layout(lines, start, line, [...widths, width], settings, out);
  }
}

function render(cells: Cell[], widths: number[], settings: Resolved): string {
  let text = "";
  cells.forEach((cell, i) => {
    text += cell.text;
    const width = widths[i];
    if (width !== undefined) text += padding(cell.width, width, settings);
  });
  return text;
}

function padding(textWidth: number, cellWidth: number, settings: Resolved): string {
  if (settings.padChar !== "\t") return settings.padChar.repeat(cellWidth - textWidth);
  if (settings.tabWidth === 0) return "";
  // Tabs reach the next tab stop: round the cell up to a multiple of the tab width.
  const stops = Math.ceil(cellWidth / settings.tabWidth) * settings.tabWidth;
  return "\t".repeat(Math.ceil((stops - textWidth) / settings.tabWidth));
}
