/** Random 64-hex IDs for containers, pods and exec sessions. */

import { hex } from "./digest.ts";

/** A new 64-character lowercase hex ID that is not all digits (docker/podman rule). */
export function newId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const id = hex(bytes);
    // An all-numeric short ID would be mistaken for a number by some tools.
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}
