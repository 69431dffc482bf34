import assert from "node:assert/strict";
import { stringifyYaml } from "./yaml.ts";

Deno.test("stringifyYaml() writes podman info the way podman does", () => {
  const info = {
    host: {
      arch: "amd64",
      cgroupControllers: ["cpuset", "cpu"],
      conmon: {
        package: "conmon_2.1.6+ds1-1_amd64",
        path: "/usr/bin/conmon",
        version: "conmon version 2.1.6, commit: unknown",
      },
      cpuUtilization: { idlePercent: 96.69, systemPercent: 1.6 },
      cpus: 2,
      distribution: { codename: "bookworm", version: "12" },
      idMappings: { gidmap: null, uidmap: null },
      ociRuntime: {
        name: "runc",
        version: "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev",
      },
      uptime: "0h 10m 3.00s",
    },
    plugins: { authorization: null, log: ["k8s-file", "none"] },
    registries: {},
    store: {
      graphOptions: {},
      graphStatus: { "Backing Filesystem": "extfs", "Supports d_type": "true" },
    },
    version: {
      APIVersion: "4.3.1",
      Built: 0,
      BuiltTime: "Thu Jan  1 00:00:00 1970",
      GitCommit: "",
    },
  };
  assert.equal(
    stringifyYaml(info),
    `host:
  arch: amd64
  cgroupControllers:
  - cpuset
  - cpu
  conmon:
    package: conmon_2.1.6+ds1-1_amd64
    path: /usr/bin/conmon
    version: 'conmon version 2.1.6, commit: unknown'
  cpuUtilization:
    idlePercent: 96.69
    systemPercent: 1.6
  cpus: 2
  distribution:
    codename: bookworm
    version: "12"
  idMappings:
    gidmap: null
    uidmap: null
  ociRuntime:
    name: runc
    version: |-
      runc version 1.1.5+ds1
      commit: 1.1.5+ds1-1+deb12u1
      spec: 1.0.2-dev
  uptime: 0h 10m 3.00s
plugins:
  authorization: null
  log:
  - k8s-file
  - none
registries: {}
store:
  graphOptions: {}
  graphStatus:
    Backing Filesystem: extfs
    Supports d_type: "true"
version:
  APIVersion: 4.3.1
  Built: 0
  BuiltTime: Thu Jan  1 00:00:00 1970
  GitCommit: ""
`,
  );
});

Deno.test("stringifyYaml() double-quotes strings YAML would read as another type", () => {
  const values = [
    "12",
    "-3",
    "0x1F",
    "1.5",
    "1e3",
    ".5",
    "1_000",
    "true",
    "False",
    "yes",
    "off",
    "null",
    "~",
    "",
    "1:20",
    "2024-01-02",
    "2024-01-02T10:00:00Z",
    ".inf",
    "<<",
  ];
  assert.equal(stringifyYaml(values), values.map((v) => `- ${JSON.stringify(v)}\n`).join(""));
});

Deno.test("stringifyYaml() quotes keys YAML 1.1 would read as booleans, as yaml.v2 does", () => {
  assert.equal(stringifyYaml({ y: 1, n: 2, on: 3, key: 4 }), '"y": 1\n"n": 2\n"on": 3\nkey: 4\n');
});

Deno.test("stringifyYaml() leaves ordinary strings plain", () => {
  const values = [
    "amd64",
    "a:b",
    "-x",
    "x-",
    "a#b",
    "1.2.3",
    "v4.3.1",
    "a, b",
    "Thu Jan  1 00:00:00 1970",
    "über",
    "C:\\dir",
    "12abc",
  ];
  assert.equal(stringifyYaml(values), values.map((v) => `- ${v}\n`).join(""));
});

Deno.test("stringifyYaml() single-quotes strings that cannot be plain", () => {
  assert.equal(
    stringifyYaml({
      a: "x: y",
      b: "- item",
      c: "#hash",
      d: "x #y",
      e: " lead",
      f: "trail ",
      g: "it's: here",
      h: "-",
      i: "[list]",
      j: "*ref",
      k: "---",
    }),
    `a: 'x: y'
b: '- item'
c: '#hash'
d: 'x #y'
e: ' lead'
f: 'trail '
g: 'it''s: here'
h: '-'
i: '[list]'
j: '*ref'
k: '---'
`,
  );
});

