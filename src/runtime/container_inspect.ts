/** `inspect` of a container: podman's JSON shape, from the record and its spec. */

import type { ContainerRecord } from "../define/container.ts";
import { statusName } from "../define/container_status.ts";
import { parseImageConfig } from "../image/image_config.ts";
import type { OciSpec } from "../oci/types.ts";
import { containerPaths } from "./container_paths.ts";
import { peekState } from "./container_views.ts";
import type { Runtime } from "./runtime.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";

function readSpec(path: string): OciSpec | null {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return null;
  }
}

/** The podman-shaped inspect document of one container. */
export function inspectContainer(rt: Runtime, idOrName: string): Record<string, unknown> {
  const rec: ContainerRecord = rt.state.lookupContainer(idOrName);
  const { config: c } = rec;
  const st = peekState(rt, rec);
  const paths = containerPaths(rt, c.id);
  const spec = readSpec(paths.configJson);
  const proc = (spec?.process ?? c.extra?.process ?? {}) as {
    args?: string[];
    env?: string[];
    cwd?: string;
    capabilities?: { effective?: string[]; bounding?: string[] };
  };
  const args = proc.args ?? c.command;
  const image = rt.store.images.find(c.image.id);
  const imgCfg = image ? parseImageConfig(new TextEncoder().encode(image.config)).config ?? {} : {};
  const driver = rt.store.driver;
  const graph: Record<string, string> = {};
  if (driver.name === "overlay") {
    const chain = image
      ? rt.store.imageChain(image).reverse().map((l) => driver.layerDir(l.id))
      : [];
    if (chain.length) graph.LowerDir = chain.join(":");
    graph.MergedDir = `${driver.containerDir(c.id)}/merged`;
    graph.UpperDir = `${driver.containerDir(c.id)}/upper`;
    graph.WorkDir = `${driver.containerDir(c.id)}/work`;
  }
  const status = st.status === "stopped" ? "exited" : statusName(st.status);
  const ports: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of c.network.ports) {
    (ports[`${p.containerPort}/${p.protocol}`] ??= []).push({
      HostIp: p.hostIp,
      HostPort: String(p.hostPort),
    });
  }
  const results = (st.networkResults ?? []) as {
    ip?: string;
    gateway?: string;
    prefixLen?: number;
    mac?: string;
    network?: string;
  }[];
  const first = results[0] ?? {};
  return {
    Id: c.id,
    Created: c.createdAt,
    Path: args[0] ?? "",
    Args: args.slice(1),
    State: {
      OciVersion: spec?.ociVersion ?? "1.0.2-dev",
      Status: status,
      Running: st.status === "running",
      Paused: st.status === "paused",
      Restarting: false,
      OOMKilled: st.oomKilled,
      Dead: false,
      Pid: st.pid,
      ConmonPid: st.conmonPid,
      ExitCode: st.exitCode,
      Error: st.error,
      StartedAt: st.startedAt ?? ZERO_TIME,
      FinishedAt: st.finishedAt ?? ZERO_TIME,
      CgroupPath: spec?.linux?.cgroupsPath ?? "",
    },
    Image: c.image.id,
    ImageName: c.image.name,
    Rootfs: "",
    Pod: c.pod ?? "",
    ResolvConfPath: c.network.mode === "none" ? "" : `${paths.runDir}/resolv.conf`,
    HostnamePath: `${paths.runDir}/hostname`,
    HostsPath: `${paths.runDir}/hosts`,
    StaticDir: paths.bundle,
    OCIConfigPath: paths.configJson,
    OCIRuntime: rt.ociRuntime.name,
    ConmonPidFile: `${paths.runDir}/conmon.pid`,
    PidFile: paths.pidFile,
    Name: c.name,
    RestartCount: st.restartCount,
    Driver: driver.name,
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    EffectiveCaps: proc.capabilities?.effective ?? [],
    BoundingCaps: proc.capabilities?.bounding ?? [],
    ExecIDs: rt.state.containerExecSessions(c.id).map((s) => s.id),
    GraphDriver: { Name: driver.name, Data: graph },
    Mounts: c.mounts.filter((m) => m.type !== "tmpfs").map((m) => ({
      Type: m.type,
      Source: m.source,
      Destination: m.destination,
      Driver: "",
      Mode: "",
      Options: m.options,
      RW: !m.options.includes("ro"),
      Propagation: "rprivate",
    })),
    Dependencies: c.dependencies,
    NetworkSettings: {
      EndpointID: "",
      Gateway: first.gateway ?? "",
      IPAddress: first.ip ?? "",
      IPPrefixLen: first.prefixLen ?? 0,
      IPv6Gateway: "",
      GlobalIPv6Address: "",
      GlobalIPv6PrefixLen: 0,
      MacAddress: first.mac ?? "",
      Bridge: "",
      SandboxID: "",
      HairpinMode: false,
      LinkLocalIPv6Address: "",
      LinkLocalIPv6PrefixLen: 0,
      Ports: ports,
      SandboxKey: st.netNs ?? "",
      ...(results.length
        ? {
          Networks: Object.fromEntries(
            results.map((
              r,
            ) => [r.network ?? "", {
              IPAddress: r.ip ?? "",
              Gateway: r.gateway ?? "",
              IPPrefixLen: r.prefixLen ?? 0,
              MacAddress: r.mac ?? "",
            }]),
          ),
        }
        : {}),
    },
    Namespace: c.namespace,
    IsInfra: false,
    Config: {
      Hostname: c.hostname || (spec?.hostname ?? c.id.slice(0, 12)),
      Domainname: "",
      User: c.user,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: c.tty,
      OpenStdin: c.interactive,
      StdinOnce: false,
      Env: proc.env ?? [],
      Cmd: c.command.length ? c.command : imgCfg.Cmd ?? null,
      Image: c.image.name,
      Volumes: null,
      WorkingDir: proc.cwd ?? "/",
      Entrypoint: (c.entrypoint ?? imgCfg.Entrypoint ?? []).join(" "),
      OnBuild: null,
      Labels: { ...(imgCfg.Labels ?? {}), ...c.labels },
      Annotations: spec?.annotations ?? c.annotations,
      StopSignal: c.stopSignal,
      CreateCommand: c.createCommand,
      Umask: "0022",
      StopTimeout: c.stopTimeout,
    },
    HostConfig: {
      CgroupManager: rt.config.runtime.cgroupManager,
      LogConfig: { Type: "k8s-file", Path: paths.logPath, Size: "0B" },
      NetworkMode: c.network.mode === "container"
        ? `container:${c.network.containerId}`
        : c.network.mode,
      PortBindings: ports,
      AutoRemove: c.autoRemove,
      Privileged: c.privileged,
      ReadonlyRootfs: c.readOnly,
      CapAdd: c.capAdd,
      CapDrop: c.capDrop,
      Init: c.init,
      Tmpfs: Object.fromEntries(
        c.mounts.filter((m) => m.type === "tmpfs").map((m) => [m.destination, m.options.join(",")]),
      ),
      Ulimits: c.ulimits.map((u) => ({
        Name: `RLIMIT_${u.type.toUpperCase()}`,
        Soft: u.soft,
        Hard: u.hard,
      })),
      Dns: c.network.dns,
      DnsSearch: c.network.dnsSearch,
      ExtraHosts: c.network.addHosts,
      PidsLimit: 2048,
    },
  };
}
