import assert from "node:assert/strict";
import { closeInheritedOnExec, spawnWithFds } from "./spawn_fds.ts";
import { CommandError } from "../define/errors.ts";
import { check, cString, libc, O } from "./libc.ts";

// Reads a line from fd 4, writes it back upper-cased to fd 3, writes "extra" to fd 5 when it
// exists, and prints its fd table, pid, process group and session as JSON on stdout.
const CHILD = `
import json, os
line = os.read(4, 100)
os.write(3, line.upper())
fds = {}
for n in sorted(os.listdir("/proc/self/fd"), key=int):
    try:
        fds[n] = os.readlink("/proc/self/fd/" + n)
    except OSError:
        pass
if "5" in fds:
    os.write(5, b"extra\\n")
print(json.dumps({"fds": fds, "pid": os.getpid(), "pgid": os.getpgid(0), "sid": os.getsid(0),
                  "env": os.environ.get("SKIFF_TEST"), "path": os.environ.get("PATH")}))
`;

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";

Deno.test("spawnWithFds() gives the child socketpairs at fds 3 and 4 and its own session", async () => {
  const child = await spawnWithFds(["python3", "-c", CHILD], {
    env: { SKIFF_TEST: "yes", PATH },
    pipes: 2,
  });
  const [sync, start] = child.pipes;
  assert.equal(sync!.childFd, 3);
  await start!.write(new TextEncoder().encode("ping\n"));
  assert.equal(new TextDecoder().decode((await sync!.read())!), "PING\n");
  const status = await child.status;
  assert.equal(status.code, 0, status.stderr);
  const info = JSON.parse(status.stdout);
  assert.equal(info.pid, child.pid);
  assert.equal(info.sid, child.pid, "detached: the child leads a new session");
  assert.equal(info.pgid, child.pid);
  assert.equal(info.env, "yes");
  assert.match(info.fds["3"], /^socket:/);
  assert.match(info.fds["4"], /^socket:/);
  assert.equal(info.fds["0"], "/dev/null");
  // nothing beyond stdio, the two pipes and the listing's own fd
  const extra = Object.keys(info.fds).filter((n) =>
    Number(n) > 4 && !info.fds[n].startsWith("/proc")
  );
  assert.deepEqual(extra, [], JSON.stringify(info.fds));
  assert.equal(await sync!.read(), null, "the child's end closed when it exited");
  sync!.close();
  start!.close();
});

Deno.test("spawnWithFds() passes an fd of ours after the pipes and keeps inherited fds back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-spawn-fds-" });
  const c = libc();
  // stand-ins for a reserved port (passed on) and for an fd inherited without O_CLOEXEC (kept back)
  const passed = check(
    "open",
    c.open(cString(`${dir}/passed`), O.RDWR | O.CREAT | O.CLOEXEC, 0o600),
  );
  const inherited = check("open", c.open(cString(`${dir}/inherited`), O.RDWR | O.CREAT, 0o600));
  try {
    const child = await spawnWithFds(["python3", "-c", CHILD], {
      env: { PATH },
      pipes: 2,
      fds: [passed],
    });
    await child.pipes[1]!.write(new TextEncoder().encode("x\n"));
    const status = await child.status;
    assert.equal(status.code, 0, status.stderr);
    const info = JSON.parse(status.stdout);
    assert.equal(info.fds["5"], `${dir}/passed`);
    assert.ok(!Object.values(info.fds).includes(`${dir}/inherited`), JSON.stringify(info.fds));
    assert.equal(await Deno.readTextFile(`${dir}/passed`), "extra\n");
    for (const p of child.pipes) p.close();
    assert.deepEqual(closeInheritedOnExec(), [], "already marked by spawnWithFds");
  } finally {
    c.close(passed);
    c.close(inherited);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("spawnWithFds() captures stderr and the exit code", async () => {
  const child = await spawnWithFds(["sh", "-c", "echo oops >&2; exit 7"], { env: { PATH } });
  const status = await child.status;
  assert.equal(status.code, 7);
  assert.equal(status.stderr, "oops\n");
});

Deno.test("spawnWithFds() rejects a missing program with a CommandError 127", async () => {
  await assert.rejects(
    () => spawnWithFds(["/nonexistent/conmon"], { env: {} }),
    (e: unknown) =>
      e instanceof CommandError && e.code === 127 && /\/nonexistent\/conmon/.test(e.message),
  );
});
