/**
 * Builds the single `dist/skiff` binary with `deno compile`, embedding conf/ and a
 * build_info.json (git commit, build time). deno compile needs a `denort` runtime binary; on
 * machines that cannot download it, point DENORT_BIN at one.
 */
// deno-lint-ignore-file no-console

const root = new URL("../", import.meta.url);
const denort = Deno.env.get("DENORT_BIN");
if (denort) {
  try {
    Deno.statSync(denort);
  } catch {
    console.error(`Error: DENORT_BIN=${denort}: no such file`);
    Deno.exit(125);
  }
}
const git = new Deno.Command("git", {
  args: ["rev-parse", "HEAD"],
  cwd: root,
  stdout: "piped",
  stderr: "null",
});
const commit = await git.output().then((o) => new TextDecoder().decode(o.stdout).trim()).catch(() =>
  ""
);
const info = new URL("build_info.json", root);
await Deno.writeTextFile(
  info,
  JSON.stringify({ gitCommit: commit, built: Math.floor(Date.now() / 1000) }) + "\n",
);
await Deno.mkdir(new URL("dist/", root), { recursive: true });
try {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "-P",
      "--include",
      "conf",
      "--include",
      "build_info.json",
      "-o",
      "dist/skiff",
      "main.ts",
    ],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) {
    if (!denort) {
      console.error("hint: deno compile downloads denort; offline, set DENORT_BIN=/path/to/denort");
    }
    Deno.exit(out.code || 1);
  }
} finally {
  await Deno.remove(info).catch(() => {});
}
console.log("wrote dist/skiff");
