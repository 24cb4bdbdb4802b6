/**
 * Registration (spec crypto.md §6.1): a master key wraps the device key pairs, the password wraps the
 * master key, and the user group is created for the device's public key.
 */
import { nonEmptyString } from "./json.js";
import { symEncrypt } from "./aead.js";
import { ALG, NON_REGISTERED_KEY_ID } from "./algorithms.js";
import { toBase64, toBase64Url } from "./encoding.js";
import { prepareCreateGroup } from "./group-create.js";
import {
  generateKeyPair,
  generateSignKeyPair,
  generateSymKey,
  rawKeyBytes,
  wipeKey,
  type KeyOptions,
} from "./keypairs.js";
import { publicKeyPemText } from "./public-keys.js";
import { deriveFromNewRandomValue, hashAuthKey } from "./password.js";
import { randomBytes } from "../core/index.js";

/** `UserDeviceRegisterInput` built as an object in sentc's field order, plus the new device keys. */
function deviceRegisterInput(deviceIdentifier: string, password: string, options?: KeyOptions) {
  const masterKey = generateSymKey();
  const { privateKey, publicKey } = generateKeyPair(NON_REGISTERED_KEY_ID, options);
  const { signKey, verifyKey } = generateSignKeyPair(NON_REGISTERED_KEY_ID, options);
  const derived = deriveFromNewRandomValue(password);
  const input = {
    master_key: {
      master_key_alg: masterKey.alg,
      encrypted_master_key: toBase64(symEncrypt(derived.masterKeyEncryptionKey, masterKey.key)),
      encrypted_master_key_alg: ALG.aesGcm,
    },
    derived: {
      derived_alg: ALG.argon2,
      client_random_value: toBase64(derived.clientRandomValue),
      hashed_authentication_key: toBase64(hashAuthKey(derived.authKey)),
      public_key: publicKeyPemText(publicKey),
      encrypted_private_key: toBase64(symEncrypt(masterKey.key, rawKeyBytes(privateKey))),
      keypair_encrypt_alg: publicKey.alg,
      verify_key: publicKeyPemText(verifyKey),
      encrypted_sign_key: toBase64(symEncrypt(masterKey.key, rawKeyBytes(signKey))),
      keypair_sign_alg: signKey.alg,
    },
    device_identifier: deviceIdentifier,
  };
  derived.masterKeyEncryptionKey.fill(0);
  derived.authKey.fill(0);
  wipeKey(masterKey);
  wipeKey(privateKey);
  wipeKey(signKey);
  return { input, publicKey };
}

/** `prepare_register(user_identifier, password)` → the `RegisterData` JSON string. */
export function prepareRegister(userIdentifier: string, password: string, options?: KeyOptions): string {
  const identifier = nonEmptyString(userIdentifier, "the user identifier");
  const { input, publicKey } = deviceRegisterInput(identifier, nonEmptyString(password, "the password"), options);
  const group = prepareCreateGroup({ creatorPublicKey: publicKey, starter: "", userGroup: true, keyOptions: options });
  return `{"device":${JSON.stringify(input)},"group":${group.serverInput}}`;
}

/** `prepare_register_device_start(device_identifier, password)` → the `UserDeviceRegisterInput` JSON. */
export function prepareRegisterDeviceStart(deviceIdentifier: string, password: string, options?: KeyOptions): string {
  return JSON.stringify(
    deviceRegisterInput(
      nonEmptyString(deviceIdentifier, "the device identifier"),
      nonEmptyString(password, "the password"),
      options,
    ).input,
  );
}

/** `generate_user_register_data()`: a random identifier (20 bytes) and password (40 bytes), base64url. */
export function generateUserRegisterData(): { identifier: string; password: string } {
  return { identifier: toBase64Url(randomBytes(20)), password: toBase64Url(randomBytes(40)) };
}
