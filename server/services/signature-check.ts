/**
 * The one way the server checks a signature a client sent (the new user key's `public_key_sig`,
 * `verify_key_cross_sig`, `public_group_key_sig`, the device proof): the verification itself is the SDK's
 * (src/protocol), and a key or signature that cannot even be parsed is refused like one that does not verify.
 */
import type { ApiError } from "../errors.js";

/**
 * Throws `refusal()` unless `verify()` answers `true`; a `verify` that throws (a malformed key or signature) counts as
 * a signature that does not verify.
 * @throws {ApiError} what `refusal` makes.
 * @example
 * requireValidSignature(() => verifyGroupPublicKey(verifyKey, publicKey, sig), () => E.keySignature());
 */
export function requireValidSignature(verify: () => boolean, refusal: () => ApiError): void {
  let valid: boolean;
  try {
    valid = verify();
  } catch {
    valid = false;
  }
  if (!valid) throw refusal();
}
