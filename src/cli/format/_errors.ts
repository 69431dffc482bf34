/**
 * The one error class of the formatter. It lives in its own file so that the private lexer,
 * parser and executor can throw it without importing the public module.
 * @module
 */

/**
 * A `--format` template that cannot be parsed or executed. The message names the template and
 * what is wrong, e.g. `template: parsing "{{.Foo": unclosed action`.
 */
export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TemplateError";
  }
}
