/**
 * Terminals through a real pty (tests/_lib/pty.py): `run -it`, `start -ai`, `exec -it`,
 * `attach`; window sizes and SIGWINCH; the detach keys; the user's terminal mode restored after
 * the session and after SIGTERM/SIGINT; signals proxied to the container. Each test removes its
 * containers and checks that nothing is left.
 */
import assert from "node:assert/strict";
import { assertNothingLeft, eventually, storeWithImages } from "./_lib/containers.ts";
import { isRoot, type TestStore } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };
const ROOT = new URL("../", import.meta.url).pathname;
const CTRL_P = "\x10";
const CTRL_Q = "\x11";

/** One command on a pseudo-terminal, driven through tests/_lib/pty.py. */
class Pty implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  tty = "";
  /** `stty -a` of the fresh pty, before the command ran. */
  initial = "";

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = child.stdout
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(lineSplitter())[Symbol.asyncIterator]();
  }

  /** Starts `argv` on a new pty of `rows` × `cols`. */
  static async spawn(
    argv: string[],
    options: { rows?: number; cols?: number; env?: Record<string, string> } = {},
  ): Promise<Pty> {
    const child = new Deno.Command("python3", {
      args: [`${ROOT}tests/_lib/pty.py`],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const p = new Pty(child);
    const r = await p.#req({ op: "spawn", argv, rows: 24, cols: 80, ...options });
    p.tty = String(r.tty);
    p.initial = String(r.stty);
    return p;
  }

  async #req(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(msg) + "\n"));
    const line = await this.#lines.next();
    if (line.done) throw new Error(`pty.py ended during ${msg.op}`);
    const rep = JSON.parse(line.value);
    if (rep.error) throw new Error(`pty.py ${msg.op}: ${rep.error}`);
    return rep;
  }

  write(data: string) {
    return this.#req({ op: "write", data });
  }

  /** Waits for `pattern` in the output not consumed yet; fails with what arrived instead. */
  async expect(pattern: string, timeout = 10): Promise<string> {
    const r = await this.#req({ op: "expect", pattern, timeout });
    if (!r.ok) throw new Error(`expected /${pattern}/ on the pty, got ${JSON.stringify(r.text)}`);
    return String(r.text);
  }

  resize(rows: number, cols: number) {
    return this.#req({ op: "resize", rows, cols });
  }

  async stty(): Promise<string> {
    return String((await this.#req({ op: "stty" })).text);
  }

  signal(sig: number) {
    return this.#req({ op: "signal", sig });
  }

  /** The command's exit code, or null if it is still running after `timeout` seconds. */
  async wait(timeout = 10): Promise<number | null> {
    return (await this.#req({ op: "wait", timeout })).code as number | null;
  }

  /** Closes the pty's master, as a closed terminal window does (the session gets SIGHUP). */
  hangup() {
    return this.#req({ op: "hangup" });
  }

  async output(): Promise<string> {
    return String((await this.#req({ op: "output" })).text);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#req({ op: "close" }).catch(() => {});
    await this.#writer.close().catch(() => {});
    await this.#child.status;
  }
}

function lineSplitter(): TransformStream<string, string> {
  let buf = "";
  return new TransformStream({
    transform(chunk, ctl) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        ctl.enqueue(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    },
  });
}

/** The argv of skiff against store `s`, as tests/_lib/skiff.ts runs it. */
function skiff(s: TestStore, ...args: string[]): string[] {
  return [
    Deno.execPath(),
    "run",
    "-P",
    "--quiet",
    "--no-prompt",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}main.ts`,
    ...s.flags,
    ...args,
  ];
}

function env(s: TestStore): Record<string, string> {
  return { SKIFF_LOCK_SEGMENT: s.lockSegment };
}

/** The mode part of `stty -a` (its first line holds the size, which tests change). */
function mode(stty: string): string {
  return stty.split("\n").slice(1).join("\n");
}

async function status(s: TestStore, name: string): Promise<string> {
  return await s.ok(["inspect", "--format", "{{.State.Status}}", name]);
}

async function done(s: TestStore, ids: string[]): Promise<void> {
  await s.ok(["rm", "-a", "-f", "-t", "0"]);
  await assertNothingLeft(s, ids);
}

Deno.test({
  ...opts,
  name: "run -it gives a shell a pty of the terminal's size, follows resizes, restores the mode",
  async fn() {
    await using s = await storeWithImages();
    await using pty = await Pty.spawn(skiff(s, "run", "-it", "--name", "t1", "busybox", "sh"), {
      rows: 40,
      cols: 120,
      env: env(s),
    });
    const before = pty.initial;
    assert.match(before, /\bicanon\b/);
    await pty.expect("# ");
    const raw = await pty.stty();
    assert.match(raw, /-icanon/, "raw while attached");
    assert.match(raw, /-echo\b/);
    assert.match(raw, /-opost\b/, "no output processing, as podman's raw mode");
    await pty.write("echo hi$((1+1))\r");
    await pty.expect("hi2\r\n");
    await pty.write("stty size\r");
    await pty.expect("40 120\r\n");
    await pty.resize(30, 100);
    await new Promise((r) => setTimeout(r, 300));
    await pty.write("stty size\r");
    await pty.expect("30 100\r\n");
    const id = await s.ok(["inspect", "--format", "{{.Id}}", "t1"]);
    await pty.write("exit 3\r");
    assert.equal(await pty.wait(), 3, "skiff exits with the container's code");
    assert.equal(mode(await pty.stty()), mode(before), "the terminal's mode is restored");
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "ctrl-p ctrl-q detaches and leaves the container running; attach reattaches",
  async fn() {
    await using s = await storeWithImages();
    let id;
    {
      await using pty = await Pty.spawn(skiff(s, "run", "-it", "--name", "t1", "busybox", "sh"), {
        env: env(s),
      });
      const before = pty.initial;
      await pty.expect("# ");
      await pty.write(CTRL_P);
      await new Promise((r) => setTimeout(r, 100));
      await pty.write(CTRL_Q);
      assert.equal(await pty.wait(), 0);
      assert.doesNotMatch(await pty.output(), /detach|error/i, "nothing printed");
      assert.equal(mode(await pty.stty()), mode(before));
      id = await s.ok(["inspect", "--format", "{{.Id}}", "t1"]);
      assert.equal(await status(s, "t1"), "running");
      assert.equal(await s.ok(["ps", "--format", "{{.Names}}"]), "t1");
    }
    {
      await using pty = await Pty.spawn(skiff(s, "attach", "t1"), {
        rows: 33,
        cols: 90,
        env: env(s),
      });
      await new Promise((r) => setTimeout(r, 500));
      await pty.write("stty size\r");
      await pty.expect("33 90\r\n");
      await pty.write("exit 4\r");
      assert.equal(await pty.wait(), 0, "attach itself exits 0, as podman 4.3.1");
      assert.match(await pty.output(), /exit 4\r\n\r\n$/, "then podman's newline");
    }
    assert.equal(await s.ok(["wait", "t1"]), "4", "the container's code");
    // a container without -i: the keys still detach (stdin is read for them, not forwarded)
    const top = await s.ok(["run", "-dt", "--name", "top", "busybox", "top", "-d", "1"]);
    {
      await using pty = await Pty.spawn(skiff(s, "attach", "top"), { env: env(s) });
      await pty.expect("Mem:");
      await pty.write(CTRL_P);
      await new Promise((r) => setTimeout(r, 100));
      await pty.write(CTRL_Q);
      assert.equal(await pty.wait(), 0);
      assert.equal(await status(s, "top"), "running");
    }
    await done(s, [id, top]);
  },
});

Deno.test({
  ...opts,
  name: "--detach-keys picks another sequence; start -ai gives a pty and the exit code",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["create", "-it", "--name", "t1", "busybox", "sh"]);
    {
      await using pty = await Pty.spawn(
        skiff(s, "start", "-ai", "--detach-keys", "ctrl-a,x", "t1"),
        { rows: 25, cols: 81, env: env(s) },
      );
      await pty.expect("# ");
      // the default keys no longer detach (what ash makes of them is cleared with ctrl-u)
      await pty.write(CTRL_P);
      await pty.write(CTRL_Q);
      await pty.write("\x15stty size\r");
      await pty.expect("25 81\r\n", 5);
      await pty.write("\x01x");
      assert.equal(await pty.wait(), 0);
      assert.equal(await status(s, "t1"), "running");
    }
    {
      await using pty = await Pty.spawn(skiff(s, "attach", "t1"), { env: env(s) });
      await new Promise((r) => setTimeout(r, 500));
      await pty.write("exit 6\r");
      assert.equal(await pty.wait(), 0);
    }
    assert.equal(await s.ok(["wait", "t1"]), "6");
    {
      await using pty = await Pty.spawn(skiff(s, "start", "-ai", "t1"), { env: env(s) });
      await pty.expect("# ");
      await pty.write("exit 2\r");
      assert.equal(await pty.wait(), 2, "start -ai returns the container's code");
    }
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "exec -it gives the process a pty of the terminal's size and its exit code",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-d", "--name", "c1", "busybox", "sleep", "1000"]);
    await using pty = await Pty.spawn(skiff(s, "exec", "-it", "c1", "sh"), {
      rows: 33,
      cols: 99,
      env: env(s),
    });
    const before = pty.initial;
    await pty.expect("# ");
    await pty.write("stty size; tty\r");
    await pty.expect("33 99\r\n/dev/pts/\\d+\r\n");
    await pty.resize(20, 70);
    await new Promise((r) => setTimeout(r, 300));
    await pty.write("stty size; exit 4\r");
    await pty.expect("20 70\r\n");
    assert.equal(await pty.wait(), 4);
    assert.equal(mode(await pty.stty()), mode(before));
    assert.equal(await status(s, "c1"), "running");
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name:
    "SIGTERM, SIGINT and a hangup end an attached skiff, restoring the terminal, the container running",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-dit", "--name", "t1", "busybox", "sh"]);
    for (
      const [sig, args] of [[15, ["attach", "--sig-proxy=false", "t1"]], [2, [
        "exec",
        "-it",
        "t1",
        "sh",
      ]]] as const
    ) {
      await using pty = await Pty.spawn(skiff(s, ...args), { env: env(s) });
      const before = pty.initial;
      await eventually("raw mode", async () => (await pty.stty()).includes("-icanon"));
      await pty.signal(sig);
      assert.equal(await pty.wait(), 128 + sig);
      assert.equal(mode(await pty.stty()), mode(before), `restored after signal ${sig}`);
      assert.equal(await status(s, "t1"), "running");
    }
    {
      // a closed terminal: SIGHUP, the container keeps running
      await using pty = await Pty.spawn(skiff(s, "attach", "--sig-proxy=false", "t1"), {
        env: env(s),
      });
      await eventually("raw mode", async () => (await pty.stty()).includes("-icanon"));
      await pty.hangup();
      assert.equal(await pty.wait(), 129);
      assert.equal(await status(s, "t1"), "running");
    }
    {
      // with --sig-proxy (the default) the hangup is forwarded (ash as pid 1 ignores it) and
      // skiff lets go of the session
      await using pty = await Pty.spawn(skiff(s, "attach", "t1"), { env: env(s) });
      await eventually("raw mode", async () => (await pty.stty()).includes("-icanon"));
      await pty.hangup();
      assert.equal(await pty.wait(), 0);
      assert.equal(await status(s, "t1"), "running");
    }
    {
      // SIGKILL cannot be caught: the container survives, the terminal stays raw
      await using pty = await Pty.spawn(skiff(s, "attach", "t1"), { env: env(s) });
      await eventually("raw mode", async () => (await pty.stty()).includes("-icanon"));
      await pty.signal(9);
      assert.equal(await pty.wait(), -9);
      // nothing in skiff can restore it (an interactive bash restores the mode of a job
      // killed by a signal; here the harness is the parent)
      assert.match(await pty.stty(), /-icanon/);
      assert.equal(await status(s, "t1"), "running");
    }
    await done(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "run forwards signals to the container (--sig-proxy) and returns its exit code",
  async fn() {
    await using s = await storeWithImages();
    const argv = skiff(
      s,
      "run",
      "--name",
      "sp",
      "busybox",
      "sh",
      "-c",
      'trap "echo got TERM; exit 7" TERM; echo ready; sleep 100 & wait',
    );
    const child = new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      env: env(s),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("ready")) text += (await out.read()).value ?? "";
    child.kill("SIGTERM");
    const st = await child.status;
    for (let r = await out.read(); !r.done; r = await out.read()) text += r.value;
    await child.stderr.cancel();
    assert.equal(text, "ready\ngot TERM\n");
    assert.equal(st.code, 7);
    const id = await s.ok(["inspect", "--format", "{{.Id}}", "sp"]);
    await done(s, [id]);
  },
});
