/** `skiff start`, `skiff init` and `skiff restart`. */

import { UsageError } from "../../define/errors.ts";
import {
  initContainer,
  restartContainer,
  startAttached,
  startContainer,
} from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { printLine, writeErr, writeOut } from "../output.ts";
import { DEFAULT_DETACH_KEYS, parseDetachKeys, stdinIsTerminal, Terminal } from "../terminal.ts";
import { forEachContainer, targets } from "./_many.ts";
import { DETACH_KEYS_FLAG, SIG_PROXY_FLAG } from "./attach.ts";

export const startCommand: Command = {
  name: "start",
  summary: "Start one or more containers",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    { name: "attach", short: "a", type: "bool", help: "Attach container's STDOUT and STDERR" },
    DETACH_KEYS_FLAG,
    { name: "interactive", short: "i", type: "bool", help: "Keep STDIN open even if not attached" },
    {
      name: "all",
      type: "bool",
      help: "Start all containers regardless of their state or configuration",
    },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    {
      ...SIG_PROXY_FLAG,
      default: undefined,
      help: "Proxy received signals to the process (default true if attaching, false otherwise)",
    },
  ],
  async run(ctx) {
    const attach = ctx.flags.bool("attach");
    const keys = parseDetachKeys(ctx.flags.string("detach-keys") ?? DEFAULT_DETACH_KEYS);
    const sigProxy = ctx.flags.changed("sig-proxy") ? ctx.flags.bool("sig-proxy") : attach;
    if (sigProxy && !attach) {
      throw new UsageError("you cannot use sig-proxy without --attach: invalid argument");
    }
    const rt = await ctx.runtime();
    if (attach) {
      if (ctx.args.length !== 1) {
        throw new UsageError("you cannot start and attach multiple containers at once");
      }
      const interactive = ctx.flags.bool("interactive");
      using term = Terminal.open({ raw: "tty", sigProxy });
      const r = await startAttached(rt, ctx.args[0]!, {
        stdout: (d) => writeOut(d),
        stderr: (d) => writeErr(d),
        // a terminal's stdin is read for the detach keys even without -i (then not forwarded)
        ...(interactive || stdinIsTerminal() ? { stdin: Deno.stdin.readable } : {}),
        ...(stdinIsTerminal() ? { detachKeys: keys } : {}),
        size: term.size(),
        onAttach: (ctl) => term.attach(ctl),
      }, { interactive });
      return r.exitCode ?? 0;
    }
    return await forEachContainer(await targets(ctx, rt), async (c) => {
      await startContainer(rt, c);
      printLine(c);
    });
  },
};

export const initCommand: Command = {
  name: "init",
  summary: "Initialize one or more containers",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    { name: "all", short: "a", type: "bool", help: "Initialize all containers" },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
  ],
  async run(ctx) {
    const rt = await ctx.runtime();
    return await forEachContainer(
      await targets(ctx, rt),
      async (c) => printLine(await initContainer(rt, c)),
    );
  },
};

export const restartCommand: Command = {
  name: "restart",
  summary: "Restart one or more containers",
  usage: "[options] CONTAINER [CONTAINER...]",
  flags: [
    { name: "all", short: "a", type: "bool", help: "Restart all non-running containers" },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    {
      name: "time",
      short: "t",
      type: "uint",
      help: "Seconds to wait for stop before killing the container",
    },
  ],
  async run(ctx) {
    const rt = await ctx.runtime();
    const timeout = ctx.flags.int("time");
    return await forEachContainer(await targets(ctx, rt), async (c) => {
      const rec = await restartContainer(rt, c, timeout);
      printLine(rec.config.id);
    });
  },
};
