/** The project's own tooling: the compile task, the import checker, install.sh. */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const decoder = new TextDecoder();

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("deno task compile names a missing DENORT_BIN", async () => {
  const r = await run(Deno.execPath(), ["task", "--quiet", "compile"], {
    DENORT_BIN: "/nonexistent/denort",
  });
  assert.equal(r.code, 125);
  assert.match(r.stderr, /DENORT_BIN=\/nonexistent\/denort: no such file/);
});

Deno.test("the import checker passes on the tree and catches a forbidden arrow", async () => {
  const ok = await run(Deno.execPath(), ["run", "-P", "--quiet", "tools/check_imports.ts"]);
  assert.equal(ok.code, 0, ok.stderr);
  const bad = `${ROOT}src/define/_bad_arrow_probe.ts`;
  await Deno.writeTextFile(bad, 'import "../runtime/mod.ts";\n');
  try {
    const r = await run(Deno.execPath(), ["run", "-P", "--quiet", "tools/check_imports.ts"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /src\/define\/_bad_arrow_probe\.ts: define must not import runtime/);
  } finally {
    await Deno.remove(bad);
  }
});

Deno.test("install.sh explains itself and refuses unknown options", async () => {
  const help = await run("sh", ["install.sh", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Installs what skiff needs/);
  const bad = await run("sh", ["install.sh", "--bogus"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option: --bogus/);
});
