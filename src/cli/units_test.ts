import assert from "node:assert/strict";
import { humanDuration, humanSize } from "./units.ts";

Deno.test("humanSize() prints podman's sizes", () => {
  assert.equal(humanSize(2141517), "2.14 MB");
  assert.equal(humanSize(10240), "10.2 kB");
  assert.equal(humanSize(999), "999 B");
  assert.equal(humanSize(2100000), "2.1 MB");
  assert.equal(humanSize(0), "0 B");
});

Deno.test("humanDuration() prints podman's durations", () => {
  assert.equal(humanDuration(500), "Less than a second");
  assert.equal(humanDuration(30_000), "30 seconds");
  assert.equal(humanDuration(90_000), "About a minute");
  assert.equal(humanDuration(20 * 60_000), "20 minutes");
  assert.equal(humanDuration(3 * 3600_000), "3 hours");
  assert.equal(humanDuration(56 * 365 * 24 * 3600_000), "56 years");
});
