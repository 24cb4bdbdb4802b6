/**
 * `sentc-as/core`: the crypto primitives of the WebAssembly core (hashes, MACs, KDFs, AES, X25519, Ed25519,
 * Kyber768, Dilithium3). Load the core once with `initCore()` (or `Sentc.init()`, which loads the same core);
 * every other function is synchronous.
 * @module
 */
export { initCore, isCoreReady, type CoreSource } from "./loader.js";
export { randomBytes } from "./bytes.js";
export { constantTimeEqual, wipeBytes } from "./ct.js";
export { sha256, sha512, Sha256, Sha512 } from "./sha2.js";
export { hmacSha256, hmacSha512 } from "./hmac.js";
export { hkdfSha256 } from "./hkdf.js";
export { argon2id, ARGON2_MAX_MEMORY_KIB, ARGON2_MAX_TAG_BYTES, type Argon2idParams } from "./argon2.js";
export { aes128EncryptBlocks, AES128_KEY_BYTES, AES128_MAX_BYTES, AES_BLOCK_BYTES } from "./aes128.js";
export {
  aesGcmDecrypt,
  aesGcmEncrypt,
  AES_GCM_KEY_BYTES,
  AES_GCM_MAX_BYTES,
  AES_GCM_NONCE_BYTES,
  AES_GCM_TAG_BYTES,
} from "./aes-gcm.js";
export { x25519, x25519PublicKey } from "./x25519.js";
export { ed25519PublicKey, ed25519Sign, ed25519Verify } from "./ed25519.js";
export {
  kyberDecapsulate,
  kyberEncapsulate,
  kyberKeyPair,
  KYBER768_CIPHERTEXT_BYTES,
  KYBER768_PUBLIC_KEY_BYTES,
  KYBER768_SECRET_KEY_BYTES,
  KYBER768_SHARED_SECRET_BYTES,
  type KyberEncapsulation,
  type KyberKeyPair,
} from "./kyber.js";
export {
  dilithiumKeyPair,
  dilithiumSign,
  dilithiumVerify,
  DILITHIUM3_PUBLIC_KEY_BYTES,
  DILITHIUM3_SECRET_KEY_BYTES,
  DILITHIUM3_SIGNATURE_BYTES,
  type DilithiumKeyPair,
} from "./dilithium.js";
export { SentcError, isSentcError, type ClientErrorCode, type SentcErrorCode } from "../errors.js";
