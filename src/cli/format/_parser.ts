/**
 * Turns the lexer's tokens into a tree of nodes. Besides the grammar, the parser checks what Go
 * checks before execution: every function exists, every variable was declared in scope,
 * `{{break}}`/`{{continue}}` sit inside a `{{range}}`, and later pipeline stages are callable.
 * @module
 */

import { lex, parseError, type Token, type TokenType } from "./_lexer.ts";

/** An operand of a command. */
export type Arg =
  | { readonly kind: "field"; readonly names: readonly string[] }
  | { readonly kind: "dot" }
  | { readonly kind: "var"; readonly name: string; readonly names: readonly string[] }
  | { readonly kind: "func"; readonly name: string }
  | { readonly kind: "chain"; readonly node: Arg; readonly names: readonly string[] }
  | { readonly kind: "pipe"; readonly pipe: Pipe }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "nil" };

/** One stage of a pipeline: a function, field or value with its arguments. */
export interface Command {
  readonly args: readonly Arg[];
  /** The stage's source text, for error messages. */
  readonly text: string;
}

/** `$a, $b := cmd | cmd …` (or `=` when `isAssign`). */
export interface Pipe {
  readonly decl: readonly string[];
  readonly isAssign: boolean;
  readonly cmds: readonly Command[];
}

/** `{{if}}`, `{{with}}` or `{{range}}` with its body and optional else branch. */
export interface ControlNode {
  readonly kind: "if" | "with" | "range";
  readonly pipe: Pipe;
  readonly list: readonly Node[];
  readonly elseList: readonly Node[] | null;
}

/** A node of the template tree. */
export type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "action"; readonly pipe: Pipe }
  | ControlNode
  | { readonly kind: "break" | "continue" };

const UNSUPPORTED = new Set(["define", "template", "block"]);

/** What the parser needs besides the text. */
export interface ParseOptions {
  /** The template as the user typed it, quoted in error messages. */
  readonly name: string;
  /** Tells which identifiers name functions. */
  readonly isFunction: (name: string) => boolean;
}

/** Parses `source` into a node list; throws a TemplateError naming the template and problem. */
export function parse(source: string, options: ParseOptions): Node[] {
  return new Parser(source, lex(source, options.name), options).parseTemplate();
}

type Stop = "end" | "else" | "eof";

class Parser {
  readonly #src: string;
  readonly #name: string;
  readonly #tokens: Token[];
  readonly #isFunction: (name: string) => boolean;
  #i = 0;
  /** Variables in scope, innermost last; "$" is always declared. */
  readonly #vars: string[] = ["$"];
  #rangeDepth = 0;

  constructor(source: string, tokens: Token[], options: ParseOptions) {
    this.#src = source;
    this.#name = options.name;
    this.#tokens = tokens;
    this.#isFunction = options.isFunction;
  }

  parseTemplate(): Node[] {
    const { nodes, stop } = this.#list();
    if (stop !== "eof") this.#fail(`unexpected {{${stop}}}`);
    return nodes;
  }

  #fail(detail: string): never {
    throw parseError(this.#name, detail);
  }

