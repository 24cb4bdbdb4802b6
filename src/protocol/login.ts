/**
 * Login (spec crypto.md §6.2): the server's salt → Argon2id → auth key; the device keys come back wrapped
 * by the master key, which the derived key unwraps; the device private key opens the login challenge and
 * the user-group keys.
 */
import { invalidFormat } from "../errors.js";
import { symDecrypt } from "./aead.js";
import { fromBase64, toBase64 } from "./encoding.js";
import { decryptGroupKey, decryptHmacKey, type GroupKeyData } from "./group-keys.js";
import { publicKeyFromPemText, verifyKeyFromPemText } from "./public-keys.js";
import { isRecord, nonEmptyString, parseJson, readObject, stringField } from "./json.js";
import { decryptWithPrivateKey } from "./kem.js";
import {
  privateKeyFromRaw,
  signKeyFromRaw,
  type HmacKey,
  type PrivateKey,
  type PublicKey,
  type SignKey,
  type VerifyKey,
} from "./keys.js";
import { deriveKeys, type DerivedKeys } from "./password.js";

export interface DeviceKeys {
  privateKey: PrivateKey;
  publicKey: PublicKey;
  signKey: SignKey;
  verifyKey: VerifyKey;
  userId: string;
  deviceId: string;
  userGroupId: string;
}

export interface LoginStart extends DerivedKeys {
  /** `DoneLoginServerInput` JSON for `POST /api/v1/done_login`. */
  doneLoginInput: string;
}

/** `PrepareLoginServerInput` for `POST /api/v1/prepare_login`. */
export function prepareLoginStart(userIdentifier: string): string {
  nonEmptyString(userIdentifier, "the user identifier");
  return JSON.stringify({ user_identifier: userIdentifier });
}

/** Derives the keys from the password and the server's `PrepareLoginSaltServerOutput`. */
export function prepareLogin(
  userIdentifier: string,
  password: string,
  saltOutput: string | Record<string, unknown>,
): LoginStart {
  const what = "prepare login output";
  const data = readObject(saltOutput, what);
  const derived = deriveKeys(
    password,
    fromBase64(stringField(data, "salt_string", what)),
    stringField(data, "derived_encryption_key_alg", what),
  );
  return {
    ...derived,
    doneLoginInput: JSON.stringify({ auth_key: toBase64(derived.authKey), device_identifier: userIdentifier }),
  };
}

export type DoneLoginResult =
  | { kind: "mfa" }
  | { kind: "direct"; deviceKeys: DeviceKeys; masterKey: Uint8Array; challenge: string };

/**
 * Reads `DoneLoginServerReturn`: `"Otp"` when the account has MFA, else `{"Direct":{device_keys,challenge}}`
 * (the MFA endpoints answer the inner `DoneLoginServerOutput` directly, which is accepted too). A wrong
 * password surfaces here as `decryption_failed`.
 */
export function doneLogin(
  masterKeyEncryptionKey: Uint8Array,
  serverOutput: string | Record<string, unknown> | "Otp",
): DoneLoginResult {
  const what = "done login output";
  const value =
    typeof serverOutput === "string" ? (serverOutput === "Otp" ? "Otp" : parseJson(serverOutput, what)) : serverOutput;
  if (value === "Otp") return { kind: "mfa" };
  if (!isRecord(value)) throw invalidFormat(`${what}: expected "Otp" or an object`);
  const direct = readObject((isRecord(value.Direct) ? value.Direct : value) as Record<string, unknown>, what);
  const keys = readObject(direct.device_keys as Record<string, unknown>, `${what}.device_keys`);
  const masterKey = symDecrypt(masterKeyEncryptionKey, fromBase64(stringField(keys, "encrypted_master_key", what)));
  const encryptAlg = stringField(keys, "keypair_encrypt_alg", what);
  const signAlg = stringField(keys, "keypair_sign_alg", what);
  const encryptId = stringField(keys, "keypair_encrypt_id", what);
  const signId = stringField(keys, "keypair_sign_id", what);
  const deviceKeys: DeviceKeys = {
    privateKey: privateKeyFromRaw(
      encryptAlg,
      symDecrypt(masterKey, fromBase64(stringField(keys, "encrypted_private_key", what))),
      encryptId,
    ),
    publicKey: publicKeyFromPemText(stringField(keys, "public_key_string", what), encryptAlg, encryptId, what),
    signKey: signKeyFromRaw(
      signAlg,
      symDecrypt(masterKey, fromBase64(stringField(keys, "encrypted_sign_key", what))),
      signId,
    ),
    verifyKey: verifyKeyFromPemText(stringField(keys, "verify_key_string", what), signAlg, signId, what),
    userId: stringField(keys, "user_id", what),
    deviceId: stringField(keys, "device_id", what),
    userGroupId: stringField(keys, "user_group_id", what),
  };
  const challengeBytes = decryptWithPrivateKey(
    deviceKeys.privateKey,
    fromBase64(stringField(direct, "challenge", what)),
  );
  let challenge: string;
  try {
    challenge = new TextDecoder("utf-8", { fatal: true }).decode(challengeBytes);
  } catch (cause) {
    throw invalidFormat(`${what}: the challenge is not UTF-8`, { cause, reference: 1102 });
  }
  return { kind: "direct", deviceKeys, masterKey, challenge };
}

