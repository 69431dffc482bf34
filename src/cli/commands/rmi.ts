/** `skiff rmi` / `skiff image rm`: remove images (exit 1 when one is unknown, 2 when in use). */

import { ConflictError, NotFoundError, UsageError } from "../../define/errors.ts";
import { removeImages } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { reportError } from "../main.ts";
import { printLine } from "../output.ts";

export const rmiCommand: Command = {
  name: "rmi",
  summary: "Removes one or more images from local storage",
  usage: "[options] IMAGE [IMAGE...]",
  examples: ["skiff rmi localhost/busybox", "skiff rmi -a -f"],
  flags: [
    { name: "all", short: "a", type: "bool", help: "Remove all images" },
    { name: "force", short: "f", type: "bool", help: "Force Removal of the image" },
  ],
  async run(ctx) {
    const all = ctx.flags.bool("all");
    if (all && ctx.args.length) {
      throw new UsageError("when using the --all switch, you may not pass any images names or IDs");
    }
    if (!all && !ctx.args.length) throw new UsageError("image name or ID must be specified");
    const rt = await ctx.runtime();
    let code = 0;
    // One at a time, like podman: report each failure and carry on with the others.
    for (const ref of all ? [null] : ctx.args) {
      try {
        const r = await removeImages(rt, ref ? [ref] : [], {
          force: ctx.flags.bool("force"),
          all,
          removeContainer: async (id) => {
            const { removeContainer } = await import("../../runtime/mod.ts");
            await removeContainer(rt, id, { force: true });
          },
        });
        for (const u of r.untagged) printLine(`Untagged: ${u}`);
        for (const d of r.deleted) printLine(`Deleted: ${d}`);
      } catch (e) {
        reportError(e);
        code = e instanceof NotFoundError
          ? Math.max(code, 1)
          : e instanceof ConflictError
          ? 2
          : 125;
      }
    }
    return code;
  },
};
