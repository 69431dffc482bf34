import assert from "node:assert/strict";
import {
  parseTemplate,
  renderEach,
  renderTable,
  splitCamelCase,
  type Template,
  TemplateError,
} from "./template.ts";

function run(source: string, data: unknown = {}): string {
  return parseTemplate(source).execute(data);
}

function parseFails(source: string, message: string): void {
  assert.throws(() => parseTemplate(source), (error: unknown) => {
    assert.ok(error instanceof TemplateError);
    assert.equal(error.message, message);
    return true;
  });
}

function execFails(source: string, data: unknown, message: string): void {
  const template = parseTemplate(source);
  assert.throws(() => template.execute(data), (error: unknown) => {
    assert.ok(error instanceof TemplateError);
    assert.equal(error.message, message);
    return true;
  });
}

const container = {
  ID: "3f2a8d1c9b7e",
  Names: ["web", "frontend"],
  Labels: { app: "shop", tier: "db" },
  State: { Running: true, Pid: 42, ExitCode: 0 },
  Ports: [],
};

// --- fields and values ---------------------------------------------------------------------

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

// --- control structures ---------------------------------------------------------------------

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

// --- functions ------------------------------------------------------------------------------

Deno.test("json renders compact JSON, null for missing values", () => {
  assert.equal(
    run("{{json .Labels}} {{json .Names}} {{json .Missing}}", container),
    '{"app":"shop","tier":"db"} ["web","frontend"] null',
  );
  assert.equal(run("{{json .}}", { s: "<&>" }), '{"s":"<&>"}');
});

Deno.test("join, split, lower, upper, title and trim transform strings", () => {
  assert.equal(run('{{join .Names ", "}}', container), "web, frontend");
  assert.equal(run('{{split "a:b:c" ":"}} {{len (split "ab" "")}}'), "[a b c] 2");
  assert.equal(
    run('{{lower "AbC"}} {{upper "AbC"}} {{title "hello wide-world"}}'),
    "abc ABC Hello Wide-World",
  );
  assert.equal(run('{{trim "  x y \\n"}}|'), "x y|");
});

Deno.test("truncate, pad, replace and contains work on strings", () => {
  assert.equal(run('{{truncate "abcdef" 3}}|{{truncate "ab" 5}}'), "abc|ab");
  assert.equal(run('[{{pad "x" 2 1}}]'), "[  x ]");
  assert.equal(run('{{replace "a-b-c" "-" "+"}}'), "a+b+c");
  assert.equal(
    run(
      '{{contains "podman" "pod"}} {{contains "podman" "x"}} {{contains .Names "web"}}',
      container,
    ),
    "true false true",
  );
});

Deno.test("len and index measure and index strings, lists and maps", () => {
  assert.equal(run('{{len .Names}} {{len .Labels}} {{len "héllo"}}', container), "2 2 6");
  assert.equal(
    run('{{index .Names 1}} {{index .Labels "app"}} {{index .M "a" 1}}', {
      ...container,
      M: { a: [5, 6] },
    }),
    "frontend shop 6",
  );
  assert.equal(run('{{index .Labels "absent"}}|', container), "|");
  assert.equal(run('{{index .M "absent"}}', { M: { a: 1 } }), "<no value>");
  assert.equal(run('{{index "abc" 1}} {{index .Names}}', container), "98 [web frontend]");
});

Deno.test("slice cuts strings and lists", () => {
  assert.equal(
    run('{{slice "podman" 1 3}} {{slice .Names 1}} {{slice .Names}}', container),
    "od [frontend] [web frontend]",
  );
});

