/**
 * Adding a device (spec crypto.md §6.5): the new device registers its keys (`prepareRegisterDeviceStart`);
 * an existing device then encrypts the user keys to the new device's public key.
 */
import { invalidInput } from "../errors.js";
import { prepareKeysForNewMember } from "./group-member.js";
import { readObject, stringField } from "./json.js";
import { publicKeyFromPemText, serializeUserPublicKeyData } from "./public-keys.js";
import type { SymKey } from "./keys.js";

/**
 * `prepare_register_device(server_output, user_keys, key_count)`: reads `UserDeviceRegisterOutput` and
 * returns the `UserDeviceDoneRegisterInput` JSON plus the new device's `UserPublicKeyData`.
 */
export function prepareRegisterDevice(
  serverOutput: string | Record<string, unknown>,
  userKeys: SymKey[],
  keyCount: number,
): { serverInput: string; publicKey: string } {
  const what = "device register output";
  const data = readObject(serverOutput, what);
  const deviceId = stringField(data, "device_id", what);
  const publicKey = publicKeyFromPemText(
    stringField(data, "public_key_string", what),
    stringField(data, "keypair_encrypt_alg", what),
    deviceId,
    what,
  );
  if (!Array.isArray(userKeys) || userKeys.length === 0) throw invalidInput("userKeys must hold the user's group keys");
  const userKeysInput = prepareKeysForNewMember(publicKey, userKeys, keyCount, null, 0);
  return {
    serverInput: `{"user_keys":${userKeysInput},"token":${JSON.stringify(stringField(data, "token", what))}}`,
    publicKey: serializeUserPublicKeyData({ publicKey, signature: null, signatureKeyId: null }),
  };
}
