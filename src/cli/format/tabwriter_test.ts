import assert from "node:assert/strict";
import { PODMAN_TABLE, tabulate, tabulateText } from "./tabwriter.ts";

Deno.test("tabulate() pads every cell of a column to the widest cell plus padding", () => {
  assert.equal(
    tabulate(["a\tbb\tc", "aaa\tb\tcc"]),
    "a   bb c\n" +
      "aaa b  cc\n",
  );
});

Deno.test("tabulate() with PODMAN_TABLE reproduces podman's ps header", () => {
  const header = "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES";
  assert.equal(
    tabulate([header], PODMAN_TABLE),
    "CONTAINER ID  IMAGE       COMMAND     CREATED     STATUS      PORTS       NAMES\n",
  );
});

Deno.test("tabulate() with PODMAN_TABLE aligns a multi-line table as podman does", () => {
  const lines = [
    "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES",
    "3f2a8d1c9b7e\tlocalhost/busybox:latest\tsleep 1000\t2 minutes ago\tUp 2 minutes ago\t\tweb",
    "9c1d2e3f4a5b\tlocalhost/busybox:latest\tsh\t5 seconds ago\tExited (0) 1 second ago\t0.0.0.0:8080->80/tcp\tdb",
  ];
  assert.equal(
    tabulate(lines, PODMAN_TABLE),
    "CONTAINER ID  IMAGE                     COMMAND     CREATED        STATUS                   PORTS                 NAMES\n" +
      "3f2a8d1c9b7e  localhost/busybox:latest  sleep 1000  2 minutes ago  Up 2 minutes ago                               web\n" +
      "9c1d2e3f4a5b  localhost/busybox:latest  sh          5 seconds ago  Exited (0) 1 second ago  0.0.0.0:8080->80/tcp  db\n",
  );
});

Deno.test("tabulate() never pads the text after a line's last tab", () => {
  const out = tabulate(["NAME\tDRIVER", "podman\tbridge"], PODMAN_TABLE);
  assert.equal(out, "NAME        DRIVER\npodman      bridge\n");
  for (const line of out.split("\n")) assert.equal(line, line.trimEnd());
});

Deno.test("tabulate() pads the cells before a trailing tab, as Go does", () => {
  assert.equal(tabulate(["a\tb\t", "aaa\tb"]), "a   b \naaa b\n");
});

Deno.test("tabulate() restarts a column's alignment after a line without that column", () => {
  // Go's "elastic" example: b/bb and dddd sit in the second cell but in different blocks.
  assert.equal(
    tabulate(["a\tb\tc", "aa\tbb\tcc", "aaa\t", "aaaa\tdddd\teeee"]),
    "a    b  c\n" +
      "aa   bb cc\n" +
      "aaa  \n" +
      "aaaa dddd eeee\n",
  );
});

Deno.test("tabulate() lets a line without tabs end every column block", () => {
  assert.equal(
    tabulate(["a\tb", "----", "longer\tc"]),
    "a b\n----\nlonger c\n",
  );
});

Deno.test("tabulate() widens narrow columns to minWidth", () => {
  assert.equal(tabulate(["a\tb", "cc\td"], { minWidth: 5 }), "a    b\ncc   d\n");
});

Deno.test("tabulate() splits lines that contain newlines", () => {
  assert.equal(tabulate(["a\tb\nccc\td"]), "a   b\nccc d\n");
});

Deno.test("tabulate() measures width in code points", () => {
  assert.equal(tabulate(["é\tx", "ab\ty"]), "é  x\nab y\n");
  assert.equal(tabulate(["🐳\tx", "ab\ty"]), "🐳  x\nab y\n");
});

Deno.test("tabulate() pads empty cells to the column width", () => {
  assert.equal(tabulate(["\tx", "abc\ty"], PODMAN_TABLE), "            x\nabc         y\n");
});

Deno.test("tabulate() pads with tabs to tab stops when padChar is a tab", () => {
  assert.equal(
    tabulate(["a\tb", "abcdefghi\tc"], { padChar: "\t", tabWidth: 8 }),
    "a\t\tb\nabcdefghi\tc\n",
  );
});

Deno.test("tabulate() returns an empty string for no lines and a newline for one empty line", () => {
  assert.equal(tabulate([]), "");
  assert.equal(tabulate([""]), "\n");
});

Deno.test("tabulateText() keeps a last line without a newline as it is", () => {
  assert.equal(tabulateText("a\tb\ncc\td"), "a  b\ncc d");
});

Deno.test("tabulate() rejects negative widths and multi-character padding", () => {
  assert.throws(
    () => tabulate(["a"], { padding: -1 }),
    { name: "RangeError", message: "cannot align columns: padding -1 is not a whole number >= 0" },
  );
  assert.throws(
    () => tabulate(["a"], { padChar: "ab" }),
    { name: "RangeError", message: 'cannot align columns: padChar "ab" is not one character' },
  );
});
