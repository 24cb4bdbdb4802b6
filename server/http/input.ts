/**
 * Body and path validation. Serde semantics (api.md §1.3): unknown fields are ignored, `Option` fields may
 * be missing or null, everything else is required; a violation is 422/11 "Wrong input: …".
 */
import { E } from "../errors.js";
import type {
  AuthInput,
  ChangePasswordInput,
  CreateGroupInput,
  DeviceRegisterInput,
  DoneKeyRotationInput,
  GroupKeySignatureInput,
  KeyRotationInput,
  NewMemberKeyInput,
  NewMemberKeysInput,
  OtpInput,
  RegisterInput,
  ResetPasswordInput,
  VerifyLoginInput,
} from "../services/inputs.js";
import type { FileRegisterInput } from "../services/files.js";
import type { NewMemberInput } from "../services/group-members.js";
import type { SymKeyInput } from "../services/sym-keys.js";
import type { Cursor } from "../store/types.js";

type Obj = Record<string, unknown>;

/**
 * The longest value a string field may have, in characters (docs/server.md, "Abuse limits"); longer is
 * 422/11. Key material (keys, exports, signatures, encrypted keys, file names) gets `key`: sentc's largest
 * values, the hybrid (post-quantum) keys of the test vectors, are about 5.4 KB (encrypted sign key),
 * 4.5 KB (signatures) and 3.3 KB (encrypted private key); classical ones stay under 1 KB.
 */
export const FIELD_LIMITS = {
  /** Algorithm names (`*_alg`, `alg`). */
  alg: 128,
  /** Ids (`*_id`): UUIDs. */
  id: 128,
  /** User and device identifiers (names or e-mail addresses chosen by the app). */
  identifier: 1024,
  /** Random values, hashed and plain auth keys, tokens. */
  secret: 1024,
  /** Every other field: key material. */
  key: 16_384,
} as const;

const IDENTIFIER_FIELDS = new Set(["user_identifier", "device_identifier"]);
const SECRET_FIELDS = new Set([
  "client_random_value",
  "new_client_random_value",
  "hashed_authentication_key",
  "new_hashed_authentication_key",
  "auth_key",
  "old_auth_key",
  "token",
  "refresh_token",
]);

/** The limit of a field, by its name. */
function limitOf(field: string): number {
  if (field === "alg" || field.endsWith("_alg")) return FIELD_LIMITS.alg;
  if (field.endsWith("_id")) return FIELD_LIMITS.id;
  if (IDENTIFIER_FIELDS.has(field)) return FIELD_LIMITS.identifier;
  if (SECRET_FIELDS.has(field)) return FIELD_LIMITS.secret;
  return FIELD_LIMITS.key;
}

export function obj(value: unknown, what = "body"): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw E.jsonParse(`${what}: expected an object`);
  return value as Obj;
}

export function str(o: Obj, field: string, what = "body"): string {
  const value = o[field];
  if (typeof value !== "string") throw E.jsonParse(`${what}.${field}: expected a string`);
  const limit = limitOf(field);
  if (value.length > limit) throw E.jsonParse(`${what}.${field}: too long (at most ${limit} characters)`);
  return value;
}

export function optStr(o: Obj, field: string, what = "body"): string | null {
  const value = o[field];
  if (value === undefined || value === null) return null;
  return str(o, field, what);
}

function optInt(o: Obj, field: string, what: string): number | null {
  const value = o[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || Math.abs(value) > 2 ** 31)
    throw E.jsonParse(`${what}.${field}: expected an integer`);
  return value;
}

function int(o: Obj, field: string, what: string): number {
  const value = optInt(o, field, what);
  if (value === null) throw E.jsonParse(`${what}.${field}: expected an integer`);
  return value;
}

function bool(o: Obj, field: string, what: string): boolean {
  const value = o[field];
  if (typeof value !== "boolean") throw E.jsonParse(`${what}.${field}: expected a boolean`);
  return value;
}

export const identifierBody = (body: unknown): string => str(obj(body), "user_identifier");
export const refreshTokenBody = (body: unknown): string => str(obj(body), "refresh_token");

export function deviceRegisterInput(value: unknown, what = "body"): DeviceRegisterInput {
  const o = obj(value, what);
  const m = obj(o.master_key, `${what}.master_key`);
  const d = obj(o.derived, `${what}.derived`);
  const w = `${what}.derived`;
  return {
    masterKey: {
      masterKeyAlg: str(m, "master_key_alg", `${what}.master_key`),
      encryptedMasterKey: str(m, "encrypted_master_key", `${what}.master_key`),
      encryptedMasterKeyAlg: str(m, "encrypted_master_key_alg", `${what}.master_key`),
    },
    derived: {
      derivedAlg: str(d, "derived_alg", w),
      clientRandomValue: str(d, "client_random_value", w),
      hashedAuthenticationKey: str(d, "hashed_authentication_key", w),
      publicKey: str(d, "public_key", w),
      encryptedPrivateKey: str(d, "encrypted_private_key", w),
      keypairEncryptAlg: str(d, "keypair_encrypt_alg", w),
      verifyKey: str(d, "verify_key", w),
      encryptedSignKey: str(d, "encrypted_sign_key", w),
      keypairSignAlg: str(d, "keypair_sign_alg", w),
    },
    deviceIdentifier: str(o, "device_identifier", what),
  };
}

