/** `skiff import`: a root filesystem tarball (or directory) becomes an image. */

import { importImage } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine } from "../output.ts";
import { progress } from "../progress.ts";

export const importCommand: Command = {
  name: "import",
  summary: "Import a tarball to create a filesystem image",
  usage: "[options] PATH [REFERENCE]",
  args: { min: 1, max: 2 },
  examples: [
    "skiff import rootfs.tar myimage",
    "cat rootfs.tar | skiff import --change 'CMD [\"sh\"]' -m 'from a tarball' - myimage",
  ],
  flags: [
    {
      name: "change",
      short: "c",
      type: "stringArray",
      help:
        "Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | STOPSIGNAL | USER | VOLUME | WORKDIR",
    },
    { name: "message", short: "m", type: "string", help: "Set commit message for imported image" },
    { name: "quiet", short: "q", type: "bool", help: "Suppress output" },
  ],
  async run(ctx) {
    const [path, reference] = ctx.args as [string, string | undefined];
    const rt = await ctx.runtime();
    const p = progress(ctx.flags.bool("quiet"));
    let id: string;
    try {
      id = await importImage(rt, path === "-" ? Deno.stdin.readable : path, {
        ...(reference ? { reference } : {}),
        changes: ctx.flags.strings("change"),
        ...(ctx.flags.string("message") !== undefined
          ? { message: ctx.flags.string("message")! }
          : {}),
        progress: p,
      });
    } finally {
      p.done();
    }
    printLine(`sha256:${id}`);
    return 0;
  },
};
