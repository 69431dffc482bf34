/** `skiff commit`: a new image from a container's changes. */

import { UsageError } from "../../define/errors.ts";
import { commitContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";
import { progress } from "../progress.ts";

export const commitCommand: Command = {
  name: "commit",
  summary: "Create new image based on the changed container",
  usage: "[options] CONTAINER [IMAGE]",
  args: { min: 1, max: 2 },
  examples: [
    'skiff commit -q --message "committing container to image" reverent_golick image-committed',
    'skiff commit -q --author "firstName lastName" reverent_golick image-committed',
    "skiff commit -q --pause=false containerID image-committed",
    "skiff commit containerID",
  ],
  flags: [
    { name: "author", short: "a", type: "string", help: "Set the author for the image committed" },
    {
      name: "change",
      short: "c",
      type: "stringArray",
      help:
        "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | STOPSIGNAL | USER | VOLUME | WORKDIR",
    },
    {
      name: "format",
      short: "f",
      type: "string",
      default: "oci",
      help: "Format of the image manifest and metadata",
    },
    { name: "iidfile", type: "string", help: "file to write the image ID to" },
    {
      name: "include-volumes",
      type: "bool",
      help: "Include container volumes as image volumes",
    },
    { name: "message", short: "m", type: "string", help: "Set commit message for imported image" },
    { name: "pause", short: "p", type: "bool", help: "Pause container during commit" },
    { name: "quiet", short: "q", type: "bool", help: "Suppress output" },
  ],
  async run(ctx) {
    const format = ctx.flags.string("format")!;
    if (format !== "oci" && format !== "docker") {
      throw new UsageError(`unrecognized image type "${format}"`);
    }
    const [container, reference] = ctx.args as [string, string | undefined];
    const rt = await ctx.runtime();
    const p = progress(ctx.flags.bool("quiet"));
    const message = ctx.flags.string("message");
    const author = ctx.flags.string("author");
    let id: string;
    try {
      id = await commitContainer(rt, container, {
        ...(reference ? { reference } : {}),
        changes: ctx.flags.strings("change"),
        ...(message !== undefined ? { message } : {}),
        ...(author !== undefined ? { author } : {}),
        pause: ctx.flags.bool("pause"),
        includeVolumes: ctx.flags.bool("include-volumes"),
        progress: p,
      });
    } finally {
      p.done();
    }
    const iidfile = ctx.flags.string("iidfile");
    if (iidfile) await Deno.writeTextFile(iidfile, `sha256:${id}`);
    printLine(id);
    return 0;
  },
};
