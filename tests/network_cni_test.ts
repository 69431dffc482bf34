/**
 * The CNI backend against the real plugins (root). Every run uses its own config, cache, lease
 * and netns directories, network names `skifftest<random>`, bridges `skt<random><n>` and
 * subnets 10.77.<100–250>.0/24 (never the default 10.77.0.0/24), and checks that nothing of it
 * is left: links, iptables rules, leases, cache entries, namespaces. Traffic goes only to the
 * namespaces the tests create and to 127.0.0.1.
 */

import assert from "node:assert/strict";
import type { PortMapping } from "../src/define/container.ts";
import { ConflictError, NotFoundError, UsageError } from "../src/define/errors.ts";
import {
  type AttachResult,
  CniBackend,
  CniPluginError,
  createNetns,
  PortInUseError,
  removeNetns,
  reservePorts,
} from "../src/network/mod.ts";

const isRoot = Deno.uid() === 0;
const opts = { ignore: !isRoot };
const R = crypto.getRandomValues(new Uint8Array(3)).reduce(
  (s, b) => s + b.toString(16).padStart(2, "0"),
  "",
);
const decoder = new TextDecoder();

async function run(argv: string[], allowFailure = false): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = decoder.decode(o.stdout) + decoder.decode(o.stderr);
  if (!o.success && !allowFailure) throw new Error(`${argv.join(" ")} failed (${o.code}): ${out}`);
  return { code: o.code, out };
}

const inNs = (ns: string, argv: string[], allowFailure = false) =>
  run(["nsenter", `--net=${ns}`, ...argv], allowFailure);
const randomId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0"))
    .join("");

async function iptablesText(): Promise<string> {
  return (await run(["iptables-save"])).out + (await run(["iptables", "-t", "nat", "-S"])).out;
}

const chainsAtStart = isRoot ? (await iptablesText()).match(/^:CNI-\S+/gm) ?? [] : [];

/** Files in `dir` (recursively), or [] when it does not exist. */
function filesIn(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) out.push(...filesIn(`${dir}/${e.name}`).map((f) => `${e.name}/${f}`));
      else out.push(e.name);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

let nextSubnet = 100 + Math.floor(Math.random() * 100);

interface Attached {
  id: string;
  ns: string;
  net: string;
  ports: PortMapping[];
}

/** One test's private backend, and everything it made, undone by dispose(). */
class Fixture {
  readonly base: string;
  readonly backend: CniBackend;
  readonly nets: string[] = [];
  readonly namespaces: string[] = [];
  readonly attached: Attached[] = [];

  constructor(base: string, pluginDirs: string[]) {
    this.base = base;
    this.backend = new CniBackend({
      configDir: `${base}/net.d`,
      pluginDirs,
      defaultNetwork: `skifftest${R}default`,
      cacheDir: `${base}/cache`,
      netnsDir: `${base}/netns`,
      ipamDataDir: `${base}/ipam`,
    });
  }

  static async create(pluginDirs = ["/usr/lib/cni"]): Promise<Fixture> {
    return new Fixture(await Deno.makeTempDir({ prefix: "skiff-cni-test-" }), pluginDirs);
  }

  /** Creates network `skifftest<R><tag>` (bridge `skt<R><tag>`) on a free 10.77.N.0/24. */
  async network(
    tag: string,
    internal = false,
  ): Promise<{ name: string; br: string; prefix: string }> {
    const name = `skifftest${R}${tag}`, br = `skt${R}${tag}`;
    for (let tries = 0; tries < 50; tries++) {
      const n = nextSubnet++;
      if (nextSubnet > 250) nextSubnet = 100;
      try {
        await this.backend.create(name, { subnet: `10.77.${n}.0/24`, interfaceName: br, internal });
        this.nets.push(name);
        return { name, br, prefix: `10.77.${n}.` };
      } catch (e) {
        if (!(e instanceof ConflictError) || !/subnet/.test(e.message)) throw e;
      }
    }
    throw new Error("no free test subnet");
  }

  async netns(): Promise<string> {
    const ns = await createNetns(this.backend.netnsDir);
    this.namespaces.push(ns);
    return ns;
  }

  async attach(
    id: string,
    ns: string,
    net: string,
    ports: PortMapping[] = [],
  ): Promise<AttachResult> {
    const a = { id, ns, net, ports };
    this.attached.push(a);
    return (await this.backend.setup({
      containerId: id,
      containerName: `c-${id.slice(0, 6)}`,
      netnsPath: ns,
      networks: [net],
      ports,
    }))[0]!;
  }

  async detach(id: string): Promise<void> {
    const i = this.attached.findIndex((a) => a.id === id);
    const [a] = this.attached.splice(i, 1);
    await this.backend.teardown({
      containerId: a!.id,
      containerName: "c",
      netnsPath: a!.ns,
      networks: [a!.net],
      ports: a!.ports,
    });
  }

