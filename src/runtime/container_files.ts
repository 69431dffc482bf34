/**
 * The files skiff generates for a container in its run dir and bind-mounts into it:
 * /etc/hostname, /etc/hosts, /etc/resolv.conf and /run/.containerenv.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { VERSION } from "../define/version.ts";
import { atomicWrite } from "../util/atomic_write.ts";
import type { Runtime } from "./runtime.ts";

function readHost(path: string, fallback: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return fallback;
  }
}

/** Drops loopback nameservers (they mean the host, not the container) from resolv.conf. */
export function containerResolvConf(host: string, dns: string[], search: string[]): string {
  const lines = host.split("\n").filter((l) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(l);
    return !(m && (/^127\./.test(m[1]!) || m[1] === "::1"));
  }).filter((l) => !(dns.length && /^\s*nameserver\s/.test(l)))
    .filter((l) => !(search.length && /^\s*search\s/.test(l)));
  const out = lines.join("\n").trim();
  const extra = [
    ...(search.length ? [`search ${search.join(" ")}`] : []),
    ...dns.map((d) => `nameserver ${d}`),
  ];
  return [out, ...extra].filter((x) => x).join("\n") + "\n";
}

/** Writes the container's generated files; `ip` is its address when it has one. */
export async function writeContainerFiles(
  rt: Runtime,
  rec: ContainerRecord,
  ip?: string,
): Promise<void> {
  const { config } = rec;
  const dir = rt.store.runDir(config.id);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const host = config.network.mode === "host";
  const hostname = config.hostname || (host ? Deno.hostname() : config.id.slice(0, 12));
  await atomicWrite(`${dir}/hostname`, `${hostname}\n`, { sync: false });
  let hosts: string;
  if (host) {
    hosts = readHost("/etc/hosts", "127.0.0.1 localhost\n");
  } else {
    hosts = "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n" +
      "::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n" +
      `${ip ?? "127.0.1.1"}   ${hostname} ${config.name}\n`;
  }
  for (const h of config.network.addHosts) {
    const [name, addr] = h.split(/:(.*)/s);
    hosts += `${addr}\t${name}\n`;
  }
  await atomicWrite(`${dir}/hosts`, hosts, { sync: false });
  const resolv = host ? readHost("/etc/resolv.conf", "") : containerResolvConf(
    readHost("/etc/resolv.conf", ""),
    config.network.dns,
    config.network.dnsSearch,
  );
  await atomicWrite(`${dir}/resolv.conf`, resolv, { sync: false });
  const env = [
    `engine="skiff-${VERSION}"`,
    `name="${config.name}"`,
    `id="${config.id}"`,
    `image="${config.image.name}"`,
    `imageid="${config.image.id}"`,
    `rootless=${rt.config.rootless ? 1 : 0}`,
  ].join("\n") + "\n";
  await atomicWrite(`${dir}/.containerenv`, config.privileged ? env : "", { sync: false });
}
