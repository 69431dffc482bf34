import assert from "node:assert/strict";
import { ConfigError } from "../define/errors.ts";
import { findConmon, findOciRuntime } from "./binaries.ts";
import { defaultRuntimeConfig } from "./runtime_config.ts";

function cfg() {
  return defaultRuntimeConfig({ graphRoot: "/g", runRoot: "/r", graphDriver: "vfs" }, "/t");
}

Deno.test("findOciRuntime() takes the first regular file of the runtimes entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/adir`);
    await Deno.writeTextFile(`${dir}/runc`, "");
    const c = cfg();
    c.runtimes.runc = [`${dir}/missing`, `${dir}/adir`, `${dir}/runc`];
    assert.deepEqual(findOciRuntime(c), { name: "runc", path: `${dir}/runc` });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findOciRuntime() uses an absolute path as is and checks it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/myrunc`, "");
    const c = cfg();
    c.runtime = `${dir}/myrunc`;
    assert.deepEqual(findOciRuntime(c), { name: "myrunc", path: `${dir}/myrunc` });
    c.runtime = `${dir}/nope`;
    assert.throws(() => findOciRuntime(c), /the specified OCI runtime .*\/nope does not exist/);
    c.runtime = dir;
    assert.throws(() => findOciRuntime(c), /is not a valid file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findOciRuntime() lists the configured options when nothing works", () => {
  const c = cfg();
  c.runtimes.runc = ["/nonexistent/a", "/nonexistent/b"];
  assert.throws(
    () => findOciRuntime(c),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.includes("could not find a working binary") &&
      e.message.includes("[/nonexistent/a /nonexistent/b]"),
  );
  c.runtime = "nosuch";
  assert.throws(
    () => findOciRuntime(c),
    /OCI runtime "nosuch" \(configured options: \[\]; runtimes configured: runc\)/,
  );
});

Deno.test("findConmon() takes the first existing non-directory and lists options on failure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/conmon`, "");
    const c = cfg();
    c.conmonPath = [`${dir}/missing`, dir, `${dir}/conmon`];
    assert.equal(findConmon(c), `${dir}/conmon`);
    c.conmonPath = ["/nonexistent/conmon"];
    assert.throws(
      () => findConmon(c),
      /could not find a working conmon binary \(configured options: \[\/nonexistent\/conmon\]\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
