/** The runtime API added by the "network" work (re-exported by mod.ts). */
export {};
