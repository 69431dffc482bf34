/**
 * `cp SRC DEST`: copies between a container and the host (or another container, or a tar on
 * stdin/stdout) with podman's semantics. The source becomes a tar stream (GNU tar, numeric
 * owners, symlinks archived as symlinks), which is extracted at the destination: on the host
 * by GNU tar, into a container by {@linkcode extractIntoRoot}, which never leaves the root.
 *
 * Container paths resolve with chroot semantics through `openat2(RESOLVE_IN_ROOT)`: `..`
 * stops at the container's root, a symlink `/x -> /etc` means the container's /etc, and a
 * source given as a symlink is followed (inside the root) as podman 4.3.1 does, the copy
 * taking the target's name. Stopped containers are mounted for the copy and unmounted after.
 * @module
 */

import type { ContainerRecord } from "../define/container.ts";
import { NotFoundError, UsageError } from "../define/errors.ts";
import { parseImageConfig } from "../image/image_config.ts";
import { resolveUser } from "../oci/user.ts";
import { chmodAt, chownAt, closeFd, fdPath, openInRoot, utimesAt } from "../sys/safe_path.ts";
import { extractIntoRoot } from "./_ops_extract.ts";
import {
  containerSource,
  containerTarget,
  hostSource,
  hostTarget,
  type Source,
  type Target,
} from "./_ops_cp_paths.ts";
import { type ContainerRoot, readFileInRoot, withContainerRoot } from "./_ops_rootfs.ts";
import { createTar, extractTarOnHost } from "./_ops_tar.ts";
import { withContainer } from "./container_lock.ts";
import type { Runtime } from "./runtime.ts";

/** Options of {@linkcode copyPaths}. */
export interface CopyOptions {
  /** Chown what is copied into a container to its primary uid/gid. @default true */
  archive?: boolean;
  /** Replace directories by non-directories and vice versa. @default false */
  overwrite?: boolean;
  /** The tar archive when SRC is `-`. */
  stdin?: ReadableStream<Uint8Array>;
  /** Where the tar archive goes when DEST is `-`. */
  stdout?: WritableStream<Uint8Array>;
}

/** One side of a copy: `CONTAINER:PATH`, a host path, or `-`. */
export interface CopyLocation {
  container: string | null;
  path: string;
}

