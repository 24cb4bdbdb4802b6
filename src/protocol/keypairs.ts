/**
 * Key generation for classical keys (spec crypto.md §3.1–§3.4). Randomness comes from the platform CSPRNG
 * through `randomBytes`; the X25519 private key is stored unclamped, as sentc does (§3.2).
 */
import { ed25519PublicKey, randomBytes, x25519PublicKey } from "../core/index.js";
import { ALG } from "./algorithms.js";
import type { HmacKey, SingleKey, SortableKey, SymKey } from "./keys.js";

export type EciesKey = SingleKey<typeof ALG.ecies>;
export type Ed25519Key = SingleKey<typeof ALG.ed25519>;

export function generateSymKey(keyId = ""): SymKey {
  return { alg: ALG.aesGcm, key: randomBytes(32), keyId };
}

export function generateHmacKey(keyId = ""): HmacKey {
  return { alg: ALG.hmacSha256, key: randomBytes(32), keyId };
}

export function generateSortableKey(keyId = ""): SortableKey {
  return { alg: ALG.ope, key: randomBytes(16), keyId };
}

export function generateKeyPair(keyId = ""): { privateKey: EciesKey; publicKey: EciesKey } {
  const secret = randomBytes(32);
  return {
    privateKey: { alg: ALG.ecies, key: secret, keyId },
    publicKey: { alg: ALG.ecies, key: x25519PublicKey(secret), keyId },
  };
}

export function generateSignKeyPair(keyId = ""): { signKey: Ed25519Key; verifyKey: Ed25519Key } {
  const seed = randomBytes(32);
  return {
    signKey: { alg: ALG.ed25519, key: seed, keyId },
    verifyKey: { alg: ALG.ed25519, key: ed25519PublicKey(seed), keyId },
  };
}

/** The raw bytes sentc encrypts or signs for a key: `key` for classical keys, `x ‖ k` for hybrid ones. */
export function rawKeyBytes(key: { key: Uint8Array } | { x: Uint8Array; k: Uint8Array }): Uint8Array {
  if ("key" in key) return key.key;
  const out = new Uint8Array(key.x.length + key.k.length);
  out.set(key.x, 0);
  out.set(key.k, key.x.length);
  return out;
}
