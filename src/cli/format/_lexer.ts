/**
 * Splits a Go text/template source into tokens: text between actions, and the words of each
 * `{{ … }}` action. Trim markers (`{{- ` and ` -}}`) are applied here, to the neighbouring text,
 * and comments (`{{/* … *\/}}`) are dropped here, so the parser never sees either.
 * @module
 */

import { TemplateError } from "./_errors.ts";

/** The kinds of token the parser consumes. */
export type TokenType =
  | "text"
  | "open"
  | "close"
  | "space"
  | "field"
  | "dot"
  | "variable"
  | "ident"
  | "string"
  | "char"
  | "number"
  | "pipe"
  | "lparen"
  | "rparen"
  | "declare"
  | "assign"
  | "comma"
  | "eof";

/** One token; `value` is the decoded value (field name without the dot, unquoted string). */
export interface Token {
  readonly type: TokenType;
  readonly value: string;
  /** Offset of the token's first character in the source. */
  readonly pos: number;
  /** Offset just past the token. */
  readonly end: number;
}

/** The error thrown for any syntax problem, naming the template. */
export function parseError(source: string, detail: string): TemplateError {
  return new TemplateError(`template: parsing ${JSON.stringify(source)}: ${detail}`);
}

const SPACE = new Set([" ", "\t", "\r", "\n"]);
const ALNUM = /^[\p{L}\p{Nd}_]$/u;

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && SPACE.has(ch);
}

function isAlnum(ch: string | undefined): boolean {
  return ch !== undefined && ALNUM.test(ch);
}

