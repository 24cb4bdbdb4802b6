import { invalidInput } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** RFC 5869 §2.3: L ≤ 255 · HashLen. */
const HKDF_SHA256_MAX = 255 * 32;

/**
 * HKDF-SHA256 (RFC 5869): extract with `salt` (empty = 32 zero bytes), then expand with `info` to `length`
 * bytes, 1 ≤ length ≤ 8160.
 * @throws {SentcError} `invalid_input` when `ikm`, `salt` or `info` is not a Uint8Array, or `length` is not
 *   an integer from 1 to 8160.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { hkdfSha256, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const key = hkdfSha256(randomBytes(32), new Uint8Array(0), new TextEncoder().encode("file key"), 32);
 * ```
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  assertBytes(ikm, "ikm");
  assertBytes(salt, "salt");
  assertBytes(info, "info");
  if (!Number.isInteger(length) || length < 1 || length > HKDF_SHA256_MAX) {
    throw invalidInput(`length must be an integer from 1 to ${HKDF_SHA256_MAX}`);
  }
  return withArena((arena, core) => {
    const total = length + ikm.length + salt.length + info.length;
    const out = arena.reserve(total);
    const view = new Uint8Array(core.memory.buffer, out, total);
    const ikmPtr = out + length;
    const saltPtr = ikmPtr + ikm.length;
    const infoPtr = saltPtr + salt.length;
    view.set(ikm, length);
    view.set(salt, length + ikm.length);
    view.set(info, length + ikm.length + salt.length);
    const status = core.hkdf_sha256(ikmPtr, ikm.length, saltPtr, salt.length, infoPtr, info.length, out, length);
    checkStatus(status, "hkdfSha256");
    return view.slice(0, length);
  });
}
