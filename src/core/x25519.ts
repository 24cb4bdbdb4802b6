import { SentcError } from "../errors.js";
import { assertBytes } from "./bytes.js";
import { withArena } from "./memory.js";
import { checkStatus } from "./status.js";

/** Status ERR_VERIFY of assembly/status.ts: here, the all-zero shared secret. */
const ERR_VERIFY = 2;

/**
 * X25519 (RFC 7748 §5): the 32-byte shared secret of a 32-byte private key and a 32-byte public key
 * (u-coordinate). The private key is clamped and the top bit of the public key is ignored, as §5 requires.
 * @throws {SentcError} `weak_public_key` when the result is all zeros (a small-order public key, §6.1).
 * @throws {SentcError} `invalid_input` when a key is not a 32-byte Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { initCore, randomBytes, x25519, x25519PublicKey } from "sentc-as/core";
 * await initCore();
 * const alice = randomBytes(32);
 * const bob = randomBytes(32);
 * const shared = x25519(alice, x25519PublicKey(bob)); // equals x25519(bob, x25519PublicKey(alice))
 * ```
 */
export function x25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  assertBytes(privateKey, "privateKey", 32);
  assertBytes(publicKey, "publicKey", 32);
  return withArena((arena, core) => {
    const base = arena.reserve(96);
    const view = new Uint8Array(core.memory.buffer, base, 96);
    view.set(privateKey, 32);
    view.set(publicKey, 64);
    const status = core.x25519(base, base + 32, base + 64);
    if (status === ERR_VERIFY)
      throw new SentcError("weak_public_key", "x25519: the public key has small order (all-zero shared secret)");
    checkStatus(status, "x25519");
    return view.slice(0, 32);
  });
}

/**
 * The X25519 public key of a 32-byte private key: X25519(privateKey, 9) (RFC 7748 §6.1).
 * @throws {SentcError} `invalid_input` when `privateKey` is not a 32-byte Uint8Array.
 * @throws {SentcError} `core_not_initialized` before {@link initCore} has resolved.
 * @example
 * ```ts
 * import { initCore, randomBytes, x25519PublicKey } from "sentc-as/core";
 * await initCore();
 * const publicKey = x25519PublicKey(randomBytes(32)); // 32 bytes
 * ```
 */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  assertBytes(privateKey, "privateKey", 32);
  return withArena((arena, core) => {
    const base = arena.reserve(64);
    const view = new Uint8Array(core.memory.buffer, base, 64);
    view.set(privateKey, 32);
    checkStatus(core.x25519_base(base, base + 32), "x25519PublicKey");
    return view.slice(0, 32);
  });
}
