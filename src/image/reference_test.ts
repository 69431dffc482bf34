import assert from "node:assert/strict";
import { UsageError } from "../define/errors.ts";
import {
  formatReference,
  InvalidReferenceError,
  isFullId,
  localCandidates,
  looksLikeId,
  normalizeDockerName,
  normalizeLocalName,
  normalizeTagName,
  parseReference,
  repoAndTag,
} from "./reference.ts";

const H64 = "a".repeat(64);
const B64 = "b".repeat(64);

/** Asserts that `fn` throws an InvalidReferenceError naming `input` with a reason matching `why`. */
function assertInvalid(fn: () => unknown, input: string, why: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidReferenceError, `not an InvalidReferenceError: ${e}`);
    assert.ok(e instanceof UsageError);
    assert.equal(e.input, input);
    assert.match(e.reason, why);
    assert.ok(e.message.startsWith("invalid reference format: "), e.message);
    assert.ok(e.message.endsWith(`: ${JSON.stringify(input)}`), e.message);
    return true;
  });
}

// Each row: input, the parts, and what `podman tag IMAGE input` stored (podman 4.3.1).
const VALID: [string, string, string, string | null, string | null, string][] = [
  ["foo", "", "foo", null, null, "localhost/foo:latest"],
  ["foo:1", "", "foo", "1", null, "localhost/foo:1"],
  ["a.b", "", "a.b", null, null, "localhost/a.b:latest"],
  ["a.b.c", "", "a.b.c", null, null, "localhost/a.b.c:latest"],
  ["a_b", "", "a_b", null, null, "localhost/a_b:latest"],
  ["a__b", "", "a__b", null, null, "localhost/a__b:latest"],
  ["a-b", "", "a-b", null, null, "localhost/a-b:latest"],
  ["a--b", "", "a--b", null, null, "localhost/a--b:latest"],
  ["ab:_x", "", "ab", "_x", null, "localhost/ab:_x"],
  ["ab/c:d", "", "ab/c", "d", null, "localhost/ab/c:d"],
  ["foo:A_B-1.2", "", "foo", "A_B-1.2", null, "localhost/foo:A_B-1.2"],
  ["foo:" + "a".repeat(128), "", "foo", "a".repeat(128), null, "localhost/foo:" + "a".repeat(128)],
  ["ced2", "", "ced2", null, null, "localhost/ced2:latest"],
  ["abc/ced2", "", "abc/ced2", null, null, "localhost/abc/ced2:latest"],
  ["my-host/x", "", "my-host/x", null, null, "localhost/my-host/x:latest"],
  // "_" is not allowed in a host name, so this is a path, not a registry.
  ["host_name.com/x", "", "host_name.com/x", null, null, "localhost/host_name.com/x:latest"],
  ["localhost", "", "localhost", null, null, "localhost/localhost:latest"],
  ["localhost:5000", "", "localhost", "5000", null, "localhost/localhost:5000"],
  ["localhost/x", "localhost", "x", null, null, "localhost/x:latest"],
  ["localhost:5000/x", "localhost:5000", "x", null, null, "localhost:5000/x:latest"],
  ["x:1/y", "x:1", "y", null, null, "x:1/y:latest"],
  ["a.b.c:99999/x", "a.b.c:99999", "x", null, null, "a.b.c:99999/x:latest"],
  ["Example.com/x", "Example.com", "x", null, null, "Example.com/x:latest"],
  ["EXAMPLE.COM/x", "EXAMPLE.COM", "x", null, null, "EXAMPLE.COM/x:latest"],
  ["docker.io/busybox", "docker.io", "busybox", null, null, "docker.io/library/busybox:latest"],
  ["docker.io/library/b3", "docker.io", "library/b3", null, null, "docker.io/library/b3:latest"],
  ["index.docker.io/b4", "index.docker.io", "b4", null, null, "docker.io/library/b4:latest"],
  [
    "index.docker.io/library/b5:v1",
    "index.docker.io",
    "library/b5",
    "v1",
    null,
    "docker.io/library/b5:v1",
  ],
  ["docker.io/x/y", "docker.io", "x/y", null, null, "docker.io/x/y:latest"],
  // A 64-hex name is a valid repository for `tag` and `import` (it becomes localhost/<hex>).
  [H64, "", H64, null, null, `localhost/${H64}:latest`],
  [H64 + "a", "", H64 + "a", null, null, `localhost/${H64}a:latest`],
  ["a/b/c/d/e", "", "a/b/c/d/e", null, null, "localhost/a/b/c/d/e:latest"],
];

