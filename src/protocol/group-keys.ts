/**
 * Decrypting a group's keys (spec crypto.md §7.2): the group key comes encrypted to one of the member's
 * public keys; it decrypts the group's private key, HMAC keys and sortable keys.
 */
import { SentcError } from "../errors.js";
import { symDecrypt } from "./aead.js";
import { fromBase64 } from "./encoding.js";
import { publicKeyFromPemText } from "./public-keys.js";
import { numberField, optionalStringField, readObject, stringField } from "./json.js";
import { decryptWithPrivateKey } from "./kem.js";
import {
  hmacKeyFromRaw,
  privateKeyFromRaw,
  sortableKeyFromRaw,
  symKeyFromRaw,
  type HmacKey,
  type PrivateKey,
  type PublicKey,
  type SortableKey,
  type SymKey,
  type VerifyKey,
} from "./keys.js";
import { signatureFromString, verifyOnly } from "./signature.js";

export interface GroupKeyData {
  groupKey: SymKey;
  privateGroupKey: PrivateKey;
  publicGroupKey: PublicKey;
  /** Which of the member's public keys the group key was encrypted to. */
  userPublicKeyId: string;
  time: number;
  signedByUserId: string | null;
  signedByUserSignKeyId: string | null;
}

/**
 * `group_decrypt_key(private_key, server_key_data, verify_key?)`. When a verify key is given and the key
 * carries a signature, the signature over the raw group key must verify (`verification_failed`, sentc
 * client_31).
 */
export function decryptGroupKey(
  privateKey: PrivateKey,
  serverKeyData: string | Record<string, unknown>,
  verifyKey?: VerifyKey | null,
): GroupKeyData {
  const what = "group key data";
  const data = readObject(serverKeyData, what);
  const groupKeyId = stringField(data, "group_key_id", what);
  const keyPairId = stringField(data, "key_pair_id", what);
  const rawGroupKey = decryptWithPrivateKey(privateKey, fromBase64(stringField(data, "encrypted_group_key", what)));
  const groupKey = symKeyFromRaw(stringField(data, "group_key_alg", what), rawGroupKey, groupKeyId);
  const signature = optionalStringField(data, "group_key_sig", what);
  if (verifyKey && signature !== null) {
    if (!verifyOnly(verifyKey, signatureFromString(signature, verifyKey.alg), groupKey.key)) {
      throw new SentcError("verification_failed", "the group key signature does not verify", { reference: 31 });
    }
  }
  const encryptAlg = stringField(data, "keypair_encrypt_alg", what);
  const rawPrivate = symDecrypt(groupKey.key, fromBase64(stringField(data, "encrypted_private_group_key", what)));
  return {
    groupKey,
    privateGroupKey: privateKeyFromRaw(encryptAlg, rawPrivate, keyPairId),
    publicGroupKey: publicKeyFromPemText(stringField(data, "public_group_key", what), encryptAlg, keyPairId, what),
    userPublicKeyId: stringField(data, "user_public_key_id", what),
    time: numberField(data, "time", what),
    signedByUserId: optionalStringField(data, "signed_by_user_id", what),
    signedByUserSignKeyId: optionalStringField(data, "signed_by_user_sign_key_id", what),
  };
}

/** `group_decrypt_hmac_key(group_key, GroupHmacData)`. */
export function decryptHmacKey(groupKey: SymKey, hmacData: string | Record<string, unknown>): HmacKey {
  const what = "hmac key data";
  const data = readObject(hmacData, what);
  const raw = symDecrypt(groupKey.key, fromBase64(stringField(data, "encrypted_hmac_key", what)));
  return hmacKeyFromRaw(stringField(data, "encrypted_hmac_alg", what), raw, stringField(data, "id", what));
}

/** `group_decrypt_sortable_key(group_key, GroupSortableData)`. */
export function decryptSortableKey(groupKey: SymKey, sortableData: string | Record<string, unknown>): SortableKey {
  const what = "sortable key data";
  const data = readObject(sortableData, what);
  const raw = symDecrypt(groupKey.key, fromBase64(stringField(data, "encrypted_sortable_key", what)));
  return sortableKeyFromRaw(stringField(data, "encrypted_sortable_alg", what), raw, stringField(data, "id", what));
}
