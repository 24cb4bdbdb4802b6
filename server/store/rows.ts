/**
 * Rows to records: one mapper per table (or joined view), shared by both SQL dialects. SQLite returns
 * numbers where PostgreSQL returns BIGINT as strings; `n` folds both. Column lists that queries build
 * SQL from (`DEVICE_COLUMNS`, `GROUP_KEY_COLUMNS`, the join prefixes) live here with their mappers.
 */
import type {
  AppRecord,
  BelongsToTypeCode,
  DeviceKeyMaterial,
  DeviceRecord,
  FilePartRecord,
  FileRecord,
  FileSessionRecord,
  GroupKeyRecord,
  GroupRecord,
  GroupRequestRecord,
  HmacKeyRecord,
  JwtKeyRecord,
  MemberKeyRecord,
  MemberKeyView,
  MemberRecord,
  RotationRecord,
  SortableKeyRecord,
  SymKeyRecord,
  UserRecord,
} from "./types.js";

/** A result row as both drivers return it: column name to value. */
export type Row = Record<string, unknown>;

export const s = (v: unknown): string => v as string;
const sn = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
export const n = (v: unknown): number => Number(v);

export function appFromRow(r: Row): AppRecord {
  return {
    id: s(r.id),
    identifier: s(r.identifier),
    hashedPublicToken: s(r.hashed_public_token),
    hashedSecretToken: s(r.hashed_secret_token),
    publicToken: sn(r.public_token),
    options: s(r.options),
    groupOptions: s(r.group_options),
    fileOptions: s(r.file_options),
    disabled: n(r.disabled) !== 0,
    time: n(r.time),
  };
}

export function jwtKeyFromRow(r: Row): JwtKeyRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    signKey: s(r.sign_key),
    verifyKey: s(r.verify_key),
    alg: s(r.alg),
    time: n(r.time),
  };
}

export function userFromRow(r: Row): UserRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    userGroupId: s(r.user_group_id),
    time: n(r.time),
    otpSecret: sn(r.otp_secret),
    otpAlg: sn(r.otp_alg),
  };
}

export const DEVICE_COLUMNS: Array<[keyof DeviceKeyMaterial, string]> = [
  ["clientRandomValue", "client_random_value"],
  ["hashedAuthKey", "hashed_auth_key"],
  ["derivedAlg", "derived_alg"],
  ["encryptedMasterKey", "encrypted_master_key"],
  ["masterKeyAlg", "master_key_alg"],
  ["encryptedMasterKeyAlg", "encrypted_master_key_alg"],
  ["publicKey", "public_key"],
  ["encryptedPrivateKey", "encrypted_private_key"],
  ["keypairEncryptAlg", "keypair_encrypt_alg"],
  ["verifyKey", "verify_key"],
  ["encryptedSignKey", "encrypted_sign_key"],
  ["keypairSignAlg", "keypair_sign_alg"],
];

export function deviceFromRow(r: Row): DeviceRecord {
  const device = {
    id: s(r.id),
    userId: sn(r.user_id),
    appId: s(r.app_id),
    deviceIdentifier: s(r.device_identifier),
    time: n(r.time),
    registerTokenHash: sn(r.register_token_hash),
  } as DeviceRecord;
  for (const [field, column] of DEVICE_COLUMNS) device[field] = s(r[column]);
  return device;
}

export function groupFromRow(r: Row): GroupRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    parent: sn(r.parent),
    type: n(r.type),
    invite: n(r.invite) !== 0,
    isConnectedGroup: n(r.is_connected_group) !== 0,
    time: n(r.time),
  };
}

export const GROUP_KEY_COLUMNS: Array<[keyof GroupKeyRecord, string]> = [
  ["id", "id"],
  ["groupId", "group_id"],
  ["appId", "app_id"],
  ["privateKeyPairAlg", "private_key_pair_alg"],
  ["encryptedPrivateKey", "encrypted_private_key"],
  ["publicKey", "public_key"],
  ["groupKeyAlg", "group_key_alg"],
  ["encryptedEphemeralKey", "encrypted_ephemeral_key"],
  ["encryptedGroupKeyByEphKey", "encrypted_group_key_by_eph_key"],
  ["previousGroupKeyId", "previous_group_key_id"],
  ["ephemeralAlg", "ephemeral_alg"],
  ["time", "time"],
  ["encryptedSignKey", "encrypted_sign_key"],
  ["verifyKey", "verify_key"],
  ["keypairSignAlg", "keypair_sign_alg"],
  ["signedByUserId", "signed_by_user_id"],
  ["signedByUserSignKeyId", "signed_by_user_sign_key_id"],
  ["groupKeySig", "group_key_sig"],
  ["publicKeySig", "public_key_sig"],
  ["publicKeySigKeyId", "public_key_sig_key_id"],
  ["verifyKeyCrossSig", "verify_key_cross_sig"],
  ["publicGroupKeySig", "public_group_key_sig"],
  ["publicGroupKeySigUserId", "public_group_key_sig_user_id"],
  ["publicGroupKeySigKeyId", "public_group_key_sig_key_id"],
];

