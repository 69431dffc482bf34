/** `skiff attach`, and the `--detach-keys` / `--sig-proxy` flags the attached verbs share. */

import { UsageError } from "../../define/errors.ts";
import { attachToContainer, latestContainer } from "../../runtime/mod.ts";
import type { Command } from "../command.ts";
import type { FlagSpec } from "../flags.ts";
import { writeErr, writeOut } from "../output.ts";
import { DEFAULT_DETACH_KEYS, parseDetachKeys, stdinIsTerminal, Terminal } from "../terminal.ts";

/** `--detach-keys`, as podman describes it. */
export const DETACH_KEYS_FLAG: FlagSpec = {
  name: "detach-keys",
  type: "string",
  default: DEFAULT_DETACH_KEYS,
  valueName: "[a-Z]",
  help:
    "Select the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-z`, `@`, `^`, `[`, `\\`, `]`, `^` or `_`",
};

/** `--sig-proxy` (default true). */
export const SIG_PROXY_FLAG: FlagSpec = {
  name: "sig-proxy",
  type: "bool",
  default: true,
  help: "Proxy received signals to the process",
};

export const attachCommand: Command = {
  name: "attach",
  summary: "Attach to a running container",
  description:
    "The skiff attach command allows you to attach to a running container using the container's ID or name, either to view its ongoing output or to control it interactively.",
  usage: "[options] CONTAINER",
  examples: ["skiff attach ctrID", "skiff attach --no-stdin foobar"],
  flags: [
    DETACH_KEYS_FLAG,
    {
      name: "latest",
      short: "l",
      type: "bool",
      help: "Act on the latest container skiff is aware of",
    },
    { name: "no-stdin", type: "bool", help: "Do not attach STDIN. The default is false" },
    SIG_PROXY_FLAG,
  ],
  async run(ctx) {
    const latest = ctx.flags.bool("latest");
    if (ctx.args.length > 1 || (latest && ctx.args.length > 0)) {
      throw new UsageError(`\`${ctx.path.join(" ")}\` accepts at most one argument`);
    }
    if (!latest && ctx.args.length === 0) {
      throw new UsageError(`"${ctx.path.join(" ")}" requires a name, id, or the "--latest" flag`);
    }
    const keys = parseDetachKeys(ctx.flags.string("detach-keys") ?? DEFAULT_DETACH_KEYS);
    const rt = await ctx.runtime();
    const target = latest ? await latestContainer(rt) : ctx.args[0]!;
    const noStdin = ctx.flags.bool("no-stdin");
    const onTerminal = stdinIsTerminal();
    {
      using term = Terminal.open({ raw: "tty", sigProxy: ctx.flags.bool("sig-proxy") });
      await attachToContainer(rt, target, {
        stdout: (d) => writeOut(d),
        stderr: (d) => writeErr(d),
        ...(noStdin ? {} : { stdin: Deno.stdin.readable }),
        ...(onTerminal ? { detachKeys: keys } : {}),
        size: term.size(),
        onAttach: (ctl) => term.attach(ctl),
      }, { noStdin });
    }
    // podman 4.3.1 ends every attach with a newline, after the terminal is restored
    try {
      writeOut("\n");
    } catch {
      // our terminal is gone (hung up): nothing to end
    }
    return 0;
  },
};
