/**
 * Configuration loading, as the seed runtime does it (reference §1.2): built-in defaults, then
 * ONE file decoded over them (`--config`, else the rootless user file, else
 * /etc/skiff/libpod.conf, else /usr/share/skiff/libpod.conf), then the CLI flags.
 * @module
 */

import { ConfigError } from "../define/errors.ts";
import { log } from "../util/logger.ts";
import { applyDecoded, decodeConfigText, type DecodedFile } from "./_decode.ts";
import { configHome, currentHost, dataHome, type HostFacts, rootlessRuntimeDir } from "./host.ts";
import { defaultRuntimeConfig, type RuntimeConfig, type StoragePaths } from "./runtime_config.ts";

/** The global flags that change configuration (podman's persistent flags). */
export interface GlobalFlags {
  config?: string;
  root?: string;
  runroot?: string;
  storageDriver?: string;
  runtime?: string;
  conmon?: string;
  cgroupManager?: string;
  tmpdir?: string;
  cniConfigDir?: string;
  hooksDir?: string[];
  namespace?: string;
  logLevel?: string;
}

/** Which values were set on purpose (by a file or a flag) and so beat the database's. */
export interface ExplicitlySet {
  staticDir: boolean;
  tmpDir: boolean;
  volumePath: boolean;
  graphRoot: boolean;
  runRoot: boolean;
  graphDriver: boolean;
}

/** The one resolved configuration every later step uses. */
export interface ResolvedConfig {
  runtime: RuntimeConfig;
  storage: StoragePaths;
  rootless: boolean;
  /** The real (outside) UID. */
  uid: number;
  /** The rootless runtime dir (exported as XDG_RUNTIME_DIR), or null for root. */
  runtimeDir: string | null;
  /** The file decoded over the defaults, or null when none was found. */
  configFile: string | null;
  explicit: ExplicitlySet;
  /** The shared-memory lock segment name. */
  lockPath: string;
  /** Rootless first run: the user file to create and its content (written after open). */
  pendingUserFile: { path: string; config: RuntimeConfig } | null;
  /** The global flags as given, replayed in the exit command. */
  flags: GlobalFlags;
}

/** The system-wide config file locations (injectable for tests). */
export interface ConfigLocations {
  /** Shipped defaults. @default "/usr/share/skiff/libpod.conf" */
  system: string;
  /** Administrator override; replaces the shipped file. @default "/etc/skiff/libpod.conf" */
  override: string;
}

/** The standard locations. */
export const CONFIG_LOCATIONS: ConfigLocations = {
  system: "/usr/share/skiff/libpod.conf",
  override: "/etc/skiff/libpod.conf",
};

/** Options for {@linkcode loadConfig}. */
export interface LoadOptions {
  host?: HostFacts;
  locations?: ConfigLocations;
}

