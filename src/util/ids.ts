/** Random 64-hex IDs for containers, pods and exec sessions, and their short forms. */

/** A new 64-character lowercase hex ID that is not all digits (docker/podman rule). */
export function newId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    // An all-numeric short ID would be mistaken for a number by some tools.
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

/** The 12-character short form of an ID. */
export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** True when `s` is a full 64-hex ID. */
export function isFullId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
