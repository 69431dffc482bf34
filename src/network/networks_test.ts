import assert from "node:assert/strict";
import { ConflictError, UsageError } from "../define/errors.ts";
import { parseCidr } from "./cidr.ts";
import type { ConfList } from "./conflist.ts";
import { buildBridgeConflist, type CreateContext, inspectNetwork, networkId } from "./networks.ts";

function net(name: string, subnet: string, bridge: string): ConfList {
  return {
    cniVersion: "0.4.0",
    name,
    plugins: [{ type: "bridge", bridge, ipam: { type: "host-local", ranges: [[{ subnet }]] } }],
  };
}

function ctx(over: Partial<CreateContext> = {}): CreateContext {
  return {
    existing: [net("skiff", "10.77.0.0/24", "skiff0")],
    hostSubnets: [],
    linkExists: () => false,
    ...over,
  };
}

Deno.test("buildBridgeConflist() writes podman 4's bridge shape with a free subnet and bridge", () => {
  const conf = buildBridgeConflist("web", {}, ctx());
  assert.deepEqual(conf, {
    cniVersion: "0.4.0",
    name: "web",
    plugins: [
      {
        type: "bridge",
        bridge: "skiff1",
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: "host-local",
          routes: [{ dst: "0.0.0.0/0" }],
          ranges: [[{ subnet: "10.77.1.0/24", gateway: "10.77.1.1" }]],
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
      { type: "firewall" },
      { type: "tuning" },
    ],
  });
});

Deno.test("buildBridgeConflist() skips subnets used by networks or the host, and bridges in use", () => {
  const conf = buildBridgeConflist(
    "web",
    {},
    ctx({
      existing: [net("skiff", "10.77.0.0/24", "skiff0"), net("a", "10.77.1.0/24", "skiff1")],
      hostSubnets: [{ subnet: parseCidr("10.77.2.0/23")!, device: "eth9" }],
      linkExists: (n) => n === "skiff2",
      ipamDataDir: "/tmp/leases",
    }),
  );
  const bridge = conf.plugins[0]!;
  assert.equal(bridge.bridge, "skiff3");
  const ipam = bridge.ipam as Record<string, unknown>;
  assert.deepEqual(ipam.ranges, [[{ subnet: "10.77.4.0/24", gateway: "10.77.4.1" }]]);
  assert.equal(ipam.dataDir, "/tmp/leases");
});

Deno.test("buildBridgeConflist() refuses an overlapping subnet, naming it and the network", () => {
  assert.throws(
    () => buildBridgeConflist("web", { subnet: "10.77.0.128/25" }, ctx()),
    (e: Error) => {
      assert.ok(e instanceof ConflictError);
      assert.equal(e.message, 'subnet 10.77.0.128/25 overlaps with network "skiff" (10.77.0.0/24)');
      return true;
    },
  );
  assert.throws(
    () =>
      buildBridgeConflist(
        "web",
        { subnet: "192.168.1.0/24" },
        ctx({
          hostSubnets: [{ subnet: parseCidr("192.168.0.0/16")!, device: "eth0" }],
        }),
      ),
    /subnet 192\.168\.1\.0\/24 is already used on the host by interface eth0 \(192\.168\.0\.0\/16\)/,
  );
});

Deno.test("buildBridgeConflist() refuses malformed and unusable values, naming them", () => {
  const cases: [string, Parameters<typeof buildBridgeConflist>[1], RegExp][] = [
    ["web", { subnet: "10.77.300.0/24" }, /invalid subnet "10\.77\.300\.0\/24"/],
    [
      "web",
      { subnet: "10.78.0.0/24", gateway: "10.79.0.1" },
      /gateway 10\.79\.0\.1 is not a host address of subnet 10\.78\.0\.0\/24/,
    ],
    [
      "web",
      { subnet: "10.78.0.0/24", gateway: "10.78.0.255" },
      /gateway 10\.78\.0\.255 is not a host address/,
    ],
    ["web", { subnet: "10.78.0.0/24", gateway: "x" }, /invalid gateway "x"/],
    [
      "web",
      { subnet: "10.78.0.0/24", ipRange: "10.78.1.0/25" },
      /ip range 10\.78\.1\.0\/25 is not inside subnet 10\.78\.0\.0\/24/,
    ],
    ["web", { gateway: "10.78.0.1" }, /--gateway and --ip-range need --subnet/],
    ["web", { driver: "macvlan" }, /unsupported network driver "macvlan"/],
    [
      "web",
      { interfaceName: "this-name-is-too-long" },
      /invalid interface name "this-name-is-too-long"/,
    ],
    ["bad/name", {}, /invalid network name "bad\/name"/],
  ];
  for (const [name, opts, re] of cases) {
    assert.throws(() => buildBridgeConflist(name, opts, ctx()), (e: Error) => {
      assert.ok(e instanceof UsageError, `${name} ${JSON.stringify(opts)}: ${e}`);
      assert.match(e.message, re);
      return true;
    });
  }
  assert.throws(
    () => buildBridgeConflist("skiff", {}, ctx()),
    /network name skiff already used: network already exists/,
  );
  assert.throws(
    () => buildBridgeConflist("web", { interfaceName: "skiff0" }, ctx()),
    /bridge name skiff0 is already used by network "skiff"/,
  );
});

Deno.test("buildBridgeConflist() --internal has no gateway routing and --ip-range limits leases", () => {
  const conf = buildBridgeConflist("int", {
    subnet: "10.78.0.0/24",
    gateway: "10.78.0.254",
    ipRange: "10.78.0.128/25",
    internal: true,
    labels: { team: "a" },
    interfaceName: "intbr",
  }, ctx());
  const bridge = conf.plugins[0]!;
  assert.equal(bridge.bridge, "intbr");
  assert.equal(bridge.isGateway, false);
  assert.equal(bridge.ipMasq, false);
  assert.deepEqual(bridge.ipam, {
    type: "host-local",
    ranges: [[{
      subnet: "10.78.0.0/24",
      gateway: "10.78.0.254",
      rangeStart: "10.78.0.129",
      rangeEnd: "10.78.0.254",
    }]],
  });
  assert.deepEqual(conf.args, { podman_labels: { team: "a" } });
});

Deno.test("networkId() is podman's sha256 of the name", async () => {
  assert.equal(
    await networkId("podman"),
    "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9",
  );
});

Deno.test("inspectNetwork() reports podman 4's fields", async () => {
  const conf = buildBridgeConflist("int", {
    subnet: "10.78.0.0/24",
    ipRange: "10.78.0.128/25",
    internal: true,
    labels: { a: "b" },
  }, ctx());
  const out = await inspectNetwork({
    conf,
    path: "/etc/cni/net.d/int.conflist",
    mtime: new Date("2026-01-02T03:04:05Z"),
    bytes: new Uint8Array(),
  });
  assert.deepEqual(out, {
    name: "int",
    id: await networkId("int"),
    driver: "bridge",
    network_interface: "skiff1",
    created: "2026-01-02T03:04:05.000Z",
    subnets: [{
      subnet: "10.78.0.0/24",
      gateway: "10.78.0.1",
      lease_range: { start_ip: "10.78.0.129", end_ip: "10.78.0.254" },
    }],
    ipv6_enabled: false,
    internal: true,
    dns_enabled: false,
    labels: { a: "b" },
    ipam_options: { driver: "host-local" },
  });
});