/** The signature part of a new group key (all optional). */
function groupKeySignatureInput(o: Obj, what = "body"): GroupKeySignatureInput {
  return {
    signedByUserId: optStr(o, "signed_by_user_id", what),
    signedByUserSignKeyId: optStr(o, "signed_by_user_sign_key_id", what),
    groupKeySig: optStr(o, "group_key_sig", what),
    encryptedSignKey: optStr(o, "encrypted_sign_key", what),
    verifyKey: optStr(o, "verify_key", what),
    keypairSignAlg: optStr(o, "keypair_sign_alg", what),
    publicKeySig: optStr(o, "public_key_sig", what),
    publicGroupKeySig: optStr(o, "public_group_key_sig", what),
    publicGroupKeySigUserId: optStr(o, "public_group_key_sig_user_id", what),
    publicGroupKeySigKeyId: optStr(o, "public_group_key_sig_key_id", what),
  };
}

export function createGroupInput(value: unknown, what = "body.group"): CreateGroupInput {
  const o = obj(value, what);
  return {
    encryptedGroupKey: str(o, "encrypted_group_key", what),
    groupKeyAlg: str(o, "group_key_alg", what),
    encryptedGroupKeyAlg: str(o, "encrypted_group_key_alg", what),
    encryptedPrivateGroupKey: str(o, "encrypted_private_group_key", what),
    publicGroupKey: str(o, "public_group_key", what),
    keypairEncryptAlg: str(o, "keypair_encrypt_alg", what),
    creatorPublicKeyId: str(o, "creator_public_key_id", what),
    encryptedHmacKey: str(o, "encrypted_hmac_key", what),
    encryptedHmacAlg: str(o, "encrypted_hmac_alg", what),
    encryptedSortableKey: str(o, "encrypted_sortable_key", what),
    encryptedSortableAlg: str(o, "encrypted_sortable_alg", what),
    ...groupKeySignatureInput(o, what),
  };
}

export function registerInput(body: unknown): RegisterInput {
  const o = obj(body);
  return { device: deviceRegisterInput(o.device, "body.device"), group: createGroupInput(o.group) };
}

export function authInput(body: unknown): AuthInput {
  const o = obj(body);
  return { authKey: str(o, "auth_key"), deviceIdentifier: str(o, "device_identifier") };
}

export function otpInput(body: unknown): OtpInput {
  const o = obj(body);
  return { ...authInput(o), token: str(o, "token") };
}

export function verifyLoginInput(body: unknown): VerifyLoginInput {
  const o = obj(body);
  return { ...authInput(o), challenge: str(o, "challenge") };
}

export function changePasswordInput(body: unknown): ChangePasswordInput {
  const o = obj(body);
  return {
    newDerivedAlg: str(o, "new_derived_alg"),
    newClientRandomValue: str(o, "new_client_random_value"),
    newHashedAuthenticationKey: str(o, "new_hashed_authentication_key"),
    newEncryptedMasterKey: str(o, "new_encrypted_master_key"),
    newEncryptedMasterKeyAlg: str(o, "new_encrypted_master_key_alg"),
    oldAuthKey: str(o, "old_auth_key"),
  };
}

export function resetPasswordInput(body: unknown): ResetPasswordInput {
  const o = obj(body);
  const m = obj(o.master_key, "body.master_key");
  return {
    clientRandomValue: str(o, "client_random_value"),
    hashedAuthenticationKey: str(o, "hashed_authentication_key"),
    masterKey: {
      masterKeyAlg: str(m, "master_key_alg", "body.master_key"),
      encryptedMasterKey: str(m, "encrypted_master_key", "body.master_key"),
      encryptedMasterKeyAlg: str(m, "encrypted_master_key_alg", "body.master_key"),
    },
    derivedAlg: str(o, "derived_alg"),
    encryptedPrivateKey: str(o, "encrypted_private_key"),
    encryptedSignKey: str(o, "encrypted_sign_key"),
  };
}

export function newMemberKeyList(value: unknown, what = "body"): NewMemberKeyInput[] {
  if (!Array.isArray(value)) throw E.jsonParse(`${what}: expected an array`);
  return value.map((entry, i) => {
    const o = obj(entry, `${what}[${i}]`);
    const w = `${what}[${i}]`;
    return {
      encryptedGroupKey: str(o, "encrypted_group_key", w),
      alg: str(o, "alg", w),
      encryptedAlg: str(o, "encrypted_alg", w),
      keyId: str(o, "key_id", w),
      userPublicKeyId: str(o, "user_public_key_id", w),
    };
  });
}

