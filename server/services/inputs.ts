/** Validated request bodies (api.md §3.0), in the server's own field names. */
import type { GroupKeyRecord } from "../store/types.js";

export interface MasterKeyInput {
  masterKeyAlg: string;
  encryptedMasterKey: string;
  encryptedMasterKeyAlg: string;
}

export interface DerivedInput {
  derivedAlg: string;
  clientRandomValue: string;
  hashedAuthenticationKey: string;
  publicKey: string;
  encryptedPrivateKey: string;
  keypairEncryptAlg: string;
  verifyKey: string;
  encryptedSignKey: string;
  keypairSignAlg: string;
}

/** `UserDeviceRegisterInput`. */
export interface DeviceRegisterInput {
  masterKey: MasterKeyInput;
  derived: DerivedInput;
  deviceIdentifier: string;
}

/**
 * The signature part of a new group key (`CreateData`, `KeyRotationData`): a user group's sign key pair,
 * and who signed the key. All null for keys nobody signed.
 */
export interface GroupKeySignatureInput {
  signedByUserId: string | null;
  signedByUserSignKeyId: string | null;
  groupKeySig: string | null;
  encryptedSignKey: string | null;
  verifyKey: string | null;
  keypairSignAlg: string | null;
  publicKeySig: string | null;
  /**
   * `public_group_key_sig` (sentc-as extra, optional): the group public key signed by the acting user's sign key,
   * with `public_group_key_sig_user_id` and `public_group_key_sig_key_id` naming that user and key.
   */
  publicGroupKeySig: string | null;
  publicGroupKeySigUserId: string | null;
  publicGroupKeySigKeyId: string | null;
}

/**
 * The group key columns of a key's signature part; the public key signature is made with the key itself.
 * @example await tx.insertGroupKey({ ...otherColumns, ...groupKeySignatureColumns(input, keyId) });
 */
export function groupKeySignatureColumns(
  input: GroupKeySignatureInput,
  keyId: string,
): Pick<GroupKeyRecord, keyof GroupKeySignatureInput | "publicKeySigKeyId" | "verifyKeyCrossSig"> {
  return {
    encryptedSignKey: input.encryptedSignKey,
    verifyKey: input.verifyKey,
    keypairSignAlg: input.keypairSignAlg,
    signedByUserId: input.signedByUserId,
    signedByUserSignKeyId: input.signedByUserSignKeyId,
    groupKeySig: input.groupKeySig,
    publicKeySig: input.publicKeySig,
    publicKeySigKeyId: keyId,
    verifyKeyCrossSig: null,
    publicGroupKeySig: input.publicGroupKeySig,
    publicGroupKeySigUserId: input.publicGroupKeySigUserId,
    publicGroupKeySigKeyId: input.publicGroupKeySigKeyId,
  };
}

/** `CreateData` (the user group at register). */
export interface CreateGroupInput extends GroupKeySignatureInput {
  encryptedGroupKey: string;
  groupKeyAlg: string;
  encryptedGroupKeyAlg: string;
  encryptedPrivateGroupKey: string;
  publicGroupKey: string;
  keypairEncryptAlg: string;
  creatorPublicKeyId: string;
  encryptedHmacKey: string;
  encryptedHmacAlg: string;
  encryptedSortableKey: string;
  encryptedSortableAlg: string;
}

/** `RegisterData`. */
export interface RegisterInput {
  device: DeviceRegisterInput;
  group: CreateGroupInput;
}

export interface AuthInput {
  authKey: string;
  deviceIdentifier: string;
}

export interface OtpInput extends AuthInput {
  token: string;
}

export interface VerifyLoginInput extends AuthInput {
  challenge: string;
}

export interface ChangePasswordInput {
  newDerivedAlg: string;
  newClientRandomValue: string;
  newHashedAuthenticationKey: string;
  newEncryptedMasterKey: string;
  newEncryptedMasterKeyAlg: string;
  oldAuthKey: string;
}

export interface ResetPasswordInput {
  clientRandomValue: string;
  hashedAuthenticationKey: string;
  masterKey: MasterKeyInput;
  derivedAlg: string;
  encryptedPrivateKey: string;
  encryptedSignKey: string;
}

/** `GroupKeysForNewMember`. */
export interface NewMemberKeyInput {
  encryptedGroupKey: string;
  alg: string;
  encryptedAlg: string;
  keyId: string;
  userPublicKeyId: string;
}

/** `GroupKeysForNewMemberServerInput`. */
export interface NewMemberKeysInput {
  keys: NewMemberKeyInput[];
  rank: number | null;
  keySession: boolean;
}

/** `KeyRotationData`. */
export interface KeyRotationInput extends GroupKeySignatureInput {
  encryptedGroupKeyByUser: string;
  groupKeyAlg: string;
  encryptedGroupKeyAlg: string;
  encryptedPrivateGroupKey: string;
  publicGroupKey: string;
  keypairEncryptAlg: string;
  encryptedGroupKeyByEphemeral: string;
  ephemeralAlg: string;
  encryptedEphemeralKey: string;
  previousGroupKeyId: string;
  invokerPublicKeyId: string;
  /** `verify_key_cross_sig` (sentc-as extra, optional): the new verify key signed with the previous sign key. */
  verifyKeyCrossSig: string | null;
}

/** `DoneKeyRotationData`. */
export interface DoneKeyRotationInput {
  encryptedNewGroupKey: string;
  publicKeyId: string;
  encryptedAlg: string;
}
