/**
 * The user's terminal during an attached session (`run -it`, `start -ai`, `attach`, `exec -it`):
 * raw mode for the duration, restored on every way out — return, error, `Deno.exit`, and the
 * signals that would end us (SIGINT, SIGTERM, SIGHUP, SIGQUIT); SIGWINCH forwarded as a resize;
 * `--sig-proxy` forwarding signals to the container instead (a SIGHUP, our terminal closing, is
 * forwarded and then detaches). SIGKILL cannot be caught: a skiff killed with it leaves the
 * terminal raw (`stty sane` or `reset` repairs it; interactive bash restores the mode of a job
 * killed by a signal itself) — the container, which conmon supervises, keeps running either way.
 *
 * Also the detach keys: podman's `--detach-keys` syntax, parsed into bytes.
 * @module
 */

import { UsageError } from "../define/errors.ts";
import {
  type AttachControl,
  makeRaw,
  restoreTerminal,
  type SavedTerminal,
  type TerminalSize,
} from "../runtime/mod.ts";
import { log } from "../util/logger.ts";

/** podman's default detach sequence. */
export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

/** `ctrl-@` is 0, `ctrl-a` … `ctrl-z` are 1 … 26, then `ctrl-[`, `ctrl-\`, `ctrl-]`, `ctrl-^`, `ctrl-_`. */
const CTRL_KEYS = [
  "ctrl-@",
  ..."abcdefghijklmnopqrstuvwxyz".split("").map((c) => `ctrl-${c}`),
  "ctrl-[",
  "ctrl-\\",
  "ctrl-]",
  "ctrl-^",
  "ctrl-_",
];

/**
 * Parses a `--detach-keys` value as podman does (docker's `term.ToBytes`): comma-separated
 * keys, each a single character or `ctrl-<a-z @ [ \ ] ^ _>`. An empty value disables detaching.
 * @throws {UsageError} `invalid detach keys: Unknown character: 'x'` (podman's wording).
 */
export function parseDetachKeys(spec: string): Uint8Array {
  if (spec === "") return new Uint8Array();
  const out: number[] = [];
  for (const key of spec.split(",")) {
    const bytes = new TextEncoder().encode(key);
    if (bytes.length === 1) {
      out.push(bytes[0]!);
      continue;
    }
    const code = CTRL_KEYS.indexOf(key);
    if (code < 0) throw new UsageError(`invalid detach keys: Unknown character: '${key}'`);
    out.push(code);
  }
  return new Uint8Array(out);
}

/** Signals forwarded to the container with `--sig-proxy` (podman proxies every catchable one). */
const PROXIED: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGALRM: 14,
  SIGTERM: 15,
};
/** Signals that end skiff: with the terminal in raw mode, they must restore it first. */
const FATAL = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM"] as const;

/** Options of {@linkcode Terminal.open}. */
export interface TerminalOptions {
  /**
   * Put stdin (when it is a terminal) in raw mode: at once (`true`), or once attached to a
   * process that has a pty (`"tty"`, for `attach` and `start -a`). @default false
   */
  raw?: boolean | "tty";
  /** Forward signals to the process instead of ending skiff (`--sig-proxy`). @default false */
  sigProxy?: boolean;
}

/** The size of our terminal (stdin, stdout or stderr), or null when none is a terminal. */
export function terminalSize(): TerminalSize | null {
  try {
    const { rows, columns } = Deno.consoleSize();
    return rows > 0 && columns > 0 ? { rows, cols: columns } : null;
  } catch {
    return null;
  }
}

/** True when stdin is a terminal. */
export function stdinIsTerminal(): boolean {
  return Deno.stdin.isTerminal();
}

/**
 * Our side of an attached session. Open it before attaching, give its {@linkcode attach} to the
 * runtime as `onAttach`, and dispose of it when the session ends (`using`).
 */
export class Terminal implements Disposable {
  #options: TerminalOptions;
  #saved: SavedTerminal | null = null;
  #ctl: AttachControl | null = null;
  #listeners: [Deno.Signal, () => void][] = [];
  #closed = false;
  #onUnload = () => this.#restore();

  private constructor(options: TerminalOptions) {
    this.#options = options;
  }

  /** Installs the signal handlers, and enters raw mode when asked to at once. */
  static open(options: TerminalOptions = {}): Terminal {
    const t = new Terminal(options);
    if (options.sigProxy) {
      for (const [name, n] of Object.entries(PROXIED)) {
        t.#listen(name as Deno.Signal, () => t.#proxy(name as Deno.Signal, n));
      }
    }
    t.#listen("SIGWINCH", () => t.#resize());
    if (options.raw === true) t.#enterRaw();
    return t;
  }

  /** Whether stdin is in raw mode now. */
  get raw(): boolean {
    return this.#saved !== null;
  }

  /** The terminal's size now, or null. */
  size(): TerminalSize | null {
    return terminalSize();
  }

  /** Receives the session's control (pass as `onAttach`); enters raw mode for a pty (`"tty"`). */
  attach(ctl: AttachControl): void {
    this.#ctl = ctl;
    if (this.#options.raw === "tty" && ctl.tty && !this.#closed) this.#enterRaw();
  }

  /** Restores the terminal and removes the handlers. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [sig, fn] of this.#listeners) {
      try {
        Deno.removeSignalListener(sig, fn);
      } catch { /* already gone */ }
    }
    this.#listeners = [];
    this.#restore();
    globalThis.removeEventListener("unload", this.#onUnload);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #enterRaw(): void {
    if (this.#saved) return;
    this.#saved = makeRaw(0);
    if (!this.#saved) return; // stdin is not a terminal
    globalThis.addEventListener("unload", this.#onUnload);
    // signals that would end us must restore the terminal first (proxied ones do not end us)
    if (!this.#options.sigProxy) {
      for (const name of FATAL) {
        this.#listen(name, () => this.#die(name));
      }
    }
  }

  #listen(sig: Deno.Signal, fn: () => void): void {
    try {
      Deno.addSignalListener(sig, fn);
      this.#listeners.push([sig, fn]);
    } catch (e) {
      log.debug(`cannot handle ${sig}: ${(e as Error).message}`);
    }
  }

  #restore(): void {
    const saved = this.#saved;
    if (!saved) return;
    this.#saved = null;
    try {
      restoreTerminal(saved);
    } catch (e) {
      log.debug(`restoring the terminal: ${(e as Error).message}`);
    }
  }

  #proxy(name: Deno.Signal, n: number): void {
    const ctl = this.#ctl;
    if (!ctl) {
      // not attached yet: nothing to forward to, so the signal ends us as it would have
      if ((FATAL as readonly string[]).includes(name)) this.#die(name);
      return;
    }
    ctl.kill(n).catch((e) => log.debug(`forwarding ${name}: ${(e as Error).message}`));
    // a hangup means our terminal is gone: forward it, then let go of the session (the
    // container lives on unless the hangup ends it) instead of waiting on a dead terminal
    if (name === "SIGHUP") ctl.detach();
  }

  #die(name: Deno.Signal): never {
    this.close();
    Deno.exit(128 + (PROXIED[name] ?? 15));
  }

  #resize(): void {
    const size = terminalSize();
    if (!size || !this.#ctl) return;
    this.#ctl.resize(size).catch((e) => log.debug(`resize: ${(e as Error).message}`));
  }
}
