/**
 * A fallback for a gap in the bridge plugin (containernetworking-plugins ≤ 1.1): its DEL only
 * removes the `ipMasq` NAT rules for the addresses it finds on the container's interface, so
 * when the namespace is already gone it leaves the POSTROUTING rule and the `CNI-<hash>` chain
 * behind. When skiff tears down an attachment whose namespace no longer exists, it removes them
 * itself, by the names the plugin gives them (`FormatChainName`, `FormatComment` in the
 * plugins' `pkg/utils`), for the addresses in the cached result.
 * @module
 */

import { runCommand } from "../sys/command.ts";
import { log } from "../util/logger.ts";
import type { ConfList } from "./conflist.ts";
import { hex } from "../util/digest.ts";

/** The plugin's chain name: `CNI-` + hex sha512(name + id), 28 characters in all. */
export async function ipMasqChainName(network: string, containerId: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-512",
    new TextEncoder().encode(network + containerId),
  );
  return `CNI-${hex(digest)}`.slice(0, 28);
}

function resultAddresses(result: unknown): string[] {
  const ips = (result as { ips?: unknown } | null)?.ips;
  if (!Array.isArray(ips)) return [];
  return ips.map((x) => (x as { address?: unknown }).address)
    .filter((a): a is string => typeof a === "string")
    .map((a) => a.split("/")[0]!);
}

/**
 * Removes the bridge plugin's masquerade rule and chain of one attachment, for a bridge
 * network with `ipMasq`; rules that are already gone are fine.
 */
export async function removeIpMasqRules(
  conf: ConfList,
  containerId: string,
  result: unknown,
): Promise<void> {
  const bridge = conf.plugins[0];
  if (bridge?.type !== "bridge" || bridge.ipMasq !== true) return;
  const chain = await ipMasqChainName(conf.name, containerId);
  const comment = `name: ${JSON.stringify(conf.name)} id: ${JSON.stringify(containerId)}`;
  const tools = new Set<string>();
  for (const ip of resultAddresses(result)) {
    const tool = ip.includes(":") ? "ip6tables" : "iptables";
    tools.add(tool);
    // deno-fmt-ignore
    await runCommand([tool, "-w", "-t", "nat", "-D", "POSTROUTING", "-s", ip, "-j", chain,
      "-m", "comment", "--comment", comment], { allowFailure: true });
  }
  for (const tool of tools) {
    const flushed = await runCommand([tool, "-w", "-t", "nat", "-F", chain], {
      allowFailure: true,
    });
    if (flushed.code === 0) {
      await runCommand([tool, "-w", "-t", "nat", "-X", chain], { allowFailure: true });
      log.debug("removed leftover ipmasq chain", { chain, containerId });
    }
  }
}
