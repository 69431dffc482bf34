/** Helpers for container integration tests: a loaded store, and leak checks. */

import assert from "node:assert/strict";
import { testImages, TestStore } from "./skiff.ts";

/** A store with the busybox test images loaded. */
export async function storeWithImages(): Promise<TestStore> {
  const img = await testImages();
  const s = await TestStore.create();
  await s.ok(["load", "-i", img.file("busybox.docker.tar")]);
  await s.ok(["load", "-i", img.file("busybox-user.docker.tar")]);
  return s;
}

const decoder = new TextDecoder();

/** Processes whose command line mentions `text` (conmon, runc, container processes …). */
export async function processesMentioning(text: string): Promise<string[]> {
  const out = await new Deno.Command("ps", { args: ["-eo", "pid,args"], stdout: "piped" }).output();
  return decoder.decode(out.stdout).split("\n").filter((l) =>
    l.includes(text) && !l.includes("ps -eo")
  );
}

/** runc containers whose ID is one of `ids`. */
export async function runcContainers(ids: string[]): Promise<string[]> {
  const out = await new Deno.Command("runc", { args: ["list", "-q"], stdout: "piped" }).output();
  const live = decoder.decode(out.stdout).split("\n");
  return ids.filter((id) => live.includes(id));
}

/** Asserts that nothing of the store is left: containers, mounts, locks, conmons, runc state. */
export async function assertNothingLeft(s: TestStore, ids: string[] = []): Promise<void> {
  assert.equal(await s.ok(["ps", "-a", "-q"]), "", "no container records");
  const mi = await Deno.readTextFile("/proc/self/mountinfo");
  const mounts = mi.split("\n").map((l) => l.split(" ")[4] ?? "").filter((p) =>
    p.startsWith(`${s.dir}/root/overlay-containers`)
  );
  assert.deepEqual(mounts, [], "no container mounts");
  const info = JSON.parse(await s.ok(["info", "--format", "json"]));
  assert.equal(info.store.lockSegment.used, 0, "no allocated locks");
  assert.deepEqual(
    await processesMentioning(`${s.dir}/root`),
    [],
    "no conmon or container processes",
  );
  assert.deepEqual(await runcContainers(ids), [], "no runc containers");
  const ctrDirs = await Array.fromAsync(Deno.readDir(`${s.dir}/root/overlay-containers`)).catch(
    () => [],
  );
  assert.deepEqual(ctrDirs.map((d) => d.name), [], "no container directories");
}

/** Polls `fn` until it returns true (or fails after `ms`). */
export async function eventually(
  what: string,
  fn: () => Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
