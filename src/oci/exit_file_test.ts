import assert from "node:assert/strict";
import { parseExitCode, readExitFile, removeExitFile, waitExitFile } from "./exit_file.ts";
import { SkiffError } from "../define/errors.ts";

Deno.test("parseExitCode() reads conmon's decimal text, with or without a newline", () => {
  assert.equal(parseExitCode("137", "f"), 137);
  assert.equal(parseExitCode("3\n", "f"), 3);
  assert.equal(parseExitCode("-1", "f"), -1);
  assert.equal(parseExitCode("", "f"), null);
  assert.throws(
    () => parseExitCode("abc", "/x/exits/c1"),
    (e: unknown) =>
      e instanceof SkiffError &&
      e.message === 'parsing exit file /x/exits/c1: "abc" is not a number',
  );
});

Deno.test("readExitFile() returns the code and the file's time, or null when absent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-exit-" });
  try {
    assert.equal(readExitFile(dir, "c1"), null);
    const before = Date.now();
    await Deno.writeTextFile(`${dir}/c1`, "137");
    const exit = readExitFile(dir, "c1");
    assert.equal(exit?.code, 137);
    assert.ok(Math.abs(exit!.finishedAt.getTime() - before) < 2000);
    await Deno.writeTextFile(`${dir}/c2`, "");
    assert.equal(readExitFile(dir, "c2"), null, "an empty file is still being written");
    await removeExitFile(dir, "c1");
    await removeExitFile(dir, "c1");
    assert.equal(readExitFile(dir, "c1"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("waitExitFile() sees a file that appears later and gives up after its timeout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-exit-" });
  try {
    setTimeout(() => Deno.writeTextFileSync(`${dir}/c1`, "3"), 60);
    assert.equal((await waitExitFile(dir, "c1", { timeoutMs: 2000 }))?.code, 3);
    assert.equal(await waitExitFile(dir, "c2", { timeoutMs: 50 }), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
