/** `skiff system renumber`: give every container, pod and volume a new lock number. */

import type { Command } from "../command.ts";

export const systemRenumberCommand: Command = {
  name: "renumber",
  summary: "Migrate lock numbers",
  description:
    "Migrate lock numbers to handle a change in num_locks, or to repair objects that share a lock.\n" +
    "Run it with no other skiff processes active.",
  usage: "[options]",
  args: { max: 0 },
  async run(ctx) {
    await ctx.runtime({ renumber: true });
    return 0;
  },
};
