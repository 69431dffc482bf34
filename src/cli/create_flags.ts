/**
 * The flags `create` and `run` share, and their conversion into the runtime's CreateOptions.
 * Every malformed value is refused here, naming the flag and the value.
 * @module
 */

import type { NetworkOptions, PortMapping, Ulimit } from "../define/container.ts";
import { UsageError } from "../define/errors.ts";
import type { CreateOptions } from "../runtime/mod.ts";
import { parseSignal } from "../runtime/mod.ts";
import type { Flags } from "./command.ts";
import type { FlagSpec } from "./flags.ts";

/** The flags of `create` (and `run`, which adds a few). */
export const CREATE_FLAGS: FlagSpec[] = [
  { name: "add-host", type: "stringArray", help: "Add a custom host-to-IP mapping (host:ip)" },
  { name: "annotation", type: "stringArray", help: "Add annotations to container (key=value)" },
  { name: "cap-add", type: "stringArray", help: "Add capabilities to the container" },
  { name: "cap-drop", type: "stringArray", help: "Drop capabilities from the container" },
  { name: "dns", type: "stringArray", help: "Set custom DNS servers" },
  { name: "dns-search", type: "stringArray", help: "Set custom DNS search domains" },
  { name: "entrypoint", type: "string", help: "Overwrite the default ENTRYPOINT of the image" },
  { name: "env", short: "e", type: "stringArray", help: "Set environment variables in container" },
  { name: "env-file", type: "stringArray", help: "Read in a file of environment variables" },
  { name: "hostname", short: "h", type: "string", help: "Set container hostname" },
  {
    name: "init",
    type: "bool",
    help: "Run an init binary inside the container that forwards signals and reaps processes",
  },
  { name: "interactive", short: "i", type: "bool", help: "Keep STDIN open even if not attached" },
  { name: "ip", type: "string", help: "Specify a static IPv4 address for the container" },
  { name: "label", short: "l", type: "stringArray", help: "Set metadata on container" },
  { name: "name", type: "string", help: "Assign a name to the container" },
  {
    name: "network",
    type: "string",
    help: "Connect a container to a network (bridge, none, host, container:ID, NAME)",
  },
  { name: "net", type: "string", help: "Alias of --network", hidden: true },
  { name: "pids-limit", type: "int", help: "Tune container pids limit (set -1 for unlimited)" },
  { name: "privileged", type: "bool", help: "Give extended privileges to container" },
  {
    name: "publish",
    short: "p",
    type: "stringArray",
    help: "Publish a container's port, or a range of ports, to the host",
  },
  {
    name: "publish-all",
    short: "P",
    type: "bool",
    help: "Publish all exposed ports to random ports on the host interface",
  },
  { name: "read-only", type: "bool", help: "Make containers root filesystem read-only" },
  { name: "rm", type: "bool", help: "Remove container (and pod if created) after exit" },
  { name: "security-opt", type: "stringArray", help: "Security Options (no-new-privileges)" },
  { name: "stop-signal", type: "string", help: "Signal to stop a container. Default is SIGTERM" },
  {
    name: "stop-timeout",
    type: "uint",
    help:
      "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL",
  },
  { name: "sysctl", type: "stringArray", help: "Sysctl options" },
  {
    name: "tmpfs",
    type: "stringArray",
    help: "Mount a temporary filesystem (tmpfs) into a container",
  },
  { name: "tty", short: "t", type: "bool", help: "Allocate a pseudo-TTY for container" },
  { name: "ulimit", type: "stringArray", help: "Ulimit options" },
  {
    name: "user",
    short: "u",
    type: "string",
    help: "Username or UID (format: <name|uid>[:<group|gid>])",
  },
  {
    name: "volume",
    short: "v",
    type: "stringArray",
    help: "Bind mount a volume into the container (/host/path:/container/path[:ro])",
  },
  { name: "workdir", short: "w", type: "string", help: "Working directory inside the container" },
];

const ULIMITS = [
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack",
];

