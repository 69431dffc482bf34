/**
 * The runtime's public API: everything the CLI may call.
 * @module
 */

export { type OpenOptions, Runtime } from "./runtime.ts";
export { runtimeInfo, versionInfo } from "./info.ts";
