/** `skiff save`: images to a docker-archive, oci-archive or OCI layout directory. */

import { UsageError } from "../../define/errors.ts";
import { SAVE_FORMATS, type SaveFormat, saveImages } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { stdoutIsTerminal } from "../output.ts";
import { progress } from "../progress.ts";

export const saveCommand: Command = {
  name: "save",
  summary: "Save image(s) to an archive",
  usage: "[options] IMAGE [IMAGE...]",
  args: { min: 1 },
  examples: [
    "skiff save -o busybox.tar localhost/busybox",
    "skiff save --format oci-archive busybox > busybox-oci.tar",
  ],
  flags: [
    {
      name: "format",
      type: "string",
      default: "docker-archive",
      help: "Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive",
    },
    {
      name: "multi-image-archive",
      short: "m",
      type: "bool",
      help:
        "Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)",
    },
    {
      name: "output",
      short: "o",
      type: "string",
      help: "Write to a specified file (default: stdout, which must be redirected)",
    },
    { name: "quiet", short: "q", type: "bool", help: "Suppress the output" },
  ],
  async run(ctx) {
    const format = ctx.flags.string("format") as SaveFormat;
    if (!SAVE_FORMATS.includes(format)) {
      throw new UsageError(
        `unsupported format "${format}": choose docker-archive, oci-archive or oci-dir`,
      );
    }
    const output = ctx.flags.string("output");
    if (output === undefined && (format === "oci-dir" || stdoutIsTerminal())) {
      throw new UsageError("refusing to save to terminal. Use -o flag or redirect");
    }
    const rt = await ctx.runtime();
    const p = progress(ctx.flags.bool("quiet"));
    try {
      if (format === "oci-dir") {
        await saveImages(rt, ctx.args, format, output!);
      } else if (output === undefined) {
        await saveImages(rt, ctx.args, format, Deno.stdout.writable);
      } else {
        // Written beside the target and renamed, so a failed save leaves no half archive.
        const tmp = `${output}.tmp-${Deno.pid}`;
        const file = await Deno.open(tmp, {
          write: true,
          create: true,
          truncate: true,
          mode: 0o644,
        });
        try {
          await saveImages(rt, ctx.args, format, file.writable);
          await Deno.rename(tmp, output);
        } catch (e) {
          await Deno.remove(tmp).catch(() => {});
          throw e;
        }
      }
    } finally {
      p.done();
    }
    return 0;
  },
};
