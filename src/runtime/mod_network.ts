/** The runtime's network API (re-exported by mod.ts). */
export {
  createNetwork,
  inspectNetwork,
  listNetworks,
  networkExists,
  pruneNetworks,
  removeNetwork,
} from "./network.ts";
export type { CreateNetworkOptions, NetworkInfo } from "../network/mod.ts";
