/**
 * Go's `time.Duration.String()`, which podman prints for `top`'s ELAPSED and TIME columns and
 * `stats`' CPU TIME: `0s`, `850ns`, `1.5µs`, `83.325736ms`, `6.791418677s`, `2m3.5s`, `1h0m0s`.
 * @module
 */

const NS_PER_US = 1000n;
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const NS_PER_MIN = 60n * NS_PER_S;
const NS_PER_H = 60n * NS_PER_MIN;

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return `${whole}`;
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, "0").replace(/0+$/, "")}`;
}

/** Formats a duration in nanoseconds the way Go prints a `time.Duration`. */
export function goDuration(nanoseconds: bigint | number): string {
  let ns = typeof nanoseconds === "bigint" ? nanoseconds : BigInt(Math.round(nanoseconds));
  if (ns === 0n) return "0s";
  const sign = ns < 0n ? "-" : "";
  if (ns < 0n) ns = -ns;
  if (ns < NS_PER_US) return `${sign}${ns}ns`;
  if (ns < NS_PER_MS) return `${sign}${fraction(ns, NS_PER_US)}µs`;
  if (ns < NS_PER_S) return `${sign}${fraction(ns, NS_PER_MS)}ms`;
  const h = ns / NS_PER_H;
  const m = (ns % NS_PER_H) / NS_PER_MIN;
  const s = `${fraction(ns % NS_PER_MIN, NS_PER_S)}s`;
  if (h > 0n) return `${sign}${h}h${m}m${s}`;
  if (m > 0n) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}
