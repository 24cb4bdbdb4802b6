/**
 * Public-key encryption by key alg (spec crypto.md §3.2, §3.7), without a head: what sentc uses for group
 * keys, login challenges, rotation keys and the asymmetric body of encrypted data.
 * - `ECIES-ed25519`: `eph_pk(32) ‖ AES-GCM(HKDF(X25519), pt)` (§3.2)
 * - `KYBER_768` (round-3 Kyber768-90s): `kyber_ct(1088) ‖ AES-GCM(shared secret, pt)` (§3.7)
 * - `ECIES-ed25519_KYBER_768`: ECIES first, then Kyber around it: `kyber_ct ‖ AES-GCM(ss, ECIES(x, pt))`
 */
import { kyberDecapsulate, kyberEncapsulate } from "../core/index.js";
import { SentcError, invalidInput } from "../errors.js";
import { symDecrypt, symEncrypt } from "./aead.js";
import { ALG, PQ_SIZES } from "./algorithms.js";
import { eciesDecrypt, eciesEncrypt } from "./ecies.js";
import type { PrivateKey, PublicKey } from "./keys.js";

function kyberSeal(publicKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const { ciphertext, sharedSecret } = kyberEncapsulate(publicKey);
  try {
    const sealed = symEncrypt(sharedSecret, plaintext);
    const out = new Uint8Array(ciphertext.length + sealed.length);
    out.set(ciphertext, 0);
    out.set(sealed, ciphertext.length);
    return out;
  } finally {
    sharedSecret.fill(0);
  }
}

function kyberOpen(secretKey: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length <= PQ_SIZES.kyberCiphertext)
    throw new SentcError("decryption_failed", "encrypted data is too short", { reference: 10 });
  // Kyber decapsulation never fails (implicit rejection): a wrong key or ciphertext gives another secret,
  // and the AES-GCM tag check below rejects it.
  const sharedSecret = kyberDecapsulate(secretKey, data.subarray(0, PQ_SIZES.kyberCiphertext));
  try {
    return symDecrypt(sharedSecret, data.subarray(PQ_SIZES.kyberCiphertext));
  } finally {
    sharedSecret.fill(0);
  }
}

/** Encrypts raw bytes to a public key of any supported alg. */
export function encryptWithPublicKey(publicKey: PublicKey, plaintext: Uint8Array): Uint8Array {
  switch (publicKey.alg) {
    case ALG.ecies:
      return eciesEncrypt(publicKey.key, plaintext);
    case ALG.kyber:
      return kyberSeal(publicKey.key, plaintext);
    case ALG.eciesKyberHybrid:
      return kyberSeal(publicKey.k, eciesEncrypt(publicKey.x, plaintext));
    default:
      throw invalidInput("expected a public key", { reference: 109 });
  }
}

/** Decrypts what `encryptWithPublicKey` made for the matching public key. */
export function decryptWithPrivateKey(privateKey: PrivateKey, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw invalidInput("encrypted data must be a Uint8Array");
  switch (privateKey.alg) {
    case ALG.ecies:
      return eciesDecrypt(privateKey.key, data);
    case ALG.kyber:
      return kyberOpen(privateKey.key, data);
    case ALG.eciesKyberHybrid: {
      const inner = kyberOpen(privateKey.k, data);
      try {
        return eciesDecrypt(privateKey.x, inner);
      } finally {
        inner.fill(0);
      }
    }
    default:
      throw invalidInput("expected a private key", { reference: 109 });
  }
}