function parseUlimit(v: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(v);
  if (!m || !ULIMITS.includes(m[1]!)) {
    throw new UsageError(
      `invalid --ulimit "${v}": expected TYPE=SOFT[:HARD] with TYPE one of ${ULIMITS.join(", ")}`,
    );
  }
  const soft = Number(m[2]);
  const hard = m[3] === undefined ? soft : Number(m[3]);
  if (soft > hard && hard !== -1) {
    throw new UsageError(`invalid --ulimit "${v}": soft limit is larger than the hard limit`);
  }
  return { type: m[1]!, soft, hard };
}

function keyValues(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf("=");
    if (eq === 0) throw new UsageError(`invalid ${flag} "${kv}": the key is empty`);
    out[eq < 0 ? kv : kv.slice(0, eq)] = eq < 0 ? "" : kv.slice(eq + 1);
  }
  return out;
}

/** `-e K=V`, `-e K` (value from our environment, skipped when unset), `--env-file` lines. */
export function environment(flags: Flags): Record<string, string> {
  const env: Record<string, string> = {};
  const add = (entry: string, where: string) => {
    const eq = entry.indexOf("=");
    if (eq === 0) {
      throw new UsageError(
        `invalid environment variable "${entry}" in ${where}: the name is empty`,
      );
    }
    if (eq < 0) {
      const v = Deno.env.get(entry);
      if (v !== undefined) env[entry] = v;
    } else env[entry.slice(0, eq)] = entry.slice(eq + 1);
  };
  for (const file of flags.strings("env-file")) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch (e) {
      throw new UsageError(`reading --env-file ${file}: ${(e as Error).message}`);
    }
    for (const [i, line] of text.split("\n").entries()) {
      const l = line.trim();
      if (l && !l.startsWith("#")) add(l, `${file} line ${i + 1}`);
    }
  }
  for (const e of flags.strings("env")) add(e, "--env");
  return env;
}

/** `-p [ip:][hostPort:]containerPort[/proto]` with ranges; validated here, bound later. */
export function parsePublish(spec: string): PortMapping[] {
  const m =
    /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(?:(\d*(?:-\d+)?):)?(\d+(?:-\d+)?)(?:\/(tcp|udp))?$/
      .exec(spec);
  if (!m) {
    throw new UsageError(
      `invalid publish spec "${spec}": expected [ip:][hostPort:]containerPort[/tcp|udp]`,
    );
  }
  const range = (s: string | undefined): [number, number] | null => {
    if (!s) return null;
    const [a, b] = s.split("-").map(Number) as [number, number | undefined];
    const hi = b ?? a;
    if (a < 1 || hi > 65535 || hi < a) {
      throw new UsageError(`invalid port range "${s}" in "${spec}"`);
    }
    return [a, hi];
  };
  const ctr = range(m[3])!;
  const host = range(m[2]);
  if (host && host[1] - host[0] !== ctr[1] - ctr[0]) {
    throw new UsageError(
      `invalid publish spec "${spec}": host and container port ranges differ in size`,
    );
  }
  const out: PortMapping[] = [];
  for (let i = 0; i <= ctr[1] - ctr[0]; i++) {
    out.push({
      hostIp: (m[1] ?? "").replace(/^\[|\]$/g, ""),
      hostPort: host ? host[0] + i : 0,
      containerPort: ctr[0] + i,
      protocol: (m[4] ?? "tcp") as "tcp" | "udp",
    });
  }
  return out;
}

function network(flags: Flags): NetworkOptions {
  // podman's default for root: the default CNI network
  const value = flags.string("network") ?? flags.string("net") ?? "bridge";
  const opts: NetworkOptions = {
    mode: "bridge",
    networks: [],
    ports: flags.strings("publish").flatMap(parsePublish),
    publishAll: flags.bool("publish-all"),
    dns: flags.strings("dns"),
    dnsSearch: flags.strings("dns-search"),
    addHosts: flags.strings("add-host"),
  };
  for (const h of opts.addHosts) {
    if (!/^[^:]+:.+$/.test(h)) throw new UsageError(`invalid --add-host "${h}": expected HOST:IP`);
  }
  const ip = flags.string("ip");
  if (ip !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
      throw new UsageError(`invalid --ip "${ip}": not an IPv4 address`);
    }
    opts.staticIp = ip;
  }
  if (value === "none" || value === "host") opts.mode = value;
  else if (value.startsWith("container:")) {
    opts.mode = "container";
    opts.containerId = value.slice(10);
  } else if (value === "slirp4netns") opts.mode = "slirp4netns";
  else if (value !== "bridge" && value !== "") opts.networks = value.split(",");
  if ((opts.mode === "none" || opts.mode === "host") && opts.ports.length) {
    throw new UsageError(
      `invalid --publish with --network ${opts.mode}: ports can only be published with bridge networking`,
    );
  }
  return opts;
}

