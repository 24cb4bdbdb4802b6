/**
 * Signatures for pinned keys (sentc-as extras, not in sentc's protocol):
 * - signed rotations of a user's identity key: at a user key rotation the previous sign key signs the new verify
 *   key, so a client that pinned an earlier verify key can follow the chain of rotations to the newest one without
 *   trusting the server. The signature covers a domain label and the new verify key's raw bytes; it is sent as
 *   `verify_key_cross_sig` in the rotation body;
 * - signed group public keys: when a group is created or its key rotated, the acting user's sign key signs the new
 *   group public key (a domain label and the key's raw bytes), sent as `public_group_key_sig` with
 *   `public_group_key_sig_user_id` and `public_group_key_sig_key_id`, so an outsider that pinned the group can tell
 *   a key its signers made from one the server made (docs/protocol.md "Pinned keys").
 */
import { invalidInput } from "../errors.js";
import { rawKeyBytes } from "./keypairs.js";
import type { PublicKey, SignKey, VerifyKey } from "./keys.js";
import { signOnly, signatureFromString, signatureToString, verifyOnly } from "./signature.js";

const ROTATION_LABEL = new TextEncoder().encode("sentc-as verify key rotation v1\0");
const GROUP_KEY_LABEL = new TextEncoder().encode("sentc-as group public key v1\0");

/** The signed message: a domain label and the key's raw bytes. */
function labelled(label: Uint8Array, key: PublicKey | VerifyKey): Uint8Array {
  const raw = rawKeyBytes(key);
  const out = new Uint8Array(label.length + raw.length);
  out.set(label, 0);
  out.set(raw, label.length);
  return out;
}

function message(newVerifyKey: VerifyKey): Uint8Array {
  return labelled(ROTATION_LABEL, newVerifyKey);
}

/** Whether `signature` (sentc's text) is `signed` signed by the key pair of `verifyKey`; false on any failure. */
function verifiesOver(verifyKey: VerifyKey, signature: string, signed: Uint8Array): boolean {
  try {
    return verifyOnly(verifyKey, signatureFromString(signature, verifyKey.alg), signed);
  } catch {
    return false;
  }
}

/**
 * The cross-signature of a rotation: `newVerifyKey` signed with the previous key's sign key, as sentc's signature
 * text (base64, the alg's detached signature).
 * @throws {SentcError} `invalid_input` when the keys are not sign/verify keys.
 * @example
 * const crossSig = signVerifyKeyRotation(previousSignKey, keys.verifyKey);
 */
export function signVerifyKeyRotation(previousSignKey: SignKey, newVerifyKey: VerifyKey): string {
  if (!previousSignKey || !newVerifyKey) throw invalidInput("a sign key and a verify key are needed");
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
  return verifiesOver(previousVerifyKey, signature, message(newVerifyKey));
}

/**
 * The signature of a new group public key by the acting user's sign key (`public_group_key_sig`), as sentc's
 * signature text.
 * @throws {SentcError} `invalid_input` when a key is missing.
 * @example
 * const sig = signGroupPublicKey(userSignKey, keys.publicKey);
 */
export function signGroupPublicKey(signKey: SignKey, groupPublicKey: PublicKey): string {
  if (!signKey || !groupPublicKey) throw invalidInput("a sign key and a public key are needed");
  return signatureToString(signOnly(signKey, labelled(GROUP_KEY_LABEL, groupPublicKey)), signKey.alg);
}

/**
 * Whether `signature` is `groupPublicKey` signed by the key pair of `verifyKey` (`signGroupPublicKey`). False for a
 * signature that does not verify or does not parse for the verify key's alg. Never throws.
 * @example
 * if (!verifyGroupPublicKey(signerVerifyKey, publicKey, answer.public_group_key_sig)) throw keyChanged();
 */
export function verifyGroupPublicKey(verifyKey: VerifyKey, groupPublicKey: PublicKey, signature: string): boolean {
  return verifiesOver(verifyKey, signature, labelled(GROUP_KEY_LABEL, groupPublicKey));
}
