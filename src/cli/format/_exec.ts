/**
 * Executes a parsed template against data, following Go's text/template evaluation rules:
 * pipelines pass their value as the last argument of the next command, variables live until
 * the `{{end}}` of the structure that declared them, and `range` visits maps in key order.
 *
 * Header mode renders a table's header row: the data is {@link HEADER_ROOT}, and every field
 * looked up on it (or on a plain value derived from it) yields the column header for that field.
 * @module
 */

import { TemplateError } from "./_errors.ts";
import { ArgError, CallError, FUNCS } from "./_funcs.ts";
import type { Arg, Command, ControlNode, Node, Pipe } from "./_parser.ts";
import {
  formatValue,
  isMapLike,
  lookupField,
  NO_VALUE,
  sortedEntries,
  truth,
  typeName,
} from "./_value.ts";

/** Maps a field chain (`["Host", "Arch"]` for `.Host.Arch`) to its column header. */
export type HeaderFor = (names: readonly string[]) => string;

/** The data of header mode: fields looked up on it name column headers. */
export const HEADER_ROOT: object = Object.freeze(Object.create(null));

/** A problem found while executing, before the failing command is known. */
class ExecProblem extends Error {}

const NONE = Symbol("none");
type Final = unknown;

type Signal = "break" | "continue" | null;

interface Variable {
  readonly name: string;
  value: unknown;
}

/** Runs `nodes` with `data` as dot and `$`; `header` switches on header mode. */
export function execute(
  nodes: readonly Node[],
  data: unknown,
  context: { source: string; header?: HeaderFor },
): string {
  return new Exec(context.source, data, context.header ?? null).run(nodes, data);
}

class Exec {
  readonly #source: string;
  readonly #header: HeaderFor | null;
  readonly #vars: Variable[];
  #out = "";

  constructor(source: string, data: unknown, header: HeaderFor | null) {
    this.#source = source;
    this.#header = header;
    this.#vars = [{ name: "$", value: data }];
  }

  run(nodes: readonly Node[], dot: unknown): string {
    this.#walk(nodes, dot);
    return this.#out;
  }