Deno.test("parseReference() splits valid references and formatReference() round-trips them", () => {
  for (const [input, domain, path, tag, digest] of VALID) {
    const r = parseReference(input);
    assert.deepEqual(r, { domain, path, tag, digest }, input);
    assert.equal(formatReference(r), input);
  }
});

Deno.test("normalizeLocalName() stores names the way podman tag does", () => {
  for (const [input, , , , , stored] of VALID) assert.equal(normalizeLocalName(input), stored);
});

Deno.test("parseReference() accepts the digests podman accepts", () => {
  const cases: [string, ReturnType<typeof parseReference>][] = [
    [`x@sha256:${H64}`, { domain: "", path: "x", tag: null, digest: `sha256:${H64}` }],
    [`x:1@sha256:${H64}`, { domain: "", path: "x", tag: "1", digest: `sha256:${H64}` }],
    [`quay.io/a/b@sha384:${"b".repeat(96)}`, {
      domain: "quay.io",
      path: "a/b",
      tag: null,
      digest: `sha384:${"b".repeat(96)}`,
    }],
    [`foo@sha512:${"b".repeat(128)}`, {
      domain: "",
      path: "foo",
      tag: null,
      digest: `sha512:${"b".repeat(128)}`,
    }],
  ];
  for (const [input, want] of cases) {
    assert.deepEqual(parseReference(input), want, input);
    assert.equal(formatReference(want), input);
  }
});

Deno.test("parseReference() allows a repository name of exactly 255 characters", () => {
  assert.equal(parseReference("a".repeat(255)).path.length, 255);
  assert.equal(parseReference(`example.com/${"a".repeat(243)}`).path.length, 243);
});

// Each row: input, and the reason we give. podman 4.3.1 refuses all of them (`podman tag`,
// `podman image exists`); its message is given after `//` where it says more than
// "invalid reference format".
const INVALID: [string, RegExp][] = [
  ["", /repository name is empty/], // repository name must have at least one component
  ["Foo", /must be lowercase/], // repository name must be lowercase
  ["ABC", /must be lowercase/],
  ["FOO:bar", /must be lowercase/],
  ["Foo/x", /must be lowercase/],
  ["FOO/x", /must be lowercase/],
  ["Localhost/x", /must be lowercase/],
  ["x/Y", /must be lowercase/],
  ["example.com:5000/X", /must be lowercase/],
  ["foo:bar:baz", /unexpected ":" in "foo:bar"/],
  ["foo::1", /unexpected ":" in "foo:"|empty/],
  ["a..b", /invalid path component "a\.\.b"/],
  ["a___b", /invalid path component/],
  ["a-_b", /invalid path component/],
  ["a._b", /invalid path component/],
  ["-x", /invalid path component "-x"/],
  ["x-", /invalid path component/],
  ["_x", /invalid path component/],
  ["x_", /invalid path component/],
  ["a b", /invalid character " "/],
  ["a\nb", /invalid character "\\n"/],
  ["x:", /empty tag/],
  [":x", /repository name is empty/],
  ["x/", /empty path component/],
  ["/x", /empty path component/],
  ["a//b", /empty path component/],
  ["ab:-1", /tag "-1" must be/],
  ["ab:.x", /tag "\.x" must be/],
  ["foo:" + "a".repeat(129), /tag "a+" must be 1 to 128/],
  ["foo:bar/baz", /invalid registry "foo:bar"/],
  ["x.y:z/w", /invalid registry "x\.y:z"/],
  ["x:/y", /invalid registry "x:"/],
  ["localhost:x/y", /invalid registry "localhost:x"/],
  ["host-.com/x", /invalid registry "host-\.com"/],
  ["a-.b/x", /invalid registry/],
  ["a.-b/x", /invalid registry/],
  ["a_.b/x", /invalid registry/],
  ["-host.com/x", /invalid registry/],
  ["[::1]:5000/x", /invalid character "\["/],
  ["x@sha256:abc", /digest "sha256:abc" is not algorithm:hex/],
  ["foo@sha256:", /digest "sha256:" is not/],
  ["foo@", /digest "" is not/],
  [`x@y@sha256:${H64}`, /more than one "@"/],
  [`@sha256:${H64}`, /repository name is empty/],
  [`foo@md5:${"b".repeat(32)}`, /unsupported digest algorithm "md5"/], // unsupported digest algorithm
  [`foo@sha256+b64:${H64}`, /unsupported digest algorithm/], // unsupported digest algorithm
  [`foo@sha512:${H64}`, /sha512 digest has 64 hex digits, expected 128/], // invalid checksum digest length
  [`foo@sha256:${H64}a`, /expected 64/], // invalid checksum digest length
  [`foo@SHA256:${H64}`, /invalid digest algorithm "SHA256"/], // invalid checksum digest format
  [`foo@sha256:${"A".repeat(64)}`, /must be lowercase hex/], // invalid checksum digest format
  ["a".repeat(256), /256 characters long, the limit is 255/], // must not be more than 255 characters
  [`example.com/${"a".repeat(244)}`, /256 characters long/],
];

