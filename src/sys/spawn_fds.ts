/**
 * Starts a child with extra file descriptors at 3, 4, …: conmon reads its sync and start pipes
 * from fds named in its environment, which `Deno.Command` cannot provide. `node:child_process`
 * `spawn` with extra `stdio` entries can: each extra "pipe" appears in the child as one end of
 * a socketpair, and a number passes one of our open fds on. Arguments are an argv array and
 * never pass through a shell.
 *
 * Deno opens every fd of its own with O_CLOEXEC, but fds inherited from our parent without it
 * would reach the child too (and a daemon such as conmon keeps them for the container's life,
 * holding a caller's pipe open). {@linkcode spawnWithFds} therefore marks such fds close-on-exec
 * first, in this process; skiff never uses inherited fds, and the ones it means to pass on are
 * named in `fds`.
 * @module
 */

import type { Socket } from "node:net";
import type { Readable } from "node:stream";
import { CommandError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { libc } from "./libc.ts";

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
/** How long to wait for stdout/stderr to end after the child exited (a grandchild may hold them). */
const OUTPUT_GRACE_MS = 500;
/** How much of the child's stdout and stderr is kept. */
const OUTPUT_KEEP = 64 * 1024;

/** Options for {@linkcode spawnWithFds}. */
export interface SpawnFdsOptions {
  /** The child's complete environment; nothing is inherited. */
  env: Record<string, string>;
  /** How many socketpairs to give the child, at fds 3, 4, … @default 0 */
  pipes?: number;
  /** Open fds of ours passed on after the pipes, in order (e.g. reserved host ports). */
  fds?: number[];
  /** Working directory of the child. */
  cwd?: string;
  /** Start the child in a session and process group of its own, as podman's Setpgid. @default true */
  detached?: boolean;
}

/** Our end of one extra pipe. */
export interface ChildPipe {
  /** The fd number the child sees. */
  readonly childFd: number;
  /** Writes bytes to the child; rejects when the child's end is gone. */
  write(data: Uint8Array): Promise<void>;
  /** The next chunk the child wrote, or null once its end is closed. */
  read(): Promise<Uint8Array | null>;
  /** Closes our end. */
  close(): void;
}

/** How the child ended and what it printed (the last 64 KiB of each stream). */
export interface FdChildStatus {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A started child. */
export interface FdChild {
  readonly pid: number;
  /** Our ends of the extra pipes: `pipes[0]` is the child's fd 3. */
  readonly pipes: ChildPipe[];
  /** Resolves when the child exited (not its daemonised descendants). */
  readonly status: Promise<FdChildStatus>;
}

/**
 * Marks every fd of this process above 2 that lacks FD_CLOEXEC (other than `keep`) close-on-exec
 * and returns their numbers, so that children started from now on do not inherit them.
 */
export function closeInheritedOnExec(keep: readonly number[] = []): number[] {
  const c = libc();
  const changed: number[] = [];
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    const fd = Number(entry.name);
    if (!Number.isInteger(fd) || fd <= 2 || keep.includes(fd)) continue;
    const flags = c.fcntl(fd, F_GETFD, 0);
    // -1: the directory listing's own fd, closed by now
    if (flags < 0 || (flags & FD_CLOEXEC) !== 0) continue;
    if (c.fcntl(fd, F_SETFD, flags | FD_CLOEXEC) === 0) changed.push(fd);
  }
  return changed;
}

class SocketPipe implements ChildPipe {
  readonly childFd: number;
  #sock: Socket;
  #chunks: Uint8Array[] = [];
  #waiters: ((chunk: Uint8Array | null) => void)[] = [];
  #ended = false;

  constructor(sock: Socket, childFd: number) {
    this.#sock = sock;
    this.childFd = childFd;
    sock.on("data", (d: Uint8Array) => this.#push(new Uint8Array(d)));
    sock.on("end", () => this.#end());
    sock.on("close", () => this.#end());
    // ECONNRESET and friends: the child's end is gone, which readers see as end of stream
    sock.on("error", (e: Error) => {
      log.debug("child pipe error", { fd: childFd, error: e.message });
      this.#end();
    });
  }

  #push(chunk: Uint8Array): void {
    const w = this.#waiters.shift();
    if (w) w(chunk);
    else this.#chunks.push(chunk);
  }

  #end(): void {
    this.#ended = true;
    for (const w of this.#waiters.splice(0)) w(null);
  }

  read(): Promise<Uint8Array | null> {
    const c = this.#chunks.shift();
    if (c) return Promise.resolve(c);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  write(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#sock.write(data, (e?: Error | null) => {
        if (e) {
          reject(new CommandError(`writing to child fd ${this.childFd}: ${e.message}`, -1, ""));
        } else resolve();
      });
    });
  }

  close(): void {
    this.#sock.destroy();
    this.#end();
  }
}

function collect(stream: Readable | null): { text: () => string; ended: Promise<void> } {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const ended = new Promise<void>((resolve) => {
    if (!stream) return resolve();
    stream.on("data", (d: Uint8Array) => {
      chunks.push(new Uint8Array(d));
      size += d.length;
      while (size > OUTPUT_KEEP && chunks.length > 1) size -= chunks.shift()!.length;
    });
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
    stream.on("error", () => resolve());
  });
  return {
    text: () => new TextDecoder().decode(concat(chunks)).slice(-OUTPUT_KEEP),
    ended,
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/**
 * Starts `argv` with stdin on /dev/null, stdout and stderr captured, `pipes` socketpairs at fds
 * 3… and `fds` after them. Resolves once the program runs; rejects with a CommandError (127)
 * when it cannot be started.
 */
export async function spawnWithFds(argv: string[], options: SpawnFdsOptions): Promise<FdChild> {
  const [program, ...args] = argv;
  if (!program) throw new TypeError("spawnWithFds: empty argv");
  const pipeCount = options.pipes ?? 0;
  const fds = options.fds ?? [];
  const marked = closeInheritedOnExec(fds);
  if (marked.length) log.debug("marked inherited fds close-on-exec", { fds: marked.join(",") });
  log.debug("starting command with extra fds", {
    argv: argv.join(" "),
    pipes: pipeCount,
    fds: fds.join(","),
  });
  const stdio: ("ignore" | "pipe" | number)[] = ["ignore", "pipe", "pipe"];
  for (let i = 0; i < pipeCount; i++) stdio.push("pipe");
  stdio.push(...fds);
  // Loaded on first use: node's compatibility layer costs ~10 ms of start-up.
  const { spawn } = await import("node:child_process");
  const child = spawn(program, args, {
    stdio,
    env: options.env,
    cwd: options.cwd,
    detached: options.detached ?? true,
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (e: Error & { code?: string }) => {
      const what = e.code === "ENOENT" ? "executable file not found" : e.message;
      reject(new CommandError(`starting ${program}: ${what}`, 127, ""));
    });
  });
  const pipes: ChildPipe[] = [];
  for (let i = 0; i < pipeCount; i++) {
    pipes.push(new SocketPipe(child.stdio[3 + i] as Socket, 3 + i));
  }
  const status = exited.then(async ({ code, signal }) => {
    // a daemonising child may leave its stdio to a grandchild for a moment: do not wait for it
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all([stdout.ended, stderr.ended]),
      new Promise<void>((r) => timer = setTimeout(r, OUTPUT_GRACE_MS)),
    ]);
    clearTimeout(timer);
    child.stdout?.destroy();
    child.stderr?.destroy();
    return { code, signal, stdout: stdout.text(), stderr: stderr.text() };
  });
  return { pid: child.pid!, pipes, status };
}
