import assert from "node:assert/strict";
import { FakePlugins } from "./_test_fake_plugins.ts";
import {
  buildPluginEnv,
  buildPluginStdin,
  CniPluginError,
  execPlugin,
  findPlugin,
  formatCniArgs,
  type RuntimeConf,
} from "./cni_exec.ts";

const RT: RuntimeConf = {
  containerId: "c".repeat(64),
  netns: "/run/netns/skiff-x",
  ifName: "eth0",
  args: [["IgnoreUnknown", "1"], ["K8S_POD_NAME", "web"]],
  capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }] },
};

Deno.test("buildPluginStdin() injects name, cniVersion and prevResult", () => {
  const stdin = buildPluginStdin(
    { type: "bridge", bridge: "br0", prevResult: "stale", runtimeConfig: { x: 1 } },
    { name: "net1", cniVersion: "0.4.0" },
    { ips: [] },
    RT.capabilityArgs,
  );
  assert.deepEqual(stdin, {
    type: "bridge",
    bridge: "br0",
    name: "net1",
    cniVersion: "0.4.0",
    prevResult: { ips: [] },
  });
});

Deno.test("buildPluginStdin() passes runtimeConfig only for capabilities the plugin declares", () => {
  const net = { name: "n", cniVersion: "0.4.0" };
  const caps = { ...RT.capabilityArgs, aliases: { n: ["a"] } };
  assert.deepEqual(
    buildPluginStdin(
      { type: "portmap", capabilities: { portMappings: true, bandwidth: true } },
      net,
      undefined,
      caps,
    )
      .runtimeConfig,
    { portMappings: RT.capabilityArgs.portMappings },
  );
  assert.equal(
    buildPluginStdin(
      { type: "portmap", capabilities: { portMappings: false } },
      net,
      undefined,
      caps,
    ).runtimeConfig,
    undefined,
  );
  assert.equal(buildPluginStdin({ type: "firewall" }, net, null, caps).runtimeConfig, undefined);
  assert.equal("prevResult" in buildPluginStdin({ type: "firewall" }, net, null, caps), false);
});

Deno.test("buildPluginEnv() sets the six CNI_* variables", () => {
  assert.deepEqual(buildPluginEnv("ADD", RT, ["/a", "/b"]), {
    CNI_COMMAND: "ADD",
    CNI_CONTAINERID: RT.containerId,
    CNI_NETNS: "/run/netns/skiff-x",
    CNI_IFNAME: "eth0",
    CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=web",
    CNI_PATH: "/a:/b",
  });
  assert.equal(formatCniArgs([["IP", "10.0.0.5"]]), "IP=10.0.0.5");
});

Deno.test("findPlugin() takes the first executable in the plugin dirs and names what is missing", async () => {
  const a = await FakePlugins.create(["bridge"]);
  const b = await FakePlugins.create(["bridge", "portmap"]);
  try {
    await Deno.chmod(`${a.dir}/bridge`, 0o644); // not executable: skipped
    assert.equal(
      await findPlugin("bridge", [`${a.dir}/none`, a.dir, b.dir], "n"),
      `${b.dir}/bridge`,
    );
    await Deno.chmod(`${a.dir}/bridge`, 0o755);
    assert.equal(await findPlugin("bridge", [a.dir, b.dir], "n"), `${a.dir}/bridge`);
    await assert.rejects(findPlugin("tuning", [a.dir, b.dir], "net1"), (e: Error) => {
      assert.ok(e instanceof CniPluginError);
      assert.equal(
        e.message,
        `network "net1": failed to find plugin "tuning" in path [${a.dir} ${b.dir}]`,
      );
      assert.equal(e.plugin, "tuning");
      assert.equal(e.network, "net1");
      return true;
    });
    await assert.rejects(
      findPlugin("../bridge", [a.dir], "n"),
      /invalid plugin type "\.\.\/bridge"/,
    );
  } finally {
    await a.remove();
    await b.remove();
  }
});

Deno.test("execPlugin() sends the conf on stdin and the env, and parses the result", async () => {
  const fake = await FakePlugins.create(["bridge"]);
  try {
    const stdin = buildPluginStdin(
      { type: "bridge" },
      { name: "n", cniVersion: "0.4.0" },
      undefined,
      {},
    );
    const env = buildPluginEnv("ADD", RT, [fake.dir]);
    const out = await execPlugin({
      path: `${fake.dir}/bridge`,
      command: "ADD",
      network: "n",
      stdin,
      env,
    });
    assert.equal((out as { dns: { domain: string } }).dns.domain, "bridge");
    const [call] = await fake.calls();
    assert.deepEqual(call?.stdin, stdin);
    assert.deepEqual(call?.env, env);
    const del = await execPlugin({
      path: `${fake.dir}/bridge`,
      command: "DEL",
      network: "n",
      stdin,
      env: buildPluginEnv("DEL", RT, [fake.dir]),
    });
    assert.equal(del, undefined);
  } finally {
    await fake.remove();
  }
});

Deno.test("execPlugin() turns a CNI error into one error naming the plugin and network", async () => {
  const fake = await FakePlugins.create(["bridge"]);
  try {
    await fake.fail("bridge", "ADD");
    const stdin = { type: "bridge", name: "net1", cniVersion: "0.4.0" };
    await assert.rejects(
      execPlugin({
        path: `${fake.dir}/bridge`,
        command: "ADD",
        network: "net1",
        stdin,
        env: buildPluginEnv("ADD", RT, []),
      }),
      (e: Error) => {
        assert.ok(e instanceof CniPluginError);
        assert.equal(
          e.message,
          'network "net1": plugin type="bridge" failed (add): fake bridge failure: on purpose',
        );
        assert.equal(e.code, 11);
        return true;
      },
    );
    await Deno.writeTextFile(`${fake.dir}/bad`, "#!/bin/sh\necho 'not json'\n", { mode: 0o755 });
    await assert.rejects(
      execPlugin({
        path: `${fake.dir}/bad`,
        command: "ADD",
        network: "n",
        stdin: { type: "bad" },
        env: {},
      }),
      /plugin type="bad" failed \(add\): invalid result json: not json/,
    );
    await Deno.writeTextFile(`${fake.dir}/crash`, "#!/bin/sh\necho boom >&2\nexit 2\n", {
      mode: 0o755,
    });
    await assert.rejects(
      execPlugin({
        path: `${fake.dir}/crash`,
        command: "DEL",
        network: "n",
        stdin: { type: "crash" },
        env: {},
      }),
      /network "n": plugin type="crash" failed \(del\): boom/,
    );
  } finally {
    await fake.remove();
  }
});
