/**
 * Signed rotations of a user's identity key (a sentc-as extra, not in sentc's protocol): at a user key rotation the
 * previous sign key signs the new verify key, so a client that pinned an earlier verify key can follow the chain of
 * rotations to the newest one without trusting the server. The signature covers a domain label and the new verify
 * key's raw bytes; it is sent as `verify_key_cross_sig` in the rotation body (docs/protocol.md "Pinned keys").
 */
import { SentcError } from "../errors.js";
import { rawKeyBytes } from "./keypairs.js";
import type { SignKey, VerifyKey } from "./keys.js";
import { signOnly, signatureFromString, signatureToString, verifyOnly } from "./signature.js";

const LABEL = new TextEncoder().encode("sentc-as verify key rotation v1\0");

function message(newVerifyKey: VerifyKey): Uint8Array {
  const raw = rawKeyBytes(newVerifyKey);
  const out = new Uint8Array(LABEL.length + raw.length);
  out.set(LABEL, 0);
  out.set(raw, LABEL.length);
  return out;
}

/**
 * The cross-signature of a rotation: `newVerifyKey` signed with the previous key's sign key, as sentc's signature
 * text (base64, the alg's detached signature).
 * @throws {SentcError} `invalid_input` when the keys are not sign/verify keys.
 * @example
 * const crossSig = signVerifyKeyRotation(previousSignKey, keys.verifyKey);
 */
export function signVerifyKeyRotation(previousSignKey: SignKey, newVerifyKey: VerifyKey): string {
  if (!previousSignKey || !newVerifyKey)
    throw new SentcError("invalid_input", "a sign key and a verify key are needed");
  return signatureToString(signOnly(previousSignKey, message(newVerifyKey)), previousSignKey.alg);
}

/**
 * Whether `signature` is `newVerifyKey` signed by the key pair of `previousVerifyKey`. False for a signature that
 * does not verify or does not parse for the previous key's alg. Never throws.
 * @example
 * if (!verifyVerifyKeyRotation(pinned, offered, answer.verify_key_cross_sig)) throw keyChanged();
 */
export function verifyVerifyKeyRotation(
  previousVerifyKey: VerifyKey,
  newVerifyKey: VerifyKey,
  signature: string,
): boolean {
  try {
    return verifyOnly(previousVerifyKey, signatureFromString(signature, previousVerifyKey.alg), message(newVerifyKey));
  } catch {
    return false;
  }
}
