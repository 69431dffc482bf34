/**
 * Configuration: the seed's libpod.conf keys and defaults, loading with its precedence rules,
 * binary lookup, registries.conf, and the first rootless write.
 * @module
 */

export * from "./runtime_config.ts";
export * from "./host.ts";
export * from "./load.ts";
export * from "./binaries.ts";
export * from "./user_file.ts";
export * from "./registries.ts";
export * from "./global_args.ts";
