import assert from "node:assert/strict";
import { NotFoundError, SkiffError, UsageError } from "../define/errors.ts";
import { FakePlugins } from "./_test_fake_plugins.ts";
import { CniBackend, type SetupRequest } from "./backend.ts";
import { cachePath, fromBase64 } from "./cni_cache.ts";
import { CniPluginError } from "./cni_exec.ts";

const ID = "ab".repeat(32);
/** A path that exists, so plugins get it as CNI_NETNS (the fakes never enter it). */
const NS = "/proc/self/ns/net";

interface Env {
  base: string;
  fake: FakePlugins;
  backend: CniBackend;
}

async function withEnv(fn: (env: Env) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "skiff-net-test-" });
  const fake = await FakePlugins.create();
  const backend = new CniBackend({
    configDir: `${base}/conf/`,
    pluginDirs: [`${base}/empty`, fake.dir],
    defaultNetwork: "skiff",
    cacheDir: `${base}/cache`,
    netnsDir: `${base}/netns`,
    ipamDataDir: `${base}/ipam`,
  });
  try {
    await fn({ base, fake, backend });
  } finally {
    await fake.remove();
    await Deno.remove(base, { recursive: true });
  }
}

function cacheFiles(base: string): string[] {
  try {
    return [...Deno.readDirSync(`${base}/cache/results`)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

function req(over: Partial<SetupRequest> = {}): SetupRequest {
  return { containerId: ID, containerName: "web", netnsPath: NS, networks: [], ports: [], ...over };
}

Deno.test("CniBackend.ensureDefault() writes the built-in network once, under the default's name", async () => {
  await withEnv(async ({ base, backend }) => {
    await backend.ensureDefault();
    await backend.ensureDefault();
    const conf = JSON.parse(await Deno.readTextFile(`${base}/conf/skiff.conflist`));
    assert.equal(conf.name, "skiff");
    assert.equal(conf.plugins[0].ipam.dataDir, `${base}/ipam`);
    const list = await backend.list();
    assert.deepEqual(list.map((n) => [n.name, n.networkInterface, n.subnets]), [
      ["skiff", "skiff0", [{ subnet: "10.77.0.0/24", gateway: "10.77.0.1" }]],
    ]);
    const other = new CniBackend({
      configDir: `${base}/conf2`,
      pluginDirs: [],
      defaultNetwork: "mynet",
    });
    assert.equal(await other.exists("mynet"), false);
    await other.ensureDefault();
    assert.equal((await other.inspect("mynet")).name, "mynet");
  });
});

Deno.test("CniBackend.setup() runs the plugins in order, chaining prevResult, and caches the result", async () => {
  await withEnv(async ({ base, fake, backend }) => {
    const results = await backend.setup(req({
      ports: [
        { hostIp: "", hostPort: 8080, containerPort: 80, protocol: "tcp" },
        { hostIp: "127.0.0.1", hostPort: 5353, containerPort: 53, protocol: "udp" },
      ],
    }));
    assert.equal(results.length, 1);
    const { raw, ...r } = results[0]!;
    assert.deepEqual(r, {
      network: "skiff",
      ifName: "eth0",
      ip: "10.99.0.5",
      prefixLen: 24,
      gateway: "10.99.0.1",
      mac: "aa:aa:aa:aa:aa:02",
    });
    const calls = await fake.calls();
    assert.deepEqual(calls.map((c) => `${c.type} ${c.command}`), [
      "bridge ADD",
      "portmap ADD",
      "firewall ADD",
      "tuning ADD",
    ]);
    assert.equal(calls[0]!.stdin.prevResult, undefined);
    assert.deepEqual(
      calls.slice(1).map((c) => (c.stdin.prevResult as { dns: { domain: string } }).dns.domain),
      [
        "bridge",
        "portmap",
        "firewall",
      ],
    );
    assert.deepEqual(calls[1]!.stdin.runtimeConfig, {
      portMappings: [
        { hostPort: 8080, containerPort: 80, protocol: "tcp" },
        { hostPort: 5353, containerPort: 53, protocol: "udp", hostIP: "127.0.0.1" },
      ],
    });
    assert.equal(calls[0]!.stdin.runtimeConfig, undefined);
    assert.deepEqual(calls[0]!.env, {
      CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=web",
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: ID,
      CNI_IFNAME: "eth0",
      CNI_NETNS: NS,
      CNI_PATH: `${base}/empty:${fake.dir}`,
    });
    const cache = JSON.parse(
      await Deno.readTextFile(cachePath(`${base}/cache`, "skiff", ID, "eth0")),
    );
    assert.equal(cache.kind, "cniCacheV1");
    assert.deepEqual(fromBase64(cache.config), await Deno.readFile(`${base}/conf/skiff.conflist`));
    assert.deepEqual(cache.cniArgs, [["IgnoreUnknown", "1"], ["K8S_POD_NAME", "web"]]);
    assert.deepEqual(cache.result, raw);
    assert.equal(
      (await Deno.stat(cachePath(`${base}/cache`, "skiff", ID, "eth0"))).mode! & 0o777,
      0o600,
    );
  });
});

Deno.test("CniBackend.teardown() DELs in reverse with the cached config and prevResult, idempotently", async () => {
  await withEnv(async ({ base, fake, backend }) => {
    const ports = [{ hostIp: "", hostPort: 8080, containerPort: 80, protocol: "tcp" as const }];
    await backend.create("n1", { subnet: "10.99.0.0/24", interfaceName: "fakebr1" });
    const [add] = await backend.setup(req({ networks: ["skiff", "n1"], ports }));
    await fake.calls();
    // Edited and then removed after setup: teardown still uses what setup used.
    await Deno.remove(`${base}/conf/n1.conflist`);
    await backend.teardown(req({ networks: ["skiff", "n1"], ports: [] }));
    const calls = await fake.calls();
    assert.deepEqual(calls.map((c) => `${c.type} ${c.command} ${c.env.CNI_IFNAME}`), [
      "tuning DEL eth1",
      "firewall DEL eth1",
      "portmap DEL eth1",
      "bridge DEL eth1",
      "tuning DEL eth0",
      "firewall DEL eth0",
      "portmap DEL eth0",
      "bridge DEL eth0",
    ]);
    assert.equal(calls[0]!.stdin.name, "n1");
    for (const c of calls) {
      assert.deepEqual(
        c.stdin.prevResult,
        c.env.CNI_IFNAME === "eth0" ? add!.raw : c.stdin.prevResult,
      );
    }
    assert.ok(calls.every((c) => c.stdin.prevResult !== undefined));
    assert.deepEqual(calls[2]!.stdin.runtimeConfig, {
      portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }],
    });
    assert.deepEqual(cacheFiles(base), []);
    // Again: no cache; skiff's conflist is still on disk (DEL again, harmless), n1's is gone.
    await backend.teardown(req({ networks: ["skiff", "n1"] }));
    assert.deepEqual(
      (await fake.calls()).map((c) => `${c.type} ${c.command} ${c.stdin.prevResult}`),
      [
        "tuning DEL undefined",
        "firewall DEL undefined",
        "portmap DEL undefined",
        "bridge DEL undefined",
      ],
    );
  });
});

Deno.test("CniBackend.teardown() passes an empty CNI_NETNS when the namespace is gone", async () => {
  await withEnv(async ({ fake, backend }) => {
    await backend.setup(req());
    await fake.calls();
    await backend.teardown(req({ netnsPath: "/nonexistent/netns/skiff-x" }));
    const calls = await fake.calls();
    assert.equal(calls.length, 4);
    assert.ok(calls.every((c) => c.env.CNI_NETNS === ""));
  });
});

Deno.test("CniBackend.setup() undoes everything when a plugin fails", async () => {
  await withEnv(async ({ base, fake, backend }) => {
    await backend.create("n1", { subnet: "10.99.0.0/24", interfaceName: "fakebr1" });
    await fake.fail("tuning", "ADD");
    await assert.rejects(backend.setup(req({ networks: ["skiff", "n1"] })), (e: Error) => {
      assert.ok(e instanceof CniPluginError);
      assert.match(
        e.message,
        /^network "skiff": plugin type="tuning" failed \(add\): fake tuning failure/,
      );
      return true;
    });
    const calls = await fake.calls();
    assert.deepEqual(calls.map((c) => `${c.type} ${c.command}`), [
      "bridge ADD",
      "portmap ADD",
      "firewall ADD",
      "tuning ADD",
      "tuning DEL",
      "firewall DEL",
      "portmap DEL",
      "bridge DEL",
    ]);
    // The rollback DEL carries the last result that was obtained (the firewall's).
    assert.equal(
      (calls[7]!.stdin.prevResult as { dns: { domain: string } }).dns.domain,
      "firewall",
    );
    assert.deepEqual(cacheFiles(base), []);
  });
});

Deno.test("CniBackend.setup() detaches earlier networks when a later one fails", async () => {
  await withEnv(async ({ base, fake, backend }) => {
    await Deno.mkdir(`${base}/conf`, { recursive: true });
    // The second network fails: the first is DELeted and its cache removed.
    await fake.fail("firewall", "ADD");
    await Deno.writeTextFile(
      `${base}/conf/odd.conflist`,
      JSON.stringify({
        cniVersion: "0.4.0",
        name: "odd",
        plugins: [{ type: "bridge" }, { type: "firewall" }],
      }),
    );
    await Deno.writeTextFile(
      `${base}/conf/skiff.conflist`,
      JSON.stringify({
        cniVersion: "0.4.0",
        name: "skiff",
        plugins: [{ type: "bridge" }, { type: "tuning" }],
      }),
    );
    await assert.rejects(
      backend.setup(req({ networks: ["skiff", "odd"] })),
      /network "odd": plugin type="firewall"/,
    );
    assert.deepEqual(
      (await fake.calls()).map((c) => `${c.type} ${c.command} ${c.env.CNI_IFNAME}`),
      [
        "bridge ADD eth0",
        "tuning ADD eth0",
        "bridge ADD eth1",
        "firewall ADD eth1",
        "firewall DEL eth1",
        "bridge DEL eth1",
        "tuning DEL eth0",
        "bridge DEL eth0",
      ],
    );
    assert.deepEqual(cacheFiles(base), []);
  });
});

Deno.test("CniBackend.setup() refuses unknown networks and missing plugins before running any", async () => {
  await withEnv(async ({ base, fake, backend }) => {
    await assert.rejects(backend.setup(req({ networks: ["skiff", "nosuchnet"] })), (e: Error) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.kind, "network");
      assert.match(e.message, /nosuchnet/);
      return true;
    });
    const bare = new CniBackend({
      configDir: `${base}/conf`,
      pluginDirs: [`${base}/empty`],
      defaultNetwork: "skiff",
      cacheDir: `${base}/cache`,
    });
    await assert.rejects(bare.setup(req()), (e: Error) => {
      assert.ok(e instanceof CniPluginError);
      assert.equal(
        e.message,
        `network "skiff": failed to find plugin "bridge" in path [${base}/empty]`,
      );
      return true;
    });
    await assert.rejects(backend.setup(req({ networks: ["skiff", "skiff"] })), UsageError);
    assert.deepEqual(await fake.calls(), []);
  });
});

