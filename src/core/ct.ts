import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";

/**
 * Compares two byte arrays in time that depends only on their lengths. Arrays of different lengths are
 * unequal (returned at once, without the core).
 * @throws {SentcError} `invalid_input` when `a` or `b` is not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved (only reached for arrays of equal length).
 * @throws {SentcError} `out_of_memory` when the core cannot hold both arrays.
 * @example
 * ```ts
 * import { constantTimeEqual, initCore } from "sentc-as/core";
 * await initCore();
 * constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, "a");
  assertBytes(b, "b");
  if (a.length !== b.length) return false;
  return withArena((arena, core) => core.ct_equal(arena.put(a), arena.put(b), a.length) === 1);
}

/**
 * Overwrites a byte array with zeros, in place. Use it on key material you no longer need. Does not need
 * {@link initCore}.
 * @throws {SentcError} `invalid_input` when `bytes` is not a Uint8Array.
 * @example
 * ```ts
 * import { randomBytes, wipeBytes } from "sentc-as/core";
 * const key = randomBytes(32);
 * wipeBytes(key); // key is now all zeros
 * ```
 */
export function wipeBytes(bytes: Uint8Array): void {
  assertBytes(bytes, "the bytes to wipe");
  bytes.fill(0);
}
