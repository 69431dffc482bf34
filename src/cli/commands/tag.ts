/** `skiff tag` and `skiff untag`. */

import { tagImage, untagImage } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";

export const tagCommand: Command = {
  name: "tag",
  summary: "Add an additional name to a local image",
  usage: "IMAGE TARGET_NAME [TARGET_NAME...]",
  args: { min: 2 },
  examples: ["skiff tag localhost/busybox mybox:1.0"],
  async run(ctx) {
    const [image, ...names] = ctx.args as [string, ...string[]];
    await tagImage(await ctx.runtime(), image, names);
    return 0;
  },
};

export const untagCommand: Command = {
  name: "untag",
  summary: "Remove a name from a local image",
  usage: "IMAGE [IMAGE...]",
  description: "Removes one or more names from a locally-stored image; without names, all of them.",
  args: { min: 1 },
  async run(ctx) {
    const [image, ...names] = ctx.args as [string, ...string[]];
    await untagImage(await ctx.runtime(), image, names);
    return 0;
  },
};
