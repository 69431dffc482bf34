/**
 * Output formatting shared by the commands: podman's `--format` Go templates, its aligned
 * tables (Go's text/tabwriter semantics), and the YAML of `info`.
 *
 * ```ts
 * import { parseTemplate, renderEach, renderTable } from "./mod.ts";
 *
 * const rows = [{ ID: "3f2a", Names: "web" }];
 * const template = parseTemplate("table {{.ID}}\t{{.Names}}");
 * renderTable(template, rows, { headers: { ID: "CONTAINER ID" } });
 * // "CONTAINER ID  NAMES\n3f2a          web\n"
 * renderEach(parseTemplate("{{.Names}}"), rows); // "web\n"
 * ```
 * @module
 */

export {
  parseTemplate,
  renderEach,
  renderTable,
  type RenderTableOptions,
  splitCamelCase,
  type Template,
  TemplateError,
} from "./template.ts";
export { PODMAN_TABLE, tabulate, type TabWriterOptions } from "./tabwriter.ts";
export { stringifyYaml } from "./yaml.ts";
