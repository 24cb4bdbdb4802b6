/**
 * sentc's symmetric construction (spec crypto.md §3.1): AES-256-GCM with a fresh 12-byte random nonce and
 * no AAD, output `nonce(12) ‖ ciphertext ‖ tag(16)`.
 */
import { aesGcmDecrypt, aesGcmEncrypt, randomBytes } from "../core/index.js";
import { SentcError, isSentcError, invalidInput } from "../errors.js";

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes the construction adds to a plaintext. */
export const SYM_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export function symEncrypt(
  key: Uint8Array,
  plaintext: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Uint8Array {
  const sealed = aesGcmEncrypt(key, nonce, plaintext);
  const out = new Uint8Array(NONCE_BYTES + sealed.length);
  out.set(nonce, 0);
  out.set(sealed, NONCE_BYTES);
  return out;
}

/** Decrypts `nonce ‖ ct ‖ tag`; a wrong key or tampered data gives `decryption_failed` (sentc client_14). */
export function symDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw invalidInput("encrypted data must be a Uint8Array");
  // sentc panics on inputs shorter than the nonce; anything shorter than nonce + tag cannot be valid.
  if (data.length < SYM_OVERHEAD)
    throw new SentcError("decryption_failed", "encrypted data is too short", { reference: 10 });
  try {
    return aesGcmDecrypt(key, data.subarray(0, NONCE_BYTES), data.subarray(NONCE_BYTES));
  } catch (error) {
    if (isSentcError(error) && error.code === "verification_failed") {
      throw new SentcError("decryption_failed", "can't decrypt: wrong key or tampered data", { cause: error });
    }
    throw error;
  }
}
