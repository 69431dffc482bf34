/** Template functions: json, strings, len/index/slice, printf/print, comparisons, logic. */
import assert from "node:assert/strict";
import { container, run } from "./_template_testdata.ts";

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
