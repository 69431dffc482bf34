/**
 * Networking through CNI, through the CLI: the default bridge, published ports, custom
 * networks, modes, bad input, and a teardown that leaves nothing of the test's containers.
 * Traffic goes only between the host's loopback and containers these tests create.
 */
import assert from "node:assert/strict";
import { sha256Hex } from "../src/util/digest.ts";
import { assertNothingLeft, eventually, storeWithImages } from "./_lib/containers.ts";
import { isRoot, type TestStore } from "./_lib/skiff.ts";

const opts = { ignore: !isRoot };
const decoder = new TextDecoder();

async function sh(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return decoder.decode(out.stdout);
}

/** Asserts the host holds nothing of these containers: veths, nat rules, leases, caches, netns. */
async function assertNetworkClean(s: TestStore, ids: string[]): Promise<void> {
  const rules = await sh("iptables-save");
  const leases = await sh("grep", "-rl", ids.join("\\|") || "nothing", "/var/lib/cni/networks");
  const list = (dir: string) => {
    try {
      return Array.from(Deno.readDirSync(dir)).map((e) => e.name);
    } catch {
      return []; // a fresh machine before its first CNI ADD
    }
  };
  const results = list("/var/lib/cni/results");
  for (const id of ids) {
    assert.ok(!rules.includes(id), `iptables rules mention ${id}`);
    assert.ok(!results.some((r) => r.includes(id)), `a CNI result cache of ${id} is left`);
  }
  assert.equal(leases.trim(), "", "IPAM leases are left");
  const netns = list("/run/netns");
  const mounts = await Deno.readTextFile("/proc/self/mountinfo");
  for (const n of netns.filter((n) => n.startsWith("skiff-"))) {
    // another test's container may be running; ours are gone from the store
    assert.ok(mounts.includes(`/run/netns/${n}`), `netns file ${n} without a mount`);
  }
  await assertNothingLeft(s, ids);
}

Deno.test({
  ...opts,
  name: "two containers on the default network reach each other; /etc/hosts has the name and IP",
  async fn() {
    await using s = await storeWithImages();
    const a = await s.ok([
      "run",
      "-d",
      "--name",
      "a",
      "busybox",
      "sh",
      "-c",
      "echo hello-from-a > /tmp/i; httpd -f -p 8080 -h /tmp",
    ]);
    const ipA = await s.ok(["inspect", "--format", "{{.NetworkSettings.IPAddress}}", "a"]);
    assert.match(ipA, /^10\.77\.0\.\d+$/);
    assert.equal(
      await s.ok(["inspect", "--format", "{{.NetworkSettings.Gateway}}", "a"]),
      "10.77.0.1",
    );
    // busybox ping needs a raw socket, hence CAP_NET_RAW (not in the default set, as in podman)
    const ping = await s.run([
      "run",
      "--rm",
      "--cap-add",
      "NET_RAW",
      "busybox",
      "ping",
      "-c",
      "1",
      "-W",
      "2",
      ipA,
    ]);
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    assert.match(ping.stdout, /1 packets received/);
    let got = "";
    await eventually("httpd in a", async () => {
      got =
        (await s.run(["run", "--rm", "busybox", "wget", "-q", "-O", "-", `http://${ipA}:8080/i`]))
          .stdout;
      return got !== "";
    });
    assert.equal(got, "hello-from-a\n");
    const hosts = await s.ok(["exec", "a", "cat", "/etc/hosts"]).catch(() => "");
    if (hosts) assert.match(hosts, new RegExp(`${ipA.replaceAll(".", "\\.")}\\s+\\S+ a`));
    const [i] = JSON.parse(await s.ok(["inspect", "a"]));
    assert.match(i.NetworkSettings.MacAddress, /^[0-9a-f:]{17}$/);
    assert.equal(i.NetworkSettings.IPPrefixLen, 24);
    assert.match(i.NetworkSettings.SandboxKey, /^\/run\/netns\/skiff-/);
    await s.ok(["rm", "-f", "a"]);
    await assertNetworkClean(s, [a]);
  },
});