/** Builds CreateOptions from the parsed flags, the image and the command. */
export function createOptions(
  flags: Flags,
  image: string,
  command: string[],
  createCommand: string[],
): CreateOptions {
  const mounts: CreateOptions["mounts"] = [];
  for (const t of flags.strings("tmpfs")) {
    const [dest, opts] = t.split(/:(.*)/s);
    if (!dest?.startsWith("/")) {
      throw new UsageError(`invalid --tmpfs "${t}": the path must be absolute`);
    }
    mounts.push({
      type: "tmpfs",
      source: "tmpfs",
      destination: dest,
      options: opts ? opts.split(",") : [],
    });
  }
  for (const v of flags.strings("volume")) {
    const [src, dest, opts] = v.split(":");
    if (!src || !dest) {
      throw new UsageError(
        `invalid --volume "${v}": expected /host/path:/container/path[:options]`,
      );
    }
    if (!src.startsWith("/")) {
      throw new UsageError(
        `invalid --volume "${v}": named volumes are not supported; give an absolute host path`,
      );
    }
    if (!dest.startsWith("/")) {
      throw new UsageError(`invalid --volume "${v}": the container path must be absolute`);
    }
    try {
      Deno.statSync(src);
    } catch {
      throw new UsageError(`invalid --volume "${v}": ${src}: no such file or directory`);
    }
    mounts.push({
      type: "bind",
      source: src,
      destination: dest,
      options: opts ? opts.split(",") : [],
    });
  }
  const entry = flags.string("entrypoint");
  let entrypoint: string[] | null = null;
  if (entry !== undefined) {
    if (entry.trim().startsWith("[")) {
      try {
        entrypoint = JSON.parse(entry);
      } catch {
        throw new UsageError(`invalid --entrypoint "${entry}": not a JSON array of strings`);
      }
    } else entrypoint = entry === "" ? [] : [entry];
  }
  const extra: Record<string, unknown> = {};
  for (const o of flags.strings("security-opt")) {
    if (o === "no-new-privileges" || o === "no-new-privileges=true") extra.noNewPrivileges = true;
    else if (o !== "label=disable") {
      throw new UsageError(`invalid --security-opt "${o}": supported: no-new-privileges`);
    }
  }
  if (flags.changed("pids-limit")) extra.pidsLimit = flags.int("pids-limit");
  if (flags.strings("sysctl").length) {
    extra.sysctls = keyValues(flags.strings("sysctl"), "--sysctl");
  }
  const stopSignal = flags.string("stop-signal");
  return {
    image,
    command,
    ...(flags.string("name") !== undefined ? { name: flags.string("name")! } : {}),
    entrypoint,
    env: environment(flags),
    user: flags.string("user") ?? "",
    workdir: flags.string("workdir") ?? "",
    tty: flags.bool("tty"),
    interactive: flags.bool("interactive"),
    hostname: flags.string("hostname") ?? "",
    labels: keyValues(flags.strings("label"), "--label"),
    annotations: keyValues(flags.strings("annotation"), "--annotation"),
    capAdd: flags.strings("cap-add"),
    capDrop: flags.strings("cap-drop"),
    privileged: flags.bool("privileged"),
    readOnly: flags.bool("read-only"),
    init: flags.bool("init"),
    mounts,
    ulimits: flags.strings("ulimit").map(parseUlimit),
    ...(stopSignal !== undefined ? { stopSignal: parseSignal(stopSignal) } : {}),
    ...(flags.changed("stop-timeout") ? { stopTimeout: flags.int("stop-timeout")! } : {}),
    autoRemove: flags.bool("rm"),
    network: network(flags),
    dependencies: [],
    namedVolumes: [],
    createCommand,
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}
