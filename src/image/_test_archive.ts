/**
 * Test helpers for the archive tests (imported only by `*_test.ts`): synthetic images built in
 * memory, the shared busybox test images, and a private podman store to compare with.
 * @module
 */

import assert from "node:assert/strict";
import { runCommand } from "../sys/command.ts";
import type { ArchiveImage, SaveImage } from "./archive_types.ts";
import { type TarWriteHeader, TarWriter } from "./tar_writer.ts";
import { buildImages, type BuildResult } from "../../tests/images/build_images.ts";

const encoder = new TextEncoder();

/** Collects everything written to a WritableStream. */
export function collector(): { stream: WritableStream<Uint8Array>; bytes: () => Uint8Array } {
  const parts: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({ write: (c) => void parts.push(c.slice()) });
  const bytes = () => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  };
  return { stream, bytes };
}

/** A tar in memory from [header, body] pairs. */
export async function tarBytes(
  members: [TarWriteHeader, (Uint8Array | string)?][],
): Promise<Uint8Array> {
  const c = collector();
  const tar = new TarWriter(c.stream);
  for (const [h, body] of members) {
    const data = typeof body === "string" ? encoder.encode(body) : body;
    await tar.add({ ...h, size: data?.length ?? 0 }, data);
  }
  await tar.finish();
  return c.bytes();
}

/** sha256 hex of bytes (WebCrypto; tests only). */
export async function hex(data: Uint8Array): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A synthetic image: layer tars with one file each, and a config naming their diff IDs. */
export async function syntheticImage(
  names: string[],
  files: string[],
  extraConfig: Record<string, unknown> = {},
): Promise<SaveImage & { layerTars: Uint8Array[] }> {
  const layerTars: Uint8Array[] = [];
  for (const f of files) {
    layerTars.push(await tarBytes([[{ name: f, type: "file", mode: 0o644 }, `content of ${f}\n`]]));
  }
  const diffIds = await Promise.all(layerTars.map(async (t) => `sha256:${await hex(t)}`));
  const config = encoder.encode(JSON.stringify({
    created: "1970-01-01T00:00:00Z",
    architecture: "amd64",
    os: "linux",
    config: { Cmd: ["sh"], Labels: { "10": "ten", b: "<&>" } },
    rootfs: { type: "layers", diff_ids: diffIds },
    history: files.map((f) => ({ created_by: `add ${f}` })),
    ...extraConfig,
  }));
  return {
    names,
    config,
    layerTars,
    layers: layerTars.map((t, i) => ({
      diffId: diffIds[i]!,
      open: () => Promise.resolve(ReadableStream.from([t])),
    })),
  };
}

/** A SaveImage whose layers stream the blobs an archive read gave back (uncompressed only). */
export function saveFromRead(img: ArchiveImage, names: string[]): SaveImage {
  return {
    names,
    config: img.config,
    layers: img.layers.map((l) => ({
      diffId: l.diffId,
      size: l.size,
      open: async () => (await Deno.open(l.path)).readable,
    })),
  };
}

/** Writes bytes to a new file in `dir` and returns its path. */
export async function writeTemp(dir: string, name: string, data: Uint8Array): Promise<string> {
  await Deno.writeFile(`${dir}/${name}`, data);
  return `${dir}/${name}`;
}

/** Runs `fn` with a fresh temp dir, removed afterwards. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-archive-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Lists a directory's entries recursively (relative paths, sorted). */
export async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    out.push(`${prefix}${e.name}`);
    if (e.isDirectory) out.push(...await listTree(`${dir}/${e.name}`, `${prefix}${e.name}/`));
  }
  return out.sort();
}

async function onPath(cmd: string): Promise<boolean> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if ((await Deno.stat(`${dir}/${cmd}`)).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** Why GNU tar tests cannot run ("" when they can). */
export const NO_TAR = (await onPath("tar")) ? "" : "GNU tar is not installed";
/** Why tests with the busybox test images cannot run ("" when they can). */
export const NO_IMAGES = Deno.uid() === 0 ? "" : "building the test images needs root";
/** Why podman comparison tests cannot run ("" when they can). */
export const NO_PODMAN = NO_IMAGES !== ""
  ? NO_IMAGES
  : (await onPath("podman"))
  ? ""
  : "podman is not installed (apt-get install podman)";

/** Deno.test that is ignored, with the reason in its name, when `skip` is not "". */
export function testUnless(skip: string, name: string, fn: () => Promise<void>): void {
  Deno.test({ name: skip === "" ? name : `${name} [ignored: ${skip}]`, ignore: skip !== "", fn });
}

let built: Promise<BuildResult> | null = null;
/** The busybox test images (built once per process into a shared directory). */
export function testImages(): Promise<BuildResult> {
  built ??= buildImages(Deno.env.get("SKIFF_TEST_IMAGES") ?? "/tmp/skiff-images");
  return built;
}

/** Runs a program; returns code and output (never throws on a non-zero exit). */
export async function exec(argv: string[], env?: Record<string, string>) {
  const r = await runCommand(argv, { allowFailure: true, env });
  return { code: r.code, stdout: r.text, stderr: r.errText };
}

const PODMAN_CONF = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
`;

/** A podman with a private store under a temp dir; disposing it unmounts and removes it all. */
export class Podman implements AsyncDisposable {
  readonly dir: string;
  private constructor(dir: string) {
    this.dir = dir;
  }

  static async create(): Promise<Podman> {
    const dir = await Deno.makeTempDir({ prefix: "skiff-podman-" });
    await Deno.writeTextFile(`${dir}/containers.conf`, PODMAN_CONF);
    return new Podman(dir);
  }

  /** Runs podman against the private store. */
  run(args: string[]) {
    return exec([
      "podman",
      "--root",
      `${this.dir}/root`,
      "--runroot",
      `${this.dir}/run`,
      "--tmpdir",
      `${this.dir}/tmp`,
      ...args,
    ], { CONTAINERS_CONF: `${this.dir}/containers.conf` });
  }

  /** Runs podman and asserts success; returns stdout. */
  async ok(args: string[]): Promise<string> {
    const r = await this.run(args);
    assert.equal(r.code, 0, `podman ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.run(["rm", "-a", "-f"]);
    await this.run(["rmi", "-a", "-f"]);
    const mounts = (await Deno.readTextFile("/proc/self/mountinfo")).split("\n")
      .map((l) =>
        (l.split(" ")[4] ?? "").replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))
      )
      .filter((m) => m.startsWith(`${this.dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) {
      if ((await exec(["umount", m])).code !== 0) await exec(["umount", "-l", m]);
    }
    await Deno.remove(this.dir, { recursive: true });
  }
}
