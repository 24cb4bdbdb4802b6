import { EXPORTED_MEMORY, exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/**
 * The exports every build of the core has, re-exported by assembly/index.ts itself: the memory, the
 * per-call arena (assembly/arena.ts) and the constant-time helpers (assembly/ct.ts).
 */
export const BASE_ABI = {
  memory: EXPORTED_MEMORY,
  alloc: exportedFunction(["len"], "i32"),
  arena_reset: exportedFunction([], "void"),
  ct_equal: exportedFunction(["a", "b", "len"], "i32"),
  wipe: exportedFunction(["ptr", "len"], "void"),
} as const satisfies AreaSpec;

/** The host-side type of {@link BASE_ABI}. */
export type BaseExports = AreaExports<typeof BASE_ABI>;
