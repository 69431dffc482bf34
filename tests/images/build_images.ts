/**
 * Builds the registry-free test images of skiff from Debian's `busybox-static`.
 *
 *   deno run -P tests/images/build_images.ts [--force] [--busybox PATH] OUTDIR
 *
 * Outputs in OUTDIR (byte-identical for the same busybox binary, GNU tar and gzip):
 *   busybox.rootfs.tar        plain rootfs tar (for `skiff import`); also the base layer
 *   busybox.docker.tar        docker-archive of localhost/busybox:latest
 *   busybox.oci.tar           oci-archive of localhost/busybox:latest (gzip layers)
 *   busybox-user.docker.tar   docker-archive of localhost/busybox-user:latest (2 layers)
 *   busybox-user.oci.tar      oci-archive of localhost/busybox-user:latest (2 layers)
 *   images.json               stamp and metadata (image IDs, diff IDs, file digests)
 *
 * The archive layouts mirror what `podman save` (podman 4.3.1, containers/image) writes:
 * loading our docker-archive into podman and saving it again gives back the same members
 * and bytes (except the mode of the legacy `layer.tar` symlinks). The OCI manifest carries
 * `mediaType`, as podman writes it for images it converted.
 * A rebuild is skipped when images.json records the same busybox and script digests and
 * every output file still has its recorded digest.
 */

const SCRIPT_PATH = import.meta.filename ?? new URL(import.meta.url).pathname;
const EPOCH = "1970-01-01T00:00:00Z";
const PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
const STAMP = "images.json";

/** Key of an image in {@link BuildResult.images}. */
export type ImageKey = "busybox" | "busybox-user";

/** One built image. File names are relative to the output directory. */
export interface BuiltImage {
  /** Full reference, e.g. `localhost/busybox:latest`. */
  name: string;
  /** Image ID: hex sha256 of the config JSON (no `sha256:` prefix). */
  id: string;
  /** `sha256:<id>`. */
  configDigest: string;
  /** `sha256:<hex>` digests of the uncompressed layer tars, base first. */
  diffIds: string[];
  /** `sha256:<hex>` digests of the gzip layer blobs in the oci-archive, base first. */
  ociLayerDigests: string[];
  /** `sha256:<hex>` digest of the OCI manifest in the oci-archive. */
  ociManifestDigest: string;
  files: { docker: string; oci: string; rootfs?: string };
}

/** Contents of `images.json`, plus where it is and whether this call rebuilt it. */
export interface BuildResult {
  busyboxSha256: string;
  scriptSha256: string;
  images: Record<ImageKey, BuiltImage>;
  /** Output file name → hex sha256 of its bytes. */
  files: Record<string, string>;
  outDir: string;
  skipped: boolean;
}

