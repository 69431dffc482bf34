/** Yes/no questions on the terminal (prune and friends). */

import { writeErr } from "./output.ts";

/** Asks `question` and reads one line from stdin; true only for y/yes. */
export async function confirm(question: string): Promise<boolean> {
  writeErr(question);
  const buf = new Uint8Array(256);
  const n = await Deno.stdin.read(buf);
  const answer = n ? new TextDecoder().decode(buf.subarray(0, n)).trim().toLowerCase() : "";
  return answer === "y" || answer === "yes";
}