export function newMemberKeysInput(value: unknown, what = "body"): NewMemberKeysInput {
  const o = obj(value, what);
  return {
    keys: newMemberKeyList(o.keys, `${what}.keys`),
    rank: optInt(o, "rank", what),
    keySession: bool(o, "key_session", what),
  };
}

/** `GroupKeysForNewMemberServerInput` as a new member input. */
export function newMemberInput(body: unknown): NewMemberInput {
  const parsed = newMemberKeysInput(body);
  return { keys: parsed.keys, rank: parsed.rank, keySession: parsed.keySession };
}

/** `GroupNewMemberLightInput` `{rank: number|null}`. */
export function lightMemberInput(body: unknown): NewMemberInput {
  return { keys: null, rank: optInt(obj(body), "rank", "body"), keySession: false };
}

/** `GroupChangeRankServerInput`. */
export function changeRankInput(body: unknown): { changedUserId: string; newRank: number } {
  const o = obj(body);
  return { changedUserId: str(o, "changed_user_id"), newRank: int(o, "new_rank", "body") };
}

export const createGroupBody = (body: unknown): CreateGroupInput => createGroupInput(body, "body");

export function doneRegisterDeviceInput(body: unknown): { token: string; keys: NewMemberKeysInput } {
  const o = obj(body);
  return { token: str(o, "token"), keys: newMemberKeysInput(o.user_keys, "body.user_keys") };
}

export function doneRegisterDeviceLightInput(body: unknown): { token: string; rank: number | null } {
  const o = obj(body);
  return { token: str(o, "token"), rank: optInt(obj(o.user_group, "body.user_group"), "rank", "body.user_group") };
}

export function keyRotationInput(body: unknown): KeyRotationInput {
  const o = obj(body);
  return {
    encryptedGroupKeyByUser: str(o, "encrypted_group_key_by_user"),
    groupKeyAlg: str(o, "group_key_alg"),
    encryptedGroupKeyAlg: str(o, "encrypted_group_key_alg"),
    encryptedPrivateGroupKey: str(o, "encrypted_private_group_key"),
    publicGroupKey: str(o, "public_group_key"),
    keypairEncryptAlg: str(o, "keypair_encrypt_alg"),
    encryptedGroupKeyByEphemeral: str(o, "encrypted_group_key_by_ephemeral"),
    ephemeralAlg: str(o, "ephemeral_alg"),
    encryptedEphemeralKey: str(o, "encrypted_ephemeral_key"),
    previousGroupKeyId: str(o, "previous_group_key_id"),
    invokerPublicKeyId: str(o, "invoker_public_key_id"),
    verifyKeyCrossSig: optStr(o, "verify_key_cross_sig"),
    ...groupKeySignatureInput(o),
  };
}

export function doneKeyRotationInput(body: unknown): DoneKeyRotationInput {
  const o = obj(body);
  return {
    encryptedNewGroupKey: str(o, "encrypted_new_group_key"),
    publicKeyId: str(o, "public_key_id"),
    encryptedAlg: str(o, "encrypted_alg"),
  };
}

/** Cursor path params (api.md §1.7): the time must be an unsigned integer (400/13); 0 = first page. */
export function cursorParams(time: string | undefined, id: string | undefined, limit = 50): Cursor {
  if (time === undefined || !/^\d{1,16}$/.test(time)) throw E.notANumber();
  const value = Number(time);
  if (!Number.isSafeInteger(value)) throw E.notANumber();
  return { time: value, id: id ?? "", limit };
}

// ---- sym keys (api.md §3.7) and files (§3.8)

export function symKeyInput(body: unknown): SymKeyInput {
  const o = obj(body);
  return {
    alg: str(o, "alg"),
    encryptedKeyString: str(o, "encrypted_key_string"),
    masterKeyId: str(o, "master_key_id"),
  };
}

export function fileRegisterInput(body: unknown): FileRegisterInput {
  const o = obj(body);
  const type = o.belongs_to_type;
  if (type !== "None" && type !== "Group" && type !== "User")
    throw E.jsonParse('body.belongs_to_type: expected "None", "Group" or "User"');
  return {
    encryptedKey: str(o, "encrypted_key"),
    encryptedKeyAlg: str(o, "encrypted_key_alg"),
    masterKeyId: str(o, "master_key_id"),
    belongsToId: optStr(o, "belongs_to_id"),
    belongsToType: type,
    encryptedFileName: optStr(o, "encrypted_file_name"),
  };
}

export const fileNameInput = (body: unknown): string | null => optStr(obj(body), "encrypted_file_name");

/** `:seq`, `:last_sequence`: an i32 (else 400/12, the file API's code). */
export function sequenceParam(value: string | undefined): number {
  if (value === undefined || !/^[+-]?\d{1,10}$/.test(value)) throw E.filePathNumber();
  const number = Number(value);
  if (number < -(2 ** 31) || number > 2 ** 31 - 1) throw E.filePathNumber();
  return number;
}

/** `:end`: `true` or `false` (else 400/12). */
export function endParam(value: string | undefined): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw E.filePathNumber();
}