export interface BuildOptions {
  /** The busybox-static binary; default `/bin/busybox`. */
  busybox?: string;
  /** Rebuild even when the stamp says the outputs are current. */
  force?: boolean;
  /** Progress lines go here; default: none. */
  log?: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------
// small helpers

async function sha256Hex(data: Uint8Array): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function fileSha256(path: string): Promise<string> {
  return await sha256Hex(await Deno.readFile(path));
}

/** JSON as Go's encoding/json writes it (compact, `<`, `>`, `&`, U+2028/9 escaped). */
function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

const encoder = new TextEncoder();

/** Runs a program with an argv array and a minimal, fixed environment; returns stdout. */
async function run(cmd: string, args: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command(cmd, {
    args,
    clearEnv: true,
    // TAR_OPTIONS / GZIP from the caller's environment would change the output bytes.
    env: {
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      LC_ALL: "C",
      TZ: "UTC",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${cmd} ${args.join(" ")}: exit code ${out.code}: ${err}`);
  }
  return out.stdout;
}

const TAR_COMMON = [
  "--create",
  "--format=posix",
  "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
  "--sort=name",
  "--mtime=@0",
  "--numeric-owner",
  "--no-acls",
  "--no-selinux",
  "--no-xattrs",
];

/**
 * Writes `out` from `members` of `dir`, in the given order. Ownership comes from the disk
 * unless `rootOwned`; `recursive` false archives exactly the listed members.
 */
async function tarCreate(
  dir: string,
  members: string[],
  out: string,
  opts: { recursive: boolean; rootOwned: boolean },
): Promise<void> {
  const args = [...TAR_COMMON, "--file", out, "--directory", dir];
  if (opts.rootOwned) args.push("--owner=0", "--group=0");
  if (!opts.recursive) args.push("--no-recursion");
  await run("tar", [...args, "--", ...members]);
}

async function gzipFile(src: string, dst: string): Promise<void> {
  await Deno.writeFile(dst, await run("gzip", ["-n", "-6", "-c", "--", src]));
}

async function mkdirMode(path: string, mode: number, uid = 0, gid = 0): Promise<void> {
  await Deno.mkdir(path, { recursive: true });
  await Deno.chown(path, uid, gid);
  await Deno.chmod(path, mode); // after chown (chown may clear set-id bits); umask-free
}

async function writeMode(
  path: string,
  data: string | Uint8Array,
  mode: number,
  uid = 0,
  gid = 0,
): Promise<void> {
  await Deno.writeFile(path, typeof data === "string" ? encoder.encode(data) : data);
  await Deno.chown(path, uid, gid);
  await Deno.chmod(path, mode);
}

function goArch(): string {
  switch (Deno.build.arch) {
    case "x86_64":
      return "amd64";
    case "aarch64":
      return "arm64";
    default:
      return Deno.build.arch;
  }
}

// ---------------------------------------------------------------------------------------------
// root filesystem and layers

const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "tester:x:1000:1000:tester:/home/tester:/bin/sh",
  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
  "",
].join("\n");

const GROUP = [
  "root:x:0:",
  "tester:x:1000:",
  "extra:x:1001:tester",
  "nogroup:x:65534:",
  "",
].join("\n");

/** Applet paths (relative, e.g. `bin/sh`) that `busybox --list-full` names. */
async function appletPaths(busybox: string): Promise<string[]> {
  const text = new TextDecoder().decode(await run(busybox, ["--list-full"]));
  const paths = new Set<string>();
  for (const raw of text.split("\n")) {
    const p = raw.trim().replace(/^\/+/, "");
    if (p === "" || p === "bin/busybox") continue;
    if (p.split("/").some((part) => part === ".." || part === ".")) {
      throw new Error(`busybox --list-full: unexpected applet path ${JSON.stringify(raw)}`);
    }
    paths.add(p);
  }
  if (!paths.has("bin/sh")) throw new Error(`${busybox} --list-full: no bin/sh applet`);
  return [...paths].sort();
}

/** Builds the base rootfs in `root` (an empty directory). */
async function buildRootfs(root: string, busybox: string): Promise<void> {
  await Deno.chmod(root, 0o755);
  for (
    const d of ["bin", "dev", "etc", "home", "run", "sbin", "usr", "usr/bin", "usr/sbin", "var"]
  ) {
    await mkdirMode(`${root}/${d}`, 0o755);
  }
  await mkdirMode(`${root}/proc`, 0o555);
  await mkdirMode(`${root}/sys`, 0o555);
  await mkdirMode(`${root}/root`, 0o700);
  await mkdirMode(`${root}/tmp`, 0o1777);
  await mkdirMode(`${root}/home/tester`, 0o755, 1000, 1000);

  await writeMode(`${root}/bin/busybox`, await Deno.readFile(busybox), 0o755);
  for (const applet of await appletPaths(busybox)) {
    const parent = applet.includes("/") ? applet.slice(0, applet.lastIndexOf("/")) : "";
    if (parent !== "") {
      try {
        await Deno.lstat(`${root}/${parent}`);
      } catch {
        await mkdirMode(`${root}/${parent}`, 0o755);
      }
    }
    // Absolute symlinks, as `busybox --install -s` makes them. Symlinks belong to root
    // here already (fresh directory, created by root); their mode is always 0777.
    await Deno.symlink("/bin/busybox", `${root}/${applet}`);
  }

  await writeMode(`${root}/etc/passwd`, PASSWD, 0o644);
  await writeMode(`${root}/etc/group`, GROUP, 0o644);
  await writeMode(`${root}/etc/hostname`, "", 0o644);
}

/** Builds the busybox-user top layer in `root`: /data/hello.txt and a whiteout of /etc/hostname. */
async function buildUserLayer(root: string): Promise<void> {
  await Deno.chmod(root, 0o755);
  await mkdirMode(`${root}/data`, 0o755, 1000, 1000);
  await writeMode(`${root}/data/hello.txt`, "hello from busybox-user\n", 0o644, 1000, 1000);
  await mkdirMode(`${root}/etc`, 0o755);
  await writeMode(`${root}/etc/.wh.hostname`, "", 0o644);
}

async function topLevel(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

// ---------------------------------------------------------------------------------------------
// image config and archives

interface Layer {
  /** Uncompressed layer tar. */
  tar: string;
  /** Hex sha256 of the uncompressed tar (diff ID without prefix). */
  diffHex: string;
  /** gzip-compressed layer. */
  gz: string;
  gzHex: string;
  gzSize: number;
  createdBy: string;
}

interface ImageSpec {
  key: ImageKey;
  name: string;
  config: Record<string, unknown>;
  layers: Layer[];
}

function imageConfig(spec: ImageSpec): string {
  return goJson({
    created: EPOCH,
    architecture: goArch(),
    os: "linux",
    config: spec.config,
    rootfs: { type: "layers", diff_ids: spec.layers.map((l) => `sha256:${l.diffHex}`) },
    history: spec.layers.map((l) => ({
      created: EPOCH,
      created_by: l.createdBy,
      comment: "skiff test image (tests/images/build_images.ts)",
    })),
  });
}

function sortedObject(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(entries).sort()) out[k] = entries[k];
  return out;
}

async function sha256Text(s: string): Promise<string> {
  return await sha256Hex(encoder.encode(s));
}

/**
 * The legacy per-layer metadata that containers/image's docker-archive writer adds
 * (writeLegacyMetadataLocked): returns [layerID, json] per layer.
 */
async function legacyLayers(configJson: string, diffHexes: string[]): Promise<[string, string][]> {
  const config = JSON.parse(configJson) as Record<string, unknown>;
  const out: [string, string][] = [];
  let chainId = "";
  let lastId = "";
  for (const [i, hex] of diffHexes.entries()) {
    const layerConfig: Record<string, unknown> = {};
    if (lastId !== "") layerConfig.parent = lastId;
    if (i === diffHexes.length - 1) {
      for (
        const attr of [
          "architecture",
          "config",
          "container",
          "container_config",
          "created",
          "docker_version",
          "os",
        ]
      ) {
        layerConfig[attr] = config[attr] ?? null;
      }
    }
    chainId = chainId === ""
      ? `sha256:${hex}`
      : `sha256:${await sha256Text(`${chainId} sha256:${hex}`)}`;
    const id = await sha256Text(goJson(sortedObject({ ...layerConfig, layer_id: chainId })));
    out.push([id, goJson(sortedObject({ ...layerConfig, id }))]);
    lastId = id;
  }
  return out;
}

/** docker-archive, laid out as podman 4.3.1 `save --format docker-archive` writes it. */
async function writeDockerArchive(
  stage: string,
  spec: ImageSpec,
  configJson: string,
  configHex: string,
  out: string,
): Promise<void> {
  await Deno.mkdir(stage);
  const members: string[] = [];
  for (const l of spec.layers) {
    const name = `${l.diffHex}.tar`;
    if (members.includes(name)) continue;
    await Deno.copyFile(l.tar, `${stage}/${name}`);
    await Deno.chmod(`${stage}/${name}`, 0o444);
    members.push(name);
  }
  await writeMode(`${stage}/${configHex}.json`, configJson, 0o444);
  members.push(`${configHex}.json`);
  const legacy = await legacyLayers(configJson, spec.layers.map((l) => l.diffHex));
  for (const [i, [id, json]] of legacy.entries()) {
    const layer = spec.layers[i];
    if (layer === undefined) throw new Error("unreachable: legacy layer without layer");
    await Deno.mkdir(`${stage}/${id}`);
    await Deno.symlink(`../${layer.diffHex}.tar`, `${stage}/${id}/layer.tar`);
    await writeMode(`${stage}/${id}/VERSION`, "1.0", 0o444);
    await writeMode(`${stage}/${id}/json`, json, 0o444);
    members.push(`${id}/layer.tar`, `${id}/VERSION`, `${id}/json`);
  }
  const [repo, tag] = splitRef(spec.name);
  const lastId = legacy.at(-1)?.[0] ?? "";
  await writeMode(
    `${stage}/manifest.json`,
    goJson([{
      Config: `${configHex}.json`,
      RepoTags: [spec.name],
      Layers: spec.layers.map((l) => `${l.diffHex}.tar`),
    }]),
    0o444,
  );
  await writeMode(`${stage}/repositories`, goJson({ [repo]: { [tag]: lastId } }), 0o444);
  members.push("manifest.json", "repositories");
  await tarCreate(stage, members, out, { recursive: false, rootOwned: true });
}

/** oci-archive, laid out as podman 4.3.1 `save --format oci-archive` writes it. */
async function writeOciArchive(
  stage: string,
  spec: ImageSpec,
  configJson: string,
  configHex: string,
  out: string,
): Promise<string> {
  const blobs = `${stage}/blobs/sha256`;
  await mkdirMode(stage, 0o755);
  await mkdirMode(`${stage}/blobs`, 0o755);
  await mkdirMode(blobs, 0o755);
  await writeMode(`${blobs}/${configHex}`, configJson, 0o644);
  for (const l of spec.layers) {
    await Deno.copyFile(l.gz, `${blobs}/${l.gzHex}`);
    await Deno.chmod(`${blobs}/${l.gzHex}`, 0o644);
  }
  const manifest = goJson({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: OCI_CONFIG,
      digest: `sha256:${configHex}`,
      size: encoder.encode(configJson).length,
    },
    layers: spec.layers.map((l) => ({
      mediaType: OCI_LAYER_GZIP,
      digest: `sha256:${l.gzHex}`,
      size: l.gzSize,
    })),
  });
  const manifestHex = await sha256Text(manifest);
  await writeMode(`${blobs}/${manifestHex}`, manifest, 0o644);
  await writeMode(
    `${stage}/index.json`,
    goJson({
      schemaVersion: 2,
      manifests: [{
        mediaType: OCI_MANIFEST,
        digest: `sha256:${manifestHex}`,
        size: encoder.encode(manifest).length,
        annotations: { "org.opencontainers.image.ref.name": spec.name },
      }],
    }),
    0o644,
  );
  // containers/image writes this one with a space after the colon.
  await writeMode(`${stage}/oci-layout`, '{"imageLayoutVersion": "1.0.0"}', 0o644);
  await tarCreate(stage, ["blobs", "index.json", "oci-layout"], out, {
    recursive: true,
    rootOwned: true,
  });
  return manifestHex;
}

function splitRef(name: string): [string, string] {
  const colon = name.lastIndexOf(":");
  if (colon <= name.lastIndexOf("/")) return [name, "latest"];
  return [name.slice(0, colon), name.slice(colon + 1)];
}

async function makeLayer(dir: string, tar: string, createdBy: string): Promise<Layer> {
  await tarCreate(dir, await topLevel(dir), tar, { recursive: true, rootOwned: false });
  const gz = `${tar}.gz`;
  await gzipFile(tar, gz);
  const gzBytes = await Deno.readFile(gz);
  return {
    tar,
    diffHex: await fileSha256(tar),
    gz,
    gzHex: await sha256Hex(gzBytes),
    gzSize: gzBytes.length,
    createdBy,
  };
}

// ---------------------------------------------------------------------------------------------
// stamp

async function readStamp(outDir: string): Promise<Omit<BuildResult, "outDir" | "skipped"> | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${outDir}/${STAMP}`));
  } catch {
    return null;
  }
}

async function stampIsCurrent(
  outDir: string,
  stamp: Omit<BuildResult, "outDir" | "skipped">,
  busyboxSha256: string,
  scriptSha256: string,
): Promise<boolean> {
  if (stamp.busyboxSha256 !== busyboxSha256 || stamp.scriptSha256 !== scriptSha256) return false;
  if (typeof stamp.files !== "object" || stamp.files === null) return false;
  for (const [name, hex] of Object.entries(stamp.files)) {
    try {
      if (await fileSha256(`${outDir}/${name}`) !== hex) return false;
    } catch {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// entry points

/** Builds (or finds current) the test images in `outDir`. Needs root (ownership 1000:1000). */
export async function buildImages(outDir: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const given = opts.busybox ?? "/bin/busybox";
  // Absolute, so that the file hashed and the program run are the same one (no PATH lookup).
  const busybox = given.startsWith("/") ? given : `${Deno.cwd()}/${given}`;
  const log = opts.log ?? (() => {});
  const busyboxSha256 = await fileSha256(busybox).catch((cause) => {
    throw new Error(`reading busybox binary ${busybox}: ${cause}`, { cause });
  });
  const scriptSha256 = await fileSha256(SCRIPT_PATH);
  await Deno.mkdir(outDir, { recursive: true });

  if (!opts.force) {
    const stamp = await readStamp(outDir);
    if (stamp && await stampIsCurrent(outDir, stamp, busyboxSha256, scriptSha256)) {
      log(`test images in ${outDir} are current, not rebuilding`);
      return { ...stamp, outDir, skipped: true };
    }
  }
  if (Deno.uid() !== 0) {
    throw new Error(
      `building test images needs root (files owned by 1000:1000), running as uid ${Deno.uid()}`,
    );
  }

  const tmp = await Deno.makeTempDir({ prefix: "skiff-images-" });
  const pending: string[] = [];
  try {
    log(`building test images from ${busybox} (sha256 ${busyboxSha256.slice(0, 12)})`);
    await Deno.mkdir(`${tmp}/rootfs`);
    await buildRootfs(`${tmp}/rootfs`, busybox);
    const base = await makeLayer(
      `${tmp}/rootfs`,
      `${tmp}/base.tar`,
      "skiff-build-images: busybox-static rootfs",
    );
    await Deno.mkdir(`${tmp}/user-layer`);
    await buildUserLayer(`${tmp}/user-layer`);
    const top = await makeLayer(
      `${tmp}/user-layer`,
      `${tmp}/user.tar`,
      "skiff-build-images: add /data/hello.txt, remove /etc/hostname",
    );

    const specs: ImageSpec[] = [
      {
        key: "busybox",
        name: "localhost/busybox:latest",
        config: {
          Env: [PATH_ENV],
          Cmd: ["sh"],
          WorkingDir: "/",
          Labels: { "org.skiff.test": "busybox" },
        },
        layers: [base],
      },
      {
        key: "busybox-user",
        name: "localhost/busybox-user:latest",
        config: {
          User: "tester",
          ExposedPorts: { "8080/tcp": {} },
          Env: [PATH_ENV],
          Entrypoint: ["/bin/sh", "-c"],
          Cmd: ["id"],
          Volumes: { "/data": {} },
          WorkingDir: "/",
          Labels: { "org.skiff.test": "busybox-user" },
        },
        layers: [base, top],
      },
    ];

    // Outputs are written beside their final names and renamed into place, so readers never
    // see a partial file and concurrent builders (same bytes) do not disturb each other.
    const suffix = `.tmp-${crypto.randomUUID()}`;
    const outputs: [string, string][] = [];
    const produce = (name: string): string => {
      const path = `${outDir}/.${name}${suffix}`;
      pending.push(path);
      outputs.push([path, name]);
      return path;
    };

    await Deno.copyFile(base.tar, produce("busybox.rootfs.tar"));
    const images = {} as Record<ImageKey, BuiltImage>;
    for (const spec of specs) {
      const configJson = imageConfig(spec);
      const configHex = await sha256Text(configJson);
      const short = spec.key;
      await writeDockerArchive(
        `${tmp}/${short}-docker`,
        spec,
        configJson,
        configHex,
        produce(`${short}.docker.tar`),
      );
      const manifestHex = await writeOciArchive(
        `${tmp}/${short}-oci`,
        spec,
        configJson,
        configHex,
        produce(`${short}.oci.tar`),
      );
      images[spec.key] = {
        name: spec.name,
        id: configHex,
        configDigest: `sha256:${configHex}`,
        diffIds: spec.layers.map((l) => `sha256:${l.diffHex}`),
        ociLayerDigests: spec.layers.map((l) => `sha256:${l.gzHex}`),
        ociManifestDigest: `sha256:${manifestHex}`,
        files: {
          docker: `${short}.docker.tar`,
          oci: `${short}.oci.tar`,
          ...(spec.key === "busybox" ? { rootfs: "busybox.rootfs.tar" } : {}),
        },
      };
      log(`${spec.name} ${configHex}`);
    }

    const files: Record<string, string> = {};
    for (const [path, name] of outputs.sort((a, b) => (a[1] < b[1] ? -1 : 1))) {
      await Deno.chmod(path, 0o644);
      files[name] = await fileSha256(path);
    }
    for (const [path, name] of outputs) await Deno.rename(path, `${outDir}/${name}`);
    pending.length = 0;

    const stamp = { busyboxSha256, scriptSha256, images, files };
    const stampTmp = `${outDir}/.${STAMP}${suffix}`;
    pending.push(stampTmp);
    await Deno.writeTextFile(stampTmp, JSON.stringify(stamp, null, 2) + "\n");
    await Deno.rename(stampTmp, `${outDir}/${STAMP}`);
    pending.length = 0;
    return { ...stamp, outDir, skipped: false };
  } finally {
    for (const p of pending) await Deno.remove(p).catch(() => {});
    await Deno.remove(tmp, { recursive: true });
  }
}

function usage(): never {
  Deno.stderr.writeSync(
    encoder.encode("usage: build_images.ts [--force] [--busybox PATH] OUTDIR\n"),
  );
  Deno.exit(2);
}

async function main(args: string[]): Promise<number> {
  let busybox: string | undefined;
  let force = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--force") force = true;
    else if (a === "--busybox") busybox = args[++i] ?? usage();
    else if (a?.startsWith("--busybox=")) busybox = a.slice("--busybox=".length);
    else if (a === "-h" || a === "--help") usage();
    else if (a !== undefined && a.startsWith("-")) usage();
    else if (a !== undefined) rest.push(a);
  }
  const outDir = rest[0];
  if (outDir === undefined || rest.length !== 1) usage();
  const log = (line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n"));
  try {
    const result = await buildImages(outDir, { busybox, force, log });
    for (const img of Object.values(result.images)) {
      Deno.stdout.writeSync(encoder.encode(`${img.name} ${img.id}\n`));
    }
    return 0;
  } catch (err) {
    log(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
