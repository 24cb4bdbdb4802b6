/**
 * Key generation (spec crypto.md §3.1–§3.7). Randomness comes from the platform CSPRNG through the core's
 * `randomBytes`. The X25519 private key is stored unclamped, as sentc does (§3.2). Key pairs are hybrid
 * post-quantum (X25519 + Kyber768, Ed25519 + Dilithium3) or classical, chosen by `KeyOptions`.
 */
import { dilithiumKeyPair, ed25519PublicKey, kyberKeyPair, randomBytes, x25519PublicKey } from "../core/index.js";
import { ALG } from "./algorithms.js";
import type { HmacKey, PrivateKey, PublicKey, SignKey, SingleKey, SortableKey, SymKey, VerifyKey } from "./keys.js";

export type EciesKey = SingleKey<typeof ALG.ecies>;
export type Ed25519Key = SingleKey<typeof ALG.ed25519>;

export interface KeyOptions {
  /** Hybrid post-quantum key pairs, like the real sentc makes; `false` makes classical X25519/Ed25519 pairs. */
  postQuantum?: boolean;
}

/** What `KeyOptions.postQuantum` is when not given. */
export const POST_QUANTUM_BY_DEFAULT = true;

const postQuantum = (options: KeyOptions | undefined) => options?.postQuantum ?? POST_QUANTUM_BY_DEFAULT;

export function generateSymKey(keyId = ""): SymKey {
  return { alg: ALG.aesGcm, key: randomBytes(32), keyId };
}

export function generateHmacKey(keyId = ""): HmacKey {
  return { alg: ALG.hmacSha256, key: randomBytes(32), keyId };
}

export function generateSortableKey(keyId = ""): SortableKey {
  return { alg: ALG.ope, key: randomBytes(16), keyId };
}

/** An encryption key pair: `ECIES-ed25519_KYBER_768` (hybrid) or `ECIES-ed25519`. */
export function generateKeyPair(keyId = "", options?: KeyOptions): { privateKey: PrivateKey; publicKey: PublicKey } {
  const secret = randomBytes(32);
  const publicX = x25519PublicKey(secret);
  if (!postQuantum(options)) {
    return { privateKey: { alg: ALG.ecies, key: secret, keyId }, publicKey: { alg: ALG.ecies, key: publicX, keyId } };
  }
  const kyber = kyberKeyPair();
  return {
    privateKey: { alg: ALG.eciesKyberHybrid, x: secret, k: kyber.secretKey, keyId },
    publicKey: { alg: ALG.eciesKyberHybrid, x: publicX, k: kyber.publicKey, keyId },
  };
}

/** A sign key pair: `ED25519_DILITHIUM_3` (hybrid) or `ED25519`. */
export function generateSignKeyPair(keyId = "", options?: KeyOptions): { signKey: SignKey; verifyKey: VerifyKey } {
  const seed = randomBytes(32);
  const verifyX = ed25519PublicKey(seed);
  if (!postQuantum(options)) {
    return { signKey: { alg: ALG.ed25519, key: seed, keyId }, verifyKey: { alg: ALG.ed25519, key: verifyX, keyId } };
  }
  const dilithium = dilithiumKeyPair();
  return {
    signKey: { alg: ALG.ed25519DilithiumHybrid, x: seed, k: dilithium.secretKey, keyId },
    verifyKey: { alg: ALG.ed25519DilithiumHybrid, x: verifyX, k: dilithium.publicKey, keyId },
  };
}

/** The raw bytes sentc encrypts or signs for a key: `key` for single keys, `x ‖ k` for hybrid ones. */
export function rawKeyBytes(key: { key: Uint8Array } | { x: Uint8Array; k: Uint8Array }): Uint8Array {
  if ("key" in key) return key.key;
  const out = new Uint8Array(key.x.length + key.k.length);
  out.set(key.x, 0);
  out.set(key.k, key.x.length);
  return out;
}

/** Overwrites a key's secret bytes. */
export function wipeKey(key: { key: Uint8Array } | { x: Uint8Array; k: Uint8Array }): void {
  if ("key" in key) key.key.fill(0);
  else {
    key.x.fill(0);
    key.k.fill(0);
  }
}
