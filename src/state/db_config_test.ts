import assert from "node:assert/strict";
import type { DbConfig } from "../define/db_config.ts";
import { DatabaseConfigError } from "../define/errors.ts";
import { cleanPath, realPathOrSelf, reconcileDbConfig } from "./db_config.ts";

const stored: DbConfig = {
  os: "linux",
  staticDir: "/var/lib/skiff",
  tmpDir: "/run/skiff",
  graphRoot: "/var/lib/skiff/storage",
  runRoot: "/run/skiff/storage",
  graphDriver: "overlay",
  volumePath: "/var/lib/skiff/volumes",
};

const noLinks = (p: string) => p;

Deno.test("cleanPath() removes repeated and trailing slashes, . and ..", () => {
  assert.equal(cleanPath("/a//b/"), "/a/b");
  assert.equal(cleanPath("/a/./b/../c"), "/a/c");
  assert.equal(cleanPath("/../a"), "/a");
  assert.equal(cleanPath("//"), "/");
  assert.equal(cleanPath("a/../.."), "..");
  assert.equal(cleanPath(""), "");
});

Deno.test("reconcileDbConfig() adopts stored values that were not set explicitly", () => {
  const wanted = { ...stored, graphRoot: "/b", runRoot: "/run/skiff/storage/", graphDriver: "vfs" };
  const { config, adopted } = reconcileDbConfig(stored, wanted, {}, noLinks);
  assert.deepEqual(config, stored);
  assert.deepEqual(adopted, [
    { field: "graphRoot", from: "/b", to: "/var/lib/skiff/storage" },
    { field: "graphDriver", from: "vfs", to: "overlay" },
  ]);
});

Deno.test("reconcileDbConfig() keeps the runtime's value when the stored one is empty", () => {
  const { config, adopted } = reconcileDbConfig(
    { ...stored, volumePath: "" },
    { ...stored, volumePath: "/v" },
    { volumePath: true },
    noLinks,
  );
  assert.equal(config.volumePath, "/v");
  assert.deepEqual(adopted, []);
});

Deno.test("reconcileDbConfig() refuses an explicit value that differs, naming the fix", () => {
  assert.throws(
    () =>
      reconcileDbConfig({ ...stored, graphRoot: "/a" }, { ...stored, graphRoot: "/b" }, {
        graphRoot: true,
      }, noLinks),
    (e: unknown) => {
      assert.ok(e instanceof DatabaseConfigError);
      assert.equal(
        e.message,
        'database graph root "/a" does not match our graph root "/b": the database was ' +
          "created with different settings; pass --root /a, or remove /var/lib/skiff/skiff.db " +
          "to start over",
      );
      return true;
    },
  );
  for (
    const [field, hint] of [
      ["runRoot", "pass --runroot /x"],
      ["tmpDir", "pass --tmpdir /x"],
      ["graphDriver", "pass --storage-driver /x"],
      ["staticDir", 'set static_dir = "/x" in libpod.conf'],
      ["volumePath", 'set volume_path = "/x" in libpod.conf'],
    ] as const
  ) {
    assert.throws(
      () => reconcileDbConfig({ ...stored, [field]: "/x" }, stored, { [field]: true }, noLinks),
      (e: unknown) => e instanceof DatabaseConfigError && e.message.includes(hint),
      field,
    );
  }
});

Deno.test("reconcileDbConfig() compares explicit paths cleaned and through symlinks", () => {
  const links: Record<string, string> = { "/home/u": "/var/home/u", "/var/home/u": "/var/home/u" };
  const realpath = (p: string) => {
    for (const [from, to] of Object.entries(links)) {
      if (p === from || p.startsWith(`${from}/`)) return to + p.slice(from.length);
    }
    return p;
  };
  const db = { ...stored, graphRoot: "/var/home/u/storage" };
  const { config, adopted } = reconcileDbConfig(
    db,
    { ...stored, graphRoot: "/home/u//storage/", tmpDir: "/run/skiff/" },
    { graphRoot: true, tmpDir: true },
    realpath,
  );
  assert.equal(config.graphRoot, "/home/u/storage");
  assert.equal(config.tmpDir, "/run/skiff");
  assert.deepEqual(adopted, []);
});

Deno.test("reconcileDbConfig() resolves real symlinks and tolerates missing paths", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/real`);
    Deno.symlinkSync(`${dir}/real`, `${dir}/link`);
    const db = { ...stored, graphRoot: `${dir}/real`, runRoot: `${dir}/missing/run` };
    const { config } = reconcileDbConfig(
      db,
      { ...stored, graphRoot: `${dir}/link/`, runRoot: `${dir}/missing//run` },
      { graphRoot: true, runRoot: true },
    );
    assert.equal(config.graphRoot, `${dir}/link`);
    assert.equal(realPathOrSelf(`${dir}/nope`), `${dir}/nope`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("reconcileDbConfig() refuses a database from another OS", () => {
  assert.throws(
    () => reconcileDbConfig({ ...stored, os: "freebsd" }, stored, {}, noLinks),
    (e: unknown) => e instanceof DatabaseConfigError && /database os "freebsd"/.test(e.message),
  );
});
