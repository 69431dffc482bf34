import { InMemoryState } from "./in_memory_state.ts";
import { stateSuite } from "./_state_suite.ts";

stateSuite("InMemoryState", (options) => ({
  state: new InMemoryState(options),
  cleanup: () => {},
}));
