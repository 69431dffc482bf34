/**
 * The cases every {@linkcode State} must pass, registered by each implementation's test file
 * (as podman's `runForAllStates`): containers, lookups, names, dependencies, exec sessions,
 * exit codes, namespaces. Pods, volumes, refresh and the rest are in `_state_suite_more.ts`.
 * @module
 */

import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import type { State, StateOptions } from "./state.ts";
import { assertConflict, assertNotFound, ctr, idWithPrefix, pod, vol } from "./_state_testdata.ts";
import { moreStateCases } from "./_state_suite_more.ts";

/** A state under test and how to dispose of it. */
export interface StateFixture {
  state: State;
  cleanup(): void;
}

/** Opens a fresh, empty state. */
export type OpenState = (options: StateOptions) => StateFixture;

/** Registers one test case: `fn` gets a fresh state and a settable clock. */
export type TestCase = (
  what: string,
  fn: (s: State, clock: { now: number }) => void,
) => void;

/** Registers the shared cases as `<name> …` tests. */
export function stateSuite(name: string, open: OpenState): void {
  const test: TestCase = (what, fn) => {
    Deno.test(`${name} ${what}`, () => {
      const clock = { now: 1_700_000_000_000 };
      const f = open({ now: () => clock.now });
      try {
        fn(f.state, clock);
      } finally {
        f.cleanup();
      }
    });
  };
  containerCases(test);
  moreStateCases(test);
}

