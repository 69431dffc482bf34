/** Signal names and numbers (`--stop-signal`, `kill -s`, an image's StopSignal). */

import { UsageError } from "../define/errors.ts";

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGSTOP: 19,
  SIGWINCH: 28,
  SIGPWR: 30,
};

/** Parses a signal name or number (`TERM`, `SIGTERM`, `15`); UsageError otherwise. */
export function parseSignal(s: string): number {
  if (/^\d+$/.test(s) && Number(s) > 0 && Number(s) < 65) return Number(s);
  const name = s.toUpperCase().startsWith("SIG") ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
  const n = SIGNALS[name] ??
    (/^SIGRTMIN\+(\d+)$/.exec(name) ? 34 + Number(name.slice(9)) : undefined);
  if (n === undefined) throw new UsageError(`invalid signal: ${s}`);
  return n;
}
