/**
 * Public and verify keys as sentc exchanges them (spec crypto.md §4.1): `UserPublicKeyData` and
 * `UserVerifyKeyData` JSON with the key as PEM text (or, for hybrid keys, `{"x":<PEM>,"k":<PEM>}`, §1.2).
 */
import { referenceScope, invalidFormat } from "../errors.js";
import { ALG } from "./algorithms.js";
import { fromPem, toPem } from "./encoding.js";
import { isRecord, optionalStringField, parseJson, readObject, stringField } from "./json.js";
import { rawKeyBytes } from "./keypairs.js";
import {
  publicKeyFromParts,
  verifyKeyFromParts,
  type KeyParts,
  type PublicKey,
  type SignKey,
  type VerifyKey,
} from "./keys.js";
import { signatureFromString, signatureToString, signOnly, verifyOnly } from "./signature.js";

export interface UserPublicKeyData {
  publicKey: PublicKey;
  /** Signature of the public key by the owner's sign key (sentc's signature string), if any. */
  signature: string | null;
  signatureKeyId: string | null;
}

const HYBRID_ALGS: readonly string[] = [ALG.eciesKyberHybrid, ALG.ed25519DilithiumHybrid];

/** sentc's PEM text for a public or verify key: PEM, or `{"x":PEM,"k":PEM}` for hybrid keys (§1.2). */
export function publicKeyPemText(key: PublicKey | VerifyKey): string {
  if ("key" in key) return toPem(key.key);
  return JSON.stringify({ x: toPem(key.x), k: toPem(key.k) });
}

function partsFromPem(pem: string, alg: string, what: string): KeyParts {
  if (!HYBRID_ALGS.includes(alg)) return { key: fromPem(pem).bytes };
  const parts = parseJson(pem, what);
  if (!isRecord(parts)) throw invalidFormat(`${what}: a hybrid key must be {"x":…,"k":…}`);
  return { x: fromPem(stringField(parts, "x", what)).bytes, k: fromPem(stringField(parts, "k", what)).bytes };
}

/** A public key from sentc's PEM text (or hybrid `{"x":PEM,"k":PEM}` JSON), interpreted by its alg. */
export function publicKeyFromPemText(text: string, alg: string, keyId: string, what = "public key"): PublicKey {
  // The reference answers PEM text it cannot use as a key with client_115 (sdk.md §7.2), an unknown alg client_1.
  return referenceScope({ invalid_format: 115, invalid_encoding: 115 }, () =>
    publicKeyFromParts(alg, partsFromPem(text, alg, what), keyId),
  );
}

/** A verify key from sentc's PEM text (or hybrid JSON), interpreted by its alg. */
export function verifyKeyFromPemText(text: string, alg: string, keyId: string, what = "verify key"): VerifyKey {
  return referenceScope({ invalid_format: 115, invalid_encoding: 115 }, () =>
    verifyKeyFromParts(alg, partsFromPem(text, alg, what), keyId),
  );
}

export function parseUserPublicKeyData(json: string): UserPublicKeyData {
  const what = "public key data";
  const value = parseJson(json, what);
  if (!isRecord(value)) throw invalidFormat(`${what}: expected an object`);
  const alg = stringField(value, "public_key_alg", what);
  return {
    publicKey: publicKeyFromPemText(
      stringField(value, "public_key_pem", what),
      alg,
      stringField(value, "public_key_id", what),
      what,
    ),
    signature: optionalStringField(value, "public_key_sig", what),
    signatureKeyId: optionalStringField(value, "public_key_sig_key_id", what),
  };
}

export function serializeUserPublicKeyData(data: UserPublicKeyData): string {
  return JSON.stringify({
    public_key_pem: publicKeyPemText(data.publicKey),
    public_key_alg: data.publicKey.alg,
    public_key_id: data.publicKey.keyId,
    public_key_sig: data.signature,
    public_key_sig_key_id: data.signatureKeyId,
  });
}

export function parseUserVerifyKeyData(json: string): VerifyKey {
  const what = "verify key data";
  const value = parseJson(json, what);
  if (!isRecord(value)) throw invalidFormat(`${what}: expected an object`);
  const alg = stringField(value, "verify_key_alg", what);
  return verifyKeyFromPemText(
    stringField(value, "verify_key_pem", what),
    alg,
    stringField(value, "verify_key_id", what),
    what,
  );
}

export function serializeUserVerifyKeyData(key: VerifyKey): string {
  return JSON.stringify({ verify_key_pem: publicKeyPemText(key), verify_key_alg: key.alg, verify_key_id: key.keyId });
}

/** Signs a public key as sentc does (§6.9): the sign key's detached signature over the raw key bytes. */
export function signPublicKey(signKey: SignKey, publicKey: PublicKey): { signature: string; signatureKeyId: string } {
  return {
    signature: signatureToString(signOnly(signKey, rawKeyBytes(publicKey)), signKey.alg),
    signatureKeyId: signKey.keyId,
  };
}

/**
 * `user_verify_user_public_key` (§6.9): false when there is no signature or it does not verify. A
 * signature string that does not parse for the verify key's alg throws.
 */
export function verifyUserPublicKey(verifyKey: VerifyKey, data: UserPublicKeyData): boolean {
  if (data.signature === null) return false;
  return verifyOnly(verifyKey, signatureFromString(data.signature, verifyKey.alg), rawKeyBytes(data.publicKey));
}

/** The server's `UserPublicKeyDataServerOutput` (`GET /user/:id/public_key`, api.md §3.1): `public_key` holds the PEM text. */
export function readPublicKeyServerOutput(serverOutput: string | Record<string, unknown>): UserPublicKeyData {
  const what = "public key server output";
  const value = readObject(serverOutput, what);
  return {
    publicKey: publicKeyFromPemText(
      stringField(value, "public_key", what),
      stringField(value, "public_key_alg", what),
      stringField(value, "public_key_id", what),
      what,
    ),
    signature: optionalStringField(value, "public_key_sig", what),
    signatureKeyId: optionalStringField(value, "public_key_sig_key_id", what),
  };
}

/** The server's `UserVerifyKeyDataServerOutput` (`GET /user/:id/verify_key/:key_id`): `verify_key` holds the PEM text. */
export function readVerifyKeyServerOutput(serverOutput: string | Record<string, unknown>): VerifyKey {
  const what = "verify key server output";
  const value = readObject(serverOutput, what);
  return verifyKeyFromPemText(
    stringField(value, "verify_key", what),
    stringField(value, "verify_key_alg", what),
    stringField(value, "verify_key_id", what),
    what,
  );
}