export function groupKeyFromRow(r: Row, prefix = ""): GroupKeyRecord {
  const key = {} as Record<string, unknown>;
  for (const [field, column] of GROUP_KEY_COLUMNS) {
    const value = r[prefix + column];
    key[field] = field === "time" ? n(value) : value === undefined ? null : value;
  }
  return key as unknown as GroupKeyRecord;
}

export function memberFromRow(r: Row): MemberRecord {
  return {
    userId: s(r.user_id),
    groupId: s(r.group_id),
    time: n(r.time),
    rank: n(r.rank),
    keyUploadSessionId: sn(r.key_upload_session_id),
    type: n(r.type),
  };
}

export function requestFromRow(r: Row): GroupRequestRecord {
  return {
    userId: s(r.user_id),
    groupId: s(r.group_id),
    type: n(r.type),
    time: n(r.time),
    keyUploadSessionId: sn(r.key_upload_session_id),
    userType: n(r.user_type),
    newUserRank: n(r.new_user_rank),
  };
}

export function sortableKeyFromRow(r: Row): SortableKeyRecord {
  return {
    id: s(r.id),
    groupId: s(r.group_id),
    appId: s(r.app_id),
    encryptedSortableKey: s(r.encrypted_sortable_key),
    encryptedSortableAlg: s(r.encrypted_sortable_alg),
    encryptedSortableEncryptionKeyId: s(r.encrypted_sortable_encryption_key_id),
    time: n(r.time),
  };
}

export function memberKeyFromRow(r: Row): MemberKeyRecord {
  return {
    keyId: s(r.mk_k_id),
    userId: s(r.mk_user_id),
    groupId: s(r.mk_group_id),
    encryptedGroupKey: s(r.mk_encrypted_group_key),
    encryptedAlg: s(r.mk_encrypted_alg),
    encryptedGroupKeyKeyId: s(r.mk_encrypted_group_key_key_id),
    time: n(r.mk_time),
  };
}

/** A member key row selected with `MK_SELECT` joined with its group key selected with `GK_SELECT`. */
export function memberKeyViewFromRow(r: Row): MemberKeyView {
  return { key: groupKeyFromRow(r, "k_"), member: memberKeyFromRow(r) };
}

export const GK_SELECT = GROUP_KEY_COLUMNS.map(([, c]) => `k.${c} AS k_${c}`).join(", ");
export const MK_SELECT = [
  "k_id",
  "user_id",
  "group_id",
  "encrypted_group_key",
  "encrypted_alg",
  "encrypted_group_key_key_id",
  "time",
]
  .map((c) => `m.${c} AS mk_${c}`)
  .join(", ");

export function hmacKeyFromRow(r: Row): HmacKeyRecord {
  return {
    id: s(r.id),
    groupId: s(r.group_id),
    appId: s(r.app_id),
    encryptedHmacKey: s(r.encrypted_hmac_key),
    encryptedHmacAlg: s(r.encrypted_hmac_alg),
    encryptedHmacEncryptionKeyId: s(r.encrypted_hmac_encryption_key_id),
    time: n(r.time),
  };
}

/** A rotation row selected with its ephemeral key as `r_eph` (the key's own column has the same name). */
export function rotationFromRow(r: Row): RotationRecord {
  return {
    keyId: s(r.key_id),
    userId: s(r.user_id),
    groupId: s(r.group_id),
    encryptedEphemeralKey: s(r.r_eph),
    encryptedEphKeyKeyId: s(r.encrypted_eph_key_key_id),
    error: sn(r.error),
  };
}

export function symKeyFromRow(r: Row): SymKeyRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    masterKeyId: s(r.master_key_id),
    creatorId: s(r.creator_id),
    encryptedKey: s(r.encrypted_key),
    masterKeyAlg: s(r.master_key_alg),
    time: n(r.time),
  };
}

export function fileFromRow(r: Row): FileRecord {
  return {
    id: s(r.id),
    appId: s(r.app_id),
    owner: s(r.owner),
    belongsTo: sn(r.belongs_to),
    belongsToType: n(r.belongs_to_type) as BelongsToTypeCode,
    encryptedKey: s(r.encrypted_key),
    encryptedKeyAlg: s(r.encrypted_key_alg),
    masterKeyId: s(r.master_key_id),
    encryptedFileName: sn(r.encrypted_file_name),
    time: n(r.time),
    status: n(r.status) === 1 ? 1 : 0,
    deleteAt: r.delete_at === null || r.delete_at === undefined ? null : n(r.delete_at),
  };
}

export function partFromRow(r: Row): FilePartRecord {
  return {
    id: s(r.id),
    fileId: s(r.file_id),
    appId: s(r.app_id),
    size: n(r.size),
    sequence: n(r.sequence),
    extern: n(r.extern) !== 0,
  };
}

export function sessionFromRow(r: Row): FileSessionRecord {
  return {
    id: s(r.id),
    fileId: s(r.file_id),
    appId: s(r.app_id),
    createdAt: n(r.created_at),
    expectedSize: n(r.expected_size),
    maxChunkSize: n(r.max_chunk_size),
  };
}
