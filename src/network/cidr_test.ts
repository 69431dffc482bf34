import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import {
  formatCidr,
  formatIp,
  isHostAddress,
  parseCidr,
  parseIp,
  subnetContains,
  subnetsOverlap,
  validateSubnet,
} from "./cidr.ts";

Deno.test("parseIp() reads IPv4 and IPv6 and formatIp() prints them back", () => {
  for (const s of ["10.77.0.1", "0.0.0.0", "255.255.255.255", "::1", "fd00::1:2", "2001:db8::"]) {
    const ip = parseIp(s);
    assert.ok(ip, s);
    assert.equal(formatIp(ip), s);
  }
  assert.equal(formatIp(parseIp("2001:0db8:0000:0000:0000:0000:0000:0001")!), "2001:db8::1");
  assert.equal(formatIp(parseIp("::ffff:10.0.0.1")!), "::ffff:a00:1");
});

Deno.test("parseIp() refuses malformed addresses", () => {
  for (
    const s of [
      "10.77.0",
      "10.77.0.256",
      "10.077.0.1",
      "1.2.3.4.5",
      "a.b.c.d",
      "",
      "1::2::3",
      "12345::",
    ]
  ) {
    assert.equal(parseIp(s), null, s);
  }
});

Deno.test("validateSubnet() clears host bits and names a malformed value", () => {
  assert.equal(formatCidr(validateSubnet("10.77.5.9/24")), "10.77.5.0/24");
  assert.equal(formatCidr(validateSubnet("fd00:1::5/64")), "fd00:1::/64");
  for (const bad of ["10.77.300.0/24", "10.77.0.0", "10.77.0.0/33", "nonsense", "10.77.0.0/-1"]) {
    assert.throws(() => validateSubnet(bad), (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, new RegExp(`invalid subnet "${bad.replaceAll(".", "\\.")}"`));
      return true;
    });
  }
});

Deno.test("validateSubnet() refuses a subnet with no room for a gateway and a container", () => {
  assert.throws(() => validateSubnet("10.77.0.0/31"), /\/31 leaves no room/);
  assert.equal(validateSubnet("10.77.0.0/30").prefix, 30);
});

Deno.test("subnetsOverlap() is true exactly when one subnet contains the other", () => {
  assert.equal(subnetsOverlap("10.77.0.0/16", "10.77.5.0/24"), true);
  assert.equal(subnetsOverlap("10.77.5.0/24", "10.77.0.0/16"), true);
  assert.equal(subnetsOverlap("10.77.5.0/24", "10.77.5.128/25"), true);
  assert.equal(subnetsOverlap("10.77.5.0/24", "10.77.6.0/24"), false);
  assert.equal(subnetsOverlap("10.77.5.0/25", "10.77.5.128/25"), false);
  assert.equal(subnetsOverlap("10.0.0.0/8", "fd00::/8"), false);
  assert.throws(() => subnetsOverlap("10.0.0.0/8", "bad"), UsageError);
});

Deno.test("subnetContains() and isHostAddress() exclude network and broadcast addresses", () => {
  const s = parseCidr("10.77.5.0/24")!;
  assert.equal(subnetContains(s, parseIp("10.77.5.255")!), true);
  assert.equal(subnetContains(s, parseIp("10.77.6.1")!), false);
  assert.equal(isHostAddress(s, parseIp("10.77.5.0")!), false);
  assert.equal(isHostAddress(s, parseIp("10.77.5.255")!), false);
  assert.equal(isHostAddress(s, parseIp("10.77.5.1")!), true);
  assert.equal(subnetContains(s, parseIp("::1")!), false);
});
