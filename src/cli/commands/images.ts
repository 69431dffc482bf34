/** `skiff images` / `skiff image ls`: list local images. */

import { UsageError } from "../../define/errors.ts";
import { type ImageSummary, listImages } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printRows } from "../format_output.ts";
import { printLine, writeOut } from "../output.ts";
import { humanSize, timeAgo } from "../units.ts";

interface Row {
  ID: string;
  Repository: string;
  Tag: string;
  Digest: string;
  Created: string;
  CreatedAt: string;
  CreatedSince: string;
  Size: string;
  Labels: Record<string, string> | null;
  ReadOnly: boolean;
  Dangling: boolean;
  summary: ImageSummary;
}

function rows(images: ImageSummary[], noTrunc: boolean): Row[] {
  const out: Row[] = [];
  for (const img of images) {
    const id = noTrunc ? `sha256:${img.Id}` : img.Id.slice(0, 12);
    const names = img.Names.length ? img.Names : [null];
    for (const name of names) {
      const m = name ? /^(.*):([^:/]+)$/.exec(name) : null;
      out.push({
        ID: id,
        Repository: m ? m[1]! : name ?? "<none>",
        Tag: m ? m[2]! : "<none>",
        Digest: img.Digest,
        Created: timeAgo(img.CreatedAt),
        CreatedAt: img.CreatedAt,
        CreatedSince: timeAgo(img.CreatedAt),
        Size: humanSize(img.Size),
        Labels: img.Labels,
        ReadOnly: false,
        Dangling: img.Dangling,
        summary: img,
      });
    }
  }
  return out;
}

const SORTS: Record<string, (a: Row, b: Row) => number> = {
  created: (a, b) => b.summary.Created - a.summary.Created,
  id: (a, b) => a.ID.localeCompare(b.ID),
  repository: (a, b) => a.Repository.localeCompare(b.Repository),
  tag: (a, b) => a.Tag.localeCompare(b.Tag),
  size: (a, b) => a.summary.Size - b.summary.Size,
};

const HEADERS = { ID: "IMAGE ID", CreatedSince: "CREATED", CreatedAt: "CREATED AT" };

export const imagesCommand: Command = {
  name: "images",
  summary: "List images in local storage",
  usage: "[options] [IMAGE]",
  args: { max: 1 },
  examples: [
    "skiff images --format json",
    "skiff images --sort repository --format 'table {{.ID}} {{.Repository}} {{.Tag}}'",
  ],
  flags: [
    {
      name: "all",
      short: "a",
      type: "bool",
      help: "Show all images (default hides intermediate images)",
    },
    { name: "digests", type: "bool", help: "Show digests" },
    {
      name: "filter",
      short: "f",
      type: "stringArray",
      help:
        "Filter output based on conditions provided (dangling, label, reference, id, before, since)",
    },
    { name: "format", type: "string", help: "Change the output format to JSON or a Go template" },
    { name: "noheading", short: "n", type: "bool", help: "Do not print column headings" },
    { name: "no-trunc", type: "bool", help: "Do not truncate output" },
    { name: "quiet", short: "q", type: "bool", help: "Display only image IDs" },
    {
      name: "sort",
      type: "string",
      default: "created",
      help: "Sort by created, id, repository, size, tag",
    },
  ],
  async run(ctx) {
    const rt = await ctx.runtime();
    const filters = ctx.flags.strings("filter");
    if (ctx.args[0]) filters.push(`reference=${ctx.args[0]}`);
    const images = await listImages(rt, { filters });
    const sort = ctx.flags.string("sort")!;
    if (!SORTS[sort]) {
      throw new UsageError(
        `invalid option for --sort "${sort}": choose created, id, repository, size or tag`,
      );
    }
    const format = ctx.flags.string("format");
    if (format === "json") {
      writeOut(JSON.stringify(images, null, 4) + "\n");
      return 0;
    }
    const list = rows(images, ctx.flags.bool("no-trunc")).sort(SORTS[sort]);
    if (ctx.flags.bool("quiet")) {
      const seen = new Set<string>();
      for (const r of list) if (!seen.has(r.ID)) seen.add(r.ID) && printLine(r.ID);
      return 0;
    }
    const digests = ctx.flags.bool("digests");
    const template = format ??
      `table {{.Repository}}\t{{.Tag}}\t${
        digests ? "{{.Digest}}\t" : ""
      }{{.ID}}\t{{.CreatedSince}}\t{{.Size}}`;
    printRows(list, template, { headers: HEADERS, noHeading: ctx.flags.bool("noheading") });
    return 0;
  },
};
