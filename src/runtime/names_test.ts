import assert from "node:assert/strict";
import { generateName, randomName } from "./names.ts";

Deno.test("randomName() gives adjective_surname", () => {
  for (let i = 0; i < 100; i++) assert.match(randomName(), /^[a-z]+_[a-z]+$/);
});

Deno.test("generateName() never returns a taken name", () => {
  const taken = new Set<string>();
  // Deterministic sequence: the first candidates are taken, a later one is free.
  let n = 0;
  const seq = () => [0, 0, 0, 0, 0.5, 0.5][n++ % 6]!;
  taken.add(randomName(() => 0));
  const name = generateName((c) => taken.has(c), seq);
  assert.ok(!taken.has(name));
  assert.equal(name, randomName(() => 0.5));
});

Deno.test("generateName() gives up instead of looping forever", () => {
  assert.throws(() => generateName(() => true), /every candidate is in use/);
});
