/**
 * The in-memory {@linkcode State} for unit tests: same rules, same errors and same ordering as
 * the SQLite one (the shared suite runs against both). Records are kept as JSON text (see
 * _memory_tables.ts). Checks run before any change, so a refused call changes nothing.
 * @module
 */

import type {
  ContainerConfig,
  ContainerRecord,
  ContainerState,
  ExecSessionRecord,
} from "../define/container.ts";
import type { DbConfig } from "../define/db_config.ts";
import type { PodConfig, PodRecord, PodState } from "../define/pod.ts";
import type { VolumeConfig, VolumeRecord, VolumeState } from "../define/volume.ts";
import * as err from "./_errors.ts";
import {
  checkContainerRewrite,
  checkDependency,
  checkPodRewrite,
  resetContainerState,
  resetPodState,
  resetVolumeState,
  unique,
  validateContainerState,
  validateExitCode,
} from "./_records.ts";
import { MemoryTables, parse, recordOf, setConfig, type Stored, stored } from "./_memory_tables.ts";
import { cleanDbConfig } from "./db_config.ts";
import {
  type ContainerCounts,
  EXIT_CODE_RETENTION_MS,
  type State,
  type StateOptions,
} from "./state.ts";

/** A {@linkcode State} held in this process only; for tests. `close()` does nothing. */
export class InMemoryState implements State {
  #ns = "";
  readonly #now: () => number;
  readonly #t = new MemoryTables();

  /** Creates an empty state. */
  constructor(options: StateOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  close(): void {}

  /** Runs `fn`; if it throws, every table is restored to what it held before (all or nothing). */
  transaction<T>(fn: () => T): T {
    const restore = this.#t.snapshot();
    try {
      return fn();
    } catch (e) {
      restore();
      throw e;
    }
  }

  setNamespace(ns: string): void {
    this.#ns = ns;
  }

  getDbConfig(): DbConfig | null {
    return this.#t.dbConfig && { ...this.#t.dbConfig };
  }

  initDbConfig(wanted: DbConfig): DbConfig {
    this.#t.dbConfig ??= cleanDbConfig(wanted);
    return { ...this.#t.dbConfig };
  }

  #visible(ns: string): boolean {
    return this.#ns === "" || ns === this.#ns;
  }

  #ctr(id: string): Stored<ContainerConfig> {
    if (id === "") throw err.emptyName();
    const c = this.#t.ctrs.get(id);
    if (!c) throw err.noSuchId("container", id);
    if (!this.#visible(c.config.namespace)) {
      throw err.otherNamespace("container", id, c.config.namespace, this.#ns);
    }
    return c;
  }

  #pod(id: string): Stored<PodConfig> {
    if (id === "") throw err.emptyName();
    const p = this.#t.pods.get(id);
    if (!p) throw err.noSuchId("pod", id);
    if (!this.#visible(p.config.namespace)) {
      throw err.otherNamespace("pod", id, p.config.namespace, this.#ns);
    }
    return p;
  }

  #vol(name: string): Stored<VolumeConfig> {
    const v = this.#t.vols.get(name);
    if (!v) throw err.noSuchVolume(name);
    return v;
  }