Deno.test("parseReference() refuses what podman refuses, naming the input and the reason", () => {
  for (const [input, why] of INVALID) assertInvalid(() => parseReference(input), input, why);
});

Deno.test("parseReference() fails fast on long invalid input (no regex backtracking blow-up)", () => {
  const start = performance.now();
  for (const input of ["a".repeat(5000) + "!", "a-".repeat(5000) + "_", "a.".repeat(5000) + "/"]) {
    assert.throws(() => parseReference(input), InvalidReferenceError);
  }
  assert.ok(performance.now() - start < 1000);
});

Deno.test("normalizeLocalName() checks the length of the name it produces", () => {
  // podman: `tag busybox <246 × c>` fails, because localhost/ makes it 256 characters.
  assert.equal(normalizeLocalName("c".repeat(245)), `localhost/${"c".repeat(245)}:latest`);
  assertInvalid(() => normalizeLocalName("c".repeat(246)), "c".repeat(246), /256 characters/);
});

Deno.test("normalizeLocalName() keeps a digest and drops a tag beside it", () => {
  assert.equal(normalizeLocalName(`quay.io/a/b@sha256:${H64}`), `quay.io/a/b@sha256:${H64}`);
  assert.equal(normalizeLocalName(`x:1@sha256:${H64}`), `localhost/x@sha256:${H64}`);
  assert.equal(normalizeLocalName(`busybox@sha256:${H64}`), `localhost/busybox@sha256:${H64}`);
});

Deno.test("normalizeTagName() refuses digests like podman tag and import", () => {
  // podman: "<input>: tag by digest not supported"
  for (const input of [`sha256:${H64}`, `x@sha256:${H64}`, `x:1@sha256:${H64}`]) {
    assertInvalid(() => normalizeTagName(input), input, /cannot tag by digest/);
  }
  assert.equal(normalizeTagName("foo:1"), "localhost/foo:1");
  assert.equal(normalizeTagName(H64), `localhost/${H64}:latest`);
  assertInvalid(() => normalizeTagName("Foo"), "Foo", /lowercase/);
});

Deno.test("normalizeDockerName() applies the docker.io rules", () => {
  const cases: [string, string][] = [
    ["busybox", "docker.io/library/busybox:latest"],
    ["busybox:1.36", "docker.io/library/busybox:1.36"],
    ["user/app", "docker.io/user/app:latest"],
    ["docker.io/busybox", "docker.io/library/busybox:latest"],
    ["index.docker.io/busybox", "docker.io/library/busybox:latest"],
    ["quay.io/a/b", "quay.io/a/b:latest"],
    ["localhost/x:2", "localhost/x:2"],
    ["host_name.com/x", "docker.io/host_name.com/x:latest"],
    [`busybox@sha256:${H64}`, `docker.io/library/busybox@sha256:${H64}`],
    [`busybox:1@sha256:${H64}`, `docker.io/library/busybox@sha256:${H64}`],
  ];
  for (const [input, want] of cases) assert.equal(normalizeDockerName(input), want, input);
  // ParseNormalizedNamed: "cannot specify 64-byte hexadecimal strings"
  assertInvalid(() => normalizeDockerName(H64), H64, /image ID, not a name/);
  assertInvalid(() => normalizeDockerName("a b"), "a b", /invalid character/);
});

