import { InMemoryLockManager } from "./in_memory_lock_manager.ts";
import { lockManagerSuite } from "./_manager_suite.ts";

lockManagerSuite("InMemoryLockManager", (numLocks) => {
  const manager = new InMemoryLockManager(numLocks);
  return { manager, cleanup: () => manager.close() };
});
