import assert from "node:assert/strict";
import { ConfigError } from "../define/errors.ts";
import { testConfig, testInput } from "./_spec_testdata.ts";
import {
  type HookDefinition,
  parseHook,
  readHooksDirs,
  selectHooks,
  specHasBindMounts,
} from "./hooks.ts";
import { generateSpec } from "./spec.ts";
import type { OciSpec } from "./types.ts";

function hookFile(when: unknown, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: "1.0.0",
    hook: { path: "/bin/true", args: ["true"] },
    when,
    stages: ["prestart"],
    ...over,
  });
}

function def(name: string, when: unknown, stages = ["prestart"]): HookDefinition {
  return parseHook(hookFile(when, { stages, hook: { path: `/hooks/${name}` } }), `/d/${name}`);
}

function spec(over: Parameters<typeof testConfig>[0] = {}): OciSpec {
  return generateSpec(testInput(testConfig(over)));
}

function paths(hooks: ReturnType<typeof selectHooks>, stage: "prestart" | "poststop"): string[] {
  return (hooks[stage] ?? []).map((h) => h.path);
}

Deno.test("selectHooks() `always` matches every container; `always: false` none", () => {
  const got = selectHooks(
    [def("a.json", { always: true }), def("b.json", { always: false })],
    spec(),
  );
  assert.deepEqual(got, { prestart: [{ path: "/hooks/a.json" }] });
});

Deno.test("selectHooks() `commands` regexes search process.args[0]", () => {
  const defs = [def("init.json", { commands: [".*/init$", "^/sbin/systemd$"] })];
  assert.deepEqual(selectHooks(defs, spec()), {});
  const init = spec({ command: ["/usr/sbin/init"] });
  assert.deepEqual(paths(selectHooks(defs, init), "prestart"), ["/hooks/init.json"]);
  const sh = [def("sh.json", { commands: ["sh"] })];
  assert.equal(selectHooks(sh, spec({ command: ["/bin/bash"] })).prestart?.length, 1);
});

Deno.test("selectHooks() `annotations` need a matching key and value for every pair", () => {
  const defs = [
    def("gpu.json", { annotations: { "^com\\.example\\.dept$": "fluid" } }),
    def("two.json", { annotations: { "^com\\.example\\.dept$": ".", "^other$": "x" } }),
  ];
  assert.deepEqual(selectHooks(defs, spec()), {});
  const s = spec({ annotations: { "com.example.dept": "computational-fluid-dynamics" } });
  assert.deepEqual(paths(selectHooks(defs, s), "prestart"), ["/hooks/gpu.json"]);
  // podman's own annotations can be matched as well
  const own = [def("p.json", { annotations: { "privileged$": "TRUE" } })];
  assert.equal(selectHooks(own, spec({ privileged: true })).prestart?.length, 1);
  assert.equal(selectHooks(own, spec()).prestart, undefined);
});

Deno.test("selectHooks() `hasBindMounts` looks at user bind mounts only", () => {
  const defs = [
    def("bind.json", { hasBindMounts: true }),
    def("nobind.json", { hasBindMounts: false }),
  ];
  const plain = spec();
  assert.equal(specHasBindMounts(plain), false);
  assert.deepEqual(selectHooks(defs, plain), {});
  const bound = spec({
    mounts: [{ type: "bind", source: "/srv", destination: "/srv", options: [] }],
  });
  assert.equal(specHasBindMounts(bound), true);
  assert.deepEqual(paths(selectHooks(defs, bound), "prestart"), ["/hooks/bind.json"]);
  assert.equal(selectHooks(defs, plain, { hasBindMounts: true }).prestart?.length, 1);
  const tmpfs = spec({ mounts: [{ type: "tmpfs", source: "", destination: "/t", options: [] }] });
  assert.equal(specHasBindMounts(tmpfs), false);
});

