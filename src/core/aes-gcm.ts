import { invalidInput } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** AES-256 key length in bytes. */
export const AES_GCM_KEY_BYTES = 32;
/** GCM IV length in bytes: only 96-bit IVs (NIST SP 800-38D §5.2.1.1, §8.2.1) are accepted. */
export const AES_GCM_NONCE_BYTES = 12;
/** GCM tag length in bytes: only full 128-bit tags are produced and accepted. */
export const AES_GCM_TAG_BYTES = 16;
/**
 * Largest plaintext and AAD, in bytes. SP 800-38D §5.2.1.1 allows 2^39 - 256 bits of plaintext; a wasm32
 * core must hold the input and the output at once in at most 4 GiB of memory, so the practical limit
 * is 1 GiB.
 */
export const AES_GCM_MAX_BYTES = 2 ** 30;

const EMPTY = new Uint8Array(0);

function checkCommon(key: unknown, nonce: unknown, aad: unknown): Uint8Array {
  assertBytes(key, "key", AES_GCM_KEY_BYTES);
  assertBytes(nonce, "nonce", AES_GCM_NONCE_BYTES);
  if (aad === undefined) return EMPTY;
  assertBytes(aad, "aad");
  if (aad.length > AES_GCM_MAX_BYTES) throw invalidInput(`aad longer than ${AES_GCM_MAX_BYTES} bytes`);
  return aad;
}

/**
 * AES-256-GCM encryption (NIST SP 800-38D §7.1) with a 96-bit nonce.
 * @param key 32-byte AES-256 key.
 * @param nonce 12-byte nonce; never reuse one with the same key.
 * @param plaintext up to 1 GiB.
 * @param aad optional additional authenticated data.
 * @returns ciphertext ‖ 16-byte tag (plaintext.length + 16 bytes).
 * @throws {SentcError} `invalid_input` when `key` is not 32 bytes, `nonce` not 12 bytes, `plaintext` or
 *   `aad` not a Uint8Array, or `plaintext` or `aad` longer than {@link AES_GCM_MAX_BYTES}.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { aesGcmEncrypt, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const key = randomBytes(32);
 * const nonce = randomBytes(12);
 * const sealed = aesGcmEncrypt(key, nonce, new TextEncoder().encode("hello"));
 * ```
 */
export function aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const a = checkCommon(key, nonce, aad);
  assertBytes(plaintext, "plaintext");
  if (plaintext.length > AES_GCM_MAX_BYTES) {
    throw invalidInput(`plaintext longer than ${AES_GCM_MAX_BYTES} bytes`);
  }
  return withArena((arena, core) => {
    const outLen = plaintext.length + AES_GCM_TAG_BYTES;
    const k = arena.put(key);
    const n = arena.put(nonce);
    const ap = arena.put(a);
    const p = arena.put(plaintext);
    const out = arena.reserve(outLen);
    checkStatus(core.aes256gcm_encrypt(k, n, ap, a.length, p, plaintext.length, out), "aes-gcm encrypt");
    return arena.read(out, outLen);
  });
}

/**
 * AES-256-GCM decryption (NIST SP 800-38D §7.2). The tag is checked in constant time before any plaintext
 * is produced.
 * @param key 32-byte AES-256 key.
 * @param nonce 12-byte nonce used for encryption.
 * @param ciphertextAndTag ciphertext ‖ 16-byte tag.
 * @param aad the additional authenticated data given to encryption, if any.
 * @returns the plaintext.
 * @throws {SentcError} `verification_failed` when the tag does not match (wrong key, nonce, AAD or
 *   tampered data).
 * @throws {SentcError} `invalid_input` when `key` is not 32 bytes, `nonce` not 12 bytes, `aad` not a
 *   Uint8Array, or `ciphertextAndTag` not a Uint8Array of at least 16 and at most 1 GiB + 16 bytes.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the input.
 * @example
 * ```ts
 * import { aesGcmDecrypt, aesGcmEncrypt, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const key = randomBytes(32);
 * const nonce = randomBytes(12);
 * const sealed = aesGcmEncrypt(key, nonce, new TextEncoder().encode("hello"));
 * const text = new TextDecoder().decode(aesGcmDecrypt(key, nonce, sealed)); // "hello"
 * ```
 */
export function aesGcmDecrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertextAndTag: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  const a = checkCommon(key, nonce, aad);
  assertBytes(ciphertextAndTag, "ciphertextAndTag");
  if (ciphertextAndTag.length < AES_GCM_TAG_BYTES) {
    throw invalidInput(`ciphertextAndTag must hold at least the ${AES_GCM_TAG_BYTES}-byte tag`, {
      reference: 10,
    });
  }
  if (ciphertextAndTag.length > AES_GCM_MAX_BYTES + AES_GCM_TAG_BYTES) {
    throw invalidInput(`ciphertext longer than ${AES_GCM_MAX_BYTES} bytes`);
  }
  return withArena((arena, core) => {
    const outLen = ciphertextAndTag.length - AES_GCM_TAG_BYTES;
    const k = arena.put(key);
    const n = arena.put(nonce);
    const ap = arena.put(a);
    const ct = arena.put(ciphertextAndTag);
    const out = arena.reserve(outLen);
    checkStatus(core.aes256gcm_decrypt(k, n, ap, a.length, ct, ciphertextAndTag.length, out), "aes-gcm decrypt");
    return arena.read(out, outLen);
  });
}