  async removeNamespaces(): Promise<void> {
    for (const ns of this.namespaces.splice(0)) await removeNetns(ns);
  }

  async removeNetworks(): Promise<void> {
    for (const n of this.nets.splice(0)) await this.backend.remove(n);
  }

  /** Asserts that nothing is left: iptables rules naming `needles`, cache, leases, namespaces. */
  async assertClean(needles: string[]): Promise<void> {
    const ipt = await iptablesText();
    for (const n of needles) assert.ok(!ipt.includes(n), `iptables still mentions ${n}:\n${ipt}`);
    assert.deepEqual(filesIn(`${this.base}/cache/results`), [], "no cached results");
    const leases = filesIn(`${this.base}/ipam`).filter((f) =>
      !/(^|\/)(lock|last_reserved_ip\.\d+)$/.test(f)
    );
    assert.deepEqual(leases, [], "no leases");
    assert.deepEqual(filesIn(`${this.base}/netns`), [], "no namespaces");
  }

  /** Undoes whatever a failed test left, then removes the directory. */
  async dispose(): Promise<void> {
    for (const a of this.attached.splice(0).reverse()) {
      await this.backend.teardown({
        containerId: a.id,
        containerName: "c",
        netnsPath: a.ns,
        networks: [a.net],
        ports: a.ports,
      }).catch(() => {});
    }
    for (const ns of this.namespaces.splice(0)) await removeNetns(ns).catch(() => {});
    for (const n of this.nets.splice(0)) await this.backend.remove(n).catch(() => {});
    // createNetns made the netns dir a (shared) mount point of its own.
    await run(["umount", "-R", `${this.base}/netns`], true);
    await Deno.remove(this.base, { recursive: true });
  }
}

/** Addresses as iptables prints them, to look for in its rules. */
function ipNeedles(...ips: string[]): string[] {
  return ips.flatMap((ip) => [`${ip} `, `${ip}/`]);
}

const SERVER = `
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(1)
s.settimeout(20)
print("ready", flush=True)
c, a = s.accept()
c.sendall(b"hello from the namespace, peer " + a[0].encode() + b"\\n")
c.close()
`;

function freeLoopbackPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function readAll(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(1024);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return text;
    text += decoder.decode(buf.subarray(0, n));
  }
}

Deno.test(
  "CNI: two namespaces on one network reach each other, 127.0.0.1 port mapping answers, teardown leaves nothing",
  opts,
  async () => {
    const fx = await Fixture.create();
    try {
      const net = await fx.network("a");
      const [ns1, ns2] = [await fx.netns(), await fx.netns()];
      const [id1, id2] = [randomId(), randomId()];
      assert.match(
        (await inNs(ns1, ["ip", "-o", "link", "show", "lo"])).out,
        /<LOOPBACK,UP,LOWER_UP>/,
      );
      const hostPort = freeLoopbackPort();
      const ports: PortMapping[] = [{
        hostIp: "127.0.0.1",
        hostPort,
        containerPort: 8080,
        protocol: "tcp",
      }];
      const t0 = performance.now();
      const r1 = await fx.attach(id1, ns1, net.name, ports);
      const addMs = performance.now() - t0;
      const r2 = await fx.attach(id2, ns2, net.name);
      for (const r of [r1, r2]) {
        assert.ok(r.ip.startsWith(net.prefix), r.ip);
        assert.deepEqual([r.prefixLen, r.gateway, r.ifName, r.network], [
          24,
          `${net.prefix}1`,
          "eth0",
          net.name,
        ]);
      }
      assert.notEqual(r1.ip, r2.ip);
      assert.match(
        (await inNs(ns1, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"])).out,
        new RegExp(`inet ${r1.ip}/24 `),
      );
      assert.ok(
        (await inNs(ns1, ["ip", "-o", "link", "show", "eth0"])).out.includes(r1.mac),
        "mac as reported",
      );
      assert.match(
        (await inNs(ns1, ["ip", "route"])).out,
        new RegExp(`^default via ${r1.gateway} dev eth0`, "m"),
      );
      assert.equal(
        (await inNs(ns1, ["busybox", "ping", "-c1", "-W1", r2.ip], true)).code,
        0,
        "ns1 pings ns2",
      );
      assert.equal(
        (await inNs(ns2, ["busybox", "ping", "-c1", "-W1", r1.ip], true)).code,
        0,
        "ns2 pings ns1",
      );

      // 127.0.0.1:hostPort → ns1:8080 while the host port is held the way conmon holds it. The
      // portmap plugin sets route_localnet on the bridge and masquerades (source = gateway).
      assert.equal(
        Deno.readTextFileSync(`/proc/sys/net/ipv4/conf/${net.br}/route_localnet`).trim(),
        "1",
      );
      const server = new Deno.Command("nsenter", {
        args: [`--net=${ns1}`, "python3", "-c", SERVER, "8080"],
        stdout: "piped",
      }).spawn();
      const reader = server.stdout.getReader();
      const reservation = reservePorts(ports);
      try {
        assert.match(decoder.decode((await reader.read()).value), /ready/);
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: hostPort });
        const answer = await readAll(conn);
        conn.close();
        assert.equal(answer, `hello from the namespace, peer ${net.prefix}1\n`);
      } finally {
        reservation.close();
        reader.releaseLock();
        await server.stdout.cancel();
        await server.status;
      }
      assert.ok(
        (await iptablesText()).includes(id1),
        "the rules name the container while attached",
      );

      const t1 = performance.now();
      await fx.detach(id1);
      const delMs = performance.now() - t1;
      await fx.detach(id2);
      // deno-lint-ignore no-console
      console.log(
        `CNI ADD ${addMs.toFixed(0)} ms, DEL ${delMs.toFixed(0)} ms (4 plugins, 1 port mapping)`,
      );
      await fx.removeNamespaces();
      assert.equal(
        (await run(["ip", "-o", "link", "show", "master", net.br])).out,
        "",
        "no veth on the bridge",
      );
      await fx.removeNetworks();
      assert.notEqual((await run(["ip", "link", "show", net.br], true)).code, 0, "bridge removed");
      await fx.assertClean([id1, id2, ...ipNeedles(r1.ip, r2.ip), net.name, net.br, net.prefix]);
    } finally {
      await fx.dispose();
    }
  },
);

