import { assertBytes, randomBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** Round-3 Dilithium3 (AES variant) sizes in bytes. */
export const DILITHIUM3_PUBLIC_KEY_BYTES = 1952;
export const DILITHIUM3_SECRET_KEY_BYTES = 4000;
export const DILITHIUM3_SIGNATURE_BYTES = 3293;
/** Key-generation seed ζ. */
export const DILITHIUM3_SEED_BYTES = 32;
/** Random ρ′ of randomized signing (CRHBYTES). */
export const DILITHIUM3_SIGN_RANDOM_BYTES = 64;

export interface DilithiumKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * A round-3 Dilithium3-AES key pair from a 32-byte seed ζ (random when omitted): public key 1952 bytes,
 * secret key 4000 bytes. The same seed always gives the same key pair.
 */
export function dilithiumKeyPair(seed32: Uint8Array = randomBytes(DILITHIUM3_SEED_BYTES)): DilithiumKeyPair {
  assertBytes(seed32, "seed", DILITHIUM3_SEED_BYTES);
  return withArena((arena, core) => {
    const pk = arena.reserve(DILITHIUM3_PUBLIC_KEY_BYTES);
    const sk = arena.reserve(DILITHIUM3_SECRET_KEY_BYTES);
    checkStatus(core.dilithium3_keypair(pk, sk, arena.put(seed32)), "dilithiumKeyPair");
    return { publicKey: arena.read(pk, DILITHIUM3_PUBLIC_KEY_BYTES), secretKey: arena.read(sk, DILITHIUM3_SECRET_KEY_BYTES) };
  });
}

/**
 * A 3293-byte Dilithium3-AES signature of `message` under the 4000-byte secret key, randomized with the
 * 64 bytes ρ′ in `random` (fresh random bytes when omitted; fixed bytes make the signature reproducible).
 */
export function dilithiumSign(secretKey: Uint8Array, message: Uint8Array, random: Uint8Array = randomBytes(DILITHIUM3_SIGN_RANDOM_BYTES)): Uint8Array {
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