Deno.test("printf supports Go's verbs, flags, width and precision", () => {
  assert.equal(
    run('{{printf "%s|%d|%v|%t" "a" 42 .Names true}}', container),
    "a|42|[web frontend]|true",
  );
  assert.equal(
    run('{{printf "%q|%x|%X|%05d|%+d|%o|%b|%c|%U" "q\\"" "hi" 255 42 5 8 5 65 65}}'),
    '"q\\""|6869|FF|00042|+5|10|101|A|U+0041',
  );
  assert.equal(
    run('{{printf "[%5s][%-10s][%.2s][%8.3s]" "ab" "cd" "xyz" "abcdef"}}'),
    "[   ab][cd        ][xy][     abc]",
  );
  assert.equal(
    run('{{printf "%6.2f|%f|%e|%g|%.3g|%v" 3.14159 1.5 1234.5678 0.00001234 1234.5678 2.5}}'),
    "  3.14|1.500000|1.234568e+03|1.234e-05|1.23e+03|2.5",
  );
  assert.equal(
    run('{{printf "%T %T %T %T" 1 1.5 "s" .Names}}', container),
    "int float64 string []interface {}",
  );
  assert.equal(run('{{printf "100%%"}}'), "100%");
});

Deno.test("printf reports mismatched verbs and arguments as Go does", () => {
  assert.equal(run('{{printf "%d" 3.5}}'), "%!d(float64=3.5)");
  assert.equal(run('{{printf "%d" "x"}}'), "%!d(string=x)");
  assert.equal(run('{{printf "%s %s" "a"}}'), "a %!s(MISSING)");
  assert.equal(run('{{printf "%s" "a" 1 "b"}}'), "a%!(EXTRA int=1, string=b)");
  assert.equal(run('{{printf "%s" nil}}'), "%!s(<nil>)");
});

Deno.test("print and println join operands as fmt.Sprint and Sprintln do", () => {
  assert.equal(
    run('{{print 1 2 "a" "b" 3}}|{{println 1 "a"}}|{{print .Missing}}'),
    "1 2ab3|1 a\n|<nil>",
  );
});

Deno.test("eq compares against several alternatives; ne, lt, le, gt and ge compare two values", () => {
  assert.equal(
    run('{{eq .ID "x" "3f2a8d1c9b7e"}} {{eq 1 2}} {{eq .Missing nil}}', container),
    "true false true",
  );
  assert.equal(run('{{ne 1 2}} {{ne "a" "a"}}'), "true false");
  assert.equal(
    run('{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}} {{lt 1.5 2}}'),
    "true true true false true",
  );
});

Deno.test("and, or and not follow Go's truthiness and return the deciding value", () => {
  assert.equal(
    run('{{and 1 "x"}} {{and 1 0 "x"}} {{or "" "y"}} {{or 0 ""}}|{{not 0}} {{not "a"}}'),
    "x 0 y |true false",
  );
  // and/or stop evaluating at the deciding argument, so the failing index is never reached.
  assert.equal(run("{{or 1 (index .L 9)}} {{and 0 (index .L 9)}}", { L: [] }), "1 0");
});

// --- errors ---------------------------------------------------------------------------------

Deno.test("parseTemplate() rejects an unknown function", () => {
  parseFails(
    "{{nosuch .Name}}",
    'template: parsing "{{nosuch .Name}}": function "nosuch" not defined',
  );
});

Deno.test("parseTemplate() rejects an unclosed action", () => {
  parseFails("{{.Foo", 'template: parsing "{{.Foo": unclosed action');
  parseFails("{{.Foo}", "template: parsing \"{{.Foo}\": bad character U+007D '}'");
});

Deno.test("parseTemplate() rejects unbalanced control structures", () => {
  parseFails("{{if .A}}x", 'template: parsing "{{if .A}}x": unexpected EOF: {{if}} has no {{end}}');
  parseFails("x{{end}}", 'template: parsing "x{{end}}": unexpected {{end}}');
  parseFails("{{else}}", 'template: parsing "{{else}}": unexpected {{else}}');
  parseFails("{{break}}", 'template: parsing "{{break}}": {{break}} outside {{range}}');
});