Deno.test("localCandidates() orders localhost, search registries, then docker.io", () => {
  // podman with unqualified-search-registries = ["quay.io", "example.org"]: localhost/zz wins
  // over quay.io/zz; quay.io/uu over example.org/uu; example.org/vv over docker.io/library/vv.
  assert.deepEqual(localCandidates("zz", ["quay.io", "example.org"]), [
    "localhost/zz:latest",
    "quay.io/zz:latest",
    "example.org/zz:latest",
    "docker.io/library/zz:latest",
  ]);
  assert.deepEqual(localCandidates("a/b:1", ["docker.io"]), [
    "localhost/a/b:1",
    "docker.io/a/b:1",
  ]);
  assert.deepEqual(localCandidates(`x:1@sha256:${H64}`, []), [
    `localhost/x@sha256:${H64}`,
    `docker.io/library/x@sha256:${H64}`,
  ]);
});

Deno.test("localCandidates() puts a short-name alias first", () => {
  // podman: the registries.conf.d alias almalinux = docker.io/library/almalinux beats localhost/.
  assert.deepEqual(localCandidates("almalinux:9", [], "docker.io/library/almalinux"), [
    "docker.io/library/almalinux:9",
    "localhost/almalinux:9",
  ]);
});

Deno.test("localCandidates() gives a qualified name only itself", () => {
  assert.deepEqual(localCandidates("localhost/x", ["quay.io"]), ["localhost/x:latest"]);
  assert.deepEqual(localCandidates("docker.io/busybox", []), ["docker.io/library/busybox:latest"]);
  assert.deepEqual(localCandidates("quay.io/a:1", []), ["quay.io/a:1"]);
});

Deno.test("localCandidates() leaves full IDs to the ID lookup and refuses a short sha256:", () => {
  assert.deepEqual(localCandidates(H64, ["quay.io"]), []);
  assert.deepEqual(localCandidates(`sha256:${B64}`, []), []);
  // podman: "sha256:1f9b: invalid format: no 64-byte hexadecimal value"
  assertInvalid(() => localCandidates("sha256:1f9b", []), "sha256:1f9b", /64-digit hex image ID/);
  assertInvalid(() => localCandidates("FOO:bar", []), "FOO:bar", /lowercase/);
});

Deno.test("localCandidates() skips a candidate that would be too long", () => {
  const name = "c".repeat(246); // localhost/ and docker.io/library/ make it too long
  assert.deepEqual(localCandidates(name, ["quay.io"]), [`quay.io/${name}:latest`]);
});

Deno.test("looksLikeId() and isFullId() recognise IDs and ID prefixes", () => {
  for (const s of ["1", "1f", "ced2", "1f9b6817f9c5", H64, `sha256:${H64}`]) {
    assert.ok(looksLikeId(s), s);
  }
  for (const s of ["", "1F9B", "xyz", "ced2:latest", `${H64}a`, "sha256:1f9b", "a/b"]) {
    assert.ok(!looksLikeId(s), s);
  }
  assert.ok(isFullId(H64));
  assert.ok(isFullId(`sha256:${H64}`));
  assert.ok(!isFullId("ced2"));
  assert.ok(!isFullId(`${H64}:latest`));
});

Deno.test("repoAndTag() splits names the way podman images shows them", () => {
  const cases: [string, string, string, string | null][] = [
    ["localhost/foo:1", "localhost/foo", "1", null],
    ["localhost:5000/x:latest", "localhost:5000/x", "latest", null],
    ["a.b.c:99999/x:latest", "a.b.c:99999/x", "latest", null],
    ["localhost/ab:_x", "localhost/ab", "_x", null],
    ["docker.io/library/busybox:latest", "docker.io/library/busybox", "latest", null],
    [`quay.io/a/b@sha256:${H64}`, "quay.io/a/b", "<none>", `sha256:${H64}`],
    ["not a name", "<none>", "<none>", null],
  ];
  for (const [name, repository, tag, digest] of cases) {
    assert.deepEqual(repoAndTag(name), { repository, tag, digest }, name);
  }
});
