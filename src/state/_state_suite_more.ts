/**
 * Shared state cases, continued: pods, volumes, refresh, rewrites, save/update, counts and
 * the DB config. Registered by `stateSuite()` in `_state_suite.ts`.
 * @module
 */

import assert from "node:assert/strict";
import { ALL_STATUSES, type ContainerStatus } from "../define/container_status.ts";
import type { ContainerState } from "../define/container.ts";
import type { TestCase } from "./_state_suite.ts";
import { assertConflict, assertNotFound, ctr, idWithPrefix, pod, vol } from "./_state_testdata.ts";

/** Registers the cases of this file with `test`. */
export function moreStateCases(test: TestCase): void {
  test("pods: add, look up, list containers, save, rename, refuse removal while used", (s) => {
    const p = pod({ id: idWithPrefix("fff"), name: "mypod" });
    s.addPod(p);
    assert.deepEqual(s.pod(p.config.id), p);
    assert.deepEqual(s.lookupPod("mypod"), p);
    assert.deepEqual(s.lookupPod("fff"), p);
    assert.ok(s.hasPod(p.config.id));
    assertNotFound(
      () => s.lookupPod("nope"),
      "pod",
      'no pod with name or ID "nope" found: no such pod',
    );
    s.addPod(pod({ id: idWithPrefix("ff0") }));
    assertConflict(() => s.lookupPod("ff"), 'more than one result for pod "ff"');
    const a = ctr({ pod: p.config.id }), b = ctr({ pod: p.config.id });
    s.addContainer(a);
    s.addContainer(b);
    s.addContainer(ctr());
    assert.deepEqual(s.podContainers(p.config.id).map((c) => c.config.id), [
      a.config.id,
      b.config.id,
    ]);
    assertConflict(
      () => s.removePod(p.config.id),
      `pod ${p.config.id} is not empty: it still has containers ${a.config.id}, ${b.config.id}`,
    );
    const st = { cgroupPath: "/x", infraContainerId: a.config.id };
    s.savePod(p.config.id, st);
    assert.deepEqual(s.updatePod(p.config.id), st);
    s.rewritePodConfig({ ...p.config, name: "renamed", lockId: 99 });
    assert.equal(s.lookupPod("renamed").config.lockId, 99);
    assertNotFound(() => s.lookupPod("mypod"), "pod");
    assertConflict(
      () => s.rewritePodConfig({ ...p.config, name: a.config.name }),
      /is in use: container already exists/,
    );
    assertConflict(() => s.rewritePodConfig({ ...p.config, name: "renamed", namespace: "n" }));
    s.removeContainer(a.config.id);
    s.removeContainer(b.config.id);
    s.removePod(p.config.id);
    assert.ok(!s.hasPod(p.config.id));
    assertNotFound(() => s.pod(p.config.id), "pod", /no pod with ID .* found in database/);
    s.addContainer(ctr({ name: "mypod" }));
    assert.equal(s.allPods().length, 1);
  });

  test("volumes: add, look up by prefix, save, rewrite, refuse removal while used", (s) => {
    const data = vol("data");
    s.addVolume(data);
    s.addVolume(vol("database"));
    s.addVolume(vol("logs"));
    assert.deepEqual(s.volume("data"), data);
    assert.deepEqual(s.lookupVolume("data"), data);
    assert.equal(s.lookupVolume("datab").config.name, "database");
    assert.equal(s.lookupVolume("l").config.name, "logs");
    assertConflict(() => s.lookupVolume("dat"), 'more than one result for volume "dat"');
    assertNotFound(
      () => s.lookupVolume("x"),
      "volume",
      'no volume with name "x" found: no such volume',
    );
    assertNotFound(() => s.lookupVolume("d%"), "volume");
    assertConflict(
      () => s.addVolume(vol("data")),
      "volume with name data already exists: volume already exists",
    );
    const c = ctr({ namedVolumes: ["data"] });
    s.addContainer(c);
    assert.deepEqual(s.volumeInUse("data"), [c.config.id]);
    assertConflict(
      () => s.removeVolume("data"),
      `volume data is being used by the following container(s): ${c.config.id}: ` +
        "volume is being used",
    );
    s.saveVolume("data", { mountCount: 3 });
    assert.deepEqual(s.volume("data").state, { mountCount: 3 });
    const cfg = { ...s.volume("data").config, lockId: 77 };
    s.rewriteVolumeConfig(cfg);
    assert.deepEqual(s.volume("data").config, cfg);
    s.removeContainer(c.config.id);
    s.removeVolume("data");
    assert.ok(!s.hasVolume("data"));
    assertNotFound(() => s.volume("data"), "volume", /no such volume/);
    assertNotFound(() => s.removeVolume("data"), "volume");
    assert.deepEqual(s.allVolumes().map((v) => v.config.name), ["database", "logs"]);
  });

  test("refresh() resets every status, exec sessions, exit codes, pods and volumes", (s) => {
    const expected: Record<ContainerStatus, ContainerStatus> = {
      configured: "configured",
      created: "configured",
      running: "exited",
      paused: "exited",
      stopping: "exited",
      stopped: "exited",
      exited: "exited",
      removing: "removing",
      unknown: "configured",
    };
    assert.deepEqual(Object.keys(expected).sort(), [...ALL_STATUSES].sort());
    const ids = new Map<string, ContainerStatus>();
    for (const status of ALL_STATUSES) {
      const c = ctr({ status });
      Object.assign(
        c.state,
        {
          pid: 100,
          conmonPid: 99,
          exitCode: 3,
          exited: true,
          mounted: true,
          mountPoint: "/m",
          netNs: "/run/netns/x",
          networkResults: [{ ips: [] }],
          restartCount: 2,
          startedAt: "2024-01-01T00:00:00Z",
        } satisfies Partial<ContainerState>,
      );
      s.addContainer(c);
      s.addExecSession({ id: `exec-${status}`, containerId: c.config.id, data: {} });
      s.addExitCode(c.config.id, 1);
      ids.set(c.config.id, status);
    }
    const p = pod();
    s.addPod(p);
    s.addVolume(vol("v"));
    s.saveVolume("v", { mountCount: 2 });
    s.setNamespace("other");
    s.refresh();
    s.setNamespace("");
    for (const [id, before] of ids) {
      assert.deepEqual(s.updateContainer(id), {
        status: expected[before],
        pid: 0,
        conmonPid: 0,
        exitCode: 3,
        exited: true,
        oomKilled: false,
        startedAt: "2024-01-01T00:00:00Z",
        finishedAt: null,
        mounted: false,
        mountPoint: "",
        netNs: null,
        networkResults: null,
        restartCount: 0,
        error: "",
      }, `status ${before}`);
      assert.deepEqual(s.containerExecSessions(id), []);
      assertNotFound(() => s.getExitCode(id), "exit code");
    }
    assert.deepEqual(s.updatePod(p.config.id), { ...p.state, cgroupPath: "" });
    assert.deepEqual(s.volume("v").state, { mountCount: 0 });
    assert.equal(s.containerCounts().running, 0);
  });

  test("rewriteContainerConfig() renames, renumbers and keeps the name index", (s) => {
    const a = ctr({ name: "old" }), other = ctr({ name: "taken" });
    s.addContainer(a);
    s.addContainer(other);
    s.addPod(pod({ name: "podname" }));
    s.rewriteContainerConfig({ ...a.config, name: "new", lockId: 1234 });
    assert.equal(s.lookupContainer("new").config.id, a.config.id);
    assert.equal(s.container(a.config.id).config.lockId, 1234);
    assertNotFound(() => s.lookupContainer("old"), "container");
    s.addContainer(ctr({ name: "old" }));
    assertConflict(
      () => s.rewriteContainerConfig({ ...a.config, name: "taken" }),
      /the container name "taken" is already in use by/,
    );
    assertConflict(
      () => s.rewriteContainerConfig({ ...a.config, name: "podname" }),
      'name "podname" is in use: pod already exists',
    );
    assertConflict(
      () => s.rewriteContainerConfig({ ...a.config, name: "new", dependencies: [other.config.id] }),
      /its dependencies cannot change/,
    );
    assertNotFound(() => s.rewriteContainerConfig(ctr().config), "container");
    assert.equal(s.lookupContainer("new").config.lockId, 1234);
    assert.deepEqual(s.allContainers().map((c) => c.config.name), ["new", "taken", "old"]);
  });

  test("saveContainer() and updateContainer() round-trip; returned records are copies", (s) => {
    const a = ctr();
    s.addContainer(a);
    const st: ContainerState = {
      ...a.state,
      status: "running",
      pid: 4242,
      conmonPid: 4241,
      startedAt: "2024-05-06T07:08:09.123456789Z",
      networkResults: [{ interfaces: [{ name: "eth0" }], ips: [{ address: "10.88.0.2/16" }] }],
    };
    s.saveContainer(a.config.id, st);
    assert.deepEqual(s.updateContainer(a.config.id), st);
    assert.deepEqual(s.container(a.config.id).state, st);
    const got = s.container(a.config.id);
    got.state.pid = 1;
    got.config.env.X = "y";
    assert.equal(s.updateContainer(a.config.id).pid, 4242);
    assert.equal(s.container(a.config.id).config.env.X, undefined);
    a.config.labels.mutated = "yes";
    assert.equal(s.container(a.config.id).config.labels.mutated, undefined);
    assert.throws(
      () => s.saveContainer(a.config.id, { ...st, status: "bogus" as ContainerStatus }),
      RangeError,
    );
    assert.throws(() => s.saveContainer(a.config.id, { ...st, exitCode: 300 }), RangeError);
    assert.deepEqual(s.updateContainer(a.config.id), st);
    assertNotFound(() => s.saveContainer("nope", st), "container");
    assertNotFound(() => s.updateContainer("nope"), "container");
  });

  test("containerCounts() counts by status", (s) => {
    const statuses: ContainerStatus[] = ["running", "running", "paused", "exited", "configured"];
    for (const status of statuses) s.addContainer(ctr({ status }));
    assert.deepEqual(s.containerCounts(), { number: 5, running: 2, paused: 1, stopped: 2 });
    const c = s.allContainers()[4]!;
    s.saveContainer(c.config.id, { ...c.state, status: "running" });
    assert.deepEqual(s.containerCounts(), { number: 5, running: 3, paused: 1, stopped: 1 });
  });

  test("initDbConfig() stores the first config, cleaned, and returns it afterwards", (s) => {
    assert.equal(s.getDbConfig(), null);
    const first = {
      os: "linux",
      staticDir: "/var/lib/skiff//",
      tmpDir: "/run/skiff/",
      graphRoot: "/var/lib/skiff/storage",
      runRoot: "/run/skiff/storage",
      graphDriver: "overlay",
      volumePath: "/var/lib/skiff/volumes",
    };
    const stored = s.initDbConfig(first);
    assert.deepEqual(stored, { ...first, staticDir: "/var/lib/skiff", tmpDir: "/run/skiff" });
    assert.deepEqual(s.initDbConfig({ ...first, graphRoot: "/elsewhere" }), stored);
    assert.deepEqual(s.getDbConfig(), stored);
  });

  test("allContainers() lists in creation order", (s) => {
    const ids = Array.from({ length: 5 }, () => ctr());
    for (const c of ids) s.addContainer(c);
    s.removeContainer(ids[1]!.config.id);
    const late = ctr();
    s.addContainer(late);
    assert.deepEqual(
      s.allContainers().map((c) => c.config.id),
      [0, 2, 3, 4].map((i) => ids[i]!.config.id).concat(late.config.id),
    );
  });
}
