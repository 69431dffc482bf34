import assert from "node:assert/strict";
import { ConfigError } from "../define/errors.ts";
import type { HostFacts } from "./host.ts";
import { type ConfigLocations, loadConfig } from "./load.ts";
import { DEFAULT_CONMON_PATHS, DEFAULT_RUNC_PATHS } from "./runtime_config.ts";
import { writePendingUserFile } from "./user_file.ts";

/** A temp dir with fake system config locations and a fake home. */
async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "skiff-config-test-" });
  const locations: ConfigLocations = {
    system: `${dir}/usr-share/libpod.conf`,
    override: `${dir}/etc/libpod.conf`,
  };
  await Deno.mkdir(`${dir}/usr-share`);
  await Deno.mkdir(`${dir}/etc`);
  const root: HostFacts = { uid: 0, env: {}, systemdIsInit: false, overlaySupported: true };
  const user: HostFacts = {
    uid: 1234,
    env: { HOME: `${dir}/home`, XDG_RUNTIME_DIR: `${dir}/xdg-run` },
    systemdIsInit: false,
    overlaySupported: true,
  };
  return {
    dir,
    locations,
    root,
    user,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("loadConfig() without any file gives skiff's defaults for root", async () => {
  await using t = await setup();
  const c = loadConfig({}, { host: t.root, locations: t.locations });
  assert.equal(c.configFile, null);
  assert.equal(c.rootless, false);
  assert.equal(c.storage.graphRoot, "/var/lib/skiff/storage");
  assert.equal(c.storage.runRoot, "/run/skiff/storage");
  assert.equal(c.storage.graphDriver, "overlay");
  assert.equal(c.runtime.staticDir, "/var/lib/skiff/storage/libpod");
  assert.equal(c.runtime.volumePath, "/var/lib/skiff/storage/volumes");
  assert.equal(c.runtime.tmpDir, "/run/skiff/libpod");
  assert.equal(c.runtime.runtime, "runc");
  assert.deepEqual(c.runtime.runtimes, { runc: DEFAULT_RUNC_PATHS });
  assert.deepEqual(c.runtime.conmonPath, DEFAULT_CONMON_PATHS);
  assert.equal(c.runtime.numLocks, 2048);
  assert.equal(c.runtime.cgroupManager, "cgroupfs");
  assert.equal(c.runtime.cniDefaultNetwork, "skiff");
  assert.equal(c.lockPath, "/skiff_lock");
  assert.deepEqual(c.explicit, {
    staticDir: false,
    tmpDir: false,
    volumePath: false,
    graphRoot: false,
    runRoot: false,
    graphDriver: false,
  });
});

Deno.test("loadConfig() defaults the cgroup manager to systemd only when systemd is PID 1", async () => {
  await using t = await setup();
  const c = loadConfig({}, { host: { ...t.root, systemdIsInit: true }, locations: t.locations });
  assert.equal(c.runtime.cgroupManager, "systemd");
  const noOverlay = loadConfig({}, {
    host: { ...t.root, overlaySupported: false },
    locations: t.locations,
  });
  assert.equal(noOverlay.storage.graphDriver, "vfs");
});

Deno.test("loadConfig() reads the shipped file when there is no override", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.system, 'runtime = "crun"\nnum_locks = 64\n');
  const c = loadConfig({}, { host: t.root, locations: t.locations });
  assert.equal(c.configFile, t.locations.system);
  assert.equal(c.runtime.runtime, "crun");
  assert.equal(c.runtime.numLocks, 64);
});

Deno.test("loadConfig() lets /etc replace /usr/share instead of merging with it", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.system, 'runtime = "crun"\nnum_locks = 64\n');
  await Deno.writeTextFile(t.locations.override, "num_locks = 128\n");
  const c = loadConfig({}, { host: t.root, locations: t.locations });
  assert.equal(c.configFile, t.locations.override);
  assert.equal(c.runtime.numLocks, 128);
  assert.equal(c.runtime.runtime, "runc", "the shipped file's runtime must not leak through");
});

Deno.test("loadConfig() replaces arrays and merges tables", async () => {
  await using t = await setup();
  await Deno.writeTextFile(
    t.locations.override,
    'conmon_path = ["/opt/conmon"]\n[runtimes]\ncrun = ["/usr/bin/crun"]\n',
  );
  const c = loadConfig({}, { host: t.root, locations: t.locations });
  assert.deepEqual(c.runtime.conmonPath, ["/opt/conmon"]);
  assert.deepEqual(c.runtime.runtimes, { runc: DEFAULT_RUNC_PATHS, crun: ["/usr/bin/crun"] });
});

Deno.test("loadConfig() marks static_dir, tmp_dir and volume_path set in the file as explicit", async () => {
  await using t = await setup();
  // Equal to the default, yet set on purpose: it must still count as explicit.
  await Deno.writeTextFile(
    t.locations.override,
    'static_dir = "/var/lib/skiff/storage/libpod"\ntmp_dir = "/run/other"\n',
  );
  const c = loadConfig({}, { host: t.root, locations: t.locations });
  assert.equal(c.explicit.staticDir, true);
  assert.equal(c.explicit.tmpDir, true);
  assert.equal(c.explicit.volumePath, false);
  assert.equal(c.runtime.tmpDir, "/run/other");
  await Deno.writeTextFile(t.locations.override, 'volume_path = "/vols"\n');
  const v = loadConfig({}, { host: t.root, locations: t.locations });
  assert.equal(v.explicit.volumePath, true);
  assert.equal(v.explicit.staticDir, false);
});

