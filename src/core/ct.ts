import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";

/** Compares two byte arrays in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, "a");
  assertBytes(b, "b");
  if (a.length !== b.length) return false;
  return withArena((arena, core) => core.ct_equal(arena.put(a), arena.put(b), a.length) === 1);
}

/** Overwrites a byte array with zeros. Use it on key material you no longer need. */
export function wipeBytes(bytes: Uint8Array): void {
  bytes.fill(0);
}