Deno.test("parseTemplate() rejects malformed actions", () => {
  parseFails("{{}}", 'template: parsing "{{}}": missing value for command');
  parseFails("{{if}}{{end}}", 'template: parsing "{{if}}{{end}}": missing value for if');
  parseFails("{{(.A}}", 'template: parsing "{{(.A}}": unclosed left paren');
  parseFails("{{.A)}}", 'template: parsing "{{.A)}}": unexpected right paren');
  parseFails('{{"abc}}', 'template: parsing "{{\\"abc}}": unterminated quoted string');
  parseFails("{{.A | }}", 'template: parsing "{{.A | }}": missing command after |');
  parseFails(
    '{{.A | "x"}}',
    'template: parsing "{{.A | \\"x\\"}}": non executable command in pipeline stage 2',
  );
  parseFails("{{$x}}", 'template: parsing "{{$x}}": undefined variable "$x"');
  parseFails("{{/* open", 'template: parsing "{{/* open": unclosed comment');
  parseFails(
    '{{define "x"}}{{end}}',
    'template: parsing "{{define \\"x\\"}}{{end}}": {{define}} is not supported',
  );
  parseFails("{{1x}}", 'template: parsing "{{1x}}": bad number syntax: "1x"');
});

Deno.test("execute() rejects a field looked up on a string", () => {
  execFails(
    "{{.Name.Foo}}",
    { Name: "web" },
    'template: executing "{{.Name.Foo}}" at <.Name.Foo>: can\'t evaluate field Foo in type string',
  );
  execFails(
    "{{.A.B}}",
    { A: [1] },
    'template: executing "{{.A.B}}" at <.A.B>: can\'t evaluate field B in type []interface {}',
  );
});

Deno.test("execute() rejects calls with the wrong number or type of arguments", () => {
  execFails(
    '{{upper "a" "b"}}',
    {},
    'template: executing "{{upper \\"a\\" \\"b\\"}}" at <upper "a" "b">: wrong number of args for upper: want 1 got 2',
  );
  execFails(
    "{{upper .N}}",
    { N: 3 },
    'template: executing "{{upper .N}}" at <upper .N>: wrong type for value; expected string; got int',
  );
  execFails(
    "{{.N 1}}",
    { N: 3 },
    'template: executing "{{.N 1}}" at <.N 1>: N has arguments but cannot be invoked as function',
  );
  execFails(
    '{{"a" 1}}',
    {},
    'template: executing "{{\\"a\\" 1}}" at <"a" 1>: can\'t give argument to non-function "a"',
  );
});

Deno.test("execute() reports function failures as Go's error calling", () => {
  execFails(
    "{{index .L 5}}",
    { L: [1] },
    'template: executing "{{index .L 5}}" at <index .L 5>: error calling index: index out of range: 5',
  );
  execFails(
    '{{eq 1 "a"}}',
    {},
    'template: executing "{{eq 1 \\"a\\"}}" at <eq 1 "a">: error calling eq: incompatible types for comparison',
  );
  execFails(
    "{{lt .L 1}}",
    { L: [] },
    'template: executing "{{lt .L 1}}" at <lt .L 1>: error calling lt: invalid type for comparison',
  );
  execFails(
    "{{range .N}}{{end}}",
    { N: 5 },
    'template: executing "{{range .N}}{{end}}" at <range>: range can\'t iterate over 5',
  );
});

// --- tables and rows ------------------------------------------------------------------------

Deno.test("parseTemplate() marks table templates and turns their spaces into tabs", () => {
  assert.equal(parseTemplate("table {{.ID}}").isTable, true);
  assert.equal(parseTemplate("table").isTable, true);
  assert.equal(parseTemplate("{{.ID}}").isTable, false);
  assert.equal(parseTemplate("tablet {{.ID}}").isTable, false);
  assert.equal(
    parseTemplate('table {{.A}} {{printf "%s x" .B}}').execute({ A: 1, B: "b" }),
    "1\tb\tx",
  );
});

const networks = [
  {
    Name: "podman",
    Driver: "bridge",
    ID: "2f259bab93aa",
    NetworkInterface: "podman0",
    Internal: false,
  },
  { Name: "isolated-net", Driver: "macvlan", ID: "77aa", NetworkInterface: "eth1", Internal: true },
];

Deno.test("renderTable() derives headers from field names and aligns like podman", () => {
  const template = parseTemplate("table {{.ID}}\\t{{.Name}}\\t{{.Driver}}");
  assert.equal(
    renderTable(template, networks, { headers: { ID: "network id" } }),
    "NETWORK ID    NAME          DRIVER\n" +
      "2f259bab93aa  podman        bridge\n" +
      "77aa          isolated-net  macvlan\n",
  );
});

