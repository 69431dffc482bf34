/** parseTemplate(): range, if, with, variables, trim markers, pipelines and sub-expressions. */
import assert from "node:assert/strict";
import { container, parseFails, run } from "./_template_testdata.ts";
import { parseTemplate } from "./template.ts";

Deno.test("parseTemplate() ranges over a list with index and element variables", () => {
  assert.equal(
    run("{{range $i, $n := .Names}}{{$i}}:{{$n}} {{end}}", container),
    "0:web 1:frontend ",
  );
  assert.equal(run("{{range .Names}}<{{.}}>{{end}}", container), "<web><frontend>");
  assert.equal(run("{{range $n := .Names}}{{$n}};{{end}}", container), "web;frontend;");
});

Deno.test("parseTemplate() ranges over a map in sorted key order", () => {
  const data = { Labels: { zone: "eu", app: "shop", tier: "db" } };
  assert.equal(
    run("{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}", data),
    "app=shop,tier=db,zone=eu,",
  );
});

Deno.test("parseTemplate() runs range's else branch for empty and missing lists", () => {
  assert.equal(run("{{range .Ports}}x{{else}}none{{end}}", container), "none");
  assert.equal(run("{{range .Missing}}x{{else}}none{{end}}", container), "none");
  assert.equal(run("{{range .Labels}}{{.}} {{else}}none{{end}}", container), "shop db ");
});

Deno.test("parseTemplate() supports break and continue inside range", () => {
  assert.equal(
    run("{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}", [
      1,
      2,
      3,
      4,
      5,
    ]),
    "13",
  );
});

Deno.test("parseTemplate() chooses if, else if and else branches by Go truthiness", () => {
  const tpl = parseTemplate("{{if .A}}a{{else if .B}}b{{else}}c{{end}}");
  assert.equal(tpl.execute({ A: 1, B: 1 }), "a");
  assert.equal(tpl.execute({ A: 0, B: "x" }), "b");
  for (const empty of [0, "", false, null, [], {}, undefined]) {
    assert.equal(tpl.execute({ A: empty, B: empty }), "c");
  }
  assert.equal(run("{{if .State.Running}}up{{end}}", container), "up");
});

Deno.test("parseTemplate() moves dot with with, and runs its else when empty", () => {
  assert.equal(run("{{with .State}}{{.Pid}}{{end}}", container), "42");
  assert.equal(run("{{with .Missing}}x{{else}}no {{.ID}}{{end}}", container), "no 3f2a8d1c9b7e");
  assert.equal(run("{{with $s := .State}}{{$s.ExitCode}}{{end}}", container), "0");
});

Deno.test("parseTemplate() scopes variables to their structure and keeps $ as the root", () => {
  assert.equal(run("{{$x := 1}}{{if true}}{{$x = 2}}{{$y := 3}}{{$y}}{{end}}{{$x}}"), "32");
  assert.equal(
    run("{{range .Names}}{{.}}@{{$.ID}} {{end}}", container),
    "web@3f2a8d1c9b7e frontend@3f2a8d1c9b7e ",
  );
  assert.equal(run("{{$n := len .Names}}{{$n}} names", container), "2 names");
  parseFails(
    "{{if true}}{{$y := 3}}{{end}}{{$y}}",
    'template: parsing "{{if true}}{{$y := 3}}{{end}}{{$y}}": undefined variable "$y"',
  );
});

Deno.test("parseTemplate() applies trim markers and drops comments", () => {
  assert.equal(run("a  {{- .ID -}}  \n b", { ID: "x" }), "axb");
  assert.equal(run("a {{- /* gone */ -}} b {{/* also gone */}}c"), "ab c");
  assert.equal(run("{{- 3}} {{-3}}"), "3 -3");
});

Deno.test("parseTemplate() passes pipeline values as the last argument", () => {
  assert.equal(run('{{.ID | printf "%.4s" | upper}}', { ID: "abcdef" }), "ABCD");
  assert.equal(run('{{"x" | printf "%s-%s" "y"}}'), "y-x");
});

Deno.test("parseTemplate() evaluates parenthesised sub-expressions and their fields", () => {
  assert.equal(
    run("{{(index .Names 1)}} {{(index .Items 0).Name}}", {
      Names: ["a", "b"],
      Items: [{ Name: "first" }],
    }),
    "b first",
  );
  assert.equal(run('{{len (split .ID "-")}}', { ID: "a-b-c" }), "3");
});

Deno.test("parseTemplate() turns typed \\t and \\n escapes into tabs and newlines", () => {
  assert.equal(run("{{.A}}\\t{{.B}}\\n", { A: 1, B: 2 }), "1\t2\n");
});