Deno.test("loadConfig() --config replaces the search and must exist", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.override, "num_locks = 128\n");
  const mine = `${t.dir}/mine.conf`;
  await Deno.writeTextFile(mine, "num_locks = 32\n");
  const c = loadConfig({ config: mine }, { host: t.root, locations: t.locations });
  assert.equal(c.configFile, mine);
  assert.equal(c.runtime.numLocks, 32);
  assert.throws(
    () => loadConfig({ config: `${t.dir}/missing.conf` }, { host: t.root, locations: t.locations }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes(`${t.dir}/missing.conf`) &&
      e.message.includes("no such file"),
  );
});

Deno.test("loadConfig() lets CLI flags win over the file", async () => {
  await using t = await setup();
  await Deno.writeTextFile(
    t.locations.override,
    'runtime = "crun"\ntmp_dir = "/run/file"\ncgroup_manager = "systemd"\nhooks_dir = ["/a"]\n',
  );
  const c = loadConfig({
    runtime: "/usr/bin/runc",
    tmpdir: "/run/flag",
    root: "/srv/store",
    runroot: "/run/store",
    storageDriver: "vfs",
    conmon: "/opt/conmon",
    cgroupManager: "cgroupfs",
    cniConfigDir: "/etc/cni-test",
    hooksDir: ["/h1", "/h2"],
    namespace: "ns1",
  }, { host: t.root, locations: t.locations });
  assert.equal(c.runtime.runtime, "/usr/bin/runc");
  assert.equal(c.runtime.tmpDir, "/run/flag");
  assert.equal(c.runtime.cgroupManager, "cgroupfs");
  assert.deepEqual(c.runtime.conmonPath, ["/opt/conmon"]);
  assert.deepEqual(c.runtime.hooksDir, ["/h1", "/h2"]);
  assert.equal(c.runtime.cniConfigDir, "/etc/cni-test");
  assert.equal(c.runtime.namespace, "ns1");
  assert.deepEqual(c.storage, {
    graphRoot: "/srv/store",
    runRoot: "/run/store",
    graphDriver: "vfs",
  });
  // --root moves the static dir and volumes with it, and marks them explicit (seed CLI rule)
  assert.equal(c.runtime.staticDir, "/srv/store/libpod");
  assert.equal(c.runtime.volumePath, "/srv/store/volumes");
  assert.deepEqual(c.explicit, {
    staticDir: true,
    tmpDir: true,
    volumePath: true,
    graphRoot: true,
    runRoot: true,
    graphDriver: true,
  });
});

Deno.test("loadConfig() translates runtime_path into runtime and runtimes", async () => {
  await using t = await setup();
  await Deno.writeTextFile(
    t.locations.override,
    'runtime = "runc"\nruntime_path = ["/opt/bin/myrunc", "/usr/bin/myrunc"]\n',
  );
  const c = loadConfig({}, { host: t.root, locations: t.locations });
  assert.equal(c.runtime.runtime, "myrunc");
  assert.deepEqual(c.runtime.runtimes, { myrunc: ["/opt/bin/myrunc", "/usr/bin/myrunc"] });
  // a --runtime flag still wins over the translated value
  const f = loadConfig({ runtime: "runc" }, { host: t.root, locations: t.locations });
  assert.equal(f.runtime.runtime, "runc");
});

Deno.test("loadConfig() names file, line and column of malformed TOML", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.override, 'runtime = "runc"\nnum_locks = [1,\n');
  assert.throws(
    () => loadConfig({}, { host: t.root, locations: t.locations }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.startsWith(`decoding configuration file ${t.locations.override}: `) &&
      /line 3, column \d+/.test(e.message),
  );
});

Deno.test("loadConfig() names the key and file of a wrongly typed value", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.override, 'num_locks = "x"\n');
  assert.throws(
    () => loadConfig({}, { host: t.root, locations: t.locations }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes('"num_locks"') &&
      e.message.includes(t.locations.override) && e.message.includes("must be an integer"),
  );
  await Deno.writeTextFile(t.locations.override, '[runtimes]\nrunc = "/usr/bin/runc"\n');
  assert.throws(
    () => loadConfig({}, { host: t.root, locations: t.locations }),
    /key "runtimes.runc" must be an array of strings, not a string/,
  );
});

Deno.test("loadConfig() ignores unknown keys such as the seed's pause_image", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.override, 'pause_image = "x"\nnum_locks = 96\n');
  const c = loadConfig({}, { host: t.root, locations: t.locations });
  assert.equal(c.runtime.numLocks, 96);
});

