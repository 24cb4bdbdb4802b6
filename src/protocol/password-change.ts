/** Password change and reset data (spec crypto.md §6.3, §6.4). */
import { invalidInput } from "../errors.js";
import { symEncrypt } from "./aead.js";
import { ALG } from "./algorithms.js";
import { toBase64 } from "./encoding.js";
import { generateSymKey, rawKeyBytes } from "./keypairs.js";
import type { PrivateKey, SignKey } from "./keys.js";
import { deriveFromNewRandomValue, hashAuthKey } from "./password.js";

function assertKey(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32) throw invalidInput(`${what} must be 32 bytes`);
}

/**
 * `ChangePasswordData` for `PUT /api/v1/user/update_pw`: the same master key, wrapped by a key derived
 * from the new password with a new client random value; `old_auth_key` proves the old password.
 */
export function prepareChangePassword(newPassword: string, masterKey: Uint8Array, oldAuthKey: Uint8Array): string {
  assertKey(masterKey, "the master key");
  assertKey(oldAuthKey, "the old auth key");
  const derived = deriveFromNewRandomValue(newPassword);
  const data = {
    new_derived_alg: ALG.argon2,
    new_client_random_value: toBase64(derived.clientRandomValue),
    new_hashed_authentication_key: toBase64(hashAuthKey(derived.authKey)),
    new_encrypted_master_key: toBase64(symEncrypt(derived.masterKeyEncryptionKey, masterKey)),
    new_encrypted_master_key_alg: ALG.aesGcm,
    old_auth_key: toBase64(oldAuthKey),
  };
  derived.masterKeyEncryptionKey.fill(0);
  derived.authKey.fill(0);
  return JSON.stringify(data);
}

/**
 * `ResetPasswordData` for `PUT /api/v1/user/reset_pw`: a new master key re-wraps the device keys the
 * client still holds and is itself wrapped by the new password.
 */
export function prepareResetPassword(
  newPassword: string,
  devicePrivateKey: PrivateKey,
  deviceSignKey: SignKey,
): string {
  const masterKey = generateSymKey();
  const derived = deriveFromNewRandomValue(newPassword);
  const data = {
    client_random_value: toBase64(derived.clientRandomValue),
    hashed_authentication_key: toBase64(hashAuthKey(derived.authKey)),
    master_key: {
      master_key_alg: masterKey.alg,
      encrypted_master_key: toBase64(symEncrypt(derived.masterKeyEncryptionKey, masterKey.key)),
      encrypted_master_key_alg: ALG.aesGcm,
    },
    derived_alg: ALG.argon2,
    encrypted_private_key: toBase64(symEncrypt(masterKey.key, rawKeyBytes(devicePrivateKey))),
    encrypted_sign_key: toBase64(symEncrypt(masterKey.key, rawKeyBytes(deviceSignKey))),
  };
  masterKey.key.fill(0);
  derived.masterKeyEncryptionKey.fill(0);
  derived.authKey.fill(0);
  return JSON.stringify(data);
}
