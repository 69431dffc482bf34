import assert from "node:assert/strict";
import { parseRegistriesConf } from "./registries.ts";

Deno.test("parseRegistriesConf() reads the v2 format", () => {
  const r = parseRegistriesConf(
    [
      'unqualified-search-registries = ["docker.io", "quay.io"]',
      "[[registry]]",
      'location = "localhost:5000"',
      "insecure = true",
      "[[registry]]",
      'prefix = "example.com/foo"',
      'location = "mirror.example.com/foo"',
      "blocked = true",
    ].join("\n"),
    "/r.conf",
  );
  assert.deepEqual(r.search, ["docker.io", "quay.io"]);
  assert.equal(r.registries["localhost:5000"]?.Insecure, true);
  assert.equal(r.registries["example.com/foo"]?.Location, "mirror.example.com/foo");
  assert.equal(r.registries["example.com/foo"]?.Blocked, true);
});

Deno.test("parseRegistriesConf() reads the v1 format", () => {
  const r = parseRegistriesConf(
    [
      "[registries.search]",
      'registries = ["docker.io"]',
      "[registries.insecure]",
      'registries = ["localhost:5000"]',
      "[registries.block]",
      'registries = ["evil.example"]',
    ].join("\n"),
    "/r.conf",
  );
  assert.deepEqual(r.search, ["docker.io"]);
  assert.equal(r.registries["localhost:5000"]?.Insecure, true);
  assert.equal(r.registries["evil.example"]?.Blocked, true);
});

Deno.test("parseRegistriesConf() names the file of malformed input", () => {
  assert.throws(
    () => parseRegistriesConf("a = [", "/r.conf"),
    /registries configuration \/r.conf: .*line 1/,
  );
  assert.throws(
    () => parseRegistriesConf('unqualified-search-registries = "docker.io"', "/r.conf"),
    /must be an array of strings/,
  );
});