function containerCases(test: TestCase): void {
  test("addContainer() then container(), lookupContainer() by ID, prefix and name", (s) => {
    const a = ctr({ name: "web" });
    s.addContainer(a);
    assert.deepEqual(s.container(a.config.id), a);
    assert.deepEqual(s.lookupContainer(a.config.id), a);
    assert.deepEqual(s.lookupContainer(a.config.id.slice(0, 12)), a);
    assert.deepEqual(s.lookupContainer("web"), a);
    assert.ok(s.hasContainer(a.config.id));
    assert.ok(!s.hasContainer(a.config.id.slice(0, 12)));
    assertNotFound(
      () => s.container(a.config.id.slice(0, 12)),
      "container",
      `no container with ID ${a.config.id.slice(0, 12)} found in database: no such container`,
    );
  });

  test("lookupContainer() refuses an ambiguous prefix and prefers an exact name", (s) => {
    const a = ctr({ id: idWithPrefix("abc1") }), b = ctr({ id: idWithPrefix("abc2") });
    s.addContainer(a);
    s.addContainer(b);
    assertConflict(() => s.lookupContainer("abc"), 'more than one result for container "abc"');
    assert.equal(s.lookupContainer("abc2").config.id, b.config.id);
    const named = ctr({ name: "abc" });
    s.addContainer(named);
    assert.equal(s.lookupContainer("abc").config.id, named.config.id);
  });

  test("lookupContainer() is case-sensitive and treats % and _ literally", (s) => {
    const under = ctr({ id: "a_c" + "1".repeat(61) });
    const plain = ctr({ id: "abc" + "2".repeat(61) });
    const pct = ctr({ id: "a%c" + "3".repeat(61) });
    const upper = ctr({ id: "ABC" + "4".repeat(61) });
    for (const c of [under, plain, pct, upper]) s.addContainer(c);
    assert.equal(s.lookupContainer("a_c").config.id, under.config.id);
    assert.equal(s.lookupContainer("a%").config.id, pct.config.id);
    assert.equal(s.lookupContainer("ab").config.id, plain.config.id);
    assert.equal(s.lookupContainer("AB").config.id, upper.config.id);
    assertNotFound(() => s.lookupContainer("a\\"), "container");
    assertNotFound(() => s.lookupContainer("%"), "container");
    assertNotFound(() => s.lookupContainer("_"), "container");
  });

  test("lookupContainer() reports a missing or empty name", (s) => {
    assertNotFound(
      () => s.lookupContainer("nope"),
      "container",
      'no container with name or ID "nope" found: no such container',
    );
    assert.throws(() => s.lookupContainer(""), (e) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, "name or ID cannot be empty");
      return true;
    });
  });

  test("addContainer() refuses a used name with podman's wording", (s) => {
    const a = ctr({ name: "x" });
    s.addContainer(a);
    assertConflict(
      () => s.addContainer(ctr({ name: "x" })),
      `the container name "x" is already in use by ${a.config.id}. You have to remove that ` +
        "container to be able to reuse that name: that name is already in use",
    );
    const p = pod({ name: "px" });
    s.addPod(p);
    assertConflict(
      () => s.addContainer(ctr({ name: "px" })),
      'name "px" is in use: pod already exists',
    );
    assertConflict(
      () => s.addPod(pod({ name: "x" })),
      'name "x" is in use: container already exists',
    );
    assertConflict(() => s.addPod(pod({ name: "px" })), 'name "px" is in use: pod already exists');
    assertConflict(
      () => s.addContainer(ctr({ id: p.config.id })),
      `ID "${p.config.id}" is in use: pod already exists`,
    );
    assertConflict(
      () => s.addPod(pod({ id: a.config.id })),
      `ID "${a.config.id}" is in use: container already exists`,
    );
    assert.equal(s.allContainers().length, 1);
    assert.equal(s.allPods().length, 1);
  });

  test("removeContainer() refuses while others depend on it", (s) => {
    const a = ctr(),
      b = ctr({ dependencies: [a.config.id] }),
      c = ctr({ dependencies: [a.config.id] });
    for (const x of [a, b, c]) s.addContainer(x);
    const deps = [b.config.id, c.config.id].sort();
    assert.deepEqual(s.containerInUse(a.config.id), deps);
    assertConflict(
      () => s.removeContainer(a.config.id),
      `container ${a.config.id} has dependent containers which must be removed before it: ` +
        `${deps.join(", ")}: container already exists`,
    );
    s.removeContainer(b.config.id);
    s.removeContainer(c.config.id);
    assert.deepEqual(s.containerInUse(a.config.id), []);
    s.removeContainer(a.config.id);
    assert.ok(!s.hasContainer(a.config.id));
    assertNotFound(() => s.removeContainer(a.config.id), "container");
  });

  test("addContainer() checks dependencies and leaves nothing behind on failure", (s) => {
    const a = ctr();
    s.addContainer(a);
    const missing = ctr().config.id;
    const bad = ctr({ name: "late", dependencies: [a.config.id, missing] });
    assertNotFound(
      () => s.addContainer(bad),
      "container",
      `container ${bad.config.id} depends on container ${missing} but it does not exist: ` +
        "no such container",
    );
    assert.ok(!s.hasContainer(bad.config.id));
    assert.deepEqual(s.containerInUse(a.config.id), []);
    s.addContainer(ctr({ name: "late" }));
    const self = ctr();
    self.config.dependencies = [self.config.id];
    assertConflict(
      () => s.addContainer(self),
      /cannot depend on container .*: it is the container/,
    );
    const p = pod();
    s.addPod(p);
    assertConflict(
      () => s.addContainer(ctr({ pod: p.config.id, dependencies: [a.config.id] })),
      /it is not in pod/,
    );
    const inPod = ctr({ pod: p.config.id });
    s.addContainer(inPod);
    assertConflict(() => s.addContainer(ctr({ dependencies: [inPod.config.id] })), /it is in pod/);
    s.addContainer(ctr({ pod: p.config.id, dependencies: [inPod.config.id] }));
    assertNotFound(() => s.addContainer(ctr({ pod: ctr().config.id })), "pod", /no such pod/);
  });

  test("addContainer() requires its named volumes", (s) => {
    assertNotFound(
      () => s.addContainer(ctr({ namedVolumes: ["data"] })),
      "volume",
      "no volume with name data found in database: no such volume",
    );
    s.addVolume(vol("data"));
    const c = ctr({ namedVolumes: ["data", "data"] });
    s.addContainer(c);
    assert.deepEqual(s.volumeInUse("data"), [c.config.id]);
  });

  test("removeContainer() removes its exec sessions", (s) => {
    const a = ctr(), b = ctr();
    s.addContainer(a);
    s.addContainer(b);
    s.addExecSession({ id: "e1", containerId: a.config.id, data: { cmd: ["sh"], pid: 42 } });
    s.addExecSession({ id: "e2", containerId: a.config.id, data: {} });
    s.addExecSession({ id: "e3", containerId: b.config.id, data: {} });
    assert.deepEqual(s.getExecSession("e1"), {
      id: "e1",
      containerId: a.config.id,
      data: { cmd: ["sh"], pid: 42 },
    });
    assert.deepEqual(s.containerExecSessions(a.config.id).map((e) => e.id), ["e1", "e2"]);
    assertConflict(() => s.addExecSession({ id: "e1", containerId: b.config.id, data: {} }));
    assertNotFound(
      () => s.addExecSession({ id: "e9", containerId: "gone", data: {} }),
      "container",
    );
    s.removeContainer(a.config.id);
    assertNotFound(() => s.getExecSession("e1"), "exec session", /no such exec session/);
    assertNotFound(() => s.getExecSession("e2"), "exec session");
    s.removeExecSession("e3");
    assertNotFound(() => s.removeExecSession("e3"), "exec session");
    assert.deepEqual(s.containerExecSessions(b.config.id), []);
  });

  test(
    "exit codes survive removal; pruning drops only old ones of removed containers",
    (s, clock) => {
      const gone = ctr(), kept = ctr(), recent = ctr();
      for (const c of [gone, kept, recent]) s.addContainer(c);
      s.addExitCode(gone.config.id, 137);
      s.addExitCode(kept.config.id, -1);
      clock.now += 200_000;
      s.addExitCode(recent.config.id, 0);
      s.removeContainer(gone.config.id);
      s.removeContainer(recent.config.id);
      assert.equal(s.getExitCode(gone.config.id), 137);
      clock.now += 150_000;
      s.pruneExitCodes();
      assertNotFound(
        () => s.getExitCode(gone.config.id),
        "exit code",
        `getting exit code of container ${gone.config.id} from database: no such exit code`,
      );
      assert.equal(s.getExitCode(kept.config.id), -1);
      assert.equal(s.getExitCode(recent.config.id), 0);
      s.pruneExitCodes(100_000);
      assertNotFound(() => s.getExitCode(recent.config.id), "exit code");
      s.addExitCode(kept.config.id, 255);
      assert.equal(s.getExitCode(kept.config.id), 255);
      assert.throws(() => s.addExitCode(kept.config.id, 256), RangeError);
      assert.throws(() => s.addExitCode(kept.config.id, -2), RangeError);
      assert.equal(s.getExitCode(kept.config.id), 255);
    },
  );

  test("a namespace hides other namespaces' containers and pods", (s) => {
    const a = ctr({ namespace: "a", name: "in_a" }), b = ctr({ namespace: "b", name: "in_b" });
    const pa = pod({ namespace: "a" }), pb = pod({ namespace: "b", name: "pod_b" });
    for (const c of [a, b]) s.addContainer(c);
    for (const p of [pa, pb]) s.addPod(p);
    s.setNamespace("a");
    assert.deepEqual(s.allContainers().map((c) => c.config.id), [a.config.id]);
    assert.deepEqual(s.allPods().map((p) => p.config.id), [pa.config.id]);
    assertNotFound(() => s.lookupContainer("in_b"), "container");
    assertNotFound(() => s.lookupContainer(b.config.id.slice(0, 10)), "container");
    assertNotFound(() => s.lookupPod("pod_b"), "pod");
    assert.ok(!s.hasContainer(b.config.id) && !s.hasPod(pb.config.id));
    assertConflict(() => s.container(b.config.id), /target is in a different namespace/);
    assertConflict(() => s.updateContainer(b.config.id), /target is in a different namespace/);
    assertConflict(() => s.removeContainer(b.config.id), /target is in a different namespace/);
    assertConflict(() => s.pod(pb.config.id), /target is in a different namespace/);
    assertConflict(() => s.addContainer(ctr({ namespace: "b" })), /cannot add container/);
    assertConflict(() => s.addPod(pod({ namespace: "" })), /cannot add pod/);
    assertConflict(
      () => s.addContainer(ctr({ namespace: "a", pod: pb.config.id })),
      /target is in a different namespace/,
    );
    assertConflict(
      () => s.addContainer(ctr({ namespace: "a", dependencies: [b.config.id] })),
      /in namespace "b"/,
    );
    assertConflict(() => s.addContainer(ctr({ namespace: "a", name: "in_b" })), /already in use/);
    assert.equal(s.containerCounts().number, 1);
    s.setNamespace("");
    assert.equal(s.allContainers().length, 2);
    assert.equal(s.lookupContainer("in_b").config.id, b.config.id);
  });
}
