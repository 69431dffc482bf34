/** Helpers and fixtures shared by the template_*_test.ts files. */
import assert from "node:assert/strict";
import { parseTemplate, TemplateError } from "./template.ts";

/** Parses `source` and executes it on `data`. */
export function run(source: string, data: unknown = {}): string {
  return parseTemplate(source).execute(data);
}

/** Asserts that parsing `source` throws a TemplateError with exactly `message`. */
export function parseFails(source: string, message: string): void {
  assert.throws(() => parseTemplate(source), (error: unknown) => {
    assert.ok(error instanceof TemplateError);
    assert.equal(error.message, message);
    return true;
  });
}

/** Asserts that executing `source` on `data` throws a TemplateError with exactly `message`. */
export function execFails(source: string, data: unknown, message: string): void {
  const template = parseTemplate(source);
  assert.throws(() => template.execute(data), (error: unknown) => {
    assert.ok(error instanceof TemplateError);
    assert.equal(error.message, message);
    return true;
  });
}

/** A `ps`-like container row. */
export const container = {
  ID: "3f2a8d1c9b7e",
  Names: ["web", "frontend"],
  Labels: { app: "shop", tier: "db" },
  State: { Running: true, Pid: 42, ExitCode: 0 },
  Ports: [],
};
