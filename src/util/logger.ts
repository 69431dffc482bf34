/**
 * A logrus-style logger: `time="…" level=warning msg="…" key=value` lines on stderr, written
 * synchronously so that nothing is lost when the process exits right after logging.
 * @module
 */

/** The levels `--log-level` accepts (podman's names; `warn` is an alias of `warning`). */
export type LogLevel = "debug" | "info" | "warning" | "error" | "fatal" | "panic";

const ORDER: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  fatal: 50,
  panic: 60,
};
const encoder = new TextEncoder();
let threshold = ORDER.warning;
let current: LogLevel = "warning";

/** Parses a `--log-level` value; throws a TypeError naming the value when it is unknown. */
export function parseLogLevel(value: string): LogLevel {
  const v = value.toLowerCase() === "warn" ? "warning" : value.toLowerCase();
  if (!(v in ORDER)) {
    throw new TypeError(
      `log level "${value}" not supported, choose from: debug, info, warn, error, fatal, panic`,
    );
  }
  return v as LogLevel;
}

/** Sets the threshold below which messages are dropped. */
export function setLogLevel(level: LogLevel): void {
  current = level;
  threshold = ORDER[level];
}

/** The current threshold, passed on to child skiff processes (the exit command). */
export function logLevel(): LogLevel {
  return current;
}

function formatValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === "string" ? v : JSON.stringify(v);
  return /[\s"=]/.test(s ?? "") || s === "" ? JSON.stringify(s) : String(s);
}

function write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold) return;
  let line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  if (fields) { for (const [k, v] of Object.entries(fields)) line += ` ${k}=${formatValue(v)}`; }
  try {
    Deno.stderr.writeSync(encoder.encode(line + "\n"));
  } catch {
    // stderr closed (e.g. the exit command of a detached container): nothing to tell anyone
  }
}

/** The process-wide logger. */
export const log = {
  debug: (msg: string, fields?: Record<string, unknown>): void => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>): void => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>): void => write("warning", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>): void => write("error", msg, fields),
  /** True when messages of `level` are printed (to skip building expensive debug output). */
  enabled: (level: LogLevel): boolean => ORDER[level] >= threshold,
};
