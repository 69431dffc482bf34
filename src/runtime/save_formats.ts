/** The formats `save --format` accepts. */
export const SAVE_FORMATS = ["docker-archive", "oci-archive", "oci-dir"] as const;

/** One of {@linkcode SAVE_FORMATS}. */
export type SaveFormat = typeof SAVE_FORMATS[number];
