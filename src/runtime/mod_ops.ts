/** The runtime API added by the "ops" work (re-exported by mod.ts). */
export {};
