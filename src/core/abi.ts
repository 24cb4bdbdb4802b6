/**
 * The exports of build/core.wasm (assembly/index.ts). Only numbers cross the boundary: pointers into the
 * core's linear memory, lengths and status codes (assembly/status.ts).
 */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  alloc(len: number): number;
  arena_reset(): void;
  ct_equal(a: number, b: number, len: number): number;
  wipe(ptr: number, len: number): void;
  [name: string]: unknown;
}
