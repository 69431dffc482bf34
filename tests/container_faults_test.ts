/**
 * Faults: conmon or the container killed with SIGKILL, skiff killed in the middle of create;
 * the store stays consistent, containers end up exited and removable, `ps` never hangs.
 */
import assert from "node:assert/strict";
import { assertNothingLeft, eventually, storeWithImages } from "./_lib/containers.ts";
import { isRoot, runSkiff } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };

Deno.test({
  ...opts,
  name: "SIGKILL of the container's process: exited 137 and removable",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    const pid = Number(await s.ok(["inspect", "--format", "{{.State.Pid}}", id]));
    Deno.kill(pid, "SIGKILL");
    await eventually(
      "the container to be exited",
      async () => (await s.ok(["inspect", "--format", "{{.State.Status}}", id])) === "exited",
    );
    assert.equal(await s.ok(["wait", id]), "137");
    assert.equal(await s.ok(["rm", id]), id);
    await assertNothingLeft(s, [id]);
  },
});

Deno.test({
  ...opts,
  name:
    "SIGKILL of conmon: the container is stopped, marked exited, and removable; ps does not hang",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    const conmon = Number(await s.ok(["inspect", "--format", "{{.State.ConmonPid}}", id]));
    const pid = Number(await s.ok(["inspect", "--format", "{{.State.Pid}}", id]));
    Deno.kill(conmon, "SIGKILL");
    await eventually("conmon to be gone", () => Promise.resolve(!exists(`/proc/${conmon}`)));
    const t0 = Date.now();
    await s.ok(["ps", "-a"]);
    assert.ok(Date.now() - t0 < 5000, "ps returns promptly");
    // any verb that syncs the container notices: wait does
    assert.equal(await s.ok(["wait", id]), "137");
    assert.ok(!alive(pid), "the orphaned container process was killed");
    assert.equal(await s.ok(["rm", id]), id);
    await assertNothingLeft(s, [id]);
  },
});

/** Running (a zombie left to a host init that does not reap counts as dead). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(Deno.readTextFileSync(`/proc/${pid}/status`));
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  ...opts,
  name: "skiff killed with SIGKILL during create leaves a consistent store",
  async fn() {
    await using s = await storeWithImages();
    for (const delayMs of [40, 80, 120, 160, 200, 260, 320]) {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-P",
          "--quiet",
          "--config",
          new URL("../deno.json", import.meta.url).pathname,
          new URL("../main.ts", import.meta.url).pathname,
          ...s.flags,
          "create",
          "busybox",
          "true",
        ],
        env: { SKIFF_LOCK_SEGMENT: s.lockSegment },
        stdout: "null",
        stderr: "null",
      }).spawn();
      await new Promise((r) => setTimeout(r, delayMs));
      try {
        child.kill("SIGKILL");
      } catch { /* already done */ }
      await child.status;
      // every command still works, and each container is either whole or absent
      const ids = (await s.ok(["ps", "-a", "-q", "--no-trunc"])).split("\n").filter((x) => x);
      for (const id of ids) {
        const status = await s.ok(["inspect", "--format", "{{.State.Status}}", id]);
        assert.ok(status === "created" || status === "exited", status);
        if (status === "created") await s.ok(["start", "--attach", id]);
      }
    }
    await s.ok(["rm", "-a", "-f"]);
    assert.equal(await s.ok(["ps", "-a", "-q"]), "");
    const db = await runSkiff(
      [...s.flags, "info", "--format", "{{.Store.ContainerStore.Number}}"],
      { env: { SKIFF_LOCK_SEGMENT: s.lockSegment } },
    );
    assert.equal(db.stdout.trim(), "0");
    // a killed create may leak its lock number (as podman does); renumber gives it back
    await s.ok(["system", "renumber"]);
    await s.ok(["container", "prune", "-f"]);
    await assertNothingLeft(s);
  },
});
