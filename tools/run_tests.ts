/**
 * Runs `deno test` with the project's permission set and prints the one summary line CI reads:
 * `N passed, N failed` (plus `, N skipped`). Exits non-zero on any failure.
 *
 * Usage: deno run -P tools/run_tests.ts [PATH...] [-- extra deno test flags]
 */
// deno-lint-ignore-file no-console

const args = [...Deno.args];
const dash = args.indexOf("--");
const extra = dash >= 0 ? args.splice(dash).slice(1) : [];
const paths = args.length ? args : ["src", "tests"];
const junit = await Deno.makeTempFile({ prefix: "skiff-junit-", suffix: ".xml" });

// Test files run in parallel: integration tests mostly wait on runc, conmon and the kernel.
const jobs = Deno.env.get("DENO_JOBS") ?? "3";
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "-P", "--no-prompt", "--parallel", `--junit-path=${junit}`, ...extra, ...paths],
  env: { DENO_JOBS: jobs },
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
const status = await child.status;

let passed = 0, failed = 0, skipped = 0;
try {
  const xml = await Deno.readTextFile(junit);
  for (const m of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? "";
    if (/<failure\b|<error\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
} catch {
  // deno test died before writing a report
}
await Deno.remove(junit).catch(() => {});
if (!status.success && failed === 0) failed = 1; // a crash or a failure outside any test case
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
Deno.exit(failed > 0 || !status.success ? 1 : 0);