/** `VerifyLoginInput` for `POST /api/v1/verify_login`. */
export function prepareVerifyLogin(authKey: Uint8Array, deviceIdentifier: string, challenge: string): string {
  return JSON.stringify({ auth_key: toBase64(authKey), device_identifier: deviceIdentifier, challenge });
}

export interface UserKey extends GroupKeyData {
  signKey: SignKey;
  verifyKey: VerifyKey;
  publicKeySignature: string | null;
  publicKeySignatureKeyId: string | null;
}

export interface VerifyLoginResult {
  userKeys: UserKey[];
  hmacKeys: HmacKey[];
  /**
   * HMAC key data wrapped by a user key that is not on this first page of keys (users with more than 50
   * keys): open each with `decryptHmacKey` once the named key (`encrypted_hmac_encryption_key_id`) is fetched.
   */
  pendingHmacKeys: Record<string, unknown>[];
  jwt: string;
  refreshToken: string;
}

/** Decrypts one user-group key with the device's private key; the sign key parts are required (client_130). */
export function decryptUserKey(devicePrivateKey: PrivateKey, serverKeyData: string | Record<string, unknown>): UserKey {
  const what = "user key data";
  const data = readObject(serverKeyData, what);
  for (const field of ["encrypted_sign_key", "verify_key", "keypair_sign_alg", "keypair_sign_id"]) {
    if (typeof data[field] !== "string") throw invalidFormat(`${what}: "${field}" is missing`);
  }
  const groupKeyData = decryptGroupKey(devicePrivateKey, data);
  const signAlg = stringField(data, "keypair_sign_alg", what);
  const signId = stringField(data, "keypair_sign_id", what);
  return {
    ...groupKeyData,
    signKey: signKeyFromRaw(
      signAlg,
      symDecrypt(groupKeyData.groupKey.key, fromBase64(stringField(data, "encrypted_sign_key", what))),
      signId,
    ),
    verifyKey: verifyKeyFromPemText(stringField(data, "verify_key", what), signAlg, signId, what),
    publicKeySignature: typeof data.public_key_sig === "string" ? data.public_key_sig : null,
    publicKeySignatureKeyId: typeof data.public_key_sig_key_id === "string" ? data.public_key_sig_key_id : null,
  };
}

/** Reads `VerifyLoginOutput`: the user keys, the HMAC keys (each opened by the user key it names) and tokens. */
export function doneVerifyLogin(
  devicePrivateKey: PrivateKey,
  serverOutput: string | Record<string, unknown>,
): VerifyLoginResult {
  const what = "verify login output";
  const data = readObject(serverOutput, what);
  if (!Array.isArray(data.user_keys) || !Array.isArray(data.hmac_keys)) {
    throw invalidFormat(`${what}: user_keys and hmac_keys must be arrays`);
  }
  const userKeys = data.user_keys.map((key) =>
    decryptUserKey(devicePrivateKey, readObject(key as Record<string, unknown>, what)),
  );
  const hmacKeys: HmacKey[] = [];
  const pendingHmacKeys: Record<string, unknown>[] = [];
  for (const entry of data.hmac_keys) {
    const hmac = readObject(entry as Record<string, unknown>, what);
    const keyId = stringField(hmac, "encrypted_hmac_encryption_key_id", what);
    const owner = userKeys.find((key) => key.groupKey.keyId === keyId);
    if (owner) hmacKeys.push(decryptHmacKey(owner.groupKey, hmac));
    else pendingHmacKeys.push(hmac);
  }
  return {
    userKeys,
    hmacKeys,
    pendingHmacKeys,
    jwt: stringField(data, "jwt", what),
    refreshToken: stringField(data, "refresh_token", what),
  };
}
