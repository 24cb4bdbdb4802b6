/**
 * sentc's signatures (spec crypto.md §3.3, §3.7, §4.2): `sign(data) = sig ‖ data`, `sign_only(data) = sig`.
 * - `ED25519`: 64 bytes, RFC 8032.
 * - `DILITHIUM_3`: 3293 bytes, round-3 Dilithium3-AES with randomized signing.
 * - `ED25519_DILITHIUM_3`: `sig_x(64) ‖ sig_k(3293)` where `sig_k` signs `data ‖ sig_x`; verification checks
 *   Dilithium first, then Ed25519, and both must hold.
 */
import { dilithiumSign, dilithiumVerify, ed25519Sign, ed25519Verify } from "../core/index.js";
import { concatBytes } from "../core/bytes.js";
import { SentcError, invalidFormat, invalidInput } from "../errors.js";
import { ALG, PQ_SIZES, SIGNATURE_LENGTH, type SignAlg } from "./algorithms.js";
import { fromBase64, toBase64 } from "./encoding.js";
import { isRecord, parseJson, stringField } from "./json.js";
import type { SignKey, VerifyKey } from "./keys.js";

export const ED25519_SIGNATURE_BYTES = 64;

/** The signature length of a sign alg; `undefined` for any other name (also one every object inherits). */
function signatureLength(alg: unknown): number | undefined {
  return typeof alg === "string" && Object.hasOwn(SIGNATURE_LENGTH, alg) ? SIGNATURE_LENGTH[alg as SignAlg] : undefined;
}

/** The detached signature over `data`. */
export function signOnly(signKey: SignKey, data: Uint8Array): Uint8Array {
  switch (signKey?.alg) {
    case ALG.ed25519:
      return ed25519Sign(signKey.key, data);
    case ALG.dilithium:
      return dilithiumSign(signKey.key, data);
    case ALG.ed25519DilithiumHybrid: {
      const classical = ed25519Sign(signKey.x, data);
      return concatBytes([classical, dilithiumSign(signKey.k, concatBytes([data, classical]))]);
    }
    default:
      throw invalidInput("expected a sign key", { reference: 109 });
  }
}

/** `sig ‖ data`. */
export function signWithData(signKey: SignKey, data: Uint8Array): Uint8Array {
  return concatBytes([signOnly(signKey, data), data]);
}

/** Verifies a detached signature; returns false for a wrong one (or one of the wrong length). */
export function verifyOnly(verifyKey: VerifyKey, signature: Uint8Array, data: Uint8Array): boolean {
  const length = signatureLength(verifyKey?.alg);
  if (length === undefined) throw invalidInput("expected a verify key", { reference: 109 });
  if (!(signature instanceof Uint8Array) || signature.length !== length) return false;
  switch (verifyKey.alg) {
    case ALG.ed25519:
      return ed25519Verify(verifyKey.key, data, signature);
    case ALG.dilithium:
      return dilithiumVerify(verifyKey.key, data, signature);
    default: {
      const hybrid = verifyKey as Extract<VerifyKey, { x: Uint8Array }>;
      const classical = signature.subarray(0, ED25519_SIGNATURE_BYTES);
      const postQuantum = signature.subarray(ED25519_SIGNATURE_BYTES);
      return (
        dilithiumVerify(hybrid.k, concatBytes([data, classical]), postQuantum) &&
        ed25519Verify(hybrid.x, data, classical)
      );
    }
  }
}

/** Splits `sig ‖ data` by the sign alg, without verifying. Throws `missing_signature` when too short. */
export function splitSignature(alg: string, signed: Uint8Array): { signature: Uint8Array; data: Uint8Array } {
  const length = signatureLength(alg);
  if (length === undefined) throw invalidFormat(`unknown sign alg "${alg}"`, { reference: 1 });
  if (signed.length <= length) throw new SentcError("missing_signature", "the data is too short to hold a signature");
  return { signature: signed.subarray(0, length), data: signed.subarray(length) };
}

/** Verifies `sig ‖ data` and returns `data`; a wrong signature gives `verification_failed` (sentc client_22). */
export function verifyWithData(verifyKey: VerifyKey, signed: Uint8Array): Uint8Array {
  const { signature, data } = splitSignature(verifyKey.alg, signed);
  if (!verifyOnly(verifyKey, signature, data))
    throw new SentcError("verification_failed", "the signature does not verify");
  return data;
}

/** sentc's signature string (crypto.md §4.2): base64, or `{"x":…,"k":…}` for hybrid signatures. */
export function signatureToString(signature: Uint8Array, alg: string): string {
  if (alg === ALG.ed25519DilithiumHybrid) {
    return JSON.stringify({
      x: toBase64(signature.subarray(0, ED25519_SIGNATURE_BYTES)),
      k: toBase64(signature.subarray(ED25519_SIGNATURE_BYTES)),
    });
  }
  return toBase64(signature);
}

/** Reads a signature string with the verify key's alg (sentc's `import_sig_from_string`). */
export function signatureFromString(text: string, alg: string): Uint8Array {
  if (alg === ALG.ed25519DilithiumHybrid) {
    const parts = parseJson(text, "hybrid signature");
    if (!isRecord(parts)) throw invalidFormat('hybrid signature: expected {"x":…,"k":…}');
    const x = fromBase64(stringField(parts, "x", "hybrid signature"));
    const k = fromBase64(stringField(parts, "k", "hybrid signature"));
    if (x.length !== ED25519_SIGNATURE_BYTES || k.length !== PQ_SIZES.dilithiumSignature) {
      throw invalidFormat("hybrid signature: wrong part lengths");
    }
    return concatBytes([x, k]);
  }
  return fromBase64(text);
}