Deno.test({
  ...opts,
  name: "a published port answers on 127.0.0.1 and is held by conmon; a taken port fails the start",
  async fn() {
    await using s = await storeWithImages();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const id = await s.ok([
      "run",
      "-d",
      "--name",
      "web",
      "-p",
      `127.0.0.1:${port}:8080`,
      "busybox",
      "sh",
      "-c",
      "echo served > /tmp/index.html; httpd -f -p 8080 -h /tmp",
    ]);
    let body = "";
    await eventually("httpd to answer", async () => {
      try {
        body = await (await fetch(`http://127.0.0.1:${port}/index.html`)).text();
        return true;
      } catch {
        return false;
      }
    });
    assert.equal(body, "served\n");
    const ss = await sh("ss", "-ltnp");
    assert.match(ss.split("\n").find((l) => l.includes(`127.0.0.1:${port}`)) ?? "", /conmon/);
    const clash = await s.run(["run", "--rm", "-p", `127.0.0.1:${port}:80`, "busybox", "true"]);
    assert.equal(clash.code, 125);
    assert.match(clash.stderr, new RegExp(`host port ${port} is already in use`));
    // -P publishes the image's EXPOSEd ports on random host ports
    const p2 = await s.ok(["run", "-d", "-P", "busybox-user", "sleep 1000"]);
    const [i] = JSON.parse(await s.ok(["inspect", p2]));
    const host = Number(i.HostConfig.PortBindings["8080/tcp"][0].HostPort);
    assert.ok(host > 0);
    await s.ok(["rm", "-f", "-a"]);
    await assertNetworkClean(s, [id, p2]);
  },
});

Deno.test({
  ...opts,
  name: "--network none has only lo, host shares the host's, container: joins another's",
  async fn() {
    await using s = await storeWithImages();
    assert.equal(
      await s.ok(["run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net"]),
      "lo",
    );
    // host networking: the very same network namespace as ours
    const ours = await Deno.readLink("/proc/self/ns/net");
    assert.equal(
      await s.ok(["run", "--rm", "--network", "host", "busybox", "readlink", "/proc/self/ns/net"]),
      ours,
    );
    const a = await s.ok(["run", "-d", "--name", "base", "busybox", "sleep", "1000"]);
    const ip = await s.ok(["inspect", "--format", "{{.NetworkSettings.IPAddress}}", "base"]);
    const shown = await s.ok([
      "run",
      "--rm",
      "--network",
      "container:base",
      "busybox",
      "sh",
      "-c",
      "ip -4 addr show eth0 | grep -o 'inet [0-9.]*'",
    ]);
    assert.equal(shown, `inet ${ip}`);
    await s.ok(["rm", "-f", "base"]);
    await assertNetworkClean(s, [a]);
  },
});

Deno.test({
  ...opts,
  name:
    "network create/ls/inspect/exists/rm/prune; a container on a custom subnet with a static IP",
  async fn() {
    await using s = await storeWithImages();
    const n = 100 + Math.floor(Math.random() * 150);
    const name = `tnet${n}`;
    assert.equal(
      await s.ok([
        "network",
        "create",
        "--subnet",
        `10.77.${n}.0/24`,
        "--interface-name",
        `sktest${n}`,
        "--label",
        "k=v",
        name,
      ]),
      name,
    );
    assert.match(
      await s.ok(["network", "ls"]),
      new RegExp(`^NETWORK ID\\s+NAME\\s+DRIVER\\n(.|\\n)*\\s${name}\\s+bridge`),
    );
    assert.equal(await s.ok(["network", "exists", name]), "");
    assert.equal((await s.run(["network", "exists", "nope"])).code, 1);
    const [info] = JSON.parse(await s.ok(["network", "inspect", name]));
    assert.equal(info.name, name);
    // an ID prefix that fits two networks removes neither
    const first = String(info.id)[0]!;
    let twin = "";
    for (let i = 0; !twin; i++) {
      if ((await sha256Hex(`${name}t${i}`))[0] === first) twin = `${name}t${i}`;
    }
    await s.ok([
      "network",
      "create",
      "--subnet",
      `10.78.${n}.0/24`,
      "--interface-name",
      `sktwin${n}`,
      twin,
    ]);
    const ambiguous = await s.run(["network", "rm", first]);
    assert.equal(ambiguous.code, 125);
    assert.match(ambiguous.stderr, /more than one result for network ID/);
    assert.equal(await s.ok(["network", "exists", twin]), "");
    assert.equal(await s.ok(["network", "rm", twin]), twin);
    const id = await s.ok([
      "run",
      "-d",
      "--network",
      name,
      "--ip",
      `10.77.${n}.42`,
      "busybox",
      "sleep",
      "1000",
    ]);
    assert.equal(
      await s.ok(["inspect", "--format", "{{.NetworkSettings.IPAddress}}", id]),
      `10.77.${n}.42`,
    );
    const busy = await s.run(["network", "rm", name]);
    assert.equal(busy.code, 125);
    assert.match(busy.stderr, /has associated containers with it/);
    assert.equal(await s.ok(["network", "rm", "-f", name]), name);
    assert.equal(await s.ok(["ps", "-a", "-q"]), "", "rm -f removed the container");
    await s.ok([
      "network",
      "create",
      "--subnet",
      `10.77.${n}.0/24`,
      "--interface-name",
      `sktest${n}`,
      `${name}b`,
    ]);
    assert.equal(await s.ok(["network", "prune", "-f"]), `${name}b`);
    assert.ok(!(await sh("ip", "-br", "link")).includes(`sktest${n}`), "the bridge is gone");
    await assertNetworkClean(s, [id]);
  },
});

