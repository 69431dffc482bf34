/** `skiff create` and `skiff run`. */

import { UsageError } from "../../define/errors.ts";
import { createContainer, runContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { CREATE_FLAGS, createOptions } from "../create_flags.ts";
import { printLine, writeErr, writeOut } from "../output.ts";

export const createCommand: Command = {
  name: "create",
  summary: "Create but do not start a container",
  usage: "[options] IMAGE [COMMAND [ARG...]]",
  examples: ["skiff create --name box localhost/busybox sleep 100"],
  flags: CREATE_FLAGS,
  interspersed: false,
  args: { min: 1 },
  async run(ctx) {
    const [image, ...command] = ctx.args as [string, ...string[]];
    const opts = createOptions(ctx.flags, image, command, ctx.argv);
    const rec = await createContainer(await ctx.runtime(), opts);
    printLine(rec.config.id);
    return 0;
  },
};

export const runCommand: Command = {
  name: "run",
  summary: "Run a command in a new container",
  usage: "[options] IMAGE [COMMAND [ARG...]]",
  examples: [
    "skiff run --rm localhost/busybox echo hello",
    "skiff run -d --name web localhost/busybox httpd -f -p 8080",
    "echo data | skiff run -i --rm localhost/busybox cat",
  ],
  flags: [
    ...CREATE_FLAGS,
    {
      name: "detach",
      short: "d",
      type: "bool",
      help: "Run container in background and print container ID",
    },
  ],
  interspersed: false,
  args: { min: 1 },
  async run(ctx) {
    const [image, ...command] = ctx.args as [string, ...string[]];
    const opts = createOptions(ctx.flags, image, command, ctx.argv);
    const detach = ctx.flags.bool("detach");
    if (opts.tty && opts.interactive && !detach && !Deno.stdin.isTerminal()) {
      throw new UsageError(
        "the input device is not a TTY: -t needs a terminal, use -i alone for piped input",
      );
    }
    const rt = await ctx.runtime();
    if (detach) {
      const r = await runContainer(rt, opts, { detach: true });
      printLine(r.id);
      return 0;
    }
    const r = await runContainer(rt, opts, {
      detach: false,
      streams: {
        stdout: (d) => writeOut(d),
        stderr: (d) => writeErr(d),
        ...(opts.interactive ? { stdin: Deno.stdin.readable } : {}),
      },
    });
    return r.exitCode ?? 0;
  },
};
