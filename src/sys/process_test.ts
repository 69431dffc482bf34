import assert from "node:assert/strict";
import { processAlive, signalProcess, waitProcessGone } from "./process.ts";

Deno.test("processAlive() sees this process and pid 1, and not a reaped child", async () => {
  assert.equal(processAlive(Deno.pid), true);
  // pid 1 belongs to root; as another user kill(1, 0) fails with EPERM, which still means alive
  assert.equal(processAlive(1), true);
  const child = new Deno.Command("true").spawn();
  await child.status;
  assert.equal(processAlive(child.pid), false);
  assert.throws(() => processAlive(0), RangeError);
});

Deno.test("processAlive() counts an exited but unreaped child (zombie) as gone", async () => {
  // python forks a child that exits at once and never reaps it while it sleeps
  const parent = new Deno.Command("python3", {
    args: [
      "-c",
      "import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(5)",
    ],
    stdout: "piped",
  }).spawn();
  const reader = parent.stdout.getReader();
  const pid = Number(new TextDecoder().decode((await reader.read()).value).trim());
  reader.releaseLock();
  try {
    for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z "), "still a zombie");
    assert.equal(processAlive(pid), false);
  } finally {
    parent.kill();
    await parent.stdout.cancel();
    await parent.status;
  }
});

Deno.test("signalProcess() sends a numbered signal and reports a gone process", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  assert.equal(signalProcess(child.pid, 9), true);
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  assert.equal(signalProcess(child.pid, 9), false);
  assert.throws(() => signalProcess(-1, 9), RangeError);
  assert.throws(() => signalProcess(child.pid, 99), RangeError);
});

Deno.test("waitProcessGone() times out on a live process and returns once it exits", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    assert.equal(await waitProcessGone(child.pid, 0), false, "no wait, still alive");
    assert.equal(await waitProcessGone(child.pid, 60), false, "still alive after 60 ms");
    const gone = waitProcessGone(child.pid, 10_000);
    child.kill("SIGKILL");
    await child.status;
    assert.equal(await gone, true);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  assert.equal(await waitProcessGone(0, 0), true, "pid 0 names no process");
});
