/**
 * Reads conmon's k8s-file logs. Each line is
 * `<RFC3339 time, 9 fraction digits, numeric offset> <stdout|stderr> <F|P> <data>`: F ends a
 * line, P is a chunk without a newline (conmon adds one to the file). A P chunk is joined with
 * the stream's next line and the joined line takes that line's time, as podman does.
 *
 * conmon's `--log-size-max` rotation writes `<log>.tmp` and renames it over the log, so a
 * follower watches the path: a new inode means "read the rest of the old file, then start the
 * new one from the top"; a file shorter than what was read means it was truncated in place.
 * @module
 */

/** One logical log line. */
export interface LogLine {
  /** When conmon read the output (millisecond precision; `timeText` has all of it). */
  time: Date;
  /** The timestamp as written, e.g. `2026-11-29T07:52:28.981136148+00:00`. */
  timeText: string;
  stream: "stdout" | "stderr";
  /** True only for output that never got its newline (the container ended mid-line). */
  partial: boolean;
  /** The text without its trailing newline. */
  text: string;
}

/** Options for {@linkcode readLogs}. */
export interface ReadLogsOptions {
  /** Keep reading new output until `stopWhen` resolves (or `until` passed). @default false */
  follow?: boolean;
  /** Only lines written after this time. */
  since?: Date;
  /** Only lines written before this time; following stops once it passed. */
  until?: Date;
  /** Only the last N lines already in the file (then, when following, everything new). */
  tail?: number;
  /** Stop following when this resolves (the container exited); the rest is read first. */
  stopWhen?: Promise<void>;
  /** How often a follower looks for new output. @default 100 */
  pollMs?: number;
}

/** One physical line of the file. */
interface RawLine {
  timeText: string;
  stream: "stdout" | "stderr";
  partial: boolean;
  data: string;
}

const LINE = /^(\S+) (stdout|stderr) ([FP])(?: (.*))?$/s;
const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Parses one line of a k8s-file log (without its newline); null when it is not one. */
export function parseLogLine(line: string): RawLine | null {
  const m = LINE.exec(line);
  if (!m || !TIME.test(m[1]!)) return null;
  return {
    timeText: m[1]!,
    stream: m[2] as "stdout" | "stderr",
    partial: m[3] === "P",
    data: m[4] ?? "",
  };
}

