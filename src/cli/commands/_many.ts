/** Acting on several containers (`-a`, `--latest`, names): each failure reported, the rest done. */

import { NotFoundError, UsageError } from "../../define/errors.ts";
import { latestContainer, listContainers, type Runtime } from "../../runtime/mod.ts";
import type { CommandContext } from "../command.ts";
import { reportError } from "../main.ts";

/** The containers a verb acts on: its arguments, or all (`--all`), or the newest (`--latest`). */
export async function targets(
  ctx: CommandContext,
  rt: Runtime,
  options: { allRunning?: boolean } = {},
): Promise<string[]> {
  const all = ctx.flags.changed("all") && ctx.flags.bool("all");
  const latest = ctx.flags.changed("latest") && ctx.flags.bool("latest");
  if ((all || latest) && ctx.args.length) {
    throw new UsageError(`--${all ? "all" : "latest"} and containers cannot be used together`);
  }
  if (all) return (await listContainers(rt, { all: !options.allRunning })).map((c) => c.Id);
  if (latest) return [await latestContainer(rt)];
  if (!ctx.args.length) {
    throw new UsageError(
      `"${ctx.path.join(" ")}" needs at least one container name or ID, or --all`,
    );
  }
  return ctx.args;
}

/**
 * Runs `fn` for each container; a failure is printed as `Error: …` and the others still run,
 * as podman does. Returns the exit code: 0, or the failure's code (125; 1 for unknown ones
 * when `missingCode` is 1).
 */
export async function forEachContainer(
  ids: string[],
  fn: (id: string) => Promise<void>,
  options: { ignoreMissing?: boolean; missingCode?: number } = {},
): Promise<number> {
  let code = 0;
  for (const id of ids) {
    try {
      await fn(id);
    } catch (e) {
      if (options.ignoreMissing && e instanceof NotFoundError) continue;
      const c = reportError(e);
      code = e instanceof NotFoundError && options.missingCode ? options.missingCode : c;
    }
  }
  return code;
}