function readIfExists(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new ConfigError(`reading configuration file ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** Storage and tmp defaults: skiff's own paths, apart from podman's. */
function defaultPaths(host: HostFacts, rootless: boolean) {
  const driver = !rootless && host.overlaySupported ? "overlay" : "vfs";
  if (!rootless) {
    return {
      storage: {
        graphRoot: "/var/lib/skiff/storage",
        runRoot: "/run/skiff/storage",
        graphDriver: driver,
      },
      tmpDir: "/run/skiff/libpod",
      runtimeDir: null,
    };
  }
  const runtimeDir = rootlessRuntimeDir(host);
  return {
    storage: {
      graphRoot: `${dataHome(host)}/skiff/storage`,
      runRoot: `${runtimeDir}/skiff/storage`,
      graphDriver: driver,
    },
    tmpDir: `${runtimeDir}/skiff/libpod/tmp`,
    runtimeDir,
  };
}

/** Keys a rootless user without a file of their own takes from the global file (seed rule). */
const CHERRY_PICKED = [
  "conmonPath",
  "conmonEnvVars",
  "runtimes",
  "runtimePath",
  "cniPluginDir",
  "noPivotRoot",
] as const;

/** Resolves the configuration from defaults, one file and the flags. Writes nothing. */
export function loadConfig(flags: GlobalFlags, options: LoadOptions = {}): ResolvedConfig {
  const host = options.host ?? currentHost();
  const locations = options.locations ?? CONFIG_LOCATIONS;
  const rootless = host.uid !== 0;
  const paths = defaultPaths(host, rootless);
  const storage: StoragePaths = { ...paths.storage };
  let cfg = defaultRuntimeConfig(storage, paths.tmpDir);
  cfg.cgroupManager = host.systemdIsInit && !rootless ? "systemd" : "cgroupfs";

  // Choose exactly one file; the override replaces the shipped file, it does not merge.
  let configFile: string | null = null;
  let decoded: DecodedFile = {};
  let pendingUserFile: ResolvedConfig["pendingUserFile"] = null;
  const userFile = `${configHome(host)}/skiff/libpod.conf`;
  if (flags.config !== undefined) {
    const text = readIfExists(flags.config);
    if (text === null) {
      throw new ConfigError(
        `reading configuration file ${flags.config}: no such file or directory`,
      );
    }
    configFile = flags.config;
    decoded = decodeConfigText(text, flags.config);
  } else {
    const candidates = rootless ? [userFile] : [locations.override, locations.system];
    for (const path of candidates) {
      const text = readIfExists(path);
      if (text === null) continue;
      configFile = path;
      decoded = decodeConfigText(text, path);
      break;
    }
  }
  cfg = applyDecoded(cfg, decoded);

  if (rootless && flags.config === undefined && configFile === null) {
    // No user file yet: take the binary locations from the global file, then write the user
    // file once the runtime has opened (the seed's first-run behaviour).
    for (const path of [locations.override, locations.system]) {
      let text: string | null;
      try {
        text = readIfExists(path);
      } catch {
        continue; // unreadable: try the next, as the seed does
      }
      if (text === null) continue;
      const global = decodeConfigText(text, path);
      const picked: DecodedFile = {};
      for (const f of CHERRY_PICKED) {
        if (global[f] !== undefined) (picked as Record<string, unknown>)[f] = global[f];
      }
      cfg = applyDecoded(cfg, picked);
      break;
    }
    pendingUserFile = { path: userFile, config: structuredClone(cfg) };
  }

  translateRuntimePath(cfg, host);

  const explicit: ExplicitlySet = {
    staticDir: (decoded.staticDir ?? "") !== "",
    tmpDir: (decoded.tmpDir ?? "") !== "",
    volumePath: (decoded.volumePath ?? "") !== "",
    graphRoot: false,
    runRoot: false,
    graphDriver: false,
  };
  // A file that moves only the static dir keeps volumes under the graph root, as in the seed.
  applyFlags(cfg, storage, explicit, flags);
  validate(cfg, configFile);

  const lockOverride = host.env.SKIFF_LOCK_SEGMENT;
  return {
    runtime: cfg,
    storage,
    rootless,
    uid: host.uid,
    runtimeDir: paths.runtimeDir,
    configFile,
    explicit,
    lockPath: lockOverride || (rootless ? `/skiff_rootless_lock_${host.uid}` : "/skiff_lock"),
    pendingUserFile,
    flags,
  };
}

/** runtime_path (deprecated) becomes runtime + runtimes, with a warning. */
function translateRuntimePath(cfg: RuntimeConfig, host: HostFacts): void {
  if (!cfg.runtimePath || cfg.runtimePath.length === 0) return;
  // The re-executed rootless child would print it a second time.
  if (host.env._SKIFF_ROOTLESS_UID === undefined) {
    log.warn(
      "runtime_path in the configuration is deprecated: set runtime and [runtimes] instead;" +
        " runtime_path takes precedence while both are set",
    );
  }
  const first = cfg.runtimePath[0]!;
  const name = first.slice(first.lastIndexOf("/") + 1);
  cfg.runtime = name;
  cfg.runtimes = { [name]: [...cfg.runtimePath] };
}

function applyFlags(
  cfg: RuntimeConfig,
  storage: StoragePaths,
  explicit: ExplicitlySet,
  flags: GlobalFlags,
): void {
  if (flags.root !== undefined) {
    storage.graphRoot = flags.root;
    // As the seed's CLI does: a graph root moves the static dir and volumes with it.
    cfg.staticDir = `${flags.root}/libpod`;
    cfg.volumePath = `${flags.root}/volumes`;
    explicit.graphRoot = explicit.staticDir = explicit.volumePath = true;
  }
  if (flags.runroot !== undefined) {
    storage.runRoot = flags.runroot;
    explicit.runRoot = true;
  }
  if (flags.storageDriver !== undefined) {
    storage.graphDriver = flags.storageDriver;
    explicit.graphDriver = true;
  }
  if (flags.runtime !== undefined) cfg.runtime = flags.runtime;
  if (flags.conmon !== undefined) cfg.conmonPath = [flags.conmon];
  if (flags.cgroupManager !== undefined) cfg.cgroupManager = flags.cgroupManager;
  if (flags.tmpdir !== undefined) {
    cfg.tmpDir = flags.tmpdir;
    explicit.tmpDir = true;
  }
  if (flags.cniConfigDir !== undefined) cfg.cniConfigDir = flags.cniConfigDir;
  if (flags.hooksDir !== undefined) cfg.hooksDir = [...flags.hooksDir];
  if (flags.namespace !== undefined) cfg.namespace = flags.namespace;
}

function validate(cfg: RuntimeConfig, file: string | null): void {
  const where = file ? ` (configuration file ${file})` : "";
  if (cfg.cgroupManager !== "cgroupfs" && cfg.cgroupManager !== "systemd") {
    throw new ConfigError(
      `invalid cgroup manager "${cfg.cgroupManager}": must be "cgroupfs" or "systemd"${where}`,
    );
  }
  if (cfg.numLocks <= 0) {
    throw new ConfigError(`invalid num_locks ${cfg.numLocks}: must be at least 1${where}`);
  }
  for (const [name, value] of [["static_dir", cfg.staticDir], ["tmp_dir", cfg.tmpDir]]) {
    if (value && !value.startsWith("/")) {
      throw new ConfigError(`invalid ${name} "${value}": must be an absolute path${where}`);
    }
  }
}
