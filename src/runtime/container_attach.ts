/**
 * `attach`, and the attach session every foreground verb shares (`run`, `start -a`, `exec`):
 * output into the caller's handlers, the caller's stdin forwarded with the detach keys watched
 * for (podman handles them client-side too; conmon knows nothing of them), terminal resizes
 * through conmon's ctl FIFO. The container's lock is held only to look the container up: an
 * attached client may wait for hours, and the exit command's cleanup needs the lock.
 * @module
 */

import { canExec } from "../define/container_status.ts";
import { errorMessage, StateError } from "../define/errors.ts";
import {
  type AttachHandlers,
  type AttachStreams,
  resizeTerminal,
  type TerminalSize,
} from "../oci/oci_runtime.ts";
import { log } from "../util/logger.ts";
import { withContainer } from "./container_lock.ts";
import { containerPaths } from "./container_paths.ts";
import { ociRuntime } from "./oci.ts";
import type { Runtime } from "./runtime.ts";

export type { TerminalSize } from "../oci/oci_runtime.ts";

/** Where an attached process's streams go, and how the caller controls the session. */
export interface AttachIO extends AttachHandlers {
  /**
   * Forwarded to the process's stdin when it has one (its end closes that stdin); otherwise
   * only watched for the detach keys.
   */
  stdin?: ReadableStream<Uint8Array>;
  /** The bytes that detach (`ctrl-p,ctrl-q` → `[16, 17]`); empty or absent: never. */
  detachKeys?: Uint8Array;
  /** The terminal's size, set before the process starts (only with a pty). */
  size?: TerminalSize | null;
  /** Called once attached (before the process starts, where there is a start). */
  onAttach?(ctl: AttachControl): void;
}

/** Control over a live attach session, for signal proxies and SIGWINCH handlers. */
export interface AttachControl {
  /** The container's ID. */
  readonly containerId: string;
  /** The attached process has a pty (put the caller's terminal in raw mode). */
  readonly tty: boolean;
  /** Detaches: our connection closes, the process keeps running. */
  detach(): void;
  /** Sets the pty's window size (a no-op without a pty). */
  resize(size: TerminalSize): Promise<void>;
  /** Sends signal number `signal` to the attached process (sig-proxy). */
  kill(signal: number): Promise<void>;
}

/** How an attach session ended. */
export interface AttachResult {
  /** The container's ID. */
  id: string;
  /** The detach keys ended it, not the process. */
  detached: boolean;
}

/**
 * Watches a byte stream for the detach key sequence across chunk boundaries. Bytes that might
 * start the sequence are held back until the sequence completes (→ detach) or breaks (→ they are
 * forwarded with what follows).
 */
export class DetachKeyMatcher {
  readonly #keys: Uint8Array;
  #held = 0;

  constructor(keys: Uint8Array) {
    this.#keys = keys;
  }

  /** Feeds one chunk: the bytes to forward, and whether the sequence completed. */
  push(chunk: Uint8Array): { forward: Uint8Array; detached: boolean } {
    if (this.#keys.length === 0) return { forward: chunk, detached: false };
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.#keys[this.#held]) {
        this.#held++;
        if (this.#held === this.#keys.length) {
          this.#held = 0;
          return { forward: new Uint8Array(out), detached: true };
        }
        continue;
      }
      out.push(...this.#keys.subarray(0, this.#held));
      this.#held = 0;
      if (b === this.#keys[0]) this.#held = 1;
      else out.push(b);
    }
    return { forward: new Uint8Array(out), detached: false };
  }

  /** The bytes held back at the end of the input (they were not a detach after all). */
  flush(): Uint8Array {
    const rest = this.#keys.slice(0, this.#held);
    this.#held = 0;
    return rest;
  }
}

/**
 * The output handlers given to an attach connection: they pass output on to the caller's, and
 * when those fail (our terminal was closed: EIO) they close the connection instead of failing
 * over and over — the session then ends as a detach, and the process keeps running.
 */
export class OutputGuard implements AttachHandlers {
  readonly #io: AttachHandlers;
  #session: AttachStreams | null = null;
  /** Why our output failed, once it did. */
  lost: unknown = undefined;

  constructor(io: AttachHandlers) {
    this.#io = io;
  }

  /** The connection to close when our output fails. */
  bind(session: AttachStreams): void {
    this.#session = session;
  }

  stdout(data: Uint8Array): void {
    this.#pass(() => this.#io.stdout(data));
  }

  stderr(data: Uint8Array): void {
    this.#pass(() => this.#io.stderr(data));
  }

  #pass(write: () => void): void {
    if (this.lost !== undefined) return;
    try {
      write();
    } catch (e) {
      this.lost = e ?? new Error("output failed");
      log.debug(`our output failed, detaching: ${errorMessage(e)}`);
      this.#session?.close();
    }
  }
}

