import assert from "node:assert/strict";
import { applyDecoded, decodeConfigText } from "./_decode.ts";
import { defaultRuntimeConfig, KEYS } from "./runtime_config.ts";

const CONF = new URL("../../conf/libpod.conf", import.meta.url);

Deno.test("conf/libpod.conf documents every key", async () => {
  const text = await Deno.readTextFile(CONF);
  for (const { key } of KEYS) {
    const re = key === "runtimes" ? /^# \[runtimes\]$/m : new RegExp(`^# ${key} = `, "m");
    assert.match(text, re, `key ${key} is not documented`);
  }
});

Deno.test("conf/libpod.conf shows the built-in defaults, and decodes to them when uncommented", async () => {
  const text = await Deno.readTextFile(CONF);
  const uncommented = text.split("\n")
    .map((l) => /^# ([a-z_]+ = |\[runtimes\]|  +"|\])/.test(l) ? l.slice(2) : l)
    .join("\n");
  const decoded = decodeConfigText(uncommented, "conf/libpod.conf");
  const storage = {
    graphRoot: "/var/lib/skiff/storage",
    runRoot: "/run/skiff/storage",
    graphDriver: "overlay",
  };
  const defaults = defaultRuntimeConfig(storage, "/run/skiff/libpod");
  // runtime_path and hooks_dir are documented as [] but default to "unset"
  const got = applyDecoded(defaults, { ...decoded, runtimePath: null, hooksDir: null });
  assert.deepEqual(got, defaults);
  assert.equal(Object.keys(decoded).length, KEYS.length);
});
