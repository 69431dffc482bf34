/** `skiff export`: a container's filesystem as a tar archive. */

import { UsageError } from "../../define/errors.ts";
import { exportContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { stdoutIsTerminal } from "../output.ts";

export const exportCommand: Command = {
  name: "export",
  summary: "Export a container's filesystem contents as a tar archive",
  description: "Exports container's filesystem contents as a tar archive and saves it on the " +
    "local machine.",
  usage: "[options] CONTAINER",
  args: { min: 1, max: 1 },
  examples: ["skiff export ctrID > myCtr.tar", "skiff export --output=myCtr.tar ctrID"],
  flags: [
    {
      name: "output",
      short: "o",
      type: "string",
      help: "Write to a specified file (default: stdout, which must be redirected)",
    },
  ],
  async run(ctx) {
    const output = ctx.flags.string("output");
    if (output === undefined && stdoutIsTerminal()) {
      throw new UsageError("refusing to export to terminal. Use -o flag or redirect");
    }
    const rt = await ctx.runtime();
    if (output === undefined) {
      try {
        await exportContainer(rt, ctx.args[0]!, Deno.stdout.writable);
      } catch (e) {
        if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
      }
      return 0;
    }
    // Written beside the target and renamed, so a failed export leaves no half archive.
    const tmp = `${output}.tmp-${Deno.pid}`;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(tmp, { write: true, create: true, truncate: true, mode: 0o644 });
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound
        ? "no such file or directory"
        : e instanceof Deno.errors.PermissionDenied
        ? "permission denied"
        : (e as Error).message;
      throw new UsageError(`creating file "${output}": open ${output}: ${why}`);
    }
    try {
      await exportContainer(rt, ctx.args[0]!, file.writable);
      file.close();
      await Deno.rename(tmp, output);
    } catch (e) {
      try {
        file.close();
      } catch { /* closed already */ }
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    return 0;
  },
};
