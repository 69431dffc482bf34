/** `skiff cp`: copy files between a container and the host (or a tar on stdin/stdout). */

import { copyPaths } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";

export const cpCommand: Command = {
  name: "cp",
  summary: "Copy files/folders between a container and the local filesystem",
  description: "Copy the contents of SRC_PATH to the DEST_PATH.\n\n" +
    "You can copy from the container's file system to the local machine or the reverse, " +
    'from the local filesystem to the container. If "-" is specified for either the SRC_PATH ' +
    "or DEST_PATH, you can also stream a tar archive from STDIN or to STDOUT. The CONTAINER " +
    "can be a running or stopped container. The SRC_PATH or DEST_PATH can be a file or a " +
    "directory.",
  usage: "[options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH",
  args: { min: 2, max: 2 },
  examples: [
    "skiff cp ./file.txt ctr:/tmp/",
    "skiff cp ctr:/etc/. ./etc-copy",
    "skiff cp ctr:/var/log - > logs.tar",
  ],
  flags: [
    {
      name: "archive",
      short: "a",
      type: "bool",
      default: true,
      help: "Chown copied files to the primary uid/gid of the destination container.",
    },
    {
      name: "overwrite",
      type: "bool",
      help: "Allow to overwrite directories with non-directories and vice versa",
    },
  ],
  async run(ctx) {
    const [src, dest] = ctx.args as [string, string];
    try {
      await copyPaths(await ctx.runtime(), src, dest, {
        archive: ctx.flags.bool("archive"),
        overwrite: ctx.flags.bool("overwrite"),
        stdin: Deno.stdin.readable,
        stdout: Deno.stdout.writable,
      });
    } catch (e) {
      // `skiff cp ctr:/dir - | head`: the reader went away, which ends the copy quietly
      if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
    }
    return 0;
  },
};
