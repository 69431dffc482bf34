/**
 * IP address and subnet arithmetic for network creation: parsing, validation, overlap, and the
 * addresses host-local hands out. IPv4 and IPv6 share one representation (a bigint and a bit
 * width), so every helper works for both.
 * @module
 */

import { UsageError } from "../define/errors.ts";

/** A parsed IP address. */
export interface IpAddress {
  family: 4 | 6;
  /** The address as an unsigned integer of `bits` bits. */
  value: bigint;
}

/** A parsed subnet: the network address (host bits cleared) and its prefix length. */
export interface Subnet extends IpAddress {
  prefix: number;
}

function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith("0"))) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split("::").length > 2) return null;
  let groups: string[];
  const [head = "", tail] = s.split("::");
  const split = (x: string) => (x === "" ? [] : x.split(":"));
  let extra: bigint[] = [];
  const last = (tail ?? head).split(":").at(-1) ?? "";
  if (last.includes(".")) {
    // An embedded IPv4 address (::ffff:10.0.0.1) fills the last two groups.
    const v4 = parseV4(last);
    if (v4 === null) return null;
    extra = [v4 >> 16n, v4 & 0xffffn];
    if (tail === undefined) groups = split(head).slice(0, -1);
    else groups = [...split(head), "::", ...split(tail).slice(0, -1)];
  } else {
    groups = tail === undefined ? split(head) : [...split(head), "::", ...split(tail)];
  }
  const explicit = groups.filter((g) => g !== "::").length + extra.length;
  if (groups.includes("::") ? explicit > 7 : explicit !== 8) return null;
  let v = 0n;
  for (const g of groups) {
    if (g === "::") {
      v <<= BigInt(16 * (8 - explicit));
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  for (const x of extra) v = (v << 16n) | x;
  return v;
}

/** Parses an IPv4 or IPv6 address; returns null when `s` is not one. */
export function parseIp(s: string): IpAddress | null {
  if (s.includes(":")) {
    const v = parseV6(s);
    return v === null ? null : { family: 6, value: v };
  }
  const v = parseV4(s);
  return v === null ? null : { family: 4, value: v };
}

/** Formats an address (IPv6 in its shortest form, the longest zero run as `::`). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((sh) => String((ip.value >> sh) & 0xffn)).join(".");
  }
  const g = Array.from(
    { length: 8 },
    (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** Parses `addr/prefix`, clearing host bits; returns null when malformed. */
export function parseCidr(cidr: string): Subnet | null {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return null;
  const ip = parseIp(m[1]!);
  const prefix = Number(m[2]);
  if (!ip || prefix > bitsOf(ip.family)) return null;
  return { family: ip.family, value: ip.value & mask(ip.family, prefix), prefix };
}

/** Formats a subnet as `network/prefix`. */
export function formatCidr(s: Subnet): string {
  return `${formatIp(s)}/${s.prefix}`;
}

/**
 * Checks a subnet given by a user (`--subnet`) and returns it normalised (host bits cleared).
 * Refuses a malformed value and one too small to hold a gateway and a container (IPv4 longer
 * than /30, IPv6 longer than /126).
 * @throws {UsageError} naming the value
 */
export function validateSubnet(cidr: string): Subnet {
  const s = parseCidr(cidr);
  if (!s) {
    throw new UsageError(
      `invalid subnet "${cidr}": expected an address/prefix such as 10.89.0.0/24`,
    );
  }
  if (s.prefix > bitsOf(s.family) - 2) {
    throw new UsageError(
      `invalid subnet "${cidr}": /${s.prefix} leaves no room for a gateway and a container`,
    );
  }
  return s;
}

/** The last address of a subnet (its broadcast address for IPv4). */
export function lastAddress(s: Subnet): bigint {
  return s.value | ((1n << BigInt(bitsOf(s.family) - s.prefix)) - 1n);
}

/** True when `ip` lies inside subnet `s` (same family). */
export function subnetContains(s: Subnet, ip: IpAddress): boolean {
  return s.family === ip.family && ip.value >= s.value && ip.value <= lastAddress(s);
}

/** True when `ip` is a usable host address of `s`: not its network or broadcast address. */
export function isHostAddress(s: Subnet, ip: IpAddress): boolean {
  return subnetContains(s, ip) && ip.value !== s.value &&
    (s.family === 6 || ip.value !== lastAddress(s));
}

/** The address `n` after the network address of `s` (n = 1 is the usual gateway). */
export function nthAddress(s: Subnet, n: number): IpAddress {
  return { family: s.family, value: s.value + BigInt(n) };
}

/**
 * True when the two subnets share any address (one contains the other). Subnets of different
 * families never overlap.
 * @throws {UsageError} when either is malformed
 */
export function subnetsOverlap(a: string | Subnet, b: string | Subnet): boolean {
  const x = typeof a === "string" ? validCidr(a) : a;
  const y = typeof b === "string" ? validCidr(b) : b;
  if (x.family !== y.family) return false;
  return x.value <= lastAddress(y) && y.value <= lastAddress(x);
}

function validCidr(cidr: string): Subnet {
  const s = parseCidr(cidr);
  if (!s) throw new UsageError(`invalid subnet "${cidr}"`);
  return s;
}

/**
 * The host's directly connected IPv4 subnets, from `/proc/net/route` (routes without a
 * gateway and with a non-zero mask): a new network must not shadow one of them.
 */
export async function hostSubnets(): Promise<{ subnet: Subnet; device: string }[]> {
  let text: string;
  try {
    text = await Deno.readTextFile("/proc/net/route");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: { subnet: Subnet; device: string }[] = [];
  for (const line of text.split("\n").slice(1)) {
    const [dev, dst, , flags, , , , m] = line.trim().split(/\s+/);
    if (!dev || !dst || !flags || !m) continue;
    const RTF_GATEWAY = 2;
    if (parseInt(flags, 16) & RTF_GATEWAY) continue;
    // /proc/net/route prints addresses as little-endian hex words.
    const le = (h: string) => {
      const n = parseInt(h, 16);
      return BigInt(
        ((n & 0xff) << 24 >>> 0) + ((n >> 8 & 0xff) << 16) + ((n >> 16 & 0xff) << 8) + (n >>> 24),
      );
    };
    const maskV = le(m);
    if (maskV === 0n) continue;
    const prefix = maskV.toString(2).replace(/0+$/, "").length;
    out.push({ subnet: { family: 4, value: le(dst) & maskV, prefix }, device: dev });
  }
  return out;
}