Deno.test({
  ...opts,
  name: "bad network input is refused and leaves nothing half-configured",
  async fn() {
    await using s = await storeWithImages();
    await s.ok(["network", "ls"]);
    const cases: [string[], RegExp][] = [
      [
        ["network", "create", "--subnet", "10.77.300.0/24", "x1"],
        /invalid subnet "10\.77\.300\.0\/24"/,
      ],
      [["network", "create", "--subnet", "10.77.0.0/16", "x2"], /overlaps with network "skiff"/],
      [
        ["run", "--rm", "--network", "nosuchnet", "busybox", "true"],
        /unable to find network with name or ID nosuchnet/,
      ],
      [["run", "--rm", "-p", "notaport", "busybox", "true"], /invalid publish spec "notaport"/],
      [["run", "--rm", "-p", "70000:80", "busybox", "true"], /invalid port range "70000"/],
    ];
    for (const [args, re] of cases) {
      const r = await s.run(args);
      assert.equal(r.code, 125, args.join(" "));
      assert.match(r.stderr, re, args.join(" "));
    }
    // a missing CNI plugin: the run fails clearly and nothing is left behind
    const conf = `${s.dir}/noplugins.conf`;
    await Deno.mkdir(`${s.dir}/empty-plugins`);
    await Deno.writeTextFile(conf, `cni_plugin_dir = ["${s.dir}/empty-plugins"]\n`);
    const r = await s.run(["--config", conf, "run", "--rm", "busybox", "true"]);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /failed to find plugin "bridge"/);
    await assertNetworkClean(s, []);
  },
});

Deno.test({
  ...opts,
  name: "SIGKILL of the container or of conmon still ends with CNI DEL",
  async fn() {
    await using s = await storeWithImages();
    const a = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    Deno.kill(Number(await s.ok(["inspect", "--format", "{{.State.Pid}}", a])), "SIGKILL");
    await eventually(
      "cleanup of a",
      async () => (await s.ok(["inspect", "--format", "{{.NetworkSettings.IPAddress}}", a])) === "",
    );
    const b = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    Deno.kill(Number(await s.ok(["inspect", "--format", "{{.State.ConmonPid}}", b])), "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await s.ok(["wait", b]), "137");
    await s.ok(["rm", "-a"]);
    await assertNetworkClean(s, [a, b]);
  },
});

Deno.test({
  ...opts,
  name: "after a reboot (processes gone, tmp dir and lock segment gone) refresh runs CNI DEL",
  async fn() {
    await using s = await storeWithImages();
    const id = await s.ok(["run", "-d", "busybox", "sleep", "1000"]);
    const conmon = Number(await s.ok(["inspect", "--format", "{{.State.ConmonPid}}", id]));
    const pid = Number(await s.ok(["inspect", "--format", "{{.State.Pid}}", id]));
    const netns = await s.ok(["inspect", "--format", "{{.NetworkSettings.SandboxKey}}", id]);
    // what a reboot does: every process dies, tmpfs and /dev/shm are emptied, mounts vanish
    Deno.kill(conmon, "SIGKILL");
    Deno.kill(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
    await new Deno.Command("runc", { args: ["delete", "-f", id] }).output();
    await Deno.remove(`${s.dir}/tmp`, { recursive: true });
    await Deno.remove(`/dev/shm${s.lockSegment}`).catch(() => {});
    await new Deno.Command("umount", { args: [netns] }).output();
    await new Deno.Command("umount", {
      args: ["-R", `${s.dir}/root/overlay-containers/${id}/merged`],
    }).output();
    assert.equal(
      await s.ok(["inspect", "--format", "{{.State.Status}} {{.NetworkSettings.IPAddress}}", id]),
      "exited",
    );
    await s.ok(["rm", id]);
    await assertNetworkClean(s, [id]);
  },
});
