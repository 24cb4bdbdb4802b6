/** Validated request bodies (api.md §3.0), in the server's own field names. */

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

/** `CreateData` (the user group at register). */
export interface CreateGroupInput {
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
  signedByUserId: string | null;
  signedByUserSignKeyId: string | null;
  groupKeySig: string | null;
  encryptedSignKey: string | null;
  verifyKey: string | null;
  keypairSignAlg: string | null;
  publicKeySig: string | null;
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
export interface KeyRotationInput {
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
  signedByUserId: string | null;
  signedByUserSignKeyId: string | null;
  groupKeySig: string | null;
  encryptedSignKey: string | null;
  verifyKey: string | null;
  keypairSignAlg: string | null;
  publicKeySig: string | null;
}

/** `DoneKeyRotationData`. */
export interface DoneKeyRotationInput {
  encryptedNewGroupKey: string;
  publicKeyId: string;
  encryptedAlg: string;
}
