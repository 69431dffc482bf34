/**
 * A child process for the multi-process lock tests, and the helper that drives it.
 *
 * As a program (`deno run -P tests/_lib/lock_worker.ts <command> …`) it prints one JSON event
 * per line on stdout:
 * - `hold <path> <numLocks> <id>`: prints `waiting`, locks, prints `locked` (with `recovered`),
 *   then holds the lock until its stdin closes, unlocks and prints `unlocked`.
 * - `hold-segment <path>`: takes the segment lock itself (the allocation bitmap's mutex at
 *   offset 8) with raw pthread calls, prints `locked` and waits to be killed.
 * - `allocate <path> <numLocks> <count>`: waits for a `go` line, opens (creating if needed) the
 *   segment, allocates `count` numbers and prints `allocated` with `ids`.
 * - `count <path> <numLocks> <id> <file> <n> [nolock]`: waits for `go`, then `n` times: lock,
 *   read the integer in `file`, yield to the event loop, write it back plus one, unlock. With
 *   `nolock` it skips the locking (the control that shows the test can see lost updates).
 * @module
 */

import { openShmLockManager } from "../../src/lock/mod.ts";
import { mutexTryLock } from "../../src/sys/pthread_mutex.ts";
import { shmOpen } from "../../src/sys/shm.ts";

/** One line the worker printed. */
export interface WorkerEvent {
  event: string;
  recovered?: boolean;
  ids?: number[];
  /** `Date.now()` in the worker when it printed the event. */
  at: number;
}

/** A running worker. */
export interface LockWorker {
  /**
   * Resolves to the next event; throws if the worker exits first or nothing comes within
   * `timeoutMs` (so that a broken lock fails the test instead of hanging it).
   */
  next(timeoutMs?: number): Promise<WorkerEvent>;
  /** Writes one line to the worker's stdin. */
  send(line: string): Promise<void>;
  /** Closes the worker's stdin (a holding worker then unlocks and exits). */
  closeStdin(): Promise<void>;
  /** Sends a signal, unless the worker has already exited. */
  kill(signal: Deno.Signal): void;
  /** Waits for the worker to exit; closes its pipes. */
  wait(): Promise<Deno.CommandStatus>;
  /** Everything the worker wrote to stderr, once it has exited. */
  stderr(): Promise<string>;
}

const WORKER = new URL(import.meta.url).pathname;
const REPO_ROOT = new URL("../../", import.meta.url).pathname;

/** Starts `lock_worker.ts` with `args` (a command and its arguments). */
export function spawnLockWorker(args: string[]): LockWorker {
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
  let stdinOpen = true;
  const encoder = new TextEncoder();
  return {
    async next(timeoutMs = 15_000) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`lock worker ${args.join(" ")}: no event in ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        const { value, done } = await Promise.race([lines.read(), timeout]);
        if (done) throw new Error(`lock worker ${args.join(" ")} exited without an event`);
        return JSON.parse(value) as WorkerEvent;
      } finally {
        clearTimeout(timer);
      }
    },
    async send(line) {
      await writer.write(encoder.encode(line + "\n"));
    },
    async closeStdin() {
      if (!stdinOpen) return;
      stdinOpen = false;
      await writer.close().catch(() => {});
    },
    kill(signal) {
      try {
        child.kill(signal);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // it has already exited
      }
    },
    async wait() {
      if (stdinOpen) {
        stdinOpen = false;
        await writer.close().catch(() => {});
      }
      const status = await child.status;
      await lines.cancel().catch(() => {});
      await stderr;
      return status;
    },
    stderr() {
      return stderr;
    },
  };
}

function splitLines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const p of parts) if (p !== "") controller.enqueue(p);
    },
    flush(controller) {
      if (rest !== "") controller.enqueue(rest);
    },
  });
}

function emit(event: string, fields: Partial<WorkerEvent> = {}): void {
  Deno.stdout.writeSync(
    new TextEncoder().encode(JSON.stringify({ event, ...fields, at: Date.now() }) + "\n"),
  );
}

async function readStdin(untilLine?: string): Promise<void> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(
    splitLines(),
  ).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done || value === untilLine) break;
  }
  reader.releaseLock();
}

async function main(args: string[]): Promise<void> {
  const [command, path = "", numLocksArg = "", arg1 = "", file = "", nArg = "", mode] = args;
  const numLocks = Number(numLocksArg);
  switch (command) {
    case "hold": {
      const manager = openShmLockManager({ path, numLocks });
      const locker = manager.retrieve(Number(arg1));
      emit("waiting");
      await locker.lock();
      emit("locked", { recovered: locker.recovered });
      await readStdin();
      locker.unlock();
      emit("unlocked");
      manager.close();
      return;
    }
    case "hold-segment": {
      const seg = shmOpen(path);
      if (seg === undefined) throw new Error(`segment ${path} does not exist`);
      const result = mutexTryLock(seg.pointerAt(8));
      emit("locked", { recovered: result === "owner-died" });
      await readStdin();
      return;
    }
    case "allocate": {
      await readStdin("go");
      const manager = openShmLockManager({ path, numLocks });
      const ids: number[] = [];
      for (let i = 0; i < Number(arg1); i++) ids.push(manager.allocate().id);
      emit("allocated", { ids });
      manager.close();
      return;
    }
    case "count": {
      await readStdin("go");
      const manager = openShmLockManager({ path, numLocks });
      const locker = manager.retrieve(Number(arg1));
      for (let i = 0; i < Number(nArg); i++) {
        if (mode !== "nolock") await locker.lock();
        const value = Number(Deno.readTextFileSync(file) || "0");
        await new Promise((resolve) => setTimeout(resolve, 0)); // widen the race window
        Deno.writeTextFileSync(file, String(value + 1));
        if (mode !== "nolock") locker.unlock();
      }
      emit("done");
      manager.close();
      return;
    }
    default:
      throw new TypeError(`lock worker command "${command}" is unknown`);
  }
}

if (import.meta.main) await main(Deno.args);