  #peek(): Token {
    return this.#tokens[this.#i] ?? this.#tokens[this.#tokens.length - 1]!;
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#i < this.#tokens.length - 1) this.#i++;
    return token;
  }

  #skipSpace(): void {
    while (this.#peek().type === "space") this.#i++;
  }

  #peekNonSpace(): Token {
    this.#skipSpace();
    return this.#peek();
  }

  #expect(type: TokenType, context: string): Token {
    const token = this.#peekNonSpace();
    if (token.type !== type) this.#unexpected(token, context);
    return this.#next();
  }

  #unexpected(token: Token, context: string): never {
    if (token.type === "eof") this.#fail(`unexpected EOF in ${context}`);
    if (token.type === "close") this.#fail(`unexpected "}}" in ${context}`);
    this.#fail(`unexpected ${JSON.stringify(this.#src.slice(token.pos, token.end))} in ${context}`);
  }

  /** Parses nodes up to `{{end}}`, `{{else}}` or the end; the stopping action is consumed. */
  #list(): { nodes: Node[]; stop: Stop } {
    const nodes: Node[] = [];
    for (;;) {
      const token = this.#next();
      if (token.type === "eof") return { nodes, stop: "eof" };
      if (token.type === "text") {
        nodes.push({ kind: "text", text: token.value });
        continue;
      }
      // token.type === "open"
      const word = this.#peekNonSpace();
      if (word.type === "ident") {
        switch (word.value) {
          case "end":
            this.#next();
            this.#expect("close", "end");
            return { nodes, stop: "end" };
          case "else":
            // "else if" / "else with": leave the keyword for the caller to continue the chain.
            this.#next();
            if (this.#peekNonSpace().type !== "ident") this.#expect("close", "else");
            return { nodes, stop: "else" };
          case "if":
          case "with":
          case "range":
            this.#next();
            nodes.push(this.#control(word.value));
            continue;
          case "break":
          case "continue":
            this.#next();
            if (this.#rangeDepth === 0) this.#fail(`{{${word.value}}} outside {{range}}`);
            this.#expect("close", word.value);
            nodes.push({ kind: word.value });
            continue;
        }
        if (UNSUPPORTED.has(word.value)) this.#fail(`{{${word.value}}} is not supported`);
      }
      nodes.push({ kind: "action", pipe: this.#pipeline("command", "close") });
    }
  }

  /** Parses `if`/`with`/`range` after its keyword, through the matching `{{end}}`. */
  #control(kind: "if" | "with" | "range"): Node {
    const mark = this.#vars.length;
    const pipe = this.#pipeline(kind, "close");
    if (kind === "range") this.#rangeDepth++;
    const body = this.#list();
    if (kind === "range") this.#rangeDepth--;
    let elseList: Node[] | null = null;
    if (body.stop === "eof") this.#fail(`unexpected EOF: {{${kind}}} has no {{end}}`);
    if (body.stop === "else") {
      const after = this.#peekNonSpace();
      if (after.type === "ident") {
        // {{else if …}} is {{else}}{{if …}}…{{end}}{{end}}, sharing the one {{end}}.
        if (after.value !== kind || kind === "range") this.#unexpected(after, "else");
        this.#next();
        elseList = [this.#control(kind)];
      } else {
        const rest = this.#list();
        if (rest.stop !== "end") this.#fail(`expected {{end}} after {{else}} in {{${kind}}}`);
        elseList = rest.nodes;
      }
    }
    this.#vars.length = mark;
    return { kind, pipe, list: body.nodes, elseList };
  }

  /** Parses `[decl :=] cmd | cmd …` up to a token of type `end`, which is consumed. */
  #pipeline(context: string, end: "close" | "rparen"): Pipe {
    const decl: string[] = [];
    let isAssign = false;
    const start = this.#i;
    const first = this.#peekNonSpace();
    if (first.type === "variable") {
      const names = [first];
      this.#next();
      if (context === "range" && this.#peekNonSpace().type === "comma") {
        this.#next();
        const second = this.#peekNonSpace();
        if (second.type !== "variable") this.#unexpected(second, "range declaration");
        this.#next();
        names.push(second);
      }
      const op = this.#peekNonSpace();
      if (op.type === "declare" || op.type === "assign") {
        this.#next();
        isAssign = op.type === "assign";
        for (const name of names) decl.push(name.value);
      } else if (names.length > 1) {
        this.#unexpected(op, "range declaration");
      } else {
        this.#i = start;
      }
    }
    const cmds: Command[] = [];
    let afterPipe = false;
    for (;;) {
      const token = this.#peekNonSpace();
      if (token.type === end) {
        if (afterPipe) this.#fail("missing command after |");
        this.#next();
        break;
      }
      if (token.type === "eof" || token.type === "close" || token.type === "rparen") {
        this.#unexpected(token, context);
      }
      cmds.push(this.#command(end));
      afterPipe = this.#peek().type === "pipe";
      if (afterPipe) this.#next();
    }
    if (cmds.length === 0) this.#fail(`missing value for ${context}`);
    cmds.slice(1).forEach((cmd, i) => {
      const kind = cmd.args[0]?.kind;
      if (kind !== "field" && kind !== "var" && kind !== "func" && kind !== "chain") {
        this.#fail(`non executable command in pipeline stage ${i + 2}`);
      }
    });
    if (isAssign) {
      for (const name of decl) this.#checkVar(name);
    } else {
      this.#vars.push(...decl);
    }
    return { decl, isAssign, cmds };
  }

  #checkVar(name: string): void {
    if (!this.#vars.includes(name)) this.#fail(`undefined variable ${JSON.stringify(name)}`);
  }

  /** Parses operands separated by spaces, up to a pipe or the end of the pipeline. */
  #command(end: "close" | "rparen"): Command {
    const args: Arg[] = [];
    const start = this.#peekNonSpace().pos;
    let stop = start;
    for (;;) {
      args.push(this.#operand());
      stop = this.#tokens[this.#i - 1]?.end ?? stop;
      const token = this.#peek();
      if (token.type === "space") {
        this.#skipSpace();
        const after = this.#peek();
        if (after.type === "pipe" || after.type === end) break;
        continue;
      }
      if (token.type === "pipe" || token.type === end) break;
      this.#unexpected(token, "operand");
    }
    return { args, text: this.#src.slice(start, stop) };
  }

  #operand(): Arg {
    const term = this.#term();
    const names: string[] = [];
    while (this.#peek().type === "field") names.push(this.#next().value);
    if (names.length === 0) return term;
    switch (term.kind) {
      case "field":
      case "var":
        return { ...term, names: [...term.names, ...names] };
      case "func":
      case "pipe":
        return { kind: "chain", node: term, names };
      default: {
        const token = this.#tokens[this.#i - names.length - 1]!;
        const text = this.#src.slice(token.pos, token.end);
        this.#fail(`unexpected . after term ${JSON.stringify(text)}`);
      }
    }
  }

  #term(): Arg {
    const token = this.#next();
    switch (token.type) {
      case "field":
        return { kind: "field", names: [token.value] };
      case "dot":
        return { kind: "dot" };
      case "variable":
        this.#checkVar(token.value);
        return { kind: "var", name: token.value, names: [] };
      case "string":
        return { kind: "string", value: token.value };
      case "char":
        return { kind: "number", value: token.value.codePointAt(0) ?? 0 };
      case "number":
        return { kind: "number", value: this.#number(token.value) };
      case "lparen": {
        const pipe = this.#pipeline("parenthesized pipeline", "rparen");
        return { kind: "pipe", pipe };
      }
      case "ident":
        if (token.value === "true" || token.value === "false") {
          return { kind: "bool", value: token.value === "true" };
        }
        if (token.value === "nil") return { kind: "nil" };
        if (!this.#isFunction(token.value)) {
          this.#fail(`function ${JSON.stringify(token.value)} not defined`);
        }
        return { kind: "func", name: token.value };
    }
    this.#unexpected(token, "operand");
  }

  #number(text: string): number {
    const clean = text.replaceAll("_", "");
    let value = Number.NaN;
    const sign = clean.startsWith("-") ? -1 : 1;
    const body = clean.replace(/^[+-]/, "");
    if (/^0[xX][0-9a-fA-F]+$/.test(body) || /^0[bB][01]+$/.test(body)) {
      value = Number(body);
    } else if (/^0[oO]?[0-7]+$/.test(body)) {
      value = parseInt(body.replace(/^0[oO]?/, ""), 8);
    } else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
      value = Number(body);
    }
    if (Number.isNaN(value)) this.#fail(`bad number syntax: ${JSON.stringify(text)}`);
    return sign * value;
  }
}
