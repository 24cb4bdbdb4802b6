/**
 * sentc's `ED25519` signatures (spec crypto.md §3.3): `sign(data) = sig(64) ‖ data`, `sign_only(data) = sig`.
 * Hybrid `ED25519_DILITHIUM_3` keys need the post-quantum core and fail with `unsupported_algorithm`.
 */
import { ed25519Sign, ed25519Verify } from "../core/index.js";
import { SentcError } from "../errors.js";
import { toBase64 } from "./encoding.js";
import { ALG, SIGNATURE_LENGTH, type SignAlg } from "./algorithms.js";
import type { SignKey, VerifyKey } from "./keys.js";

export const ED25519_SIGNATURE_BYTES = 64;

function classical<K extends SignKey | VerifyKey>(key: K, what: string): Uint8Array {
  if (key.alg === ALG.ed25519) return (key as { key: Uint8Array }).key;
  if (key.alg === ALG.dilithium || key.alg === ALG.ed25519DilithiumHybrid) {
    throw new SentcError("unsupported_algorithm", `${what}: ${key.alg} needs the post-quantum core`);
  }
  throw new SentcError("invalid_input", `${what}: unknown alg`);
}

/** The detached signature over `data`. */
export function signOnly(signKey: SignKey, data: Uint8Array): Uint8Array {
  return ed25519Sign(classical(signKey, "sign"), data);
}

/** `sig ‖ data`. */
export function signWithData(signKey: SignKey, data: Uint8Array): Uint8Array {
  const signature = signOnly(signKey, data);
  const out = new Uint8Array(signature.length + data.length);
  out.set(signature, 0);
  out.set(data, signature.length);
  return out;
}

/** Verifies a detached signature; returns false for a wrong one. */
export function verifyOnly(verifyKey: VerifyKey, signature: Uint8Array, data: Uint8Array): boolean {
  const key = classical(verifyKey, "verify");
  if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
  return ed25519Verify(key, data, signature);
}

/** Splits `sig ‖ data` by the sign alg, without verifying. Throws `missing_signature` when too short. */
export function splitSignature(alg: string, signed: Uint8Array): { signature: Uint8Array; data: Uint8Array } {
  const length = SIGNATURE_LENGTH[alg as SignAlg];
  if (length === undefined) throw new SentcError("invalid_format", `unknown sign alg "${alg}"`);
  if (signed.length <= length) throw new SentcError("missing_signature", "the data is too short to hold a signature");
  return { signature: signed.subarray(0, length), data: signed.subarray(length) };
}

/** Verifies `sig ‖ data` and returns `data`; a wrong signature gives `verification_failed` (sentc client_22). */
export function verifyWithData(verifyKey: VerifyKey, signed: Uint8Array): Uint8Array {
  const { signature, data } = splitSignature(verifyKey.alg, signed);
  if (!verifyOnly(verifyKey, signature, data)) throw new SentcError("verification_failed", "the signature does not verify");
  return data;
}

/** sentc's signature string for a classical signature (crypto.md §4.2): base64 of the 64 bytes. */
export function signatureToString(signature: Uint8Array): string {
  return toBase64(signature);
}
