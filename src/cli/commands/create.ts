/** `skiff create` and `skiff run`. */

import { createContainer, runContainer } from "../../runtime/mod.ts";
import { log } from "../../util/logger.ts";
import type { Command } from "../command.ts";
import { CREATE_FLAGS, createOptions } from "../create_flags.ts";
import { printLine, writeErr, writeOut } from "../output.ts";
import { DEFAULT_DETACH_KEYS, parseDetachKeys, stdinIsTerminal, Terminal } from "../terminal.ts";
import { DETACH_KEYS_FLAG, SIG_PROXY_FLAG } from "./attach.ts";

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
    DETACH_KEYS_FLAG,
    SIG_PROXY_FLAG,
  ],
  interspersed: false,
  args: { min: 1 },
  async run(ctx) {
    const [image, ...command] = ctx.args as [string, ...string[]];
    const opts = createOptions(ctx.flags, image, command, ctx.argv);
    const detach = ctx.flags.bool("detach");
    const keys = parseDetachKeys(ctx.flags.string("detach-keys") ?? DEFAULT_DETACH_KEYS);
    const onTerminal = stdinIsTerminal();
    if (opts.tty && opts.interactive && !onTerminal) {
      log.warn(
        "The input device is not a TTY. The --tty and --interactive flags might not work properly",
      );
    }
    const rt = await ctx.runtime();
    if (detach) {
      const r = await runContainer(rt, opts, { detach: true });
      printLine(r.id);
      return 0;
    }
    using term = Terminal.open({ raw: opts.tty, sigProxy: ctx.flags.bool("sig-proxy") });
    const r = await runContainer(rt, opts, {
      detach: false,
      streams: {
        stdout: (d) => writeOut(d),
        stderr: (d) => writeErr(d),
        // without -i, a terminal's stdin is still read for the detach keys (not forwarded)
        ...(opts.interactive || (opts.tty && onTerminal) ? { stdin: Deno.stdin.readable } : {}),
        ...(onTerminal ? { detachKeys: keys } : {}),
        size: opts.tty ? term.size() : null,
        onAttach: (ctl) => term.attach(ctl),
      },
    });
    return r.exitCode ?? 0;
  },
};
