/**
 * Long-running children fed through a pipe: `tar -x -f -` and `zstd -dc`, which read a layer
 * stream from their stdin while we produce it. Short-lived helpers use
 * {@linkcode runCommand} from `command.ts` instead. Arguments are an argv array and never pass
 * through a shell.
 * @module
 */

import { CommandError } from "../define/errors.ts";
import { log } from "../util/logger.ts";

/** Options for {@linkcode spawnStream}. */
export interface SpawnStreamOptions {
  /** Extra environment variables, merged over the inherited environment unless `clearEnv`. */
  env?: Record<string, string>;
  /** Start from an empty environment (tar, for one, takes options from `TAR_OPTIONS`). */
  clearEnv?: boolean;
  /** Working directory of the child. */
  cwd?: string;
  /** Whether to expose the child's stdout as a stream ("piped") or discard it. @default "null" */
  stdout?: "piped" | "null";
}

/** How a streaming child ended. */
export interface StreamStatus {
  code: number;
  /** The signal that ended the child, if one did. */
  signal: string | null;
  /** The last 64 KiB of its stderr, decoded as UTF-8. */
  stderr: string;
}

/** A running child whose stdin we write and whose stdout we may read. */
export interface StreamChild {
  /** The program name, for messages. */
  readonly program: string;
  /** The child's stdout when spawned with `stdout: "piped"`, else null. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /**
   * Writes one chunk to the child's stdin and resolves once the pipe took it, which gives
   * backpressure. Rejects when the child closed its stdin (it exited).
   */
  write(chunk: Uint8Array): Promise<void>;
  /** Closes the child's stdin (end of input); safe to call more than once. */
  closeStdin(): Promise<void>;
  /** Sends SIGKILL unless the child already exited. */
  kill(): void;
  /** Resolves when the child exited and its stderr was drained. */
  readonly status: Promise<StreamStatus>;
}

const STDERR_KEEP = 64 * 1024;

/** Starts `argv` with a piped stdin; throws a CommandError (127) when it cannot be started. */
export function spawnStream(argv: string[], options: SpawnStreamOptions = {}): StreamChild {
  const [program, ...args] = argv;
  if (!program) throw new TypeError("spawnStream: empty argv");
  log.debug("starting streaming command", { argv: argv.join(" ") });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env: options.env ?? {},
      clearEnv: options.clearEnv ?? false,
      cwd: options.cwd,
      stdin: "piped",
      stdout: options.stdout ?? "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    const what = e instanceof Deno.errors.NotFound ? "executable file not found" : String(e);
    throw new CommandError(`running ${program}: ${what}`, 127, "");
  }
  const writer = child.stdin.getWriter();
  let exited = false;
  let stdinClosed = false;
  const stderr = drainTail(child.stderr);
  const status = (async (): Promise<StreamStatus> => {
    const s = await child.status;
    exited = true;
    return { code: s.code, signal: s.signal, stderr: await stderr };
  })();
  // A caller that gives up early may never await status; keep that from becoming unhandled.
  status.catch(() => {});
  return {
    program,
    stdout: options.stdout === "piped" ? child.stdout : null,
    write: (chunk) => writer.write(chunk),
    async closeStdin() {
      if (stdinClosed) return;
      stdinClosed = true;
      // The child may have exited (and closed the pipe) already: nothing left to tell it.
      await writer.close().catch(() => {});
    },
    kill() {
      if (exited) return;
      try {
        child.kill("SIGKILL");
      } catch {
        // it exited between the check and the kill
      }
    },
    status,
  };
}

/** Reads a stream to its end, keeping only the last STDERR_KEEP bytes. */
async function drainTail(stream: ReadableStream<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  let kept = 0;
  try {
    for await (const chunk of stream) {
      parts.push(chunk);
      kept += chunk.length;
      while (kept - (parts[0]?.length ?? 0) >= STDERR_KEEP) kept -= parts.shift()?.length ?? 0;
    }
  } catch {
    // the child was killed mid-write; what we have is all there is
  }
  const all = new Uint8Array(kept);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new TextDecoder().decode(all.subarray(Math.max(0, kept - STDERR_KEEP)));
}