Deno.test("stringifyYaml() double-quotes strings with control characters, escaped", () => {
  assert.equal(
    stringifyYaml({ a: "a\tb", b: "bell\x07", c: 'q"\\' + "\r" }),
    'a: "a\\tb"\nb: "bell\\a"\nc: "q\\"\\\\\\r"\n',
  );
});

Deno.test("stringifyYaml() writes multi-line strings as literal blocks with the right chomping", () => {
  assert.equal(stringifyYaml({ strip: "a\nb" }), "strip: |-\n  a\n  b\n");
  assert.equal(stringifyYaml({ clip: "a\nb\n" }), "clip: |\n  a\n  b\n");
  assert.equal(stringifyYaml({ keep: "a\n\n" }), "keep: |+\n  a\n\n");
  assert.equal(stringifyYaml({ blank: "a\n\nb" }), "blank: |-\n  a\n\n  b\n");
  assert.equal(stringifyYaml({ indented: " a\nb" }), "indented: |2-\n   a\n  b\n");
  assert.equal(stringifyYaml(["x\ny"]), "- |-\n  x\n  y\n");
});

Deno.test("stringifyYaml() double-quotes multi-line strings a literal block cannot hold", () => {
  assert.equal(stringifyYaml({ a: "space \nbreak" }), 'a: "space \\nbreak"\n');
  assert.equal(stringifyYaml({ a: "tab\t\nx" }), 'a: "tab\\t\\nx"\n');
  assert.equal(stringifyYaml({ "multi\nkey": 1 }), '"multi\\nkey": 1\n');
});

Deno.test("stringifyYaml() writes empty collections inline and null as null", () => {
  assert.equal(stringifyYaml({ m: {}, l: [], x: null }), "m: {}\nl: []\nx: null\n");
  assert.equal(stringifyYaml({}), "{}\n");
  assert.equal(stringifyYaml([]), "[]\n");
  assert.equal(stringifyYaml(null), "null\n");
});

Deno.test("stringifyYaml() nests lists and maps in podman's indentation", () => {
  assert.equal(
    stringifyYaml({ list: [{ a: 1, b: [true, false] }, [3, [4]], { c: { d: "e" } }] }),
    `list:
- a: 1
  b:
  - true
  - false
- - 3
  - - 4
- c:
    d: e
`,
  );
});

Deno.test("stringifyYaml() writes numbers as Go does", () => {
  assert.equal(
    stringifyYaml([
      0,
      -5,
      24949243904,
      1.5,
      0.00001,
      1234567.5,
      Number.NaN,
      Infinity,
      -Infinity,
      10n,
    ]),
    "- 0\n- -5\n- 24949243904\n- 1.5\n- 1e-05\n- 1.2345675e+06\n- .nan\n- .inf\n- -.inf\n- 10\n",
  );
});

Deno.test("stringifyYaml() keeps key order, drops undefined values and reads Maps", () => {
  assert.equal(stringifyYaml({ z: 1, a: undefined, m: 2 }), "z: 1\nm: 2\n");
  assert.equal(
    stringifyYaml(new Map<string, unknown>([["b", 1], ["a", [undefined]]])),
    "b: 1\na:\n- null\n",
  );
  assert.equal(stringifyYaml({ only: undefined }), "{}\n");
});

Deno.test("stringifyYaml() writes objects through toJSON, so dates become quoted timestamps", () => {
  assert.equal(
    stringifyYaml({ created: new Date("2024-05-01T10:20:30.500Z") }),
    'created: "2024-05-01T10:20:30.500Z"\n',
  );
});

Deno.test("stringifyYaml() writes a top-level scalar as a one-line document", () => {
  assert.equal(stringifyYaml("hello"), "hello\n");
  assert.equal(stringifyYaml("12"), '"12"\n');
  assert.equal(stringifyYaml(3), "3\n");
  assert.equal(stringifyYaml("a\nb"), "|-\n  a\n  b\n");
});
