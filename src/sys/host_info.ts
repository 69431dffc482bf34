/**
 * Facts about the host for `skiff info`, read from /proc, /etc/os-release and the binaries'
 * own `--version` output.
 * @module
 */

import { runCommand } from "./command.ts";

function read(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** Memory and swap from /proc/meminfo, in bytes. */
export function memInfo(): {
  memTotal: number;
  memFree: number;
  swapTotal: number;
  swapFree: number;
} {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(read("/proc/meminfo"));
    return m ? Number(m[1]) * 1024 : 0;
  };
  // podman reports MemAvailable as "memFree" since 4.x
  return {
    memTotal: kb("MemTotal"),
    memFree: kb("MemAvailable") || kb("MemFree"),
    swapTotal: kb("SwapTotal"),
    swapFree: kb("SwapFree"),
  };
}

/** The kernel release (third field of /proc/version). */
export function kernelVersion(): string {
  return read("/proc/version").split(/\s+/)[2] ?? Deno.osRelease();
}

/** Uptime formatted as podman does: "5h 4m 3.21s". */
export function uptime(): string {
  const secs = Number(read("/proc/uptime").split(" ")[0] ?? 0);
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  return `${h}h ${m}m ${(secs % 60).toFixed(2)}s`;
}

/** Distribution facts from /etc/os-release. */
export function distribution(): { distribution: string; version: string; codename: string } {
  const text = read("/etc/os-release");
  const get = (k: string) => {
    const m = new RegExp(`^${k}=("?)(.*)\\1$`, "m").exec(text);
    return m?.[2] ?? "";
  };
  return { distribution: get("ID"), version: get("VERSION_ID"), codename: get("VERSION_CODENAME") };
}

function isDir(path: string): boolean {
  try {
    return Deno.lstatSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** cgroup version ("v1" or "v2") and the enabled controllers. */
export function cgroupInfo(): { version: string; controllers: string[] } {
  if (read("/sys/fs/cgroup/cgroup.controllers")) {
    return {
      version: "v2",
      controllers: read("/sys/fs/cgroup/cgroup.controllers").trim().split(" "),
    };
  }
  // Enabled in the kernel and mounted as a v1 hierarchy of its own (as podman lists them).
  const controllers = read("/proc/cgroups").split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split("\t"))
    .filter((f) => f[3] === "1" && isDir(`/sys/fs/cgroup/${f[0]}`))
    .map((f) => f[0]!);
  return { version: "v1", controllers };
}

/** Go's GOARCH name for the running architecture. */
export function goArch(): string {
  return ({ x86_64: "amd64", aarch64: "arm64" } as Record<string, string>)[Deno.build.arch] ??
    Deno.build.arch;
}

/** Version and Debian package of a binary, as podman's info prints them. */
export async function binaryFacts(path: string): Promise<{ version: string; package: string }> {
  const [ver, pkg] = await Promise.all([
    runCommand([path, "--version"], { allowFailure: true }).catch(() => null),
    packageOf(path),
  ]);
  const lines = ver ? ver.text.trim().split("\n") : [];
  // conmon prints two lines that podman joins; runc's several lines are kept as they are
  const version = path.endsWith("conmon") ? lines.join(", ") : lines.join("\n");
  return { version, package: pkg };
}

/** The Debian package owning `path`, as `name_version_arch`, or "Unknown". */
async function packageOf(path: string): Promise<string> {
  try {
    const owner = await runCommand(["dpkg", "-S", path], { allowFailure: true });
    const name = owner.code === 0 ? owner.text.split(":")[0]?.trim() : undefined;
    if (!name) return "Unknown";
    const q = await runCommand(
      ["dpkg-query", "-W", "-f", "${Package}_${Version}_${Architecture}", name],
      { allowFailure: true },
    );
    return q.code === 0 && q.text ? q.text.trim() : "Unknown";
  } catch {
    return "Unknown";
  }
}