Deno.test(
  "CNI: an internal network gives no default route and no gateway address",
  opts,
  async () => {
    const fx = await Fixture.create();
    try {
      const net = await fx.network("i", true);
      const ns = await fx.netns(), id = randomId();
      const r = await fx.attach(id, ns, net.name);
      assert.ok(r.ip.startsWith(net.prefix));
      const routes = (await inNs(ns, ["ip", "route"])).out;
      assert.doesNotMatch(routes, /default/);
      assert.match(routes, new RegExp(`^${net.prefix.replaceAll(".", "\\.")}0/24 dev eth0`, "m"));
      assert.doesNotMatch(
        (await run(["ip", "-4", "-o", "addr", "show", "dev", net.br])).out,
        /inet /,
      );
      await fx.detach(id);
      await fx.removeNamespaces();
      await fx.removeNetworks();
      await fx.assertClean([id, ...ipNeedles(r.ip), net.name, net.br]);
    } finally {
      await fx.dispose();
    }
  },
);

Deno.test(
  "CNI: teardown after the namespace is gone still removes rules, leases and cache",
  opts,
  async () => {
    const fx = await Fixture.create();
    try {
      const net = await fx.network("g");
      const ns = await fx.netns(), id = randomId();
      const ports: PortMapping[] = [{
        hostIp: "",
        hostPort: freeLoopbackPort(),
        containerPort: 80,
        protocol: "tcp",
      }];
      const r = await fx.attach(id, ns, net.name, ports);
      await fx.removeNamespaces();
      await removeNetns(ns); // idempotent
      const again = {
        containerId: id,
        containerName: "c",
        netnsPath: ns,
        networks: [net.name],
        ports,
      };
      await fx.detach(id);
      await fx.backend.teardown(again); // idempotent
      assert.equal((await run(["ip", "-o", "link", "show", "master", net.br])).out, "");
      await fx.removeNetworks();
      await fx.assertClean([id, ...ipNeedles(r.ip), net.name, net.br]);
    } finally {
      await fx.dispose();
    }
  },
);

