/**
 * The seed runtime's `libpod.conf` keys, their TypeScript fields, types and built-in defaults.
 * One table drives decoding, type checking, the first-run write and the documentation test.
 * @module
 */

/** Every libpod.conf key of the seed (plus network_cmd_path), as camelCase fields. */
export interface RuntimeConfig {
  volumePath: string;
  imageDefaultTransport: string;
  signaturePolicyPath: string;
  runtime: string;
  runtimes: Record<string, string[]>;
  /** Deprecated: translated into `runtime` + `runtimes` when set. */
  runtimePath: string[] | null;
  conmonPath: string[];
  conmonEnvVars: string[];
  cgroupManager: string;
  initPath: string;
  staticDir: string;
  tmpDir: string;
  maxLogSize: number;
  noPivotRoot: boolean;
  cniConfigDir: string;
  cniPluginDir: string[];
  cniDefaultNetwork: string;
  hooksDir: string[] | null;
  namespace: string;
  infraImage: string;
  infraCommand: string;
  enablePortReservation: boolean;
  label: boolean;
  numLocks: number;
  networkCmdPath: string;
}

/** The TOML value type a key accepts. */
export type KeyType = "string" | "bool" | "int" | "strings" | "runtimes";

/** One row of the key table. */
export interface KeySpec {
  key: string;
  field: keyof RuntimeConfig;
  type: KeyType;
  /** May be absent from an encoded file (Go `omitempty`). */
  omitEmpty?: boolean;
}

/** The key table, in the seed's struct order. */
export const KEYS: readonly KeySpec[] = [
  { key: "volume_path", field: "volumePath", type: "string" },
  { key: "image_default_transport", field: "imageDefaultTransport", type: "string" },
  { key: "signature_policy_path", field: "signaturePolicyPath", type: "string", omitEmpty: true },
  { key: "runtime", field: "runtime", type: "string" },
  { key: "runtimes", field: "runtimes", type: "runtimes" },
  { key: "runtime_path", field: "runtimePath", type: "strings", omitEmpty: true },
  { key: "conmon_path", field: "conmonPath", type: "strings" },
  { key: "conmon_env_vars", field: "conmonEnvVars", type: "strings" },
  { key: "cgroup_manager", field: "cgroupManager", type: "string" },
  { key: "init_path", field: "initPath", type: "string" },
  { key: "static_dir", field: "staticDir", type: "string" },
  { key: "tmp_dir", field: "tmpDir", type: "string" },
  { key: "max_log_size", field: "maxLogSize", type: "int", omitEmpty: true },
  { key: "no_pivot_root", field: "noPivotRoot", type: "bool" },
  { key: "cni_config_dir", field: "cniConfigDir", type: "string" },
  { key: "cni_plugin_dir", field: "cniPluginDir", type: "strings" },
  { key: "cni_default_network", field: "cniDefaultNetwork", type: "string", omitEmpty: true },
  { key: "hooks_dir", field: "hooksDir", type: "strings", omitEmpty: true },
  { key: "namespace", field: "namespace", type: "string", omitEmpty: true },
  { key: "infra_image", field: "infraImage", type: "string" },
  { key: "infra_command", field: "infraCommand", type: "string" },
  { key: "enable_port_reservation", field: "enablePortReservation", type: "bool" },
  { key: "label", field: "label", type: "bool" },
  { key: "num_locks", field: "numLocks", type: "int", omitEmpty: true },
  { key: "network_cmd_path", field: "networkCmdPath", type: "string", omitEmpty: true },
];

/** Where the OCI runtime is searched for by default (the seed's list). */
export const DEFAULT_RUNC_PATHS = [
  "/usr/bin/runc",
  "/usr/sbin/runc",
  "/usr/local/bin/runc",
  "/usr/local/sbin/runc",
  "/sbin/runc",
  "/bin/runc",
  "/usr/lib/cri-o-runc/sbin/runc",
];

/** Where conmon is searched for by default (the seed's list). */
export const DEFAULT_CONMON_PATHS = [
  "/usr/libexec/podman/conmon",
  "/usr/libexec/crio/conmon",
  "/usr/local/lib/podman/conmon",
  "/usr/local/libexec/crio/conmon",
  "/usr/bin/conmon",
  "/usr/sbin/conmon",
  "/usr/lib/crio/bin/conmon",
];

/** Where CNI plugins are searched for by default (the seed's list). */
export const DEFAULT_CNI_PLUGIN_DIRS = [
  "/usr/libexec/cni",
  "/usr/lib/cni",
  "/usr/local/lib/cni",
  "/opt/cni/bin",
];

/** skiff's default network name (its own bridge and subnet, apart from podman's). */
export const DEFAULT_NETWORK = "skiff";

/** Storage locations a runtime config does not hold (podman's storage.conf part). */
export interface StoragePaths {
  graphRoot: string;
  runRoot: string;
  graphDriver: string;
}

/**
 * Built-in defaults for the given storage paths. `tmpDir` is filled in by the loader (it
 * depends on root vs rootless), as in the seed.
 */
export function defaultRuntimeConfig(storage: StoragePaths, tmpDir: string): RuntimeConfig {
  return {
    volumePath: `${storage.graphRoot}/volumes`,
    imageDefaultTransport: "docker://",
    signaturePolicyPath: "",
    runtime: "runc",
    runtimes: { runc: [...DEFAULT_RUNC_PATHS] },
    runtimePath: null,
    conmonPath: [...DEFAULT_CONMON_PATHS],
    conmonEnvVars: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    cgroupManager: "cgroupfs",
    // Debian ships catatonit here; the seed's /usr/libexec/podman/catatonit does not exist.
    initPath: "/usr/bin/catatonit",
    staticDir: `${storage.graphRoot}/libpod`,
    tmpDir,
    maxLogSize: -1,
    noPivotRoot: false,
    cniConfigDir: "/etc/cni/net.d/",
    cniPluginDir: [...DEFAULT_CNI_PLUGIN_DIRS],
    cniDefaultNetwork: DEFAULT_NETWORK,
    hooksDir: null,
    namespace: "",
    infraImage: "localhost/skiff-pause:latest",
    infraCommand: "/pause",
    enablePortReservation: true,
    label: true,
    numLocks: 2048,
    networkCmdPath: "",
  };
}