/** A k8s-file timestamp in nanoseconds since the epoch (exact, unlike a Date). */
export function logTimeNanos(timeText: string): bigint {
  const m = TIME.exec(timeText);
  if (!m) throw new SyntaxError(`invalid log timestamp "${timeText}"`);
  const seconds = Date.parse(`${m[1]}${m[3]}`) / 1000;
  return BigInt(seconds) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** Joins P chunks with their stream's next line. */
class Joiner {
  #pending = new Map<string, string>();
  /** The time of each stream's latest P chunk, for output that never gets its newline. */
  #lastTime = new Map<string, string>();

  /** Feeds one physical line; returns the logical line it completes, if any. */
  push(raw: RawLine): LogLine | null {
    const text = (this.#pending.get(raw.stream) ?? "") + raw.data;
    if (raw.partial) {
      this.#pending.set(raw.stream, text);
      this.#lastTime.set(raw.stream, raw.timeText);
      return null;
    }
    this.#pending.delete(raw.stream);
    return logLine(raw.timeText, raw.stream, text, false);
  }

  /** What is left unjoined, as partial lines (the output ended without a newline). */
  flush(): LogLine[] {
    const out: LogLine[] = [];
    for (const [stream, text] of this.#pending) {
      const t = this.#lastTime.get(stream)!;
      out.push(logLine(t, stream as "stdout" | "stderr", text, true));
    }
    this.#pending.clear();
    return out;
  }

  /** Forgets unjoined chunks (the file was replaced under us). */
  reset(): void {
    this.#pending.clear();
  }
}

function logLine(
  timeText: string,
  stream: "stdout" | "stderr",
  text: string,
  partial: boolean,
): LogLine {
  const ms = Number(logTimeNanos(timeText) / 1_000_000n);
  return { time: new Date(ms), timeText, stream, partial, text };
}

/** Reads a growing file line by line, across rotation and truncation. */
class FileFollower {
  #path: string;
  #file: Deno.FsFile | null = null;
  #ino: number | null = null;
  #pos = 0;
  #rest = new Uint8Array(0);
  #decoder = new TextDecoder();

  constructor(path: string) {
    this.#path = path;
  }

  /** Opens the file if it exists; false when it does not (yet). */
  async open(): Promise<boolean> {
    try {
      this.#file = await Deno.open(this.#path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
    this.#ino = (await this.#file.stat()).ino;
    this.#pos = 0;
    this.#rest = new Uint8Array(0);
    return true;
  }

  get isOpen(): boolean {
    return this.#file !== null;
  }

  /** Every complete line written since the last call. */
  async *lines(): AsyncGenerator<string> {
    if (!this.#file) return;
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await this.#file.read(buf);
      if (n === null || n === 0) return;
      this.#pos += n;
      let data = buf.subarray(0, n);
      if (this.#rest.length) {
        const joined = new Uint8Array(this.#rest.length + n);
        joined.set(this.#rest);
        joined.set(data, this.#rest.length);
        data = joined;
      }
      let start = 0;
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
        yield this.#decoder.decode(data.subarray(start, nl));
        start = nl + 1;
      }
      this.#rest = data.slice(start);
    }
  }

  /** What happened to the path since we opened it. */
  async check(): Promise<"same" | "replaced" | "truncated" | "missing"> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(this.#path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return "missing";
      throw e;
    }
    if (this.#file === null) return "replaced";
    if (info.ino !== this.#ino) return "replaced";
    return info.size < this.#pos ? "truncated" : "same";
  }

  /** Starts over at the top of the same file (it was truncated). */
  async rewind(): Promise<void> {
    await this.#file?.seek(0, Deno.SeekMode.Start);
    this.#pos = 0;
    this.#rest = new Uint8Array(0);
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/**
 * Yields the logical lines of the k8s-file log at `path`, filtered by `since`/`until`, the last
 * `tail` of them, and, with `follow`, new ones as they are written. A missing file yields
 * nothing unless following, which waits for it.
 */
export async function* readLogs(
  path: string,
  options: ReadLogsOptions = {},
): AsyncGenerator<LogLine> {
  const since = options.since ? BigInt(options.since.getTime()) * 1_000_000n : null;
  const until = options.until ? BigInt(options.until.getTime()) * 1_000_000n : null;
  const wanted = (l: LogLine): boolean => {
    const ns = logTimeNanos(l.timeText);
    return (since === null || ns > since) && (until === null || ns < until);
  };
  const joiner = new Joiner();
  const file = new FileFollower(path);
  async function* fresh(): AsyncGenerator<LogLine> {
    for await (const text of file.lines()) {
      const raw = parseLogLine(text);
      const l = raw && joiner.push(raw);
      if (l) yield l;
    }
  }
  let stopped = false;
  options.stopWhen?.then(() => stopped = true, () => stopped = true);
  try {
    const tail = options.tail !== undefined && options.tail >= 0 ? options.tail : null;
    if (await file.open()) {
      if (tail === null) {
        for await (const l of fresh()) if (wanted(l)) yield l;
      } else {
        // what is already there, cut to the last `tail` lines
        const last: LogLine[] = [];
        for await (const l of fresh()) {
          last.push(l);
          if (last.length > tail * 2 + 1024) last.splice(0, last.length - tail);
        }
        // A line the joiner still holds (nothing followed it yet) is the newest one: count it.
        if (!options.follow) last.push(...joiner.flush());
        for (const l of tail === 0 ? [] : last.slice(-tail)) if (wanted(l)) yield l;
      }
    }
    if (options.follow) {
      for await (const l of follow(file, joiner, fresh, () => stopped, options)) {
        // lines come in time order: once one is past `until`, so is everything after it
        if (until !== null && logTimeNanos(l.timeText) >= until) return;
        if (wanted(l)) yield l;
      }
    }
  } finally {
    file.close();
  }
  for (const l of joiner.flush()) if (wanted(l)) yield l;
}

/** The follow loop of {@linkcode readLogs}: polls for new lines, rotation and truncation. */
async function* follow(
  file: FileFollower,
  joiner: Joiner,
  fresh: () => AsyncGenerator<LogLine>,
  stopped: () => boolean,
  options: ReadLogsOptions,
): AsyncGenerator<LogLine> {
  const until = options.until?.getTime();
  for (;;) {
    // read once more after the stop signal: the last output may have landed just before it
    const last = stopped() || (until !== undefined && Date.now() > until);
    yield* fresh();
    const what = await file.check();
    if (what === "replaced") {
      // rotation: the old file was read to its end above; the new one starts from the top
      file.close();
      joiner.reset();
      if (await file.open()) continue;
    } else if (what === "truncated") {
      joiner.reset();
      await file.rewind();
      continue;
    }
    if (last) return;
    await sleep(options.pollMs ?? 100, options.stopWhen);
  }
}

function sleep(ms: number, wake?: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<void>((r) => timer = setTimeout(r, ms));
  return Promise.race([t, ...(wake ? [wake.catch(() => {})] : [])]).finally(() =>
    clearTimeout(timer)
  );
}