Deno.test("CNI: refusals leave nothing half-configured", opts, async () => {
  const fx = await Fixture.create();
  const empty = await Deno.makeTempDir({ prefix: "skiff-cni-noplugins-" });
  const bare = new CniBackend({
    configDir: `${fx.base}/net.d`,
    pluginDirs: [empty],
    defaultNetwork: `skifftest${R}default`,
    cacheDir: `${fx.base}/cache`,
  });
  try {
    const net = await fx.network("e");
    const ns = await fx.netns(), id = randomId();
    const { backend } = fx;
    await assert.rejects(
      backend.create(`${net.name}x`, { subnet: `${net.prefix}128/25` }),
      (e: Error) => {
        assert.ok(e instanceof ConflictError);
        assert.equal(
          e.message,
          `subnet ${net.prefix}128/25 overlaps with network "${net.name}" (${net.prefix}0/24)`,
        );
        return true;
      },
    );
    await assert.rejects(
      backend.create(`${net.name}x`, { subnet: "10.77.999.0/24" }),
      (e: Error) =>
        e instanceof UsageError && e.message.includes('invalid subnet "10.77.999.0/24"'),
    );
    const req = { containerId: id, containerName: "c", netnsPath: ns, ports: [] };
    await assert.rejects(
      backend.setup({ ...req, networks: [`${net.name}-nosuch`] }),
      (e: Error) => e instanceof NotFoundError && e.message.includes(`${net.name}-nosuch`),
    );
    await assert.rejects(bare.setup({ ...req, networks: [net.name] }), (e: Error) => {
      assert.ok(e instanceof CniPluginError);
      assert.equal(
        e.message,
        `network "${net.name}": failed to find plugin "bridge" in path [${empty}]`,
      );
      return true;
    });
    assert.notEqual(
      (await run(["ip", "link", "show", net.br], true)).code,
      0,
      "no bridge was made",
    );

    // A plugin failing after others succeeded (tuning, the last): the others are undone.
    const bad = await fx.network("f");
    const path = `${fx.base}/net.d/${bad.name}.conflist`;
    const conf = JSON.parse(await Deno.readTextFile(path));
    conf.plugins[3] = { type: "tuning", sysctl: { "net.ipv4.conf.eth0.no_such_knob": "1" } };
    await Deno.writeTextFile(path, JSON.stringify(conf));
    const ports: PortMapping[] = [{
      hostIp: "",
      hostPort: freeLoopbackPort(),
      containerPort: 80,
      protocol: "tcp",
    }];
    await assert.rejects(
      backend.setup({ ...req, networks: [bad.name], ports }),
      (e: Error) =>
        e instanceof CniPluginError &&
        e.message.startsWith(`network "${bad.name}": plugin type="tuning" failed (add)`),
    );
    assert.doesNotMatch((await inNs(ns, ["ip", "-o", "link"])).out, /eth0/);
    assert.equal((await run(["ip", "-o", "link", "show", "master", bad.br])).out, "");
    await fx.removeNamespaces();
    await fx.removeNetworks();
    await fx.assertClean([id, net.name, bad.name, net.br, bad.br, bad.prefix]);
  } finally {
    await Deno.remove(empty, { recursive: true });
    await fx.dispose();
  }
});

Deno.test("CNI: reservePorts() refuses a host port we already listen on", opts, () => {
  const l = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  try {
    assert.throws(
      () => reservePorts([{ hostIp: "", hostPort: port, containerPort: 80, protocol: "tcp" }]),
      (e: Error) =>
        e instanceof PortInUseError && e.message === `host port ${port} is already in use`,
    );
  } finally {
    l.close();
  }
});

/**
 * The plugins create shared chains (filter CNI-FORWARD/CNI-ADMIN, nat CNI-HOSTPORT-*) that
 * outlive containers, as with podman. Remove the ones this run created, if nothing uses them.
 */
Deno.test("CNI: the shared chains this run created are removed when unused", opts, async () => {
  const text = await iptablesText();
  const rules = text.split("\n").filter((l) => l.startsWith("-A CNI-") || /-j CNI-/.test(l));
  const structural = [
    /^-A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN$/,
    /^-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000\/0x2000 -j MASQUERADE$/,
    /^-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000\/0x2000$/,
    /^-A (FORWARD|PREROUTING|OUTPUT|POSTROUTING) .*-j CNI-(FORWARD|HOSTPORT-DNAT|HOSTPORT-MASQ)$/,
  ];
  const inUse = rules.filter((l) => !structural.some((re) => re.test(l)));
  if (chainsAtStart.length > 0 || inUse.length > 0) return; // not ours to remove
  const ipt = (args: string[]) => run(["iptables", "-w", ...args], true);
  await ipt([
    "-D",
    "FORWARD",
    "-m",
    "comment",
    "--comment",
    "CNI firewall plugin rules",
    "-j",
    "CNI-FORWARD",
  ]);
  for (const c of ["CNI-FORWARD", "CNI-ADMIN"]) await ipt(["-F", c]).then(() => ipt(["-X", c]));
  for (const chain of ["PREROUTING", "OUTPUT"]) {
    await ipt([
      "-t",
      "nat",
      "-D",
      chain,
      "-m",
      "addrtype",
      "--dst-type",
      "LOCAL",
      "-j",
      "CNI-HOSTPORT-DNAT",
    ]);
  }
  // deno-fmt-ignore
  await ipt(["-t", "nat", "-D", "POSTROUTING", "-m", "comment", "--comment", "CNI portfwd requiring masquerade", "-j", "CNI-HOSTPORT-MASQ"]);
  for (const c of ["CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-DNAT"]) {
    await ipt(["-t", "nat", "-F", c]).then(() => ipt(["-t", "nat", "-X", c]));
  }
  assert.doesNotMatch(await iptablesText(), /CNI-/);
});
