/** Table templates: renderTable() headers and alignment, renderEach(), splitCamelCase(). */
import assert from "node:assert/strict";
import {
  parseTemplate,
  renderEach,
  renderTable,
  splitCamelCase,
  type Template,
} from "./template.ts";

Deno.test("parseTemplate() marks table templates and turns their spaces into tabs", () => {
  assert.equal(parseTemplate("table {{.ID}}").isTable, true);
  assert.equal(parseTemplate("table").isTable, true);
  assert.equal(parseTemplate("{{.ID}}").isTable, false);
  assert.equal(parseTemplate("tablet {{.ID}}").isTable, false);
  assert.equal(
    parseTemplate('table {{.A}} {{printf "%s x" .B}}').execute({ A: 1, B: "b" }),
    "1\tb\tx",
  );
});

const networks = [
  {
    Name: "podman",
    Driver: "bridge",
    ID: "2f259bab93aa",
    NetworkInterface: "podman0",
    Internal: false,
  },
  { Name: "isolated-net", Driver: "macvlan", ID: "77aa", NetworkInterface: "eth1", Internal: true },
];

Deno.test("renderTable() derives headers from field names and aligns like podman", () => {
  const template = parseTemplate("table {{.ID}}\\t{{.Name}}\\t{{.Driver}}");
  assert.equal(
    renderTable(template, networks, { headers: { ID: "network id" } }),
    "NETWORK ID    NAME          DRIVER\n" +
      "2f259bab93aa  podman        bridge\n" +
      "77aa          isolated-net  macvlan\n",
  );
});

Deno.test("renderTable() aligns a space-separated table template on the spaces", () => {
  assert.equal(
    renderTable(parseTemplate("table {{.Name}} {{.Driver}}"), networks.slice(0, 1)),
    "NAME        DRIVER\npodman      bridge\n",
  );
});

Deno.test("renderTable() splits camel-case field names into header words", () => {
  const template = parseTemplate("table {{.NetworkInterface}}\t{{.RunningFor}}\t{{.IPv6Enabled}}");
  assert.equal(
    renderTable(template, [], {}),
    "NETWORK INTERFACE  RUNNING FOR  I PV 6 ENABLED\n",
  );
});

Deno.test("renderTable() keeps literal text and applies functions in the header row", () => {
  const template = parseTemplate(
    'table {{.Name | upper}}\\t{{if .Internal}}int{{else}}ext{{end}}\\t{{printf "%s x" .Driver}}|{{ .ID }}',
  );
  assert.equal(
    renderTable(template, networks.slice(0, 1), { headers: { ID: "network id" } }),
    "NAME        int         DRIVER      x|NETWORK ID\n" +
      "PODMAN      ext         bridge      x|2f259bab93aa\n",
  );
});

Deno.test("renderTable() names nested fields after the whole chain or the last field", () => {
  const template = parseTemplate("table {{.Host.Arch}}\t{{.Host.OS}}\t{{.State.Pid}}");
  assert.equal(
    renderTable(template, [{ Host: { Arch: "amd64", OS: "linux" }, State: { Pid: 1 } }], {
      headers: { "Host.OS": "system", pid: "process" },
    }),
    "ARCH        SYSTEM      PROCESS\namd64       linux       1\n",
  );
});

Deno.test("renderTable() renders podman's ps header for an empty list", () => {
  const template = parseTemplate(
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
  );
  assert.equal(
    renderTable(template, [], { headers: { ID: "CONTAINER ID" } }),
    "CONTAINER ID  IMAGE       COMMAND     CREATED     STATUS      PORTS       NAMES\n",
  );
});

Deno.test("renderTable() leaves the header row out with noHeading", () => {
  const template = parseTemplate("table {{.ID}}\t{{.Name}}");
  assert.equal(
    renderTable(template, networks, { noHeading: true }),
    "2f259bab93aa  podman\n77aa          isolated-net\n",
  );
  assert.equal(renderTable(template, [], { noHeading: true }), "");
});

Deno.test("renderTable() refuses templates not made by parseTemplate()", () => {
  const fake: Template = { isTable: true, execute: () => "" };
  assert.throws(() => renderTable(fake, []), TypeError);
});

Deno.test("renderEach() executes the template per row, one line each", () => {
  assert.equal(renderEach(parseTemplate("{{.Name}}"), networks), "podman\nisolated-net\n");
  assert.equal(renderEach(parseTemplate("{{.Name}}\\n"), networks), "podman\nisolated-net\n");
  assert.equal(
    renderEach(parseTemplate("{{.Name}}\\t{{.Driver}}"), networks.slice(0, 1)),
    "podman\tbridge\n",
  );
  assert.equal(renderEach(parseTemplate("{{.Name}}"), []), "");
});

Deno.test("splitCamelCase() splits like podman's header names", () => {
  assert.deepEqual(splitCamelCase("RunningFor"), ["Running", "For"]);
  assert.deepEqual(splitCamelCase("ID"), ["ID"]);
  assert.deepEqual(splitCamelCase("ImageID"), ["Image", "ID"]);
  assert.deepEqual(splitCamelCase("HTTPServer"), ["HTTP", "Server"]);
  assert.deepEqual(splitCamelCase("IPv6Enabled"), ["I", "Pv", "6", "Enabled"]);
  assert.deepEqual(splitCamelCase("lowercase"), ["lowercase"]);
});

Deno.test("execute() reuses one parsed template for many rows", () => {
  const template = parseTemplate("{{range $k, $v := .}}{{$k}}{{end}}");
  assert.equal(template.execute({ b: 1, a: 2 }), "ab");
  assert.equal(template.execute({ c: 1 }), "c");
});
