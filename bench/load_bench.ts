/**
 * `load` of a ~300 MB docker-archive (one layer made from the host's /usr/bin): skiff vs
 * podman, and plain `tar -x` of the same layer as the floor; wall time and peak memory of each.
 * @module
 */

import { writeDockerArchive } from "../src/image/mod.ts";
import { BenchStore, hasPodman } from "./_lib.ts";

/** Runs argv under GNU time; returns seconds and peak RSS in MiB. */
async function measure(
  argv: string[],
  env: Record<string, string>,
): Promise<{ s: number; mib: number }> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %M", ...argv],
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr).trim();
  if (!out.success) throw new Error(`${argv.join(" ")} failed: ${text}`);
  const [s, kb] = text.split("\n").pop()!.split(" ").map(Number) as [number, number];
  return { s, mib: kb / 1024 };
}

async function sha256File(path: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  const h = createHash("sha256");
  const f = await Deno.open(path);
  for await (const chunk of f.readable) h.update(chunk);
  return `sha256:${h.digest("hex")}`;
}

/** Rows `[engine, seconds, peak MiB, time vs tar]`. */
export async function benchLoad(source = "usr/bin"): Promise<string[][]> {
  await using s = await BenchStore.create();
  const layer = `${s.dir}/layer.tar`;
  const mk = await new Deno.Command("tar", {
    args: ["--numeric-owner", "-C", "/", "-cf", layer, source],
  }).output();
  if (!mk.success) throw new Error("making the layer failed");
  const diffId = await sha256File(layer);
  const config = new TextEncoder().encode(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    created: "1970-01-01T00:00:00Z",
    config: { Cmd: ["sh"] },
    rootfs: { type: "layers", diff_ids: [diffId] },
  }));
  const archive = `${s.dir}/big.docker.tar`;
  const file = await Deno.open(archive, { write: true, create: true });
  await writeDockerArchive(file.writable, [{
    names: ["localhost/big:latest"],
    config,
    layers: [{
      diffId,
      size: (await Deno.stat(layer)).size,
      open: async () => (await Deno.open(layer)).readable,
    }],
  }]);
  const mb = ((await Deno.stat(archive)).size / 1e6).toFixed(0);
  await Deno.mkdir(`${s.dir}/untar`);
  const tar = await measure(["tar", "-x", "-f", layer, "-C", `${s.dir}/untar`], {});
  const skiff = await measure(s.skiff("load", "-q", "-i", archive), s.env);
  const rows = [
    [`tar -x (floor), ${mb} MB`, tar.s.toFixed(2), tar.mib.toFixed(0), "1.00"],
    ["skiff load", skiff.s.toFixed(2), skiff.mib.toFixed(0), (skiff.s / tar.s).toFixed(2)],
  ];
  if (await hasPodman()) {
    const podman = await measure(s.podman("load", "-q", "-i", archive), s.env);
    rows.push([
      "podman load",
      podman.s.toFixed(2),
      podman.mib.toFixed(0),
      (podman.s / tar.s).toFixed(2),
    ]);
    rows.push([
      "skiff / podman",
      (skiff.s / podman.s).toFixed(2),
      (skiff.mib / podman.mib).toFixed(2),
      "",
    ]);
  }
  return rows;
}
