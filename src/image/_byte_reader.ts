/**
 * Buffered reads from a stream or an open file, counting the bytes consumed; the tar reader's
 * input. Skips over a file seek instead of reading.
 * @module
 */

import type { TarSource } from "./tar_reader.ts";

/** How much one read takes from a file. */
export const READ_SIZE = 1 << 20;

/** Buffered reads from a stream or a file, counting the bytes consumed. */
export class ByteReader {
  offset = 0;
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #next: () => Promise<Uint8Array | null>;
  #file: Deno.FsFile | null;
  #onProgress: ((bytes: number) => void) | undefined;

  constructor(source: TarSource, onProgress?: (bytes: number) => void) {
    this.#onProgress = onProgress;
    if (source instanceof ReadableStream) {
      const reader = source.getReader();
      this.#file = null;
      this.#next = async () => {
        for (;;) {
          const r = await reader.read();
          if (r.done) return null;
          if (r.value.length > 0) return r.value;
        }
      };
    } else {
      const file = source.file;
      this.#file = file;
      this.#next = async () => {
        const buf = new Uint8Array(READ_SIZE);
        const n = await file.read(buf);
        return n === null || n === 0 ? null : buf.subarray(0, n);
      };
    }
  }

  #advance(n: number): void {
    this.offset += n;
    this.#onProgress?.(this.offset);
  }

  /** Up to `max` bytes, without copying; null at end of input. */
  async read(max: number): Promise<Uint8Array | null> {
    if (this.#pos >= this.#buf.length) {
      const chunk = await this.#next();
      if (chunk === null) return null;
      this.#buf = chunk;
      this.#pos = 0;
    }
    const end = Math.min(this.#buf.length, this.#pos + max);
    const out = this.#buf.subarray(this.#pos, end);
    this.#pos = end;
    this.#advance(out.length);
    return out;
  }

  /** Exactly `n` bytes (copied when split across chunks), or fewer at end of input. */
  async readExact(n: number): Promise<Uint8Array> {
    const first = await this.read(n);
    if (first === null || first.length === n) return first ?? new Uint8Array(0);
    const out = new Uint8Array(n);
    out.set(first);
    let have = first.length;
    while (have < n) {
      const more = await this.read(n - have);
      if (more === null) return out.subarray(0, have);
      out.set(more, have);
      have += more.length;
    }
    return out;
  }

  /** Skips `n` bytes; returns how many were actually there. */
  async skip(n: number): Promise<number> {
    let left = n;
    const buffered = Math.min(left, this.#buf.length - this.#pos);
    this.#pos += buffered;
    this.#advance(buffered);
    left -= buffered;
    if (left > 0 && this.#file !== null) {
      const here = await this.#file.seek(0, Deno.SeekMode.Current);
      const end = await this.#file.seek(0, Deno.SeekMode.End);
      const step = Math.min(left, Math.max(0, end - here));
      await this.#file.seek(here + step, Deno.SeekMode.Start);
      this.#advance(step);
      left -= step;
      if (left > 0) return n - left;
    }
    while (left > 0) {
      const chunk = await this.read(Math.min(left, READ_SIZE));
      if (chunk === null) break;
      left -= chunk.length;
    }
    return n - left;
  }
}