Deno.test("CniBackend.setup() passes a static IP as CNI_ARGS IP= and checks it", async () => {
  await withEnv(async ({ fake, backend }) => {
    await backend.setup(req({ staticIp: "10.77.0.42" }));
    assert.equal(
      (await fake.calls())[0]!.env.CNI_ARGS,
      "IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.77.0.42",
    );
    await assert.rejects(
      backend.setup(req({ staticIp: "10.1.0.42" })),
      /static ip 10\.1\.0\.42 is not in the subnet of network skiff/,
    );
    await backend.create("n1", { subnet: "10.99.0.0/24", interfaceName: "fakebr1" });
    await assert.rejects(
      backend.setup(req({ staticIp: "10.77.0.42", networks: ["skiff", "n1"] })),
      /only be used with a single network/,
    );
  });
});

Deno.test("CniBackend finds networks by name, ID or ID prefix and guards the default", async () => {
  await withEnv(async ({ base, backend }) => {
    const info = await backend.create("n1", {
      subnet: "10.99.0.0/24",
      interfaceName: "fakebr1",
      labels: { a: "b" },
    });
    assert.equal(info.path, `${base}/conf/n1.conflist`);
    assert.deepEqual(info.labels, { a: "b" });
    assert.equal(await backend.exists(info.id.slice(0, 12)), true);
    assert.equal((await backend.inspect(info.id)).name, "n1");
    assert.equal(await backend.exists("n2"), false);
    await assert.rejects(
      backend.create("n2", { subnet: "10.99.0.0/25" }),
      /overlaps with network "n1"/,
    );
    await assert.rejects(backend.remove("skiff"), (e: Error) => {
      assert.ok(e instanceof SkiffError);
      assert.equal(e.message, "default network skiff cannot be removed");
      return true;
    });
    await Deno.mkdir(`${base}/ipam/n1`, { recursive: true });
    await Deno.writeTextFile(`${base}/ipam/n1/last_reserved_ip.0`, "10.99.0.2");
    await backend.remove("n1");
    assert.equal(await backend.exists("n1"), false);
    assert.deepEqual([...Deno.readDirSync(`${base}/ipam`)], []);
    await assert.rejects(backend.remove("n1"), NotFoundError);
  });
});
