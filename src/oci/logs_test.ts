import assert from "node:assert/strict";
import {
  type LogLine,
  logTimeNanos,
  parseLogLine,
  readLogs,
  type ReadLogsOptions,
} from "./logs.ts";

const T = (s: number, ns = 0) =>
  `2026-11-29T07:52:${String(s).padStart(2, "0")}.${String(ns).padStart(9, "0")}+00:00`;

async function collect(path: string, options?: ReadLogsOptions): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of readLogs(path, options)) out.push(l);
  return out;
}

function texts(lines: LogLine[]): string[] {
  return lines.map((l) => `${l.stream}:${l.text}${l.partial ? "…" : ""}`);
}

async function withLog(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-logs-" });
  try {
    await fn(`${dir}/ctr.log`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("parseLogLine() splits conmon's k8s-file line, including empty data", () => {
  assert.deepEqual(parseLogLine(`${T(28, 981136148)} stdout F hi there`), {
    timeText: T(28, 981136148),
    stream: "stdout",
    partial: false,
    data: "hi there",
  });
  assert.equal(parseLogLine(`${T(1)} stderr P `)?.data, "");
  assert.equal(parseLogLine(`${T(1)} stderr F`)?.data, "");
  assert.equal(parseLogLine("garbage"), null);
  assert.equal(parseLogLine(`${T(1)} stdin F x`), null);
});

Deno.test("logTimeNanos() keeps all nine digits and the offset", () => {
  assert.equal(
    logTimeNanos("1970-01-01T00:00:01.000000007+00:00"),
    1_000_000_007n,
  );
  assert.equal(logTimeNanos("1970-01-01T01:00:00.5+01:00"), 500_000_000n);
  assert.throws(() => logTimeNanos("yesterday"), SyntaxError);
});

Deno.test("readLogs() joins partial chunks per stream and marks a dangling one partial", async () => {
  await withLog(async (path) => {
    await Deno.writeTextFile(
      path,
      [
        `${T(1)} stdout P hel`,
        `${T(2)} stderr F err`,
        `${T(3)} stdout P lo `,
        `${T(4)} stdout F world`,
        `${T(5)} stdout F `,
        `${T(6)} stderr P no newline`,
        "",
      ].join("\n"),
    );
    const lines = await collect(path);
    assert.deepEqual(texts(lines), [
      "stderr:err",
      "stdout:hello world",
      "stdout:",
      "stderr:no newline…",
    ]);
    assert.equal(lines[1]!.timeText, T(4), "a joined line has its last chunk's time");
    assert.equal(lines[1]!.time.toISOString(), "2026-11-29T07:52:04.000Z");
  });
});

Deno.test("readLogs() filters with since/until at nanosecond precision and tails full lines", async () => {
  await withLog(async (path) => {
    const lines = [1, 2, 3, 4, 5].map((s) => `${T(s, 500_000_000)} stdout F line${s}`);
    lines[3] = `${T(4, 500_000_000)} stdout F ne4`;
    lines.splice(3, 0, `${T(4)} stdout P li`);
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const since = new Date("2026-11-29T07:52:02.500Z"); // line2 is exactly at since: excluded
    const until = new Date("2026-11-29T07:52:05.000Z");
    assert.deepEqual(texts(await collect(path, { since, until })), [
      "stdout:line3",
      "stdout:line4",
    ]);
    assert.deepEqual(texts(await collect(path, { tail: 2 })), ["stdout:line4", "stdout:line5"]);
    assert.equal((await collect(path, { tail: 2 }))[0]!.text, "line4", "P+F count as one line");
    assert.deepEqual(await collect(path, { tail: 0 }), []);
    assert.equal((await collect(path, { tail: 100 })).length, 5);
    assert.deepEqual(texts(await collect(path, { tail: 3, since })), [
      "stdout:line3",
      "stdout:line4",
      "stdout:line5",
    ]);
  });
});

Deno.test("readLogs() yields nothing for a missing file", async () => {
  await withLog(async (path) => {
    assert.deepEqual(await collect(path), []);
  });
});

/** Appends lines to the log from a timer while a follower reads it. */
function writer(steps: (() => Promise<void>)[], every = 40): Promise<void> {
  return (async () => {
    for (const step of steps) {
      await new Promise((r) => setTimeout(r, every));
      await step();
    }
  })();
}

const append = (path: string, ...lines: string[]) => () =>
  Deno.writeTextFile(path, lines.join("\n") + "\n", { append: true });

Deno.test("readLogs() follows new output until stopWhen, reading what landed before it", async () => {
  await withLog(async (path) => {
    await Deno.writeTextFile(path, `${T(1)} stdout F one\n`);
    const done = writer([
      append(path, `${T(2)} stdout P t`),
      append(path, `${T(3)} stdout F wo`, `${T(4)} stderr F three`),
    ]);
    const stop = done.then(() => append(path, `${T(5)} stdout F four`)());
    const lines = await collect(path, { follow: true, stopWhen: stop, pollMs: 10 });
    assert.deepEqual(texts(lines), ["stdout:one", "stdout:two", "stderr:three", "stdout:four"]);
  });
});

Deno.test("readLogs() follows across conmon's rotation (rename) and an in-place truncation", async () => {
  await withLog(async (path) => {
    await Deno.writeTextFile(path, `${T(1)} stdout F a\n${T(2)} stdout F b\n`);
    const done = writer([
      append(path, `${T(3)} stdout F c`),
      // conmon --log-size-max: write <log>.tmp from empty, rename it over the log
      async () => {
        await Deno.writeTextFile(`${path}.tmp`, `${T(4)} stdout F d\n`);
        await Deno.rename(`${path}.tmp`, path);
      },
      append(path, `${T(5)} stdout F e`),
      // someone truncates the file where it is
      () => Deno.writeTextFile(path, `${T(6)} stdout F f\n`),
      append(path, `${T(7)} stdout F g`),
    ], 60);
    const lines = await collect(path, { follow: true, stopWhen: done, pollMs: 10 });
    assert.deepEqual(texts(lines), ["a", "b", "c", "d", "e", "f", "g"].map((x) => `stdout:${x}`));
  });
});

Deno.test("readLogs() with follow waits for a log that does not exist yet, and stops at until", async () => {
  await withLog(async (path) => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "000000+00:00");
    setTimeout(() => Deno.writeTextFileSync(path, `${iso(now)} stdout F early\n`), 50);
    setTimeout(
      () => Deno.writeTextFileSync(path, `${iso(now + 10_000)} stdout F late\n`, { append: true }),
      120,
    );
    const t0 = performance.now();
    const lines = await collect(path, { follow: true, until: new Date(now + 400), pollMs: 10 });
    assert.deepEqual(texts(lines), ["stdout:early"]);
    assert.ok(performance.now() - t0 < 3000);
  });
});
