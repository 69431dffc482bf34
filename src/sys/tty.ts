/**
 * Terminal modes through termios, for attached sessions: podman's raw mode (`term.MakeRaw`, the
 * same as cfmakeraw(3)) and its exact restore. `Deno.stdin.setRaw` is not enough: it leaves
 * output post-processing (OPOST/ONLCR) on, so the `\r\n` a container's pty sends arrives as
 * `\r\r\n` and a full-screen program's bare `\n` (cursor down) gains a carriage return.
 *
 * The symbols (tcgetattr, tcsetattr, isatty) live in libc.ts's table; each is synchronous, so
 * errno is read at once after a failure.
 * @module
 */

import { errno, ErrnoError, libc } from "./libc.ts";

/** glibc's `struct termios` is 60 bytes on Linux; a little slack costs nothing. */
const TERMIOS_SIZE = 64;
const IFLAG = 0;
const OFLAG = 4;
const CFLAG = 8;
const LFLAG = 12;
/** `c_cc` starts after `c_line`. */
const CC = 17;
const VTIME = 5;
const VMIN = 6;
const TCSANOW = 0;

// termios bits (Linux, every architecture skiff runs on)
const IGNBRK = 0o1;
const BRKINT = 0o2;
const PARMRK = 0o10;
const ISTRIP = 0o40;
const INLCR = 0o100;
const IGNCR = 0o200;
const ICRNL = 0o400;
const IXON = 0o2000;
const OPOST = 0o1;
const ISIG = 0o1;
const ICANON = 0o2;
const ECHO = 0o10;
const ECHONL = 0o100;
const IEXTEN = 0o100000;
const CSIZE = 0o60;
const PARENB = 0o400;
const CS8 = 0o60;

/** A terminal's saved mode, to hand back to {@linkcode restoreTerminal}. */
export interface SavedTerminal {
  readonly fd: number;
  readonly termios: Uint8Array<ArrayBuffer>;
}

/** True when `fd` is a terminal. */
export function isTerminal(fd: number): boolean {
  return libc().isatty(fd) === 1;
}

/**
 * The raw version of a termios buffer, as cfmakeraw(3) and Go's `term.MakeRaw` make it: no
 * input translation, no output post-processing, no echo, no line editing, no signals from keys,
 * 8-bit characters, reads return after one byte. Pure; returns a new buffer.
 */
export function rawTermios(saved: Uint8Array): Uint8Array<ArrayBuffer> {
  const t = new Uint8Array(saved);
  const v = new DataView(t.buffer);
  const clear = (off: number, bits: number) =>
    v.setUint32(off, v.getUint32(off, true) & ~bits, true);
  clear(IFLAG, IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  clear(OFLAG, OPOST);
  clear(LFLAG, ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  clear(CFLAG, CSIZE | PARENB);
  v.setUint32(CFLAG, v.getUint32(CFLAG, true) | CS8, true);
  t[CC + VMIN] = 1;
  t[CC + VTIME] = 0;
  return t;
}

/**
 * Puts terminal `fd` in raw mode and returns its previous mode; null when `fd` is not a
 * terminal. Throws an ErrnoError when the mode cannot be set.
 */
export function makeRaw(fd: number): SavedTerminal | null {
  const c = libc();
  const termios = new Uint8Array(TERMIOS_SIZE);
  if (c.tcgetattr(fd, termios) !== 0) return null;
  if (c.tcsetattr(fd, TCSANOW, rawTermios(termios)) !== 0) {
    throw new ErrnoError(`tcsetattr ${fd}`, errno());
  }
  return { fd, termios };
}

/** Puts the terminal back into the mode {@linkcode makeRaw} saved. */
export function restoreTerminal(saved: SavedTerminal): void {
  if (libc().tcsetattr(saved.fd, TCSANOW, saved.termios) !== 0) {
    throw new ErrnoError(`tcsetattr ${saved.fd}`, errno());
  }
}
