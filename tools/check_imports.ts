/**
 * Keeps DESIGN.md's import arrows: each module under src/ may import only the modules listed
 * for it; the CLI reaches the runtime only through runtime/mod.ts; `_private.ts` files are
 * imported only from their own folder; FFI and process spawning stay in src/sys; src/testing is
 * for tests only. Prints every violation and exits 1 if there is any.
 */
// deno-lint-ignore-file no-console

const ALLOWED: Record<string, string[]> = {
  define: [],
  util: ["define"],
  config: ["define", "util"],
  sys: ["define", "util"],
  lock: ["define", "util", "sys"],
  state: ["define", "util"],
  storage: ["define", "util", "sys"],
  image: ["define", "util", "config", "storage", "sys"],
  oci: ["define", "util", "sys"],
  network: ["define", "util", "config", "sys"],
  runtime: [
    "define",
    "util",
    "config",
    "sys",
    "lock",
    "state",
    "storage",
    "image",
    "oci",
    "network",
  ],
  cli: ["define", "util", "config", "runtime"],
  testing: [
    "define",
    "util",
    "config",
    "sys",
    "lock",
    "state",
    "storage",
    "image",
    "oci",
    "network",
    "runtime",
  ],
};
const SYS_ONLY = [/Deno\.dlopen/, /new Deno\.Command\b/, /["']node:child_process["']/];

const root = new URL("../", import.meta.url).pathname;
const problems: string[] = [];

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (e.isFile && p.endsWith(".ts")) yield p;
  }
}

function moduleOf(path: string): string | null {
  const m = /^src\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "..") out.pop();
    else if (part !== "." && part !== "") out.push(part);
  }
  return out.join("/");
}

const importRe =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g;

for await (const abs of walk(`${root}src`)) {
  const file = abs.slice(root.length);
  const mod = moduleOf(file)!;
  const isTest = file.endsWith("_test.ts") || file.includes("/_test_") ||
    /_suite\.ts$/.test(file) || /_testdata\.ts$/.test(file);
  const text = await Deno.readTextFile(abs);
  if (mod !== "sys" && !isTest) {
    for (const re of SYS_ONLY) {
      if (re.test(text)) problems.push(`${file}: ${re.source} outside src/sys`);
    }
  }
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith(".")) continue; // npm:, node:, import map names
    const dir = file.slice(0, file.lastIndexOf("/"));
    const target = normalize(`${dir}/${spec}`);
    const tmod = moduleOf(target);
    if (!tmod) continue;
    if (tmod === "testing" && !isTest && mod !== "testing") {
      problems.push(`${file}: imports ${target}, which is for tests only`);
    }
    const base = target.slice(target.lastIndexOf("/") + 1);
    const tdir = target.slice(0, target.lastIndexOf("/"));
    if (base.startsWith("_") && !(dir === tdir || dir.startsWith(tdir + "/")) && !isTest) {
      problems.push(`${file}: imports private ${target} from outside its folder`);
    }
    if (tmod === mod || isTest) continue;
    if (!(ALLOWED[mod] ?? []).includes(tmod)) {
      problems.push(`${file}: ${mod} must not import ${tmod} (${target})`);
    } else if (mod === "cli" && tmod === "runtime" && target !== "src/runtime/mod.ts") {
      problems.push(`${file}: the CLI must use src/runtime/mod.ts, not ${target}`);
    }
  }
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} import rule violation(s)`);
  Deno.exit(1);
}
console.log("imports: ok");
