/**
 * A child process for the multi-process state tests, and the helper that drives it.
 *
 * As a program (`deno run -P tests/_lib/state_worker.ts <command> …`) it prints one JSON event
 * per line on stdout:
 * - `stress <db> <worker> <durationMs>`: waits for a `go` line, opens the database (creating
 *   it if needed: eight workers race on a fresh file), then until the time is up adds a
 *   container and saves a random one of its own (restartCount = how often it was saved), one
 *   transaction each. Prints `done` with every ID it added and the last restartCount it saved
 *   for each, counted only after the call returned (committed), plus the errors it saw.
 * - `bigtxn <db> <rows> <tag>`: adds `rows` containers named `<tag>-<i>` in ONE transaction;
 *   prints `in-txn` (synchronously, from inside the transaction) after the first 100 and
 *   `committed` after the commit. The test SIGKILLs it in between.
 * @module
 */

import type { ContainerRecord } from "../../src/define/container.ts";
import { openSqliteState } from "../../src/state/mod.ts";
import { containerRecord } from "../../src/testing/records.ts";
import { newId } from "../../src/util/ids.ts";

/** One line the worker printed. */
export interface StateWorkerEvent {
  event: "ready" | "done" | "in-txn" | "committed";
  added?: string[];
  saved?: Record<string, number>;
  txns?: number;
  errors?: string[];
  /** The slowest single call, in milliseconds. */
  maxCallMs?: number;
  /** Durations of every call, in milliseconds (rounded to 0.1). */
  callMs?: number[];
  /** How long the timed loop ran, in milliseconds. */
  elapsedMs?: number;
}

/** A running worker. */
export interface StateWorker {
  /** Resolves to the next event, or throws if the worker exits first. */
  next(): Promise<StateWorkerEvent>;
  /** Writes one line to the worker's stdin. */
  send(line: string): Promise<void>;
  /** Sends a signal; nothing happens if the worker has exited. */
  kill(signal: Deno.Signal): void;
  /** Waits for the worker to exit. */
  wait(): Promise<Deno.CommandStatus>;
  /** Everything the worker wrote to stderr, once it has exited. */
  stderr(): Promise<string>;
}

const WORKER = new URL(import.meta.url).pathname;
const REPO_ROOT = new URL("../../", import.meta.url).pathname;

/** Starts `state_worker.ts` with `args` (a command and its arguments). */
export function spawnStateWorker(args: string[]): StateWorker {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-P", "--quiet", WORKER, ...args],
    cwd: REPO_ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines())
    .getReader();
  const writer = child.stdin.getWriter();
  return {
    async next() {
      const { value, done } = await lines.read();
      if (done) {
        throw new Error(`state worker ${args.join(" ")} exited without an event: ${await stderr}`);
      }
      return JSON.parse(value) as StateWorkerEvent;
    },
    async send(line) {
      await writer.write(new TextEncoder().encode(line + "\n"));
    },
    kill(signal) {
      try {
        child.kill(signal);
      } catch (e) {
        // It exited already (a short transaction may finish before the kill).
        if (!(e instanceof TypeError)) throw e;
      }
    },
    async wait() {
      await writer.close().catch(() => {});
      const status = await child.status;
      await lines.cancel().catch(() => {});
      return status;
    },
    stderr: () => stderr,
  };
}

function splitLines(): TransformStream<string, string> {
  let buf = "";
  return new TransformStream({
    transform(chunk, out) {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        out.enqueue(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    },
    flush(out) {
      if (buf) out.enqueue(buf);
    },
  });
}

/** A small but complete container record. */
export function workerContainer(name: string): ContainerRecord {
  const id = newId();
  return containerRecord(0, {
    id,
    name,
    createCommand: ["skiff", "run", "busybox"],
    image: { id: "b".repeat(64), name: "localhost/busybox:latest" },
    command: ["sh"],
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    workdir: "/",
    hostname: id.slice(0, 12),
    network: { mode: "bridge" },
  });
}

const encoder = new TextEncoder();

async function emit(e: StateWorkerEvent): Promise<void> {
  const data = encoder.encode(JSON.stringify(e) + "\n");
  for (let off = 0; off < data.length;) off += await Deno.stdout.write(data.subarray(off));
}

function emitSync(e: StateWorkerEvent): void {
  const data = encoder.encode(JSON.stringify(e) + "\n");
  for (let off = 0; off < data.length;) off += Deno.stdout.writeSync(data.subarray(off));
}

async function waitForGo(): Promise<void> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(
    splitLines(),
  ).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done || value === "go") break;
  }
  reader.releaseLock();
}

async function stress(db: string, worker: string, durationMs: number): Promise<void> {
  await emit({ event: "ready" });
  await waitForGo();
  const state = openSqliteState(db);
  const added: string[] = [];
  const saved: Record<string, number> = {};
  const errors: string[] = [];
  let txns = 0, maxCallMs = 0, n = 0;
  const callMs: number[] = [];
  const start = performance.now();
  const timed = (fn: () => void) => {
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    maxCallMs = Math.max(maxCallMs, ms);
    callMs.push(Math.round(ms * 10) / 10);
    txns++;
  };
  while (performance.now() - start < durationMs && errors.length < 50) {
    try {
      const rec = workerContainer(`w${worker}-${n++}`);
      timed(() => state.addContainer(rec));
      added.push(rec.config.id);
      const target = added[Math.floor(Math.random() * added.length)]!;
      const count = (saved[target] ?? 0) + 1;
      const st = { ...rec.state, status: "running" as const, restartCount: count };
      timed(() => state.saveContainer(target, st));
      saved[target] = count;
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  const elapsedMs = performance.now() - start;
  state.close();
  await emit({ event: "done", added, saved, txns, errors, maxCallMs, callMs, elapsedMs });
}

function bigTxn(db: string, rows: number, tag: string): void {
  const state = openSqliteState(db);
  state.transaction(() => {
    for (let i = 0; i < rows; i++) {
      state.addContainer(workerContainer(`${tag}-${i}`));
      if (i === 100) emitSync({ event: "in-txn" });
    }
  });
  emitSync({ event: "committed" });
  state.close();
}

if (import.meta.main) {
  const [cmd, db, a, b] = Deno.args;
  if (cmd === "stress" && db && a && b) await stress(db, a, Number(b));
  else if (cmd === "bigtxn" && db && a && b) bigTxn(db, Number(a), b);
  else throw new Error(`usage: state_worker.ts stress|bigtxn …, got ${Deno.args.join(" ")}`);
}