/** Describes a character the way Go does: `U+007B '{'`. */
export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(ch)}`.replace(
    /"(.*)"$/,
    "'$1'",
  );
}

function trimEndSpace(text: string): string {
  let end = text.length;
  while (end > 0 && isSpace(text[end - 1])) end--;
  return text.slice(0, end);
}

function trimStartSpace(text: string): string {
  let start = 0;
  while (start < text.length && isSpace(text[start])) start++;
  return text.slice(start);
}

/** Splits `source` into tokens, ending with one `eof` token; errors quote `name`. */
export function lex(source: string, name: string = source): Token[] {
  return new Lexer(source, name).run();
}

class Lexer {
  readonly #src: string;
  readonly #name: string;
  readonly #tokens: Token[] = [];
  #pos = 0;
  /** Set by a ` -}}`: the next text loses its leading white space. */
  #trimNext = false;

  constructor(source: string, name: string) {
    this.#src = source;
    this.#name = name;
  }

  run(): Token[] {
    const src = this.#src;
    while (this.#pos <= src.length) {
      const open = src.indexOf("{{", this.#pos);
      if (open < 0) {
        this.#text(src.slice(this.#pos), false, this.#pos);
        break;
      }
      const trimBefore = src[open + 2] === "-" && isSpace(src[open + 3]);
      this.#text(src.slice(this.#pos, open), trimBefore, this.#pos);
      // After "{{-" the white space that made it a trim marker stays; it lexes as a space.
      let inner = open + (trimBefore ? 3 : 2);
      const commentStart = trimBefore ? inner + 1 : inner;
      if (src.startsWith("/*", commentStart)) {
        this.#comment(commentStart);
        continue;
      }
      this.#tokens.push({ type: "open", value: "{{", pos: open, end: inner });
      inner = this.#action(inner);
      this.#pos = inner;
    }
    this.#tokens.push({ type: "eof", value: "", pos: src.length, end: src.length });
    return this.#tokens;
  }

  #fail(detail: string): never {
    throw parseError(this.#name, detail);
  }

  #text(text: string, trimEnd: boolean, pos: number): void {
    if (this.#trimNext) text = trimStartSpace(text);
    if (trimEnd) text = trimEndSpace(text);
    this.#trimNext = false;
    if (text !== "") this.#tokens.push({ type: "text", value: text, pos, end: pos + text.length });
  }

  /** Skips a comment starting at `start` ("/*"), up to and including its closing delimiter. */
  #comment(start: number): void {
    const src = this.#src;
    const close = src.indexOf("*/", start + 2);
    if (close < 0) this.#fail("unclosed comment");
    const after = close + 2;
    const delim = this.#rightDelimAt(after);
    if (delim === 0) this.#fail("comment ends before closing delimiter");
    this.#trimNext = delim > 2;
    this.#pos = after + delim;
  }

  /** Length of the right delimiter at `pos`: 2 for "}}", 4 for " -}}", 0 for none. */
  #rightDelimAt(pos: number): number {
    const src = this.#src;
    if (src.startsWith("}}", pos)) return 2;
    if (isSpace(src[pos]) && src[pos + 1] === "-" && src.startsWith("}}", pos + 2)) return 4;
    return 0;
  }

  #push(type: TokenType, value: string, pos: number, end: number): void {
    this.#tokens.push({ type, value, pos, end });
  }

  /** Lexes the inside of an action from `pos`; returns the offset after its closing "}}". */
  #action(pos: number): number {
    const src = this.#src;
    let depth = 0;
    for (;;) {
      const ch = src[pos];
      if (ch === undefined) this.#fail("unclosed action");
      if (src.startsWith("}}", pos)) {
        if (depth > 0) this.#fail("unclosed left paren");
        this.#push("close", "}}", pos, pos + 2);
        return pos + 2;
      }
      if (isSpace(ch)) {
        let end = pos;
        while (isSpace(src[end])) end++;
        if (src[end] === "-" && src.startsWith("}}", end + 1)) {
          if (depth > 0) this.#fail("unclosed left paren");
          this.#push("close", "}}", end, end + 3);
          this.#trimNext = true;
          return end + 3;
        }
        this.#push("space", src.slice(pos, end), pos, end);
        pos = end;
        continue;
      }
      switch (ch) {
        case "|":
          this.#push("pipe", ch, pos, ++pos);
          continue;
        case ",":
          this.#push("comma", ch, pos, ++pos);
          continue;
        case "(":
          depth++;
          this.#push("lparen", ch, pos, ++pos);
          continue;
        case ")":
          if (--depth < 0) this.#fail("unexpected right paren");
          this.#push("rparen", ch, pos, ++pos);
          continue;
        case "=":
          this.#push("assign", ch, pos, ++pos);
          continue;
        case ":":
          if (src[pos + 1] !== "=") this.#fail("expected :=");
          this.#push("declare", ":=", pos, pos + 2);
          pos += 2;
          continue;
        case '"':
          pos = this.#quoted(pos);
          continue;
        case "`":
          pos = this.#raw(pos);
          continue;
        case "'":
          pos = this.#char(pos);
          continue;
        case "$":
          pos = this.#word(pos, pos + 1, "variable");
          continue;
        case ".":
          if (/[0-9]/.test(src[pos + 1] ?? "")) {
            pos = this.#number(pos);
          } else if (isAlnum(src[pos + 1])) {
            pos = this.#word(pos, pos + 1, "field");
          } else {
            this.#push("dot", ".", pos, ++pos);
            this.#checkTerminator(pos);
          }
          continue;
      }
      if (ch === "+" || ch === "-" || /[0-9]/.test(ch)) {
        pos = this.#number(pos);
      } else if (isAlnum(ch)) {
        pos = this.#word(pos, pos, "ident");
      } else {
        this.#fail(`unrecognized character in action: ${describeChar(ch)}`);
      }
    }
  }

  /** A word must be followed by space, a delimiter, or punctuation that may follow it. */
  #checkTerminator(pos: number): void {
    const ch = this.#src[pos];
    if (ch === undefined || isSpace(ch) || ".,|:)(".includes(ch)) return;
    if (this.#src.startsWith("}}", pos)) return;
    this.#fail(`bad character ${describeChar(ch)}`);
  }

  #word(pos: number, nameStart: number, type: TokenType): number {
    let end = nameStart;
    while (isAlnum(this.#src[end])) end++;
    const name = this.#src.slice(type === "field" ? nameStart : pos, end);
    this.#push(type, name, pos, end);
    this.#checkTerminator(end);
    return end;
  }

  #number(pos: number): number {
    const src = this.#src;
    let end = pos;
    if (src[end] === "+" || src[end] === "-") end++;
    const hex = /^0[xX]/.test(src.slice(end, end + 2));
    while (end < src.length) {
      const ch = src[end] ?? "";
      if (/[0-9A-Za-z_.]/.test(ch)) {
        end++;
      } else if (
        (ch === "+" || ch === "-") && /[eEpP]/.test(src[end - 1] ?? "") &&
        (!hex || /[pP]/.test(src[end - 1] ?? ""))
      ) {
        end++;
      } else {
        break;
      }
    }
    this.#push("number", src.slice(pos, end), pos, end);
    this.#checkTerminator(end);
    return end;
  }

  #quoted(pos: number): number {
    const src = this.#src;
    let end = pos + 1;
    for (;;) {
      const ch = src[end];
      if (ch === undefined) this.#fail("unterminated quoted string");
      if (ch === "\\") {
        end += 2;
        continue;
      }
      end++;
      if (ch === '"') break;
    }
    const text = src.slice(pos, end);
    this.#push("string", unquote(text.slice(1, -1), (d) => this.#fail(d)), pos, end);
    return end;
  }

  #raw(pos: number): number {
    const close = this.#src.indexOf("`", pos + 1);
    if (close < 0) this.#fail("unterminated raw quoted string");
    // Go drops carriage returns from raw strings.
    this.#push("string", this.#src.slice(pos + 1, close).replaceAll("\r", ""), pos, close + 1);
    return close + 1;
  }

  #char(pos: number): number {
    const src = this.#src;
    let end = pos + 1;
    for (;;) {
      const ch = src[end];
      if (ch === undefined || ch === "\n") this.#fail("unterminated character constant");
      if (ch === "\\") {
        end += 2;
        continue;
      }
      end++;
      if (ch === "'") break;
    }
    const text = src.slice(pos, end);
    const value = unquote(text.slice(1, -1), (d) => this.#fail(d));
    if ([...value].length !== 1) this.#fail(`malformed character constant: ${text}`);
    this.#push("char", value, pos, end);
    return end;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** Decodes Go escape sequences in the body of a quoted string or character constant. */
function unquote(body: string, fail: (detail: string) => never): string {
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const esc = body[++i] ?? "";
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const digits = esc === "x" ? 2 : esc === "u" ? 4 : esc === "U" ? 8 : 0;
    if (digits > 0) {
      const hex = body.slice(i + 1, i + 1 + digits);
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) fail(`invalid escape: \\${esc}${hex}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += digits;
    } else if (/[0-7]/.test(esc)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) fail(`invalid escape: \\${oct}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else {
      fail(`invalid escape: \\${esc}`);
    }
  }
  return out;
}
