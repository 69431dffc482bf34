/** Template parse and execution errors, with Go's messages. */
import { execFails, parseFails } from "./_template_testdata.ts";

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
