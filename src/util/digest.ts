/** Hex encoding and SHA digests of small in-memory values (IDs, chain IDs, image configs). */

/** Lowercase hex of `bytes`. */
export function hex(bytes: Uint8Array | ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of `data` (a string is hashed as UTF-8). */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}
