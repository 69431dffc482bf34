/** skiff: a podman-compatible container engine. Runs the CLI and exits with its code. */

import { main } from "./src/cli/main.ts";

Deno.exit(await main(Deno.args));
