import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/**
 * HMAC-SHA256 (RFC 2104, FIPS 198-1) of `data` under `key` (any length): 32 bytes.
 * @throws {SentcError} `invalid_input` when `key` or `data` is not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { hmacSha256, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const tag = hmacSha256(randomBytes(32), new TextEncoder().encode("message")); // 32 bytes
 * ```
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, "key");
  assertBytes(data, "data");
  return withArena((arena, core) => {
    // One reservation for key, data and tag: a single pass over the arena.
    const keyLen = key.length;
    const dataLen = data.length;
    const base = arena.reserve(32 + keyLen + dataLen);
    const view = new Uint8Array(core.memory.buffer, base, 32 + keyLen + dataLen);
    view.set(key, 32);
    view.set(data, 32 + keyLen);
    checkStatus(core.hmac_sha256(base + 32, keyLen, base + 32 + keyLen, dataLen, base), "hmacSha256");
    return view.slice(0, 32);
  });
}

/**
 * HMAC-SHA512 (RFC 2104, FIPS 198-1) of `data` under `key` (any length): 64 bytes.
 * @throws {SentcError} `invalid_input` when `key` or `data` is not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { hmacSha512, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const tag = hmacSha512(randomBytes(64), new TextEncoder().encode("message")); // 64 bytes
 * ```
 */
export function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  assertBytes(key, "key");
  assertBytes(data, "data");
  return withArena((arena, core) => {
    const keyLen = key.length;
    const dataLen = data.length;
    const base = arena.reserve(64 + keyLen + dataLen);
    const view = new Uint8Array(core.memory.buffer, base, 64 + keyLen + dataLen);
    view.set(key, 64);
    view.set(data, 64 + keyLen);
    checkStatus(core.hmac_sha512(base + 64, keyLen, base + 64 + keyLen, dataLen, base), "hmacSha512");
    return view.slice(0, 64);
  });
}
