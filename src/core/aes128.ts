import { invalidInput } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** AES-128 key length in bytes (FIPS 197 §5.2, Nk = 4). */
export const AES128_KEY_BYTES = 16;
/** AES block length in bytes (FIPS 197 §3.1). */
export const AES_BLOCK_BYTES = 16;
/** Largest input accepted in one call (the core's own limit is 2^26 blocks = 1 GiB). */
export const AES128_MAX_BYTES = 2 ** 30;

/**
 * AES-128 encryption (FIPS 197 §5.1) of each 16-byte block of `input` independently (ECB form, no
 * padding). Constant time in the key and the data (bitsliced core). A building block for
 * counter-mode generators such as sentc's OPE PRNG; never use it on its own to encrypt data.
 * @param key 16-byte AES-128 key.
 * @param input a multiple of 16 bytes (may be empty).
 * @returns the encrypted blocks, `input.length` bytes.
 * @throws {SentcError} `invalid_input` when `key` is not a 16-byte Uint8Array, or `input` is not a
 *   Uint8Array whose length is a multiple of 16 up to {@link AES128_MAX_BYTES}.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { aes128EncryptBlocks, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const blocks = aes128EncryptBlocks(randomBytes(16), new Uint8Array(32)); // two encrypted blocks
 * ```
 */
export function aes128EncryptBlocks(key: Uint8Array, input: Uint8Array): Uint8Array {
  assertBytes(key, "key", AES128_KEY_BYTES);
  assertBytes(input, "input");
  if (input.length % AES_BLOCK_BYTES !== 0) {
    throw invalidInput(`input must be a multiple of ${AES_BLOCK_BYTES} bytes, got ${input.length}`);
  }
  if (input.length > AES128_MAX_BYTES) throw invalidInput(`input longer than ${AES128_MAX_BYTES} bytes`);
  return withArena((arena, core) => {
    const len = input.length;
    // One reservation: key, then the blocks, encrypted in place.
    const base = arena.reserve(AES128_KEY_BYTES + len);
    const view = new Uint8Array(core.memory.buffer, base, AES128_KEY_BYTES + len);
    view.set(key);
    view.set(input, AES128_KEY_BYTES);
    const data = base + AES128_KEY_BYTES;
    checkStatus(core.aes128_encrypt_blocks(base, data, data, len / AES_BLOCK_BYTES), "aes128EncryptBlocks");
    return new Uint8Array(core.memory.buffer, data, len).slice();
  });
}