Deno.test("loadConfig() rejects an unknown cgroup manager", async () => {
  await using t = await setup();
  assert.throws(
    () => loadConfig({ cgroupManager: "nope" }, { host: t.root, locations: t.locations }),
    /invalid cgroup manager "nope"/,
  );
});

Deno.test("loadConfig() puts rootless storage, run dirs and lock in the user's places", async () => {
  await using t = await setup();
  const c = loadConfig({}, { host: t.user, locations: t.locations });
  assert.equal(c.rootless, true);
  assert.equal(c.storage.graphRoot, `${t.dir}/home/.local/share/skiff/storage`);
  assert.equal(c.storage.runRoot, `${t.dir}/xdg-run/skiff/storage`);
  assert.equal(c.storage.graphDriver, "vfs");
  assert.equal(c.runtime.tmpDir, `${t.dir}/xdg-run/skiff/libpod/tmp`);
  assert.equal(c.runtime.staticDir, `${t.dir}/home/.local/share/skiff/storage/libpod`);
  assert.equal(c.runtimeDir, `${t.dir}/xdg-run`);
  assert.equal(c.lockPath, "/skiff_rootless_lock_1234");
  assert.equal(c.runtime.cgroupManager, "cgroupfs");
  const xdg = loadConfig({}, {
    host: { ...t.user, env: { ...t.user.env, XDG_DATA_HOME: `${t.dir}/data` } },
    locations: t.locations,
  });
  assert.equal(xdg.storage.graphRoot, `${t.dir}/data/skiff/storage`);
});

Deno.test("loadConfig() rootless uses the user file (XDG_CONFIG_HOME honoured), not /etc", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.override, "num_locks = 128\n");
  await Deno.mkdir(`${t.dir}/cfg/skiff`, { recursive: true });
  await Deno.writeTextFile(`${t.dir}/cfg/skiff/libpod.conf`, "num_locks = 16\n");
  const host = { ...t.user, env: { ...t.user.env, XDG_CONFIG_HOME: `${t.dir}/cfg` } };
  const c = loadConfig({}, { host, locations: t.locations });
  assert.equal(c.configFile, `${t.dir}/cfg/skiff/libpod.conf`);
  assert.equal(c.runtime.numLocks, 16);
  assert.equal(c.pendingUserFile, null);
});

Deno.test("loadConfig() rootless without a user file cherry-picks binaries from the global file", async () => {
  await using t = await setup();
  await Deno.writeTextFile(
    t.locations.override,
    [
      'conmon_path = ["/opt/conmon"]',
      'conmon_env_vars = ["PATH=/opt/bin"]',
      'cni_plugin_dir = ["/opt/cni"]',
      "no_pivot_root = true",
      "num_locks = 128",
      'tmp_dir = "/run/global"',
      "[runtimes]",
      'crun = ["/opt/crun"]',
    ].join("\n"),
  );
  const c = loadConfig({}, { host: t.user, locations: t.locations });
  assert.equal(c.configFile, null);
  assert.deepEqual(c.runtime.conmonPath, ["/opt/conmon"]);
  assert.deepEqual(c.runtime.conmonEnvVars, ["PATH=/opt/bin"]);
  assert.deepEqual(c.runtime.cniPluginDir, ["/opt/cni"]);
  assert.equal(c.runtime.noPivotRoot, true);
  assert.deepEqual(c.runtime.runtimes.crun, ["/opt/crun"]);
  assert.equal(c.runtime.numLocks, 2048, "only the binary keys are taken");
  assert.equal(c.runtime.tmpDir, `${t.dir}/xdg-run/skiff/libpod/tmp`);
  assert.equal(c.pendingUserFile?.path, `${t.dir}/home/.config/skiff/libpod.conf`);
});

Deno.test("writePendingUserFile() writes the first rootless file once, exclusively", async () => {
  await using t = await setup();
  const c = loadConfig({}, { host: t.user, locations: t.locations });
  const path = `${t.dir}/home/.config/skiff/libpod.conf`;
  await writePendingUserFile(c);
  const text = await Deno.readTextFile(path);
  assert.match(text, /num_locks = 2048/);
  assert.match(text, /\[runtimes\]/);
  // what was written reads back as the same configuration
  const again = loadConfig({}, { host: t.user, locations: t.locations });
  assert.equal(again.configFile, path);
  assert.deepEqual(again.runtime, c.runtime);
  // a second first-run (racing process) never overwrites an existing file
  await Deno.writeTextFile(path, "num_locks = 8\n");
  await writePendingUserFile({ ...c, pendingUserFile: { path, config: c.runtime } });
  assert.equal(await Deno.readTextFile(path), "num_locks = 8\n");
});

Deno.test("loadConfig() writes nothing itself, even when it fails", async () => {
  await using t = await setup();
  await Deno.writeTextFile(t.locations.override, "num_locks = [\n");
  assert.throws(() => loadConfig({}, { host: t.user, locations: t.locations }));
  loadConfig({}, {
    host: t.user,
    locations: { system: "/nonexistent/a", override: "/nonexistent/b" },
  });
  await assert.rejects(Deno.stat(`${t.dir}/home`), Deno.errors.NotFound);
});