Deno.test("renderTable() aligns a space-separated table template on the spaces", () => {
  assert.equal(
    renderTable(parseTemplate("table {{.Name}} {{.Driver}}"), networks.slice(0, 1)),
    "NAME        DRIVER\npodman      bridge\n",
  );
});

Deno.test("renderTable() splits camel-case field names into header words", () => {
  const template = parseTemplate("table {{.NetworkInterface}}\t{{.RunningFor}}\t{{.IPv6Enabled}}");
  assert.equal(
    renderTable(template, [], {}),
    "NETWORK INTERFACE  RUNNING FOR  I PV 6 ENABLED\n",
  );
});

Deno.test("renderTable() keeps literal text and applies functions in the header row", () => {
  const template = parseTemplate(
    'table {{.Name | upper}}\\t{{if .Internal}}int{{else}}ext{{end}}\\t{{printf "%s x" .Driver}}|{{ .ID }}',
  );
  assert.equal(
    renderTable(template, networks.slice(0, 1), { headers: { ID: "network id" } }),
    "NAME        int         DRIVER      x|NETWORK ID\n" +
      "PODMAN      ext         bridge      x|2f259bab93aa\n",
  );
});

Deno.test("renderTable() names nested fields after the whole chain or the last field", () => {
  const template = parseTemplate("table {{.Host.Arch}}\t{{.Host.OS}}\t{{.State.Pid}}");
  assert.equal(
    renderTable(template, [{ Host: { Arch: "amd64", OS: "linux" }, State: { Pid: 1 } }], {
      headers: { "Host.OS": "system", pid: "process" },
    }),
    "ARCH        SYSTEM      PROCESS\namd64       linux       1\n",
  );
});

Deno.test("renderTable() renders podman's ps header for an empty list", () => {
  const template = parseTemplate(
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
  );
  assert.equal(
    renderTable(template, [], { headers: { ID: "CONTAINER ID" } }),
    "CONTAINER ID  IMAGE       COMMAND     CREATED     STATUS      PORTS       NAMES\n",
  );
});

Deno.test("renderTable() leaves the header row out with noHeading", () => {
  const template = parseTemplate("table {{.ID}}\t{{.Name}}");
  assert.equal(
    renderTable(template, networks, { noHeading: true }),
    "2f259bab93aa  podman\n77aa          isolated-net\n",
  );
  assert.equal(renderTable(template, [], { noHeading: true }), "");
});

Deno.test("renderTable() refuses templates not made by parseTemplate()", () => {
  const fake: Template = { isTable: true, execute: () => "" };
  assert.throws(() => renderTable(fake, []), TypeError);
});

Deno.test("renderEach() executes the template per row, one line each", () => {
  assert.equal(renderEach(parseTemplate("{{.Name}}"), networks), "podman\nisolated-net\n");
  assert.equal(renderEach(parseTemplate("{{.Name}}\\n"), networks), "podman\nisolated-net\n");
  assert.equal(
    renderEach(parseTemplate("{{.Name}}\\t{{.Driver}}"), networks.slice(0, 1)),
    "podman\tbridge\n",
  );
  assert.equal(renderEach(parseTemplate("{{.Name}}"), []), "");
});

Deno.test("splitCamelCase() splits like podman's header names", () => {
  assert.deepEqual(splitCamelCase("RunningFor"), ["Running", "For"]);
  assert.deepEqual(splitCamelCase("ID"), ["ID"]);
  assert.deepEqual(splitCamelCase("ImageID"), ["Image", "ID"]);
  assert.deepEqual(splitCamelCase("HTTPServer"), ["HTTP", "Server"]);
  assert.deepEqual(splitCamelCase("IPv6Enabled"), ["I", "Pv", "6", "Enabled"]);
  assert.deepEqual(splitCamelCase("lowercase"), ["lowercase"]);
});

Deno.test("execute() reuses one parsed template for many rows", () => {
  const template = parseTemplate("{{range $k, $v := .}}{{$k}}{{end}}");
  assert.equal(template.execute({ b: 1, a: 2 }), "ab");
  assert.equal(template.execute({ c: 1 }), "c");
});
