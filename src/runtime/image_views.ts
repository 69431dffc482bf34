/**
 * What `images`, `image inspect` and `history` show, shaped like podman's JSON.
 * @module
 */

import { UsageError } from "../define/errors.ts";
import { type ImageConfig, parseImageConfig } from "../image/image_config.ts";
import type { ImageRecord } from "../storage/mod.ts";
import { lookupImage } from "./image_lookup.ts";
import type { Runtime } from "./runtime.ts";

/** One image as `images --format json` shows it. */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[];
  Size: number;
  SharedSize: number;
  VirtualSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
  Names: string[];
  Digest: string;
  History: string[];
  Created: number;
  CreatedAt: string;
  Dangling: boolean;
}

function configOf(img: ImageRecord): ImageConfig {
  return parseImageConfig(new TextEncoder().encode(img.config));
}

/** The image whose top layer is the parent of `img`'s top layer, if any. */
function parentOf(rt: Runtime, img: ImageRecord): string {
  if (!img.topLayer) return "";
  const parentLayer = rt.store.layers.find(img.topLayer)?.parent;
  if (!parentLayer) return "";
  return rt.store.images.all().find((i) => i.topLayer === parentLayer)?.id ?? "";
}

function repoDigests(img: ImageRecord): string[] {
  if (!img.digest) return [];
  return img.names.map((n) => `${n.replace(/:[^:/]+$/, "")}@${img.digest}`);
}

function summary(rt: Runtime, img: ImageRecord): ImageSummary {
  const cfg = configOf(img);
  const created = cfg.created ?? img.created;
  return {
    Id: img.id,
    ParentId: parentOf(rt, img),
    RepoTags: img.names.length ? img.names : null,
    RepoDigests: repoDigests(img),
    Size: img.size,
    SharedSize: 0,
    VirtualSize: img.size,
    Labels: cfg.config?.Labels ?? null,
    Containers: rt.store.images.users(img.id).length,
    Names: img.names,
    Digest: img.digest ?? "",
    History: [...img.names].reverse(),
    Created: Math.floor(new Date(created).getTime() / 1000),
    CreatedAt: created,
    Dangling: img.names.length === 0,
  };
}

function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`);
}

/** Builds a predicate from podman's `images --filter` expressions. */
function imageFilter(rt: Runtime, filters: string[]): (s: ImageSummary) => boolean {
  const tests: ((s: ImageSummary) => boolean)[] = [];
  for (const f of filters) {
    const eq = f.indexOf("=");
    const key = eq < 0 ? f : f.slice(0, eq);
    const value = eq < 0 ? "" : f.slice(eq + 1);
    switch (key) {
      case "dangling":
        if (value !== "true" && value !== "false") {
          throw new UsageError(`invalid filter "${f}": dangling must be true or false`);
        }
        tests.push((s) => s.Dangling === (value === "true"));
        break;
      case "label": {
        const [k, v] = value.split(/=(.*)/s);
        tests.push((s) => !!s.Labels && k! in s.Labels && (v === undefined || s.Labels[k!] === v));
        break;
      }
      case "reference": {
        const re = globToRegExp(value);
        tests.push((s) =>
          s.Names.some((n) =>
            re.test(n) || re.test(n.replace(/^[^/]+\//, "")) ||
            re.test(n.replace(/:[^:/]+$/, "")) ||
            re.test(n.replace(/^[^/]+\//, "").replace(/:[^:/]+$/, ""))
          )
        );
        break;
      }
      case "id":
        tests.push((s) => s.Id.startsWith(value.replace(/^sha256:/, "")));
        break;
      case "before":
      case "since": {
        const ref = summary(rt, lookupImage(rt, value));
        tests.push((s) => key === "before" ? s.Created < ref.Created : s.Created > ref.Created);
        break;
      }
      default:
        throw new UsageError(`invalid filter "${f}": unknown key "${key}"`);
    }
  }
  return (s) => tests.every((t) => t(s));
}

/** The images `images` lists, newest first. */
export function listImages(rt: Runtime, options: { filters?: string[] } = {}): ImageSummary[] {
  const keep = imageFilter(rt, options.filters ?? []);
  return rt.store.images.all().map((i) => summary(rt, i)).filter(keep)
    .sort((a, b) => b.Created - a.Created);
}

/** `image inspect`: podman's shape. */
export function inspectImage(rt: Runtime, ref: string): Record<string, unknown> {
  const img = lookupImage(rt, ref);
  const cfg = configOf(img);
  const chain = rt.store.imageChain(img);
  const driver = rt.store.driver;
  const graph: Record<string, string> = {};
  if (driver.name === "overlay" && chain.length) {
    const top = chain[chain.length - 1]!;
    const lower = chain.slice(0, -1).reverse().map((l) => driver.layerDir(l.id));
    if (lower.length) graph.LowerDir = lower.join(":");
    graph.UpperDir = driver.layerDir(top.id);
    graph.WorkDir = driver.layerDir(top.id).replace(/\/diff$/, "/work");
  }
  const history = cfg.history ?? [];
  const manifestType = img.manifest
    ? (JSON.parse(img.manifest).mediaType ?? "application/vnd.oci.image.manifest.v1+json")
    : "application/vnd.oci.image.manifest.v1+json";
  return {
    Id: img.id,
    Digest: img.digest ?? "",
    RepoTags: img.names,
    RepoDigests: repoDigests(img),
    Parent: parentOf(rt, img),
    Comment: history[history.length - 1]?.comment ?? "",
    Created: cfg.created ?? img.created,
    Config: cfg.config ?? {},
    Version: cfg.docker_version ?? "",
    Author: cfg.author ?? "",
    Architecture: cfg.architecture,
    Os: cfg.os,
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Name: driver.name, Data: graph },
    RootFS: { Type: cfg.rootfs.type, Layers: cfg.rootfs.diff_ids },
    Labels: cfg.config?.Labels ?? {},
    Annotations: {},
    ManifestType: manifestType,
    User: cfg.config?.User ?? "",
    History: history,
    NamesHistory: [...img.names].reverse(),
  };
}

/** One row of `history`. */
export interface HistoryEntry {
  id: string;
  created: string;
  createdBy: string;
  size: number;
  comment: string;
}

/** `history`: newest first; the top row carries the image ID, others `<missing>` or an image. */
export function imageHistory(rt: Runtime, ref: string): HistoryEntry[] {
  const img = lookupImage(rt, ref);
  const cfg = configOf(img);
  const chain = rt.store.imageChain(img);
  const byTop = new Map(
    rt.store.images.all().filter((i) => i.topLayer).map((i) => [i.topLayer!, i.id]),
  );
  const rows: HistoryEntry[] = [];
  let layer = 0;
  for (const h of cfg.history ?? []) {
    const l = h.empty_layer ? null : chain[layer++] ?? null;
    rows.push({
      id: l ? byTop.get(l.id) ?? "<missing>" : "<missing>",
      created: h.created ?? "",
      createdBy: h.created_by ?? "",
      size: l?.size ?? 0,
      comment: h.comment ?? "",
    });
  }
  rows.reverse();
  if (rows[0]) rows[0].id = img.id;
  return rows;
}
