/**
 * The facts about the calling user and host that configuration depends on, gathered once and
 * injectable so that tests can pretend to be rootless or to have systemd.
 * @module
 */

/** What the loader needs to know about the caller and the machine. */
export interface HostFacts {
  /** The real user: inside skiff's own user namespace this is the outside UID. */
  uid: number;
  /** Environment variables (HOME, XDG_*, TMPDIR …). */
  env: Record<string, string | undefined>;
  /** PID 1 is systemd (then the cgroup manager defaults to systemd). */
  systemdIsInit: boolean;
  /** The kernel lists overlay in /proc/filesystems (then the graph driver defaults to it). */
  overlaySupported: boolean;
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** Reads the facts from the running process and /proc. */
export function currentHost(): HostFacts {
  const env = Deno.env.toObject();
  const inner = env._SKIFF_ROOTLESS_UID;
  const uid = inner !== undefined && /^\d+$/.test(inner) ? Number(inner) : Deno.uid() ?? 0;
  return {
    uid,
    env,
    systemdIsInit: readText("/proc/1/comm").trim() === "systemd",
    overlaySupported: /\toverlay$/m.test(readText("/proc/filesystems")),
  };
}

/** The rootless runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID if ours, else a tmp dir. */
export function rootlessRuntimeDir(host: HostFacts): string {
  const xdg = host.env.XDG_RUNTIME_DIR;
  if (xdg) return xdg;
  const run = `/run/user/${host.uid}`;
  try {
    const st = Deno.statSync(run);
    if (st.isDirectory && st.uid === host.uid) return run;
  } catch {
    // not there: fall through to a per-user temp dir, as podman does
  }
  return `${host.env.TMPDIR || "/tmp"}/skiff-run-${host.uid}`;
}

/** The user's home directory ($HOME). */
export function homeDir(host: HostFacts): string {
  return host.env.HOME || `/home/${host.uid}`;
}

/** `$XDG_CONFIG_HOME` or `~/.config`. */
export function configHome(host: HostFacts): string {
  return host.env.XDG_CONFIG_HOME || `${homeDir(host)}/.config`;
}

/** `$XDG_DATA_HOME` or `~/.local/share`. */
export function dataHome(host: HostFacts): string {
  return host.env.XDG_DATA_HOME || `${homeDir(host)}/.local/share`;
}
