/** `skiff info` reports real host facts; its JSON field names match podman's where they overlap. */
import assert from "node:assert/strict";
import { TestStore } from "./_lib/skiff.ts";

const decoder = new TextDecoder();
async function sh(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
  return decoder.decode(out.stdout).trim();
}

Deno.test("skiff info finds runc and conmon and reports their versions", async () => {
  await using s = await TestStore.create();
  const info = JSON.parse(await s.ok(["info", "--format", "json"]));
  assert.equal(info.host.conmon.path, "/usr/bin/conmon");
  assert.match(info.host.conmon.version, /^conmon version \d+\.\d+\.\d+/);
  assert.equal(info.host.ociRuntime.name, "runc");
  assert.equal(info.host.ociRuntime.path, "/usr/bin/runc");
  assert.match(info.host.ociRuntime.version, /^runc version /);
  assert.equal(info.host.kernel, await sh("uname", ["-r"]));
  assert.equal(info.host.hostname, await sh("hostname", []));
  assert.equal(info.host.cpus, navigator.hardwareConcurrency);
  assert.equal(info.host.os, "linux");
  assert.equal(info.host.distribution.distribution, "debian");
  assert.ok(info.host.memTotal > 0);
  assert.equal(info.store.graphRoot, `${s.dir}/root`);
  assert.equal(info.store.runRoot, `${s.dir}/run`);
  assert.equal(info.store.containerStore.number, 0);
  assert.equal(info.store.imageStore.number, 0);
  assert.equal(info.version.DenoVersion, Deno.version.deno);
});

Deno.test("skiff info default output is YAML-like and templates reach nested fields", async () => {
  await using s = await TestStore.create();
  const yaml = await s.ok(["info"]);
  assert.match(yaml, /^host:\n  arch: amd64\n/);
  assert.match(yaml, /^store:\n/m);
  assert.match(yaml, /^  graphRoot: \S+/m);
  assert.equal(await s.ok(["info", "--format", "{{.Host.Arch}}"]), "amd64");
  assert.equal(await s.ok(["info", "--format", "{{.Store.GraphRoot}}"]), `${s.dir}/root`);
  assert.equal(
    await s.ok([
      "info",
      "--format",
      '{{range .Host.CgroupControllers}}{{if eq . "memory"}}mem{{end}}{{end}}',
    ]),
    "mem",
  );
  assert.equal(
    await s.ok(["system", "info", "--format", "{{json .Host.Distribution}}"]).then((x) =>
      JSON.parse(x).distribution
    ),
    "debian",
  );
});

Deno.test("skiff info reads registries.conf (v2) for registries and insecure registries", async () => {
  await using s = await TestStore.create();
  const conf = `${s.dir}/registries.conf`;
  await Deno.writeTextFile(
    conf,
    'unqualified-search-registries = ["docker.io"]\n[[registry]]\nlocation = "localhost:5000"\ninsecure = true\n',
  );
  const info = JSON.parse(
    await s.ok(["info", "--format", "json"], { env: { CONTAINERS_REGISTRIES_CONF: conf } }),
  );
  assert.deepEqual(info.registries.search, ["docker.io"]);
  assert.equal(info.registries["localhost:5000"].Insecure, true);
});

Deno.test(
  { name: "skiff info --format json shares podman's field names", ignore: !(await hasPodman()) },
  async () => {
    await using s = await TestStore.create();
    const ours = JSON.parse(await s.ok(["info", "--format", "json"]));
    const podmanOut = await new Deno.Command("podman", {
      args: [
        "--root",
        `${s.dir}/p-root`,
        "--runroot",
        `${s.dir}/p-run`,
        "--tmpdir",
        `${s.dir}/p-tmp`,
        "info",
        "--format",
        "json",
      ],
      env: { CONTAINERS_CONF: await podmanConf(s.dir) },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(podmanOut.success, decoder.decode(podmanOut.stderr));
    const theirs = JSON.parse(decoder.decode(podmanOut.stdout));
    // every section and field we print that podman also has must have podman's name and type
    const shared = ["host", "store", "registries", "version"];
    for (const section of shared) assert.ok(section in theirs, section);
    const hostKeys = [
      "arch",
      "cgroupControllers",
      "cgroupManager",
      "cgroupVersion",
      "conmon",
      "cpus",
      "distribution",
      "hostname",
      "kernel",
      "memFree",
      "memTotal",
      "ociRuntime",
      "os",
      "swapFree",
      "swapTotal",
      "uptime",
    ];
    for (const k of hostKeys) {
      assert.ok(k in theirs.host, `podman has host.${k}`);
      assert.ok(k in ours.host, `skiff has host.${k}`);
      assert.equal(typeof ours.host[k], typeof theirs.host[k], `host.${k} type`);
    }
    for (const k of ["package", "path", "version"]) {
      assert.ok(k in ours.host.conmon && k in theirs.host.conmon, k);
    }
    for (const k of ["name", "package", "path", "version"]) {
      assert.ok(k in ours.host.ociRuntime && k in theirs.host.ociRuntime, k);
    }
    assert.deepEqual(ours.host.conmon, theirs.host.conmon);
    assert.equal(ours.host.ociRuntime.version, theirs.host.ociRuntime.version);
    assert.equal(ours.host.cgroupVersion, theirs.host.cgroupVersion);
    assert.deepEqual(ours.host.cgroupControllers, theirs.host.cgroupControllers);
    for (
      const k of [
        "configFile",
        "containerStore",
        "graphDriverName",
        "graphOptions",
        "graphRoot",
        "imageStore",
        "runRoot",
        "volumePath",
      ]
    ) {
      assert.ok(k in ours.store && k in theirs.store, `store.${k}`);
    }
    assert.deepEqual(
      Object.keys(ours.store.containerStore).sort(),
      Object.keys(theirs.store.containerStore).sort(),
    );
  },
);

async function hasPodman(): Promise<boolean> {
  try {
    return Deno.uid() === 0 &&
      (await new Deno.Command("podman", { args: ["--version"], stdout: "null", stderr: "null" })
        .output()).success;
  } catch {
    return false;
  }
}

async function podmanConf(dir: string): Promise<string> {
  const path = `${dir}/containers.conf`;
  await Deno.writeTextFile(
    path,
    '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n',
  );
  return path;
}
