import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/**
 * The 32-byte Ed25519 public key of a 32-byte seed (the RFC 8032 §5.1.5 private key).
 * @throws {SentcError} `invalid_input` when `seed` is not a 32-byte Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { ed25519PublicKey, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const publicKey = ed25519PublicKey(randomBytes(32)); // 32 bytes
 * ```
 */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  assertBytes(seed, "seed", 32);
  return withArena((arena, core) => {
    const base = arena.reserve(64);
    const view = new Uint8Array(core.memory.buffer, base, 64);
    view.set(seed, 32);
    checkStatus(core.ed25519_public_key(base, base + 32), "ed25519PublicKey");
    return view.slice(0, 32);
  });
}

/**
 * The 64-byte Ed25519 signature of `message` under a 32-byte seed (RFC 8032 §5.1.6, deterministic).
 * @throws {SentcError} `invalid_input` when `seed` is not a 32-byte Uint8Array or `message` not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the message.
 * @example
 * ```ts
 * import { ed25519Sign, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const signature = ed25519Sign(randomBytes(32), new TextEncoder().encode("hello")); // 64 bytes
 * ```
 */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes(seed, "seed", 32);
  assertBytes(message, "message");
  return withArena((arena, core) => {
    const len = message.length;
    const base = arena.reserve(96 + len);
    const view = new Uint8Array(core.memory.buffer, base, 96 + len);
    view.set(seed, 64);
    view.set(message, 96);
    checkStatus(core.ed25519_sign(base, base + 64, base + 96, len), "ed25519Sign");
    return view.slice(0, 64);
  });
}

/**
 * Verifies an Ed25519 signature (RFC 8032 §5.1.7). Strict: returns false for S ≥ L, for non-canonical or
 * invalid encodings of the public key or of R, and for a public key or R of small order (the checks
 * Wycheproof expects); the equation is the cofactorless [S]B = R + [k]A.
 *
 * A public key that is not 32 bytes or a signature that is not 64 bytes is a malformed argument, not a
 * failed verification: it throws SentcError `invalid_input`, like every other wrong-length argument.
 * @throws {SentcError} `invalid_input` when `publicKey` is not 32 bytes, `signature` not 64 bytes, or an
 *   argument is not a Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @throws {SentcError} `out_of_memory` when the core cannot hold the message.
 * @example
 * ```ts
 * import { ed25519PublicKey, ed25519Sign, ed25519Verify, initCore, randomBytes } from "sentc-as/core";
 * await initCore();
 * const seed = randomBytes(32);
 * const message = new TextEncoder().encode("hello");
 * ed25519Verify(ed25519PublicKey(seed), message, ed25519Sign(seed, message)); // true
 * ```
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  assertBytes(publicKey, "publicKey", 32);
  assertBytes(message, "message");
  assertBytes(signature, "signature", 64);
  return withArena((arena, core) => {
    const len = message.length;
    const base = arena.reserve(96 + len);
    const view = new Uint8Array(core.memory.buffer, base, 96 + len);
    view.set(signature, 0);
    view.set(publicKey, 64);
    view.set(message, 96);
    const status = core.ed25519_verify(base + 64, base + 96, len, base);
    if (status === 2) return false;
    checkStatus(status, "ed25519Verify");
    return true;
  });
}