/** Splits `CONTAINER:PATH` the way podman does: a path starting with `/` or `.` is local. */
export function parseCopyLocation(arg: string): CopyLocation {
  if (arg === "" || arg.startsWith("/") || arg.startsWith(".")) {
    return { container: null, path: arg };
  }
  const colon = arg.indexOf(":");
  if (colon < 0) return { container: null, path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

/** A container path made absolute against the container's working directory. */
function absolute(rt: Runtime, rec: ContainerRecord, path: string): string {
  if (path.startsWith("/")) return path;
  let wd = rec.config.workdir;
  if (!wd) {
    const img = rt.store.images.find(rec.config.image.id);
    wd = img ? parseImageConfig(new TextEncoder().encode(img.config)).config?.WorkingDir ?? "" : "";
  }
  return `${(wd || "/").replace(/\/+$/, "")}/${path}`;
}

/** Opens the containers of a copy (one or two, locks in a fixed order) and runs `fn`. */
async function withContainers<T>(
  rt: Runtime,
  names: string[],
  fn: (recs: ContainerRecord[]) => Promise<T>,
): Promise<T> {
  const ids = names.map((n) => {
    try {
      return rt.state.lookupContainer(n).config.id;
    } catch (e) {
      if (e instanceof NotFoundError) {
        throw new NotFoundError("container", `container "${n}" does not exist`, { cause: e });
      }
      throw e;
    }
  });
  const order = [...new Set(ids)].sort();
  const held = new Map<string, ContainerRecord>();
  const step = async (i: number): Promise<T> => {
    if (i === order.length) return await fn(ids.map((id) => held.get(id)!));
    return await withContainer(rt, order[i]!, async (rec) => {
      held.set(rec.config.id, rec);
      return await step(i + 1);
    });
  };
  return await step(0);
}

/** The uid/gid files copied into the container get (`--archive`): its main user's. */
function containerOwner(rt: Runtime, rec: ContainerRecord, root: ContainerRoot) {
  let user = rec.config.user;
  if (!user) {
    const img = rt.store.images.find(rec.config.image.id);
    user = img ? parseImageConfig(new TextEncoder().encode(img.config)).config?.User ?? "" : "";
  }
  try {
    const u = resolveUser(
      user,
      readFileInRoot(root, "/etc/passwd"),
      readFileInRoot(root, "/etc/group"),
    );
    return { uid: u.uid, gid: u.gid };
  } catch {
    return { uid: 0, gid: 0 };
  }
}

/** Copies `src` to `dest`; either may be `CONTAINER:PATH`, a host path or `-`. */
export async function copyPaths(
  rt: Runtime,
  src: string,
  dest: string,
  options: CopyOptions = {},
): Promise<void> {
  const s = parseCopyLocation(src);
  const d = parseCopyLocation(dest);
  if (s.container === null && d.container === null) {
    throw new UsageError(
      `copying between two host paths is not supported: "${src}" or "${dest}" must be CONTAINER:PATH`,
    );
  }
  if (s.container !== null && d.container !== null && (s.path === "-" || d.path === "-")) {
    throw new UsageError(`"-" cannot be combined with two containers`);
  }
  const names = [s.container, d.container].filter((n): n is string => n !== null);
  await withContainers(rt, names, async (recs) => {
    const srcRec = s.container !== null ? recs[0]! : null;
    const dstRec = d.container !== null ? recs[recs.length - 1]! : null;
    const fds: number[] = [];
    try {
      const produce = async (
        go: (src: Source | null, tar: ReadableStream<Uint8Array>) => Promise<void>,
      ) => {
        if (!srcRec) {
          if (s.path === "-") {
            if (!options.stdin) throw new UsageError("no archive on stdin");
            return await go(null, options.stdin);
          }
          const source = hostSource(s.path);
          const out = createTar(source.dir, source.names, { what: "copying from host" });
          await go(source, out.stream);
          return await out.done;
        }
        return await withContainerRoot(rt, srcRec, async (root) => {
          const path = absolute(rt, srcRec, s.path);
          const source = containerSource(root, path, srcRec.config.name, fds);
          const out = createTar(source.dir, source.names, { what: "copying from container" });
          await go(source, out.stream);
          await out.done;
        });
      };
      if (!dstRec) {
        await produce(async (source, tar) => {
          if (d.path === "-") {
            if (!options.stdout) throw new UsageError("no stdout to write the archive to");
            return await tar.pipeTo(options.stdout, { preventClose: true });
          }
          const target = hostTarget(d.path, source!);
          await extractOnHost(target, source!, tar);
        });
        return;
      }
      await withContainerRoot(rt, dstRec, async (root) => {
        const path = absolute(rt, dstRec, d.path);
        await produce(async (source, tar) => {
          const target = containerTarget(root, path, source, dstRec.config.name);
          const owner = options.archive ?? true ? containerOwner(rt, dstRec, root) : null;
          let dir = target.dir;
          let parent = -1;
          if (target.create) {
            parent = openInRoot(root.fd, dir, { directory: true });
            fds.push(parent);
            Deno.mkdirSync(`${fdPath(parent)}/${target.create}`, { mode: 0o700 });
            if (owner) chownAt(parent, target.create, owner.uid, owner.gid);
            dir = `${dir === "/" ? "" : dir}/${target.create}`;
          }
          await extractIntoRoot(tar, {
            rootFd: root.fd,
            destDir: dir,
            rename: target.rename,
            owner,
            overwrite: options.overwrite ?? false,
          });
          if (target.create && source) {
            // the directory made for `dir/.` takes the source directory's mode and times
            chmodAt(parent, target.create, source.mode);
            utimesAt(parent, target.create, source.mtime, source.mtime);
          }
        });
      });
    } finally {
      for (const fd of fds) closeFd(fd);
    }
  });
}

/** Extracts on the host, through a staging directory when the item takes a new name. */
async function extractOnHost(
  target: Target,
  source: Source,
  tar: ReadableStream<Uint8Array>,
): Promise<void> {
  if (target.create) {
    const dir = `${target.dir}/${target.create}`;
    await Deno.mkdir(dir, { mode: 0o700 });
    await extractTarOnHost(dir, tar);
    await Deno.chmod(dir, source.mode);
    await Deno.utime(dir, source.mtime, source.mtime);
    return;
  }
  if (!target.rename) return await extractTarOnHost(target.dir, tar);
  // Renaming members in the stream would also rename link targets; extract beside instead
  // (same filesystem) and move the item into place.
  const staging = await Deno.makeTempDir({ dir: target.dir, prefix: ".skiff-cp-" });
  try {
    await extractTarOnHost(staging, tar);
    await Deno.rename(`${staging}/${target.rename.from}`, `${target.dir}/${target.rename.to}`);
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}
