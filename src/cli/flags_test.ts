import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import { type FlagSpec, parseFlags } from "./flags.ts";

const RUN: FlagSpec[] = [
  { name: "detach", short: "d", type: "bool", help: "" },
  { name: "interactive", short: "i", type: "bool", help: "" },
  { name: "tty", short: "t", type: "bool", help: "" },
  { name: "rm", type: "bool", help: "" },
  { name: "name", type: "string", help: "" },
  { name: "publish", short: "p", type: "stringArray", help: "" },
  { name: "filter", short: "f", type: "strings", help: "" },
  { name: "last", short: "n", type: "int", help: "" },
  { name: "time", type: "uint", help: "" },
];

function parse(args: string[], interspersed = false) {
  const { values, positionals } = parseFlags(args, RUN, { interspersed });
  return { values: Object.fromEntries(values), positionals };
}

Deno.test("parseFlags() stops at the image for run-like commands", () => {
  assert.deepEqual(parse(["-it", "--rm", "img", "sh", "-c", "echo -n hi"]), {
    values: { interactive: true, tty: true, rm: true },
    positionals: ["img", "sh", "-c", "echo -n hi"],
  });
});

Deno.test("parseFlags() accepts pflag value forms", () => {
  assert.deepEqual(
    parse(["-p80:80", "-p=81:81", "--publish", "82:82", "--publish=83:83", "-dp", "84:84", "x"])
      .values,
    {
      publish: ["80:80", "81:81", "82:82", "83:83", "84:84"],
      detach: true,
    },
  );
  assert.deepEqual(parse(["--rm=false", "--name=-x", "-d=true", "x"]).values, {
    rm: false,
    name: "-x",
    detach: true,
  });
});

Deno.test("parseFlags() splits strings flags on commas and parses numbers", () => {
  assert.deepEqual(parse(["-f", "a=1,b=2", "--filter", "c", "-n", "3", "--time=0"]).values, {
    filter: ["a=1", "b=2", "c"],
    last: 3,
    time: 0,
  });
});

Deno.test("parseFlags() lets flags follow positionals when interspersed", () => {
  assert.deepEqual(parse(["a", "-d", "b"], true), {
    values: { detach: true },
    positionals: ["a", "b"],
  });
  assert.deepEqual(parse(["a", "--", "-d"], true), { values: {}, positionals: ["a", "-d"] });
});

Deno.test("parseFlags() names the offending flag", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /^unknown flag: --bogus$/],
    [["-x"], /^unknown shorthand flag: 'x' in -x$/],
    [["-dx"], /^unknown shorthand flag: 'x' in -dx$/],
    [["--name"], /^flag needs an argument: --name$/],
    [["-p"], /^flag needs an argument: 'p' in -p$/],
    [["--rm=maybe"], /invalid argument "maybe" for "--rm" flag/],
    [["-n", "x"], /invalid argument "x" for "-n, --last" flag: must be an integer/],
    [["--time", "-1"], /must be a non-negative integer/],
  ];
  for (const [args, re] of cases) {
    assert.throws(
      () => parse(args),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
      args.join(" "),
    );
  }
});
