/** parseTemplate(): field lookup, Go-style rendering of values and literals. */
import assert from "node:assert/strict";
import { container, run } from "./_template_testdata.ts";

Deno.test("parseTemplate() renders text, fields, chains and dot", () => {
  assert.equal(run("id={{.ID}} pid={{.State.Pid}}", container), "id=3f2a8d1c9b7e pid=42");
  assert.equal(run("{{.}}", "plain"), "plain");
  assert.equal(run("no actions at all"), "no actions at all");
  assert.equal(run(""), "");
});

Deno.test("parseTemplate() looks fields up case-insensitively", () => {
  const info = { host: { arch: "amd64", memTotal: 1024 } };
  assert.equal(run("{{.Host.Arch}} {{.HOST.MemTotal}}", info), "amd64 1024");
});

Deno.test("parseTemplate() prefers an exact field name to a case-insensitive match", () => {
  assert.equal(run("{{.ID}} {{.id}} {{.Id}}", { id: "lower", ID: "upper" }), "upper lower lower");
});

Deno.test("parseTemplate() reads getters and calls methods of class instances", () => {
  class Row {
    readonly #name = "web";
    get Name(): string {
      return this.#name;
    }
    Greet(greeting: string): string {
      return `${greeting}, ${this.#name}`;
    }
  }
  assert.equal(
    run('{{.Name}} {{.Greet "hi"}} {{"yo" | .Greet}}', new Row()),
    "web hi, web yo, web",
  );
});

Deno.test("parseTemplate() prints missing fields and nil as <no value>", () => {
  assert.equal(
    run("{{.Missing}}|{{.Missing.Deeper}}|{{.Nil}}", { Nil: null }),
    [
      "<no value>",
      "<no value>",
      "<no value>",
    ].join("|"),
  );
});

Deno.test("parseTemplate() renders values the way Go's fmt does", () => {
  const data = {
    Int: 42,
    Neg: -7,
    Float: 96.69,
    Tiny: 0.00001,
    Big: 1234567.5,
    Yes: true,
    No: false,
    List: ["a", "b", ["c", 1]],
    Empty: [],
    Map: { zeta: 1, alpha: "x", mid: [true] },
    EmptyMap: {},
    Nested: [{ b: 2, a: 1 }, null],
    Js: new Map([["k2", "v2"], ["k1", "v1"]]),
  };
  assert.equal(
    run("{{.Int}} {{.Neg}} {{.Float}} {{.Tiny}} {{.Big}}", data),
    "42 -7 96.69 1e-05 1.2345675e+06",
  );
  assert.equal(run("{{.Yes}} {{.No}}", data), "true false");
  assert.equal(run("{{.List}} {{.Empty}}", data), "[a b [c 1]] []");
  assert.equal(run("{{.Map}} {{.EmptyMap}}", data), "map[alpha:x mid:[true] zeta:1] map[]");
  assert.equal(run("{{.Nested}}", data), "[map[a:1 b:2] <nil>]");
  assert.equal(run("{{.Js}}", data), "map[k1:v1 k2:v2]");
});

Deno.test("parseTemplate() renders dates in Go's time format, in UTC", () => {
  assert.equal(
    run("{{.Created}}", { Created: new Date("2024-05-01T10:20:30.500Z") }),
    "2024-05-01 10:20:30.5 +0000 UTC",
  );
  assert.equal(
    run("{{.Created}}", { Created: new Date("2024-05-01T10:20:30Z") }),
    "2024-05-01 10:20:30 +0000 UTC",
  );
});

Deno.test("parseTemplate() renders an object with its own toString like a Go Stringer", () => {
  class Size {
    toString(): string {
      return "1.2MB";
    }
  }
  assert.equal(
    run("{{.Size}} {{printf `%s|%v` .Size .Size}}", { Size: new Size() }),
    "1.2MB 1.2MB|1.2MB",
  );
});

Deno.test("parseTemplate() reads string, raw string, character and number literals", () => {
  assert.equal(
    run("{{\"a\\tb\\u00e9\"}}|{{`raw\\d`}}|{{'A'}}|{{0x1F}}|{{-3}}|{{1.5}}|{{1_000}}|{{true}}"),
    "a\tbé|raw\\d|65|31|-3|1.5|1000|true",
  );
});