  #walk(nodes: readonly Node[], dot: unknown): Signal {
    for (const node of nodes) {
      switch (node.kind) {
        case "text":
          this.#out += node.text;
          break;
        case "action": {
          const value = this.#pipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0) this.#out += this.#printable(value);
          break;
        }
        case "if":
        case "with": {
          const mark = this.#vars.length;
          const value = this.#pipeline(dot, node.pipe);
          let signal: Signal = null;
          if (truth(value)) signal = this.#walk(node.list, node.kind === "with" ? value : dot);
          else if (node.elseList) signal = this.#walk(node.elseList, dot);
          this.#vars.length = mark;
          if (signal) return signal;
          break;
        }
        case "range":
          this.#range(node, dot);
          break;
        case "break":
        case "continue":
          return node.kind;
      }
    }
    return null;
  }

  #printable(value: unknown): string {
    if (value === null || value === undefined) return NO_VALUE;
    if (value === HEADER_ROOT) return "";
    return formatValue(value);
  }

  #range(node: ControlNode, dot: unknown): void {
    const mark = this.#vars.length;
    const value = this.#commands(dot, node.pipe);
    let items: [unknown, unknown][];
    if (this.#header && (value === HEADER_ROOT || !(Array.isArray(value) || isMapLike(value)))) {
      // A header has no rows to iterate: render the body once, naming its fields.
      items = [[0, value]];
    } else if (Array.isArray(value)) {
      items = value.map((item, i) => [i, item]);
    } else if (isMapLike(value)) {
      items = sortedEntries(value);
    } else if (value === null || value === undefined) {
      items = [];
    } else {
      throw this.#error(`range can't iterate over ${formatValue(value)}`, "range");
    }
    if (items.length === 0 && node.elseList) this.#walk(node.elseList, dot);
    const { decl, isAssign } = node.pipe;
    for (const [key, item] of items) {
      this.#vars.length = mark;
      const values = decl.length === 2 ? [key, item] : [item];
      decl.forEach((name, i) => {
        if (isAssign) this.#setVar(name, values[i]);
        else this.#vars.push({ name, value: values[i] });
      });
      if (this.#walk(node.list, item) === "break") break;
    }
    this.#vars.length = mark;
  }

  #error(detail: string, at: string): TemplateError {
    return new TemplateError(
      `template: executing ${JSON.stringify(this.#source)} at <${at}>: ${detail}`,
    );
  }

  #pipeline(dot: unknown, pipe: Pipe): unknown {
    const value = this.#commands(dot, pipe);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.#setVar(name, value);
      else this.#vars.push({ name, value });
    }
    return value;
  }

  #commands(dot: unknown, pipe: Pipe): unknown {
    let value: Final = NONE;
    for (const cmd of pipe.cmds) value = this.#command(dot, cmd, value);
    return value;
  }

  #command(dot: unknown, cmd: Command, final: Final): unknown {
    const [first, ...rest] = cmd.args;
    if (first === undefined) throw this.#error("empty command", cmd.text);
    try {
      switch (first.kind) {
        case "field":
          return this.#fieldChain(dot, first.names, rest, final);
        case "var": {
          const value = this.#lookupVar(first.name);
          if (first.names.length > 0) return this.#fieldChain(value, first.names, rest, final);
          break;
        }
        case "chain":
          return this.#fieldChain(this.#arg(dot, first.node), first.names, rest, final);
        case "func":
          return this.#call(dot, first.name, rest, final);
        case "nil":
          throw new ExecProblem("nil is not a command");
      }
      if (rest.length > 0 || final !== NONE) {
        throw new ExecProblem(`can't give argument to non-function ${cmd.text.split(/\s/)[0]}`);
      }
      return this.#arg(dot, first);
    } catch (error) {
      if (error instanceof ExecProblem) throw this.#error(error.message, cmd.text);
      throw error;
    }
  }

  #arg(dot: unknown, arg: Arg): unknown {
    switch (arg.kind) {
      case "field":
        return this.#fieldChain(dot, arg.names, [], NONE);
      case "dot":
        return dot;
      case "var": {
        const value = this.#lookupVar(arg.name);
        return arg.names.length > 0 ? this.#fieldChain(value, arg.names, [], NONE) : value;
      }
      case "chain":
        return this.#fieldChain(this.#arg(dot, arg.node), arg.names, [], NONE);
      case "pipe":
        return this.#pipeline(dot, arg.pipe);
      case "func":
        return this.#call(dot, arg.name, [], NONE);
      case "nil":
        return null;
      default:
        return arg.value;
    }
  }

  #fieldChain(receiver: unknown, names: readonly string[], args: Arg[], final: Final): unknown {
    if (this.#header && receiver === HEADER_ROOT) return this.#header(names);
    const last = names.length - 1;
    for (let i = 0; i < last; i++) receiver = this.#field(receiver, names[i]!, [], NONE);
    return this.#field(receiver, names[last]!, args, final);
  }

  #field(receiver: unknown, name: string, args: Arg[], final: Final): unknown {
    if (this.#header && (receiver === HEADER_ROOT || typeof receiver !== "object")) {
      return this.#header([name]);
    }
    if (receiver === null || receiver === undefined) {
      if (args.length > 0 || final !== NONE) {
        throw new ExecProblem(`nil has no method ${name} to call with arguments`);
      }
      return undefined;
    }
    if (typeof receiver !== "object" || Array.isArray(receiver)) {
      throw new ExecProblem(`can't evaluate field ${name} in type ${typeName(receiver)}`);
    }
    const { value } = lookupField(receiver, name);
    if (typeof value === "function") {
      const values = args.map((arg) => this.#arg(receiver, arg));
      if (final !== NONE) values.push(final);
      try {
        return value.apply(receiver, values);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new ExecProblem(`error calling ${name}: ${message}`);
      }
    }
    if (args.length > 0 || final !== NONE) {
      throw new ExecProblem(`${name} has arguments but cannot be invoked as function`);
    }
    return value;
  }

  #call(dot: unknown, name: string, argNodes: Arg[], final: Final): unknown {
    const fn = FUNCS.get(name);
    if (!fn) throw new ExecProblem(`function ${JSON.stringify(name)} not defined`);
    const count = argNodes.length + (final === NONE ? 0 : 1);
    if (count < fn.min || (fn.max !== undefined && count > fn.max)) {
      const want = fn.max === fn.min ? `${fn.min}` : `at least ${fn.min}`;
      throw new ExecProblem(`wrong number of args for ${name}: want ${want} got ${count}`);
    }
    if (name === "and" || name === "or") {
      // Go evaluates and/or lazily, stopping at the first argument that decides the result.
      let value: unknown;
      for (const node of argNodes) {
        value = this.#arg(dot, node);
        if (truth(value) === (name === "or")) return value;
      }
      return final === NONE ? value : final;
    }
    const args = argNodes.map((node) => this.#arg(dot, node));
    if (final !== NONE) args.push(final);
    try {
      return fn.fn(args);
    } catch (error) {
      if (error instanceof ArgError) throw new ExecProblem(error.message);
      if (error instanceof CallError) {
        throw new ExecProblem(`error calling ${name}: ${error.message}`);
      }
      throw error;
    }
  }

  #lookupVar(name: string): unknown {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const variable = this.#vars[i]!;
      if (variable.name === name) return variable.value;
    }
    throw new ExecProblem(`undefined variable: ${name}`);
  }

  #setVar(name: string, value: unknown): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const variable = this.#vars[i]!;
      if (variable.name === name) {
        variable.value = value;
        return;
      }
    }
    throw new ExecProblem(`undefined variable: ${name}`);
  }
}
