/**
 * The Runtime: the only layer that coordinates configuration, state, locks, storage, the OCI
 * runtime and networking. `Runtime.open()` follows the seed's start-up order.
 * @module
 */

import {
  findConmon,
  findOciRuntime,
  type OciRuntimeLocation,
  type ResolvedConfig,
  writePendingUserFile,
} from "../config/mod.ts";
import { log } from "../util/logger.ts";

/** Options for {@linkcode Runtime.open}. */
export interface OpenOptions {
  /** Skip locating runc and conmon (unit tests of state-only behaviour). @default false */
  skipBinaries?: boolean;
}

/** Counts shown by `skiff info`. */
export interface StoreCounts {
  containers: { number: number; paused: number; running: number; stopped: number };
  images: number;
  locks: { path: string; total: number; used: number; free: number } | null;
}

/** An open runtime. Call {@linkcode Runtime.shutdown} when done. */
export class Runtime {
  readonly config: ResolvedConfig;
  readonly ociRuntime: OciRuntimeLocation;
  readonly conmonPath: string;
  #open = true;

  private constructor(config: ResolvedConfig, oci: OciRuntimeLocation, conmon: string) {
    this.config = config;
    this.ociRuntime = oci;
    this.conmonPath = conmon;
  }

  /** Opens the runtime: config → OCI runtime and conmon → static dir → … → ready. */
  static async open(config: ResolvedConfig, options: OpenOptions = {}): Promise<Runtime> {
    const oci = options.skipBinaries
      ? { name: config.runtime.runtime, path: "" }
      : findOciRuntime(config.runtime);
    const conmon = options.skipBinaries ? "" : findConmon(config.runtime);
    await Deno.mkdir(config.runtime.staticDir, { recursive: true, mode: 0o700 });
    const rt = new Runtime(config, oci, conmon);
    // Only once everything opened: a failed first run must leave no user file behind.
    await writePendingUserFile(config);
    log.debug("runtime ready", {
      graphRoot: config.storage.graphRoot,
      runRoot: config.storage.runRoot,
      staticDir: config.runtime.staticDir,
      tmpDir: config.runtime.tmpDir,
      volumePath: config.runtime.volumePath,
      graphDriver: config.storage.graphDriver,
    });
    return rt;
  }

  /** Object counts for `info` (the state and image store fill these in). */
  storeCounts(): Promise<StoreCounts> {
    return Promise.resolve({
      containers: { number: 0, paused: 0, running: 0, stopped: 0 },
      images: 0,
      locks: null,
    });
  }

  /** True until {@linkcode shutdown} has run. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Closes the runtime. */
  shutdown(_force = false): Promise<void> {
    this.#open = false;
    return Promise.resolve();
  }
}
