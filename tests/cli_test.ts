/**
 * The command-line shell through `deno task skiff`, the entry point users and reviewers run:
 * help, version, info, exit codes and error lines.
 */
import assert from "node:assert/strict";
import { runSkiff, TestStore } from "./_lib/skiff.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const decoder = new TextDecoder();

async function task(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "skiff", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env,
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("skiff --help lists commands and global options", async () => {
  const r = await task(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Manage pods, containers and images/);
  assert.match(r.stdout, /Available Commands:\n(.|\n)*  info +Display skiff system information/);
  assert.match(r.stdout, /--log-level string/);
  assert.match(r.stdout, /--storage-driver string/);
});

Deno.test("skiff help COMMAND and COMMAND --help print the same help", async () => {
  const a = await runSkiff(["help", "info"]);
  const b = await runSkiff(["info", "--help"]);
  const c = await runSkiff(["info", "-h"]);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  assert.equal(b.stdout, c.stdout);
  assert.match(a.stdout, /Usage:\n  skiff info \[options\]/);
  assert.match(a.stdout, /-f, --format string/);
  const sys = await runSkiff(["system", "info", "--help"]);
  assert.match(sys.stdout, /Usage:\n  skiff system info/);
});

Deno.test("skiff version prints versions, --format json and templates", async () => {
  const r = await task(["version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Version: +\d+\.\d+\.\d+$/m);
  assert.match(
    r.stdout,
    new RegExp(`^Deno Version: +${Deno.version.deno.replaceAll(".", "\\.")}$`, "m"),
  );
  assert.match(r.stdout, /^V8 Version: +\S+$/m);
  assert.match(r.stdout, /^TypeScript Version: +\S+$/m);
  assert.match(r.stdout, /^Git Commit: +[0-9a-f]{40}$/m);
  assert.match(r.stdout, /^Built: +\S/m);
  assert.match(r.stdout, /^OS\/Arch: +linux\/amd64$/m);
  const j = JSON.parse((await runSkiff(["version", "--format", "json"])).stdout);
  assert.equal(j.Client.DenoVersion, Deno.version.deno);
  assert.equal(j.Client.Os, "linux");
  const t = await runSkiff(["version", "--format", "{{.Client.Os}}/{{.Client.TypeScriptVersion}}"]);
  assert.equal(t.stdout, `linux/${Deno.version.typescript}\n`);
  assert.equal((await runSkiff(["--version"])).stdout, `skiff version ${j.Client.Version}\n`);
});

Deno.test("unknown commands and flags are named, exit 125, one Error line", async () => {
  const cases: [string[], RegExp][] = [
    [["bogus"], /^Error: unrecognized command `skiff bogus`\n$/],
    [["system", "bogus"], /^Error: unrecognized command `skiff system bogus`\n$/],
    [["info", "--bogus"], /^Error: unknown flag: --bogus \(see 'skiff info --help'\)\n$/],
    [["--bogus", "info"], /^Error: unknown flag: --bogus\n$/],
    [["info", "extra"], /^Error: "skiff info" accepts no arguments\n$/],
    [["--log-level", "loud", "info"], /^Error: log level "loud" not supported/],
    [[], /^Error: missing command 'skiff COMMAND'\n$/],
  ];
  for (const [args, re] of cases) {
    const r = await runSkiff(args);
    assert.equal(r.code, 125, `skiff ${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
    assert.equal(r.stdout, "");
  }
});

Deno.test("bad configuration gives one clear error and exit 125", async () => {
  await using s = await TestStore.create();
  const conf = `${s.dir}/bad.conf`;
  await Deno.writeTextFile(conf, "num_locks = [1,\n");
  let r = await s.run(["--config", conf, "info"]);
  assert.equal(r.code, 125);
  assert.match(
    r.stderr,
    new RegExp(`^Error: decoding configuration file ${conf}: .*line 2, column \\d+`),
  );
  await Deno.writeTextFile(conf, 'num_locks = "x"\n');
  r = await s.run(["--config", conf, "info"]);
  assert.match(
    r.stderr,
    /^Error: decoding configuration file .*: key "num_locks" must be an integer, not a string\n$/,
  );
  r = await s.run(["--config", `${s.dir}/missing.conf`, "info"]);
  assert.equal(r.code, 125);
  assert.match(
    r.stderr,
    /^Error: reading configuration file .*missing\.conf: no such file or directory\n$/,
  );
  r = await s.run(["--runtime", "nosuch", "info"]);
  assert.equal(r.code, 125);
  assert.match(
    r.stderr,
    /^Error: could not find a working binary for OCI runtime "nosuch" \(configured options: \[\]/,
  );
  r = await s.run(["--conmon", "/nonexistent/conmon", "info"]);
  assert.match(
    r.stderr,
    /could not find a working conmon binary \(configured options: \[\/nonexistent\/conmon\]\)/,
  );
  // nothing was created for any failed run
  await assert.rejects(Deno.stat(`${s.dir}/root`), Deno.errors.NotFound);
});

Deno.test("unknown config keys warn with key and file, then carry on", async () => {
  await using s = await TestStore.create();
  const conf = `${s.dir}/extra.conf`;
  await Deno.writeTextFile(conf, 'pause_image = "k8s.gcr.io/pause:3.1"\n');
  const r = await s.run(["--config", conf, "info", "--format", "{{.Store.ConfigFile}}"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${conf}\n`);
  assert.match(
    r.stderr,
    /level=warning msg="unknown key \\"pause_image\\" in configuration file .*extra\.conf, ignoring it"/,
  );
});

Deno.test("runtime_path in the config is translated with a deprecation warning", async () => {
  await using s = await TestStore.create();
  const conf = `${s.dir}/rp.conf`;
  await Deno.writeTextFile(conf, 'runtime_path = ["/usr/bin/runc"]\n');
  const r = await s.run(["--config", conf, "info", "--format", "{{.Host.OciRuntime.Path}}"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "/usr/bin/runc\n");
  assert.match(r.stderr, /level=warning msg="runtime_path .* deprecated/);
});

Deno.test("--log-level debug writes logrus-style lines on stderr only", async () => {
  await using s = await TestStore.create();
  const r = await s.run(["--log-level", "debug", "info", "--format", "{{.Host.Arch}}"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "amd64\n");
  assert.match(r.stderr, /^time="[^"]+" level=debug msg="runtime ready"/m);
  const quiet = await s.run(["info", "--format", "{{.Host.Arch}}"]);
  assert.equal(quiet.stderr, "");
});
