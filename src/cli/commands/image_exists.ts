/** `skiff image exists`: exit 0 when the image is in local storage, 1 when not. */

import { imageExists } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";

export const imageExistsCommand: Command = {
  name: "exists",
  summary: "Check if an image exists in local storage",
  usage: "IMAGE",
  args: { min: 1, max: 1 },
  async run(ctx) {
    return (await imageExists(await ctx.runtime(), ctx.args[0]!)) ? 0 : 1;
  },
};
