/** Wire shapes of results (api.md §3.0), built from store records. */
import type {
  DeviceRecord,
  GroupKeyRecord,
  HmacKeyRecord,
  MemberKeyView,
  SortableKeyRecord,
  UserRecord,
} from "../store/types.js";

/** `GroupUserKeys`: optional fields are omitted (not null) when absent. */
export function groupUserKeysOut(view: MemberKeyView): Record<string, unknown> {
  const { key, member } = view;
  const out: Record<string, unknown> = {
    key_pair_id: key.id,
    group_key_id: key.id,
    encrypted_group_key: member.encryptedGroupKey,
    group_key_alg: key.groupKeyAlg,
    encrypted_private_group_key: key.encryptedPrivateKey,
    public_group_key: key.publicKey,
    keypair_encrypt_alg: key.privateKeyPairAlg,
    user_public_key_id: member.encryptedGroupKeyKeyId,
    time: key.time,
  };
  const optional: Array<[string, string | null]> = [
    ["signed_by_user_id", key.signedByUserId],
    ["signed_by_user_sign_key_id", key.signedByUserSignKeyId],
    ["group_key_sig", key.groupKeySig],
    ["encrypted_sign_key", key.encryptedSignKey],
    ["verify_key", key.verifyKey],
    ["keypair_sign_alg", key.keypairSignAlg],
    ["keypair_sign_id", key.id],
    ["public_key_sig", key.publicKeySig],
    ["public_key_sig_key_id", key.publicKeySigKeyId ?? key.id],
  ];
  for (const [name, value] of optional) if (value !== null) out[name] = value;
  return out;
}

export function hmacKeyOut(key: HmacKeyRecord): Record<string, unknown> {
  return {
    id: key.id,
    encrypted_hmac_key: key.encryptedHmacKey,
    encrypted_hmac_alg: key.encryptedHmacAlg,
    encrypted_hmac_encryption_key_id: key.encryptedHmacEncryptionKeyId,
    time: key.time,
  };
}

export function sortableKeyOut(key: SortableKeyRecord): Record<string, unknown> {
  return {
    id: key.id,
    encrypted_sortable_key: key.encryptedSortableKey,
    encrypted_sortable_alg: key.encryptedSortableAlg,
    encrypted_sortable_encryption_key_id: key.encryptedSortableEncryptionKeyId,
    time: key.time,
  };
}

/** `DoneLoginServerKeysOutput`. */
export function deviceKeysOut(device: DeviceRecord, user: UserRecord): Record<string, unknown> {
  return {
    encrypted_master_key: device.encryptedMasterKey,
    encrypted_private_key: device.encryptedPrivateKey,
    public_key_string: device.publicKey,
    keypair_encrypt_alg: device.keypairEncryptAlg,
    encrypted_sign_key: device.encryptedSignKey,
    verify_key_string: device.verifyKey,
    keypair_sign_alg: device.keypairSignAlg,
    keypair_encrypt_id: device.id,
    keypair_sign_id: device.id,
    user_id: user.id,
    device_id: device.id,
    user_group_id: user.userGroupId,
  };
}

/** `VerifyLoginForcedEntity`: the real key values (the reference returns "extern" placeholders). */
export function forcedDeviceKeysOut(device: DeviceRecord, user: UserRecord): Record<string, unknown> {
  return {
    device_id: device.id,
    user_id: user.id,
    user_group_id: user.userGroupId,
    encrypted_master_key: device.encryptedMasterKey,
    encrypted_private_key: device.encryptedPrivateKey,
    public_key_string: device.publicKey,
    keypair_encrypt_alg: device.keypairEncryptAlg,
    encrypted_sign_key: device.encryptedSignKey,
    verify_key_string: device.verifyKey,
    keypair_sign_alg: device.keypairSignAlg,
  };
}

/** `UserPublicKeyDataEntity`. */
export function publicKeyOut(key: GroupKeyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    public_key_id: key.id,
    public_key: key.publicKey,
    public_key_alg: key.privateKeyPairAlg,
    public_key_sig: key.publicKeySig,
    public_key_sig_key_id: key.publicKeySig === null ? null : (key.publicKeySigKeyId ?? key.id),
  };
  // sentc-as extra (only when the key carries it): who made the group public key, for pinned groups.
  if (key.publicGroupKeySig !== null) {
    out.public_group_key_sig = key.publicGroupKeySig;
    out.public_group_key_sig_user_id = key.publicGroupKeySigUserId;
    out.public_group_key_sig_key_id = key.publicGroupKeySigKeyId;
  }
  return out;
}
