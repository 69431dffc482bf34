/** podman's persistent flags: accepted before or after any command word. */

import type { GlobalFlags } from "../config/mod.ts";
import type { FlagSpec, FlagValues } from "./flags.ts";

/** The global flags, in help order. */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "cgroup-manager", type: "string", help: 'Cgroup manager to use ("cgroupfs"|"systemd")' },
  {
    name: "cni-config-dir",
    type: "string",
    help: "Path of the configuration directory for CNI networks",
  },
  {
    name: "config",
    type: "string",
    help: "Path of a libpod config file detailing container server configuration options",
  },
  { name: "conmon", type: "string", help: "Path of the conmon binary" },
  {
    name: "hooks-dir",
    type: "stringArray",
    help: "Set the OCI hooks directory path (may be set multiple times)",
  },
  {
    name: "log-level",
    type: "string",
    default: "warn",
    help: "Log messages above specified level (debug, info, warn, error, fatal, panic)",
  },
  {
    name: "namespace",
    type: "string",
    help:
      "Set the libpod namespace, used to create separate views of the containers and pods on the system",
  },
  {
    name: "root",
    type: "string",
    help: "Path to the root directory in which data, including images, is stored",
  },
  {
    name: "runroot",
    type: "string",
    help: "Path to the 'run directory' where all state information is stored",
  },
  {
    name: "runtime",
    type: "string",
    help: "Path to the OCI-compatible binary used to run containers, or its name in [runtimes]",
  },
  {
    name: "storage-driver",
    type: "string",
    help:
      "Select which storage driver is used to manage storage of images and containers (overlay, vfs)",
  },
  { name: "tmpdir", type: "string", help: "Path to the tmp directory for libpod state content" },
];

const GLOBAL_NAMES = new Set(GLOBAL_FLAGS.map((f) => f.name));

/** True when `name` is a global flag. */
export function isGlobalFlag(name: string): boolean {
  return GLOBAL_NAMES.has(name);
}

/** Converts parsed global flag values into the config loader's shape. */
export function toGlobalFlags(values: FlagValues): GlobalFlags {
  const s = (k: string) => values.get(k) as string | undefined;
  const g: GlobalFlags = {};
  if (s("config") !== undefined) g.config = s("config");
  if (s("root") !== undefined) g.root = s("root");
  if (s("runroot") !== undefined) g.runroot = s("runroot");
  if (s("storage-driver") !== undefined) g.storageDriver = s("storage-driver");
  if (s("runtime") !== undefined) g.runtime = s("runtime");
  if (s("conmon") !== undefined) g.conmon = s("conmon");
  if (s("cgroup-manager") !== undefined) g.cgroupManager = s("cgroup-manager");
  if (s("tmpdir") !== undefined) g.tmpdir = s("tmpdir");
  if (s("cni-config-dir") !== undefined) g.cniConfigDir = s("cni-config-dir");
  if (values.has("hooks-dir")) g.hooksDir = values.get("hooks-dir") as string[];
  if (s("namespace") !== undefined) g.namespace = s("namespace");
  if (s("log-level") !== undefined) g.logLevel = s("log-level");
  return g;
}
