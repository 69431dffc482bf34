/**
 * The one place that starts child processes for short-lived helpers (runc, ip, tar, CNI
 * plugins …). Arguments are an argv array and never pass through a shell; a failure becomes a
 * {@linkcode CommandError} that carries the command's stderr.
 * @module
 */

import { CommandError } from "../define/errors.ts";
import { log } from "../util/logger.ts";

/** Options for {@linkcode runCommand}. */
export interface RunOptions {
  /** Extra environment variables (merged over the inherited environment unless `clearEnv`). */
  env?: Record<string, string>;
  /** Start from an empty environment. @default false */
  clearEnv?: boolean;
  /** Bytes or text written to the child's stdin, which is then closed. */
  stdin?: string | Uint8Array;
  /** Working directory of the child. */
  cwd?: string;
  /** Return a non-zero exit instead of throwing. @default false */
  allowFailure?: boolean;
  /** Let the child inherit stdout and stderr instead of capturing them. @default false */
  inherit?: boolean;
}

/** What a finished child produced. */
export interface RunResult {
  code: number;
  /** The signal that ended the child, if one did. */
  signal: string | null;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** stdout decoded as UTF-8. */
  text: string;
  /** stderr decoded as UTF-8. */
  errText: string;
}

const decoder = new TextDecoder();

/**
 * Options for tools whose behaviour the caller's environment could change (tar, zstd):
 * nothing inherited, since GNU tar takes extra options from TAR_OPTIONS (and zstd from
 * ZSTD_*); pax names are UTF-8, and a UTF-8 locale makes tar write them byte for byte.
 */
export function toolEnv(): { env: Record<string, string>; clearEnv: true } {
  return {
    env: { PATH: Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C.UTF-8" },
    clearEnv: true,
  };
}

/** Runs `argv` to completion and returns its output; throws CommandError on a non-zero exit. */
export async function runCommand(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const [program, ...args] = argv;
  if (!program) throw new TypeError("runCommand: empty argv");
  log.debug("running command", { argv: argv.join(" ") });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args,
      env: options.env ?? {},
      clearEnv: options.clearEnv ?? false,
      cwd: options.cwd,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: options.inherit ? "inherit" : "piped",
      stderr: options.inherit ? "inherit" : "piped",
    }).spawn();
  } catch (e) {
    const what = e instanceof Deno.errors.NotFound ? "executable file not found" : String(e);
    throw new CommandError(`running ${program}: ${what}`, 127, "");
  }
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    const data = typeof options.stdin === "string"
      ? new TextEncoder().encode(options.stdin)
      : options.stdin;
    // A child that exits without reading its stdin closes the pipe; that is not our error.
    await w.write(data).catch(() => {});
    await w.close().catch(() => {});
  }
  const out = await child.output();
  const res: RunResult = {
    code: out.code,
    signal: out.signal,
    stdout: out.stdout ?? new Uint8Array(),
    stderr: out.stderr ?? new Uint8Array(),
    get text() {
      return decoder.decode(this.stdout);
    },
    get errText() {
      return decoder.decode(this.stderr);
    },
  };
  if (out.code !== 0 && !options.allowFailure) {
    const err = res.errText.trim() || res.text.trim();
    throw new CommandError(
      `${program} ${args.slice(0, 3).join(" ")}${args.length > 3 ? " …" : ""} failed` +
        ` (exit ${out.code})${err ? `: ${err}` : ""}`,
      out.code,
      res.errText,
    );
  }
  return res;
}

/** Runs `argv` and returns its trimmed stdout (throws on failure). */
export async function commandOutput(argv: string[], options: RunOptions = {}): Promise<string> {
  return (await runCommand(argv, options)).text.trim();
}