Deno.test("selectHooks() requires every condition and fills each stage in file order", () => {
  const defs = [
    def("01-a.json", { always: true, commands: ["^sh$"] }, ["prestart", "poststop"]),
    def("02-b.json", { always: true, commands: ["^nope$"] }),
    def("03-c.json", { always: true }, ["poststop"]),
  ];
  const got = selectHooks(defs, spec());
  assert.deepEqual(paths(got, "prestart"), ["/hooks/01-a.json"]);
  assert.deepEqual(paths(got, "poststop"), ["/hooks/01-a.json", "/hooks/03-c.json"]);
});

Deno.test("parseHook() keeps args, env and timeout", () => {
  const d = parseHook(
    hookFile({ always: true }, {
      hook: { path: "/usr/bin/h", args: ["h", "-v"], env: ["A=1"], timeout: 5 },
      stages: ["createRuntime", "poststart"],
    }),
    "/etc/skiff/hooks.d/h.json",
  );
  assert.deepEqual(d, {
    name: "h.json",
    source: "/etc/skiff/hooks.d/h.json",
    hook: { path: "/usr/bin/h", args: ["h", "-v"], env: ["A=1"], timeout: 5 },
    when: { always: true },
    stages: ["createRuntime", "poststart"],
  });
});

Deno.test("parseHook() rejects invalid files, naming the file", () => {
  const cases: [string, RegExp][] = [
    ["{", /JSON|Expected/],
    [hookFile({ always: true }, { version: "0.1.0" }), /unsupported version "0.1.0"/],
    [hookFile({ always: true }, { hook: { path: "rel" } }), /hook\.path "rel" is not an absolute/],
    [hookFile({ always: true }, { hook: { path: "/x", timeout: 0 } }), /hook\.timeout 0/],
    [hookFile({}), /no when conditions set/],
    [hookFile({ always: "yes" }), /when\.always is not a boolean/],
    [hookFile({ commands: ["("] }), /invalid command regex "\("/],
    [hookFile({ annotations: { "[": "x" } }), /invalid annotation key regex/],
    [hookFile({ always: true }, { stages: ["prestart", "later"] }), /unknown stage "later"/],
    [hookFile({ always: true }, { stages: [] }), /stages must be a non-empty list/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseHook(text, "/etc/skiff/hooks.d/bad.json"), (e) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, /^invalid hook file \/etc\/skiff\/hooks\.d\/bad\.json: /);
      assert.match(e.message, re);
      return true;
    });
  }
});

Deno.test("readHooksDirs() lets later directories override files of the same name", async () => {
  const root = await Deno.makeTempDir();
  try {
    const [a, b] = [`${root}/usr`, `${root}/etc`];
    await Deno.mkdir(a);
    await Deno.mkdir(b);
    const file = (p: string, args: string[]) =>
      Deno.writeTextFile(p, hookFile({ always: true }, { hook: { path: "/bin/true", args } }));
    await file(`${a}/10-x.json`, ["from-usr"]);
    await file(`${a}/20-y.json`, ["y"]);
    await file(`${b}/10-x.json`, ["from-etc"]);
    await file(`${b}/05-Z.json`, ["z"]);
    await Deno.writeTextFile(`${b}/README`, "not a hook");
    const defs = await readHooksDirs([a, `${root}/missing`, b]);
    assert.deepEqual(defs.map((d) => [d.name, d.hook.args?.[0]]), [
      ["05-Z.json", "z"],
      ["10-x.json", "from-etc"],
      ["20-y.json", "y"],
    ]);
    assert.equal(defs[1]?.source, `${b}/10-x.json`);
    assert.deepEqual(
      selectHooks(defs, spec()).prestart?.map((h) => h.args?.[0]),
      ["z", "from-etc", "y"],
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readHooksDirs() names a bad file, and a hook whose program is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.json`, '{"version":"1.0.0"}');
    await assert.rejects(readHooksDirs([dir]), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`${dir}/bad\\.json: missing hook`));
      return true;
    });
    await Deno.writeTextFile(
      `${dir}/bad.json`,
      hookFile({ always: true }, { hook: { path: `${dir}/no-such-program` } }),
    );
    await assert.rejects(readHooksDirs([dir]), new RegExp(`${dir}/bad\\.json: hook\\.path`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
