/**
 * Fake CNI plugins for unit tests: one `/bin/sh` script, installed under each plugin name, that
 * records every call (stdin and CNI_* environment) in `<dir>/log/NNN-<type>-<COMMAND>.*` and
 * answers ADD with a result naming itself (`dns.domain`), so prevResult chaining shows. Create
 * `<dir>/fail-<type>-<COMMAND>` to make a call fail with a CNI error.
 */

const SCRIPT = `#!/bin/sh
d=$(dirname "$0"); t=$(basename "$0")
n=$(ls "$d/log" | wc -l)
f="$d/log/$(printf %03d "$n")-$t-$CNI_COMMAND"
cat > "$f.stdin"
env | grep '^CNI_' | sort > "$f.env"
if [ -e "$d/fail-$t-$CNI_COMMAND" ]; then
  printf '{"cniVersion":"0.4.0","code":11,"msg":"fake %s failure","details":"on purpose"}' "$t"
  exit 1
fi
if [ "$CNI_COMMAND" = ADD ]; then
  printf '{"cniVersion":"0.4.0","interfaces":[{"name":"br","mac":"aa:aa:aa:aa:aa:01"},{"name":"%s","mac":"aa:aa:aa:aa:aa:02","sandbox":"%s"}],"ips":[{"version":"4","interface":1,"address":"10.99.0.5/24","gateway":"10.99.0.1"}],"dns":{"domain":"%s"}}' "$CNI_IFNAME" "$CNI_NETNS" "$t"
fi
`;

/** One recorded plugin call. */
export interface FakeCall {
  type: string;
  command: string;
  stdin: Record<string, unknown>;
  env: Record<string, string>;
}

/** A directory of fake plugins. */
export class FakePlugins {
  readonly dir: string;
  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Installs fakes named `types` in a new temp dir. */
  static async create(types = ["bridge", "portmap", "firewall", "tuning"]): Promise<FakePlugins> {
    const dir = await Deno.makeTempDir({ prefix: "skiff-fake-cni-" });
    await Deno.mkdir(`${dir}/log`);
    for (const t of types) await Deno.writeTextFile(`${dir}/${t}`, SCRIPT, { mode: 0o755 });
    return new FakePlugins(dir);
  }

  /** Makes `type` fail on `command` from now on. */
  async fail(type: string, command: string): Promise<void> {
    await Deno.writeTextFile(`${this.dir}/fail-${type}-${command}`, "");
  }

  /** Every call so far, in order; clears the log. */
  async calls(): Promise<FakeCall[]> {
    const names: string[] = [];
    for await (const e of Deno.readDir(`${this.dir}/log`)) names.push(e.name);
    const bases = [...new Set(names.map((n) => n.replace(/\.(stdin|env)$/, "")))].sort();
    const out: FakeCall[] = [];
    for (const b of bases) {
      const [, type = "", command = ""] = /^\d+-(.+)-([A-Z]+)$/.exec(b) ?? [];
      const env = Object.fromEntries(
        (await Deno.readTextFile(`${this.dir}/log/${b}.env`)).split("\n").filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      const stdin = JSON.parse(await Deno.readTextFile(`${this.dir}/log/${b}.stdin`));
      out.push({ type, command, stdin, env });
      await Deno.remove(`${this.dir}/log/${b}.env`);
      await Deno.remove(`${this.dir}/log/${b}.stdin`);
    }
    return out;
  }

  /** Removes the directory. */
  async remove(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}
