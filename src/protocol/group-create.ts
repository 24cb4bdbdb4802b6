/**
 * Group creation data (spec crypto.md §7.1): a new group key wraps a new group key pair, an HMAC key and an
 * OPE key; the group key itself is encrypted to the creator's public key (ECIES, no head) and optionally
 * signed. The user group (register, user key rotation) also gets a sign key pair whose signature over the
 * group public key is `public_key_sig`. Other groups' public keys may be signed by the acting user's sign key
 * (`public_group_key_sig`, a sentc-as extra that sentc's server and client ignore; see ./key-pin.ts).
 */
import { symEncrypt } from "./aead.js";
import { NON_REGISTERED_KEY_ID } from "./algorithms.js";
import { encryptWithPublicKey } from "./kem.js";
import { toBase64 } from "./encoding.js";
import {
  generateHmacKey,
  generateKeyPair,
  generateSignKeyPair,
  generateSortableKey,
  generateSymKey,
  rawKeyBytes,
  type KeyOptions,
} from "./keypairs.js";
import { signGroupPublicKey } from "./key-pin.js";
import { publicKeyPemText } from "./public-keys.js";
import type { HmacKey, PrivateKey, PublicKey, SignKey, SortableKey, SymKey, VerifyKey } from "./keys.js";
import { signatureToString, signOnly } from "./signature.js";

export interface GroupKeys {
  groupKey: SymKey;
  privateKey: PrivateKey;
  publicKey: PublicKey;
  /** Only at creation; a key rotation keeps the group's HMAC and sortable keys. */
  hmacKey?: HmacKey;
  sortableKey?: SortableKey;
  /** Only for user groups. */
  signKey?: SignKey;
  verifyKey?: VerifyKey;
}

/** Encrypts raw key bytes to a public key as sentc does for group keys: base64 of the KEM output, no head. */
export function encryptKeyForPublicKey(publicKey: PublicKey, raw: Uint8Array): string {
  return toBase64(encryptWithPublicKey(publicKey, raw));
}

export interface PrepareCreateGroupInput {
  /** The public key the group key is encrypted to (creator, parent, connected group or invoker). */
  creatorPublicKey: PublicKey;
  /** Signs the group key when given. */
  signKey?: SignKey | null;
  /** The user id recorded as signer. */
  starter: string;
  userGroup?: boolean;
  /**
   * Signs the new group public key (sentc-as extra, not for user groups): the acting user's id and sign key. Sent as
   * `public_group_key_sig`, `public_group_key_sig_user_id` and `public_group_key_sig_key_id`, so outsiders that
   * pinned the group accept a new key only from its signers.
   */
  publicKeySigner?: { userId: string; signKey: SignKey } | null;
  /** Hybrid post-quantum or classical key pairs for the new group key pair (and user-group sign keys). */
  keyOptions?: KeyOptions;
}

/** The fields of a new group key, split where creation and rotation put other fields between them. */
export interface NewGroupKeyFields {
  /** encrypted_group_key … keypair_encrypt_alg, in sentc's order. */
  keyFields: Record<string, string>;
  /** signed_by_user_id … public_key_sig: the optional tail, in sentc's order (then the sentc-as extras). */
  optionalFields: Record<string, string>;
  keys: GroupKeys;
}

/** Steps 1–5 of crypto.md §7.1, shared by group creation and key rotation. */
export function newGroupKey(input: PrepareCreateGroupInput): NewGroupKeyFields {
  const groupKey = generateSymKey();
  const { privateKey, publicKey } = generateKeyPair(NON_REGISTERED_KEY_ID, input.keyOptions);
  const keys: GroupKeys = { groupKey, privateKey, publicKey };
  const keyFields: Record<string, string> = {
    encrypted_group_key: encryptKeyForPublicKey(input.creatorPublicKey, groupKey.key),
    group_key_alg: groupKey.alg,
    encrypted_group_key_alg: input.creatorPublicKey.alg,
    encrypted_private_group_key: toBase64(symEncrypt(groupKey.key, rawKeyBytes(privateKey))),
    public_group_key: publicKeyPemText(publicKey),
    keypair_encrypt_alg: publicKey.alg,
  };
  const optionalFields: Record<string, string> = {};
  if (input.signKey) {
    optionalFields.signed_by_user_id = input.starter;
    optionalFields.signed_by_user_sign_key_id = input.signKey.keyId;
    optionalFields.group_key_sig = signatureToString(signOnly(input.signKey, groupKey.key), input.signKey.alg);
  }
  if (input.userGroup) {
    const { signKey, verifyKey } = generateSignKeyPair(NON_REGISTERED_KEY_ID, input.keyOptions);
    keys.signKey = signKey;
    keys.verifyKey = verifyKey;
    optionalFields.encrypted_sign_key = toBase64(symEncrypt(groupKey.key, rawKeyBytes(signKey)));
    optionalFields.verify_key = publicKeyPemText(verifyKey);
    optionalFields.keypair_sign_alg = signKey.alg;
    optionalFields.public_key_sig = signatureToString(signOnly(signKey, rawKeyBytes(publicKey)), signKey.alg);
  } else if (input.publicKeySigner) {
    optionalFields.public_group_key_sig = signGroupPublicKey(input.publicKeySigner.signKey, publicKey);
    optionalFields.public_group_key_sig_user_id = input.publicKeySigner.userId;
    optionalFields.public_group_key_sig_key_id = input.publicKeySigner.signKey.keyId;
  }
  return { keyFields, optionalFields, keys };
}

/** `group_prepare_create_group`: returns the `CreateData` JSON (fields in sentc's order) and the new keys. */
export function prepareCreateGroup(input: PrepareCreateGroupInput): { serverInput: string; keys: GroupKeys } {
  const { keyFields, optionalFields, keys } = newGroupKey(input);
  const hmacKey = generateHmacKey();
  const sortableKey = generateSortableKey();
  const data = {
    ...keyFields,
    creator_public_key_id: input.creatorPublicKey.keyId,
    encrypted_hmac_key: toBase64(symEncrypt(keys.groupKey.key, hmacKey.key)),
    encrypted_hmac_alg: hmacKey.alg,
    encrypted_sortable_key: toBase64(symEncrypt(keys.groupKey.key, sortableKey.key)),
    encrypted_sortable_alg: sortableKey.alg,
    ...optionalFields,
  };
  return { serverInput: JSON.stringify(data), keys: { ...keys, hmacKey, sortableKey } };
}
