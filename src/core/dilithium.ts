import { assertBytes, randomBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** Round-3 Dilithium3 (AES variant) public key length in bytes. */
export const DILITHIUM3_PUBLIC_KEY_BYTES = 1952;
/** Round-3 Dilithium3 (AES variant) secret key length in bytes. */
export const DILITHIUM3_SECRET_KEY_BYTES = 4000;
/** Round-3 Dilithium3 (AES variant) signature length in bytes. */
export const DILITHIUM3_SIGNATURE_BYTES = 3293;
/** Key-generation seed ζ. */
export const DILITHIUM3_SEED_BYTES = 32;
/** Random ρ′ of randomized signing (CRHBYTES). */
export const DILITHIUM3_SIGN_RANDOM_BYTES = 64;

/** A Dilithium3-AES key pair: 1952-byte public key, 4000-byte secret key. */
export interface DilithiumKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * A round-3 Dilithium3-AES key pair from a 32-byte seed ζ (random when omitted): public key 1952 bytes,
 * secret key 4000 bytes. The same seed always gives the same key pair.
 * @throws {SentcError} `invalid_input` when `seed32` is not a 32-byte Uint8Array.
 * @throws {SentcError} `unsupported_environment` when `seed32` is omitted and `crypto.getRandomValues` is missing.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { dilithiumKeyPair, initCore } from "sentc-as/core";
 * await initCore();
 * const { publicKey, secretKey } = dilithiumKeyPair();
 * ```
 */
export function dilithiumKeyPair(seed32: Uint8Array = randomBytes(DILITHIUM3_SEED_BYTES)): DilithiumKeyPair {
  assertBytes(seed32, "seed", DILITHIUM3_SEED_BYTES);
  return withArena((arena, core) => {
    const pk = arena.reserve(DILITHIUM3_PUBLIC_KEY_BYTES);
    const sk = arena.reserve(DILITHIUM3_SECRET_KEY_BYTES);
    checkStatus(core.dilithium3_keypair(pk, sk, arena.put(seed32)), "dilithiumKeyPair");
    return {
      publicKey: arena.read(pk, DILITHIUM3_PUBLIC_KEY_BYTES),
      secretKey: arena.read(sk, DILITHIUM3_SECRET_KEY_BYTES),
    };
  });
}

/**
 * A 3293-byte Dilithium3-AES signature of `message` under the 4000-byte secret key, randomized with the
 * 64 bytes ρ′ in `random` (fresh random bytes when omitted; fixed bytes make the signature reproducible).
 * @throws {SentcError} `invalid_input` when `secretKey` is not 4000 bytes, `random` not 64 bytes, or an
 *   argument is not a Uint8Array.
 * @throws {SentcError} `unsupported_environment` when `random` is omitted and `crypto.getRandomValues` is missing.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the message.
 * @example
 * ```ts
 * import { dilithiumKeyPair, dilithiumSign, initCore } from "sentc-as/core";
 * await initCore();
 * const { secretKey } = dilithiumKeyPair();
 * const signature = dilithiumSign(secretKey, new TextEncoder().encode("hello")); // 3293 bytes
 * ```
 */
export function dilithiumSign(
  secretKey: Uint8Array,
  message: Uint8Array,
  random: Uint8Array = randomBytes(DILITHIUM3_SIGN_RANDOM_BYTES),
): Uint8Array {
  assertBytes(secretKey, "secretKey", DILITHIUM3_SECRET_KEY_BYTES);
  assertBytes(message, "message");
  assertBytes(random, "random", DILITHIUM3_SIGN_RANDOM_BYTES);
  return withArena((arena, core) => {
    const sig = arena.reserve(DILITHIUM3_SIGNATURE_BYTES);
    const sk = arena.put(secretKey);
    const rnd = arena.put(random);
    const msg = arena.put(message);
    checkStatus(core.dilithium3_sign(sig, msg, message.length, sk, rnd), "dilithiumSign");
    return arena.read(sig, DILITHIUM3_SIGNATURE_BYTES);
  });
}

/**
 * Verifies a Dilithium3-AES signature. Returns false for an invalid or malformed signature; a public key
 * or signature of the wrong length throws SentcError `invalid_input`.
 * @throws {SentcError} `invalid_input` when `publicKey` is not 1952 bytes, `signature` not 3293 bytes, or
 *   an argument is not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the message.
 * @example
 * ```ts
 * import { dilithiumKeyPair, dilithiumSign, dilithiumVerify, initCore } from "sentc-as/core";
 * await initCore();
 * const { publicKey, secretKey } = dilithiumKeyPair();
 * const message = new TextEncoder().encode("hello");
 * dilithiumVerify(publicKey, message, dilithiumSign(secretKey, message)); // true
 * ```
 */
export function dilithiumVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  assertBytes(publicKey, "publicKey", DILITHIUM3_PUBLIC_KEY_BYTES);
  assertBytes(message, "message");
  assertBytes(signature, "signature", DILITHIUM3_SIGNATURE_BYTES);
  return withArena((arena, core) => {
    const pk = arena.put(publicKey);
    const sig = arena.put(signature);
    const msg = arena.put(message);
    const status = core.dilithium3_verify(sig, msg, message.length, pk);
    if (status === 2) return false;
    checkStatus(status, "dilithiumVerify");
    return true;
  });
}
