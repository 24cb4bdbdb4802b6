/**
 * sentc's `ECIES-ed25519` (spec crypto.md §3.2), which is X25519 + HKDF-SHA256 + AES-256-GCM:
 * `eph_pk(32) ‖ nonce(12) ‖ AES-GCM(HKDF(salt = none, ikm = X25519(eph_sk, pk), info = "ecies-ed25519", 32), pt)`.
 *
 * Unlike the reference we refuse public keys that give the all-zero shared secret (small-order points):
 * such a ciphertext would be readable by anyone (`weak_public_key`).
 */
import { hkdfSha256, randomBytes, x25519, x25519PublicKey } from "../core/index.js";
import { SentcError, referenceScope, invalidInput } from "../errors.js";
import { symDecrypt, symEncrypt } from "./aead.js";

const INFO = new TextEncoder().encode("ecies-ed25519");
const NO_SALT = new Uint8Array(0); // RFC 5869 §2.2: an absent salt is HashLen zero bytes
export const X25519_BYTES = 32;

function deriveKey(shared: Uint8Array): Uint8Array {
  const key = hkdfSha256(shared, NO_SALT, INFO, 32);
  shared.fill(0);
  return key;
}

export function eciesEncrypt(
  publicKey: Uint8Array,
  plaintext: Uint8Array,
  ephemeralSecret: Uint8Array = randomBytes(X25519_BYTES),
): Uint8Array {
  const ephemeralPublic = x25519PublicKey(ephemeralSecret);
  const key = deriveKey(x25519(ephemeralSecret, publicKey));
  ephemeralSecret.fill(0);
  try {
    const sealed = symEncrypt(key, plaintext);
    const out = new Uint8Array(X25519_BYTES + sealed.length);
    out.set(ephemeralPublic, 0);
    out.set(sealed, X25519_BYTES);
    return out;
  } finally {
    key.fill(0);
  }
}

export function eciesDecrypt(privateKey: Uint8Array, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw invalidInput("encrypted data must be a Uint8Array");
  if (data.length <= X25519_BYTES)
    throw new SentcError("decryption_failed", "encrypted data is too short", { reference: 10 });
  // A small-order ephemeral key cannot come from a real sender: for the reader it is undecryptable data (client_14).
  const key = referenceScope({ weak_public_key: 14 }, () =>
    deriveKey(x25519(privateKey, data.subarray(0, X25519_BYTES))),
  );
  try {
    return symDecrypt(key, data.subarray(X25519_BYTES));
  } finally {
    key.fill(0);
  }
}
