/** `skiff top`: the running processes of a container. */

import { NotFoundError, UsageError } from "../../define/errors.ts";
import { containerTop, latestContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { PODMAN_TABLE, tabulate } from "../format/mod.ts";
import { writeOut } from "../output.ts";

export const topCommand: Command = {
  name: "top",
  summary: "Display the running processes of a container",
  description: "Display the running processes of a container.\n\nThe top command extends " +
    "the ps(1) compatible AIX descriptors with container-specific ones as shown below. In " +
    "case other descriptors are specified, ps(1) is executed inside the container.\n\n" +
    "Format descriptors: args, capamb, capbnd, capeff, capinh, capprm, comm, etime, group, " +
    "groups, hgroup, hgroups, hpid, huid, huser, label, nice, pcpu, pgid, pid, ppid, rgroup, " +
    "rss, ruser, seccomp, state, stime, time, tty, uid, user, vsz",
  usage: "[options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]",
  interspersed: false,
  examples: [
    "skiff top ctrID",
    "skiff top --latest",
    "skiff top ctrID pid seccomp args %C",
    "skiff top ctrID -eo user,pid,comm",
  ],
  flags: [
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
  ],
  async run(ctx) {
    const latest = ctx.flags.bool("latest");
    if (!latest && !ctx.args.length) {
      throw new UsageError("you must provide the name or id of a running container");
    }
    const rt = await ctx.runtime();
    const target = latest ? await latestContainer(rt) : ctx.args[0]!;
    const descriptors = latest ? ctx.args : ctx.args.slice(1);
    let lines: string[];
    try {
      lines = await containerTop(rt, target, descriptors);
    } catch (e) {
      if (e instanceof NotFoundError && e.kind === "container") {
        throw new NotFoundError(
          "container",
          `unable to look up requested container: ${e.message}`,
          {
            cause: e,
          },
        );
      }
      throw e;
    }
    writeOut(tabulate(lines, PODMAN_TABLE));
    return 0;
  },
};