  #lookup<C extends { namespace: string }>(
    kind: err.NamedKind,
    map: Map<string, Stored<C>>,
    idOrName: string,
  ): Stored<C> {
    if (idOrName === "") throw err.emptyName();
    const owner = this.#t.names.get(idOrName);
    const byName = owner?.kind === kind ? map.get(owner.id) : undefined;
    if (byName && this.#visible(byName.config.namespace)) return byName;
    let found: Stored<C> | undefined;
    for (const [id, c] of map) {
      if (!id.startsWith(idOrName) || !this.#visible(c.config.namespace)) continue;
      if (found) throw err.ambiguous(kind, idOrName);
      found = c;
    }
    if (!found) throw err.noSuchName(kind, idOrName);
    return found;
  }

  #checkNewIdAndName(kind: err.NamedKind, id: string, name: string, ns: string): void {
    if (id === "" || name === "") throw err.emptyName();
    if (this.#ns !== "" && ns !== this.#ns) {
      throw err.addInOtherNamespace(kind, id, ns, this.#ns);
    }
    if (this.#t.ctrs.has(id)) throw err.idInUse(id, "container");
    if (this.#t.pods.has(id)) throw err.idInUse(id, "pod");
    const owner = this.#t.names.get(name);
    if (owner) throw err.nameInUse(kind, name, owner);
  }

  #checkRename(kind: err.NamedKind, oldName: string, name: string): void {
    if (name === "") throw err.emptyName();
    const owner = this.#t.names.get(name);
    if (name !== oldName && owner) throw err.nameInUse(kind, name, owner);
  }

  container(id: string): ContainerRecord {
    return recordOf(this.#ctr(id));
  }

  lookupContainer(idOrName: string): ContainerRecord {
    return recordOf(this.#lookup("container", this.#t.ctrs, idOrName));
  }

  hasContainer(id: string): boolean {
    const c = this.#t.ctrs.get(id);
    return c !== undefined && this.#visible(c.config.namespace);
  }

  addContainer(rec: ContainerRecord): void {
    const cfg = rec.config;
    validateContainerState(rec.state);
    this.#checkNewIdAndName("container", cfg.id, cfg.name, cfg.namespace);
    const podId = cfg.pod ?? null;
    if (podId !== null) {
      const pod = this.#t.pods.get(podId);
      if (!pod) throw err.noSuchId("pod", podId);
      if (pod.config.namespace !== cfg.namespace) {
        throw err.podInOtherNamespace(cfg.id, podId, pod.config.namespace);
      }
    }
    for (const dep of unique(cfg.dependencies)) {
      if (dep === cfg.id) throw err.badDependency(cfg.id, dep, "it is the container itself");
      const d = this.#t.ctrs.get(dep)?.config;
      if (!d) throw err.missingDependency(cfg.id, dep);
      checkDependency(cfg, d);
    }
    for (const v of unique(cfg.namedVolumes)) this.#vol(v);
    this.#t.ctrs.set(cfg.id, stored(rec));
    this.#t.names.set(cfg.name, { kind: "container", id: cfg.id });
  }

  removeContainer(id: string): void {
    const c = this.#ctr(id);
    const dependents = this.containerInUse(id);
    if (dependents.length) throw err.hasDependents(id, dependents);
    for (const [sid, s] of this.#t.execs) if (s.containerId === id) this.#t.execs.delete(sid);
    this.#t.ctrs.delete(id);
    this.#t.names.delete(c.config.name);
  }

  updateContainer(id: string): ContainerState {
    return parse(this.#ctr(id).stateJson);
  }

  saveContainer(id: string, state: ContainerState): void {
    validateContainerState(state);
    this.#ctr(id).stateJson = JSON.stringify(state);
  }

  containerInUse(id: string): string[] {
    this.#ctr(id);
    const out: string[] = [];
    for (const [cid, c] of this.#t.ctrs) if (c.config.dependencies.includes(id)) out.push(cid);
    return out.sort();
  }

  allContainers(): ContainerRecord[] {
    return [...this.#t.ctrs.values()]
      .filter((c) => this.#visible(c.config.namespace))
      .map(recordOf<ContainerConfig, ContainerState>);
  }

  rewriteContainerConfig(config: ContainerConfig): void {
    const c = this.#ctr(config.id);
    checkContainerRewrite(c.config, config);
    this.#checkRename("container", c.config.name, config.name);
    this.#t.names.delete(c.config.name);
    this.#t.names.set(config.name, { kind: "container", id: config.id });
    setConfig(c, config);
  }

  addExitCode(id: string, code: number): void {
    validateExitCode(code);
    this.#t.exitCodes.set(id, { code, at: this.#now() });
  }

  getExitCode(id: string): number {
    const e = this.#t.exitCodes.get(id);
    if (!e) throw err.noSuchExitCode(id);
    return e.code;
  }

  pruneExitCodes(olderThanMs: number = EXIT_CODE_RETENTION_MS): void {
    const cutoff = this.#now() - olderThanMs;
    for (const [id, e] of this.#t.exitCodes) {
      if (e.at < cutoff && !this.#t.ctrs.has(id)) this.#t.exitCodes.delete(id);
    }
  }

  addExecSession(s: ExecSessionRecord): void {
    if (s.id === "") throw err.emptyName();
    this.#ctr(s.containerId);
    if (this.#t.execs.has(s.id)) throw err.execSessionExists(s.id);
    this.#t.execs.set(s.id, { containerId: s.containerId, json: JSON.stringify(s.data) });
  }

  getExecSession(id: string): ExecSessionRecord {
    const s = this.#t.execs.get(id);
    if (!s) throw err.noSuchExecSession(id);
    return { id, containerId: s.containerId, data: parse(s.json) };
  }

  removeExecSession(id: string): void {
    if (!this.#t.execs.delete(id)) throw err.noSuchExecSession(id);
  }

  containerExecSessions(ctrId: string): ExecSessionRecord[] {
    this.#ctr(ctrId);
    return [...this.#t.execs]
      .filter(([, s]) => s.containerId === ctrId)
      .map(([id, s]) => ({ id, containerId: ctrId, data: parse(s.json) }));
  }

  pod(id: string): PodRecord {
    return recordOf(this.#pod(id));
  }

  lookupPod(idOrName: string): PodRecord {
    return recordOf(this.#lookup("pod", this.#t.pods, idOrName));
  }

  hasPod(id: string): boolean {
    const p = this.#t.pods.get(id);
    return p !== undefined && this.#visible(p.config.namespace);
  }

  addPod(rec: PodRecord): void {
    const cfg = rec.config;
    this.#checkNewIdAndName("pod", cfg.id, cfg.name, cfg.namespace);
    this.#t.pods.set(cfg.id, stored(rec));
    this.#t.names.set(cfg.name, { kind: "pod", id: cfg.id });
  }

  removePod(id: string): void {
    const p = this.#pod(id);
    const ctrs = this.#podCtrs(id).map((c) => c.config.id);
    if (ctrs.length) throw err.podNotEmpty(id, ctrs);
    this.#t.pods.delete(id);
    this.#t.names.delete(p.config.name);
  }

  #podCtrs(id: string): Stored<ContainerConfig>[] {
    return [...this.#t.ctrs.values()].filter((c) => c.config.pod === id);
  }

  podContainers(id: string): ContainerRecord[] {
    this.#pod(id);
    return this.#podCtrs(id).map(recordOf<ContainerConfig, ContainerState>);
  }

  updatePod(id: string): PodState {
    return parse(this.#pod(id).stateJson);
  }

  savePod(id: string, st: PodState): void {
    this.#pod(id).stateJson = JSON.stringify(st);
  }

  allPods(): PodRecord[] {
    return [...this.#t.pods.values()]
      .filter((p) => this.#visible(p.config.namespace))
      .map(recordOf<PodConfig, PodState>);
  }

  rewritePodConfig(c: PodConfig): void {
    const p = this.#pod(c.id);
    checkPodRewrite(p.config, c);
    this.#checkRename("pod", p.config.name, c.name);
    this.#t.names.delete(p.config.name);
    this.#t.names.set(c.name, { kind: "pod", id: c.id });
    setConfig(p, c);
  }

  volume(name: string): VolumeRecord {
    if (name === "") throw err.emptyName();
    return recordOf(this.#vol(name));
  }

  lookupVolume(nameOrPrefix: string): VolumeRecord {
    if (nameOrPrefix === "") throw err.emptyName();
    if (this.#t.vols.has(nameOrPrefix)) return this.volume(nameOrPrefix);
    const hits = [...this.#t.vols.keys()].filter((n) => n.startsWith(nameOrPrefix));
    if (hits.length > 1) throw err.ambiguous("volume", nameOrPrefix);
    if (!hits[0]) throw err.noSuchVolumeName(nameOrPrefix);
    return this.volume(hits[0]);
  }

  hasVolume(name: string): boolean {
    return this.#t.vols.has(name);
  }

  addVolume(rec: VolumeRecord): void {
    const name = rec.config.name;
    if (name === "") throw err.emptyName();
    if (this.#t.vols.has(name)) throw err.volumeExists(name);
    this.#t.vols.set(name, stored(rec));
  }

  removeVolume(name: string): void {
    const users = this.volumeInUse(name);
    if (users.length) throw err.volumeInUse(name, users);
    this.#t.vols.delete(name);
  }

  volumeInUse(name: string): string[] {
    this.#vol(name);
    const out: string[] = [];
    for (const [id, c] of this.#t.ctrs) if (c.config.namedVolumes.includes(name)) out.push(id);
    return out.sort();
  }

  allVolumes(): VolumeRecord[] {
    return [...this.#t.vols.keys()].map((n) => this.volume(n));
  }

  saveVolume(name: string, st: VolumeState): void {
    this.#vol(name).stateJson = JSON.stringify(st);
  }

  rewriteVolumeConfig(c: VolumeConfig): void {
    const v = this.#vol(c.name);
    setConfig(v, c);
  }

  refresh(): void {
    for (const c of this.#t.ctrs.values()) {
      c.stateJson = JSON.stringify(resetContainerState(parse(c.stateJson)));
    }
    for (const p of this.#t.pods.values()) {
      p.stateJson = JSON.stringify(resetPodState(parse(p.stateJson)));
    }
    for (const v of this.#t.vols.values()) {
      v.stateJson = JSON.stringify(resetVolumeState(parse(v.stateJson)));
    }
    this.#t.execs.clear();
    this.#t.exitCodes.clear();
  }

  containerCounts(): ContainerCounts {
    const counts = { number: 0, running: 0, paused: 0, stopped: 0 };
    for (const c of this.#t.ctrs.values()) {
      if (!this.#visible(c.config.namespace)) continue;
      const status = parse<ContainerState>(c.stateJson).status;
      counts.number++;
      if (status === "running") counts.running++;
      else if (status === "paused") counts.paused++;
      else counts.stopped++;
    }
    return counts;
  }
}
