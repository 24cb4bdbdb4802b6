import { invalidInput } from "../errors.js";
import { assertBytes, randomBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** Kyber768 public key length (round 3: Encode_12(t̂) ‖ ρ). */
export const KYBER768_PUBLIC_KEY_BYTES = 1184;
/** Kyber768 secret key length (round 3: Encode_12(ŝ) ‖ pk ‖ H(pk) ‖ z). */
export const KYBER768_SECRET_KEY_BYTES = 2400;
/** Kyber768 ciphertext length (Compress(u, 10) ‖ Compress(v, 4)). */
export const KYBER768_CIPHERTEXT_BYTES = 1088;
/** Shared secret length. */
export const KYBER768_SHARED_SECRET_BYTES = 32;
/** Random bytes consumed by key generation: d (32) ‖ z (32). */
export const KYBER768_KEYPAIR_SEED_BYTES = 64;
/** Random bytes consumed by encapsulation (hashed into the message m). */
export const KYBER768_ENCAPS_RANDOM_BYTES = 32;

/** A Kyber768-90s key pair: 1184-byte public key, 2400-byte secret key. */
export interface KyberKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** The result of {@link kyberEncapsulate}: the 1088-byte ciphertext to send and the 32-byte shared secret. */
export interface KyberEncapsulation {
  ciphertext: Uint8Array;
  sharedSecret: Uint8Array;
}

/**
 * Kyber768-90s key generation (round 3, CCAKEM.KeyGen; the variant sentc uses: SHA-256/SHA-512 and
 * AES-256-CTR). Deterministic in `seed` = d ‖ z (64 bytes, fresh random bytes by default).
 * @returns the 1184-byte public key and the 2400-byte secret key.
 * @throws {SentcError} `invalid_input` when `seed` is not a 64-byte Uint8Array.
 * @throws {SentcError} `unsupported_environment` when `seed` is omitted and `crypto.getRandomValues` is missing.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { initCore, kyberKeyPair } from "sentc-as/core";
 * await initCore();
 * const { publicKey, secretKey } = kyberKeyPair();
 * ```
 */
export function kyberKeyPair(seed: Uint8Array = randomBytes(KYBER768_KEYPAIR_SEED_BYTES)): KyberKeyPair {
  assertBytes(seed, "seed", KYBER768_KEYPAIR_SEED_BYTES);
  return withArena((arena, core) => {
    const s = arena.put(seed);
    const pk = arena.reserve(KYBER768_PUBLIC_KEY_BYTES);
    const sk = arena.reserve(KYBER768_SECRET_KEY_BYTES);
    checkStatus(core.kyber768_keypair(s, pk, sk), "kyberKeyPair");
    return {
      publicKey: arena.read(pk, KYBER768_PUBLIC_KEY_BYTES),
      secretKey: arena.read(sk, KYBER768_SECRET_KEY_BYTES),
    };
  });
}

/**
 * Kyber768-90s encapsulation (round 3, CCAKEM.Enc) to `publicKey`, deterministic in `random` (32 bytes,
 * fresh random bytes by default).
 * @returns the 1088-byte ciphertext and the 32-byte shared secret.
 * @throws {SentcError} `invalid_input` when `publicKey` is not a 1184-byte or `random` not a 32-byte
 *   Uint8Array.
 * @throws {SentcError} `unsupported_environment` when `random` is omitted and `crypto.getRandomValues` is missing.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { initCore, kyberEncapsulate, kyberKeyPair } from "sentc-as/core";
 * await initCore();
 * const { publicKey } = kyberKeyPair();
 * const { ciphertext, sharedSecret } = kyberEncapsulate(publicKey);
 * ```
 */
export function kyberEncapsulate(
  publicKey: Uint8Array,
  random: Uint8Array = randomBytes(KYBER768_ENCAPS_RANDOM_BYTES),
): KyberEncapsulation {
  assertBytes(publicKey, "publicKey", KYBER768_PUBLIC_KEY_BYTES);
  assertBytes(random, "random", KYBER768_ENCAPS_RANDOM_BYTES);
  return withArena((arena, core) => {
    const pk = arena.put(publicKey);
    const r = arena.put(random);
    const ct = arena.reserve(KYBER768_CIPHERTEXT_BYTES);
    const ss = arena.reserve(KYBER768_SHARED_SECRET_BYTES);
    checkStatus(core.kyber768_encaps(pk, r, ct, ss), "kyberEncapsulate");
    return {
      ciphertext: arena.read(ct, KYBER768_CIPHERTEXT_BYTES),
      sharedSecret: arena.read(ss, KYBER768_SHARED_SECRET_BYTES),
    };
  });
}

/**
 * Kyber768-90s decapsulation (round 3, CCAKEM.Dec, constant time). A ciphertext that was not produced for
 * this key yields a pseudorandom shared secret (implicit rejection), never an error.
 * @returns the 32-byte shared secret.
 * @throws {SentcError} `invalid_input` when `secretKey` is not a 2400-byte or `ciphertext` not a 1088-byte
 *   Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { initCore, kyberDecapsulate, kyberEncapsulate, kyberKeyPair } from "sentc-as/core";
 * await initCore();
 * const { publicKey, secretKey } = kyberKeyPair();
 * const { ciphertext, sharedSecret } = kyberEncapsulate(publicKey);
 * const same = kyberDecapsulate(secretKey, ciphertext); // equal to sharedSecret
 * ```
 */
export function kyberDecapsulate(secretKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  assertBytes(secretKey, "secretKey", KYBER768_SECRET_KEY_BYTES);
  assertBytes(ciphertext, "ciphertext", KYBER768_CIPHERTEXT_BYTES);
  return withArena((arena, core) => {
    const sk = arena.put(secretKey);
    const ct = arena.put(ciphertext);
    const ss = arena.reserve(KYBER768_SHARED_SECRET_BYTES);
    checkStatus(core.kyber768_decaps(sk, ct, ss), "kyberDecapsulate");
    return arena.read(ss, KYBER768_SHARED_SECRET_BYTES);
  });
}

/** Largest keystream produced in one call. */
export const AES256_CTR_MAX_BYTES = 2 ** 30;

/**
 * The round-3 "aes256ctr" stream (Kyber-90s / Dilithium-AES): `length` bytes of AES-256 in counter mode
 * over the blocks nonce ‖ BE32(counter), counter = 0, 1, 2, ….
 * @param key 32-byte AES-256 key. @param nonce 12 bytes.
 * @throws SentcError `invalid_input` for wrong types, lengths, or a length outside [0, 2^30].
 */
export function aes256CtrKeystream(key: Uint8Array, nonce: Uint8Array, length: number): Uint8Array {
  assertBytes(key, "key", 32);
  assertBytes(nonce, "nonce", 12);
  if (!Number.isInteger(length) || length < 0 || length > AES256_CTR_MAX_BYTES) {
    throw invalidInput(`length must be an integer in [0, ${AES256_CTR_MAX_BYTES}]`);
  }
  return withArena((arena, core) => {
    const k = arena.put(key);
    const n = arena.put(nonce);
    const out = arena.reserve(length);
    checkStatus(core.aes256_ctr_keystream(k, n, out, length), "aes256CtrKeystream");
    return arena.read(out, length);
  });
}
