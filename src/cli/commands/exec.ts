/** `skiff exec`: run a process in a running container. */

import { UsageError } from "../../define/errors.ts";
import { execContainer, latestContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import { environment } from "../create_flags.ts";
import { printLine, writeErr, writeOut } from "../output.ts";
import { DEFAULT_DETACH_KEYS, parseDetachKeys, stdinIsTerminal, Terminal } from "../terminal.ts";
import { DETACH_KEYS_FLAG } from "./attach.ts";

export const execCommand: Command = {
  name: "exec",
  summary: "Run a process in a running container",
  description: "Execute the specified command inside a running container.",
  usage: "[options] CONTAINER [COMMAND [ARG...]]",
  examples: [
    "skiff exec -it ctrID ls",
    "skiff exec -it -w /tmp myCtr pwd",
    "skiff exec --user root ctrID ls",
  ],
  interspersed: false,
  flags: [
    {
      name: "detach",
      short: "d",
      type: "bool",
      help: "Run the exec session in detached mode (backgrounded)",
    },
    DETACH_KEYS_FLAG,
    { name: "env", short: "e", type: "stringArray", help: "Set environment variables" },
    { name: "env-file", type: "strings", help: "Read in a file of environment variables" },
    { name: "interactive", short: "i", type: "bool", help: "Keep STDIN open even if not attached" },
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    {
      name: "privileged",
      type: "bool",
      help:
        "Give the process extended Linux capabilities inside the container.  The default is false",
    },
    { name: "tty", short: "t", type: "bool", help: "Allocate a pseudo-TTY. The default is false" },
    {
      name: "user",
      short: "u",
      type: "string",
      help:
        "Sets the username or UID used and optionally the groupname or GID for the specified command",
    },
    { name: "workdir", short: "w", type: "string", help: "Working directory inside the container" },
  ],
  async run(ctx) {
    const latest = ctx.flags.bool("latest");
    if (!latest && ctx.args.length === 0) {
      throw new UsageError("exec requires the name or ID of a container or the --latest flag");
    }
    const keys = parseDetachKeys(ctx.flags.string("detach-keys") ?? DEFAULT_DETACH_KEYS);
    const env = environment(ctx.flags);
    const rt = await ctx.runtime();
    const [container, ...command] = latest ? [await latestContainer(rt), ...ctx.args] : ctx.args;
    const tty = ctx.flags.bool("tty");
    const interactive = ctx.flags.bool("interactive");
    const detach = ctx.flags.bool("detach");
    const onTerminal = stdinIsTerminal();
    using term = Terminal.open({ raw: tty && !detach });
    const r = await execContainer(rt, container!, {
      command,
      env,
      user: ctx.flags.string("user") ?? "",
      workdir: ctx.flags.string("workdir") ?? "",
      tty,
      interactive,
      privileged: ctx.flags.bool("privileged"),
      detach,
    }, {
      stdout: (d) => writeOut(d),
      stderr: (d) => writeErr(d),
      ...(interactive && !detach ? { stdin: Deno.stdin.readable } : {}),
      ...(onTerminal ? { detachKeys: keys } : {}),
      size: tty ? term.size() : null,
      onAttach: (ctl) => term.attach(ctl),
    });
    term.close();
    if (detach) printLine(r.sessionId);
    return r.exitCode ?? 0;
  },
};