/**
 * Forwards `stdin` into the session until EOF (→ close the process's stdin) or detach. With
 * `forward` false (the process has no stdin open) it only watches for the detach keys, as
 * podman does for `attach` to a container started without `-i`.
 */
async function pumpInput(
  session: AttachStreams,
  stdin: ReadableStream<Uint8Array>,
  opts: { keys: Uint8Array; forward: boolean },
  onDetach: () => void,
  stopped: () => boolean,
): Promise<void> {
  const matcher = new DetachKeyMatcher(opts.keys);
  try {
    // preventCancel: leaving the loop early must not cancel (and so close) our stdin, whose
    // terminal mode the caller restores afterwards
    for await (const chunk of stdin.values({ preventCancel: true })) {
      if (stopped()) return;
      const { forward, detached } = matcher.push(chunk);
      if (forward.length && opts.forward) await session.write(forward);
      if (detached) return onDetach();
    }
    const rest = matcher.flush();
    if (rest.length && opts.forward && !stopped()) await session.write(rest);
  } catch (e) {
    if (stopped()) return;
    log.debug(`forwarding stdin stopped: ${errorMessage(e)}`);
  }
  if (opts.forward && !stopped()) await session.closeStdin().catch(() => {});
}

/** Callbacks of {@linkcode driveSession} that depend on what is attached. */
export interface SessionTarget {
  containerId: string;
  tty: boolean;
  /** Forward the caller's stdin. */
  stdin: boolean;
  resize(size: TerminalSize): Promise<void>;
  kill(signal: number): Promise<void>;
}

/**
 * Runs an open attach session (its process started) to its end: hands the caller an
 * {@linkcode AttachControl}, forwards stdin, and resolves when the process side closes (false)
 * or the caller detached or lost its output (true).
 */
export async function driveSession(
  session: AttachStreams,
  io: AttachIO,
  target: SessionTarget,
  output?: OutputGuard,
): Promise<boolean> {
  let detached = false;
  let ended = false;
  const detach = () => {
    if (ended) return;
    detached = true;
    session.close();
  };
  io.onAttach?.({
    containerId: target.containerId,
    tty: target.tty,
    detach,
    resize: (size) => target.resize(size),
    kill: (signal) => target.kill(signal),
  });
  const keys = io.detachKeys ?? new Uint8Array();
  if (io.stdin && (target.stdin || keys.length)) {
    const opts = { keys, forward: target.stdin };
    void pumpInput(session, io.stdin, opts, detach, () => ended);
  }
  await session.done.catch((e) => log.debug(`attach ended: ${errorMessage(e)}`));
  ended = true;
  return detached || output?.lost !== undefined;
}

/** The control target of a container's own process (not an exec session). */
export function containerTarget(
  rt: Runtime,
  id: string,
  bundle: string,
  opts: { tty: boolean; stdin: boolean },
): SessionTarget {
  return {
    containerId: id,
    tty: opts.tty,
    stdin: opts.stdin,
    resize: (size) => opts.tty ? resizeTerminal(bundle, size) : Promise.resolve(),
    kill: async (signal) => {
      // loaded when needed: container_stop → container_cleanup may import the exec verbs
      const { killContainer } = await import("./container_stop.ts");
      await killContainer(rt, id, signal);
    },
  };
}

/** Sets the container's pty size before it starts; a failure is only worth a warning. */
export async function initialResize(target: SessionTarget, size: TerminalSize | null | undefined) {
  if (!size) return;
  await target.resize(size).catch((e) => log.warn(`resize failed: ${errorMessage(e)}`));
}

/**
 * `attach`: connects to a running (or created) container's output, and its stdin unless
 * `noStdin` or the container has none open (`-i`); resolves when the container's output ends or
 * the detach keys were typed.
 */
export async function attachToContainer(
  rt: Runtime,
  idOrName: string,
  io: AttachIO,
  options: { noStdin?: boolean } = {},
): Promise<AttachResult> {
  const rec = await withContainer(rt, idOrName, (r) => {
    if (!canExec(r.state.status) && r.state.status !== "created") {
      throw new StateError("you can only attach to running containers");
    }
    return Promise.resolve(r);
  });
  const id = rec.config.id;
  const bundle = containerPaths(rt, id).bundle;
  const stdin = !options.noStdin && rec.config.interactive;
  const output = new OutputGuard(io);
  let session: AttachStreams;
  try {
    session = await ociRuntime(rt).attach(bundle, output, { stdin });
  } catch (e) {
    // it exited between the check and the connect
    throw new StateError("you can only attach to running containers", { cause: e });
  }
  const target = containerTarget(rt, id, bundle, { tty: rec.config.tty, stdin });
  await initialResize(target, io.size);
  output.bind(session);
  const detached = await driveSession(session, io, target, output);
  return { id, detached };
}
