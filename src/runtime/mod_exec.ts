/** The runtime API added by the "exec" work (re-exported by mod.ts). */
export {};
