/**
 * Group key rotation (spec crypto.md §7.4). The invoker makes a new group key (and key pair), wraps it with
 * an ephemeral key, and wraps the ephemeral key with the previous group key; the server re-encrypts that
 * for every member's public key; each member unwraps it and re-encrypts the new key to itself.
 */
import { SentcError, referenceScope } from "../errors.js";
import { symDecrypt, symEncrypt } from "./aead.js";
import { ALG } from "./algorithms.js";
import { fromBase64, toBase64 } from "./encoding.js";
import { encryptKeyForPublicKey, newGroupKey, type GroupKeys } from "./group-create.js";
import { optionalStringField, readObject, stringField } from "./json.js";
import { decryptWithPrivateKey } from "./kem.js";
import { signVerifyKeyRotation } from "./key-pin.js";
import { generateSymKey, type KeyOptions } from "./keypairs.js";
import { symKeyFromRaw, type PrivateKey, type PublicKey, type SignKey, type SymKey } from "./keys.js";

export interface PrepareKeyRotationInput {
  previousGroupKey: SymKey;
  invokerPublicKey: PublicKey;
  signKey?: SignKey | null;
  starter: string;
  /** True for the user group (user key rotation): the new keys include a sign key pair. */
  userGroup?: boolean;
  /**
   * The previous sign key, for a user key rotation: it signs the new verify key (`verify_key_cross_sig`, a sentc-as
   * extra that the server stores and answers with the verify key, so pinned keys can follow the rotation).
   */
  crossSignKey?: SignKey | null;
  /** Signs the new group public key (see `PrepareCreateGroupInput.publicKeySigner`). */
  publicKeySigner?: { userId: string; signKey: SignKey } | null;
  keyOptions?: KeyOptions;
}

/** `group_prepare_key_rotation` → the `KeyRotationData` JSON (fields in sentc's order) and the new keys. */
export function prepareKeyRotation(input: PrepareKeyRotationInput): { serverInput: string; keys: GroupKeys } {
  const { keyFields, optionalFields, keys } = newGroupKey({
    creatorPublicKey: input.invokerPublicKey,
    signKey: input.signKey,
    starter: input.starter,
    userGroup: input.userGroup,
    publicKeySigner: input.publicKeySigner,
    keyOptions: input.keyOptions,
  });
  const ephemeral = generateSymKey();
  const { encrypted_group_key: encryptedGroupKeyByUser, ...rest } = keyFields;
  const data = {
    encrypted_group_key_by_user: encryptedGroupKeyByUser,
    ...rest,
    encrypted_group_key_by_ephemeral: toBase64(symEncrypt(ephemeral.key, keys.groupKey.key)),
    ephemeral_alg: ephemeral.alg,
    encrypted_ephemeral_key: toBase64(symEncrypt(input.previousGroupKey.key, ephemeral.key)),
    previous_group_key_id: input.previousGroupKey.keyId,
    invoker_public_key_id: input.invokerPublicKey.keyId,
    ...optionalFields,
  };
  if (input.crossSignKey && keys.verifyKey)
    (data as Record<string, string>).verify_key_cross_sig = signVerifyKeyRotation(input.crossSignKey, keys.verifyKey);
  ephemeral.key.fill(0);
  return { serverInput: JSON.stringify(data), keys };
}

/**
 * What the server does for each member (§7.4, server side): the ephemeral key, still wrapped by the previous
 * group key, encrypted to the member's public key, base64, without a head.
 */
export function encryptEphemeralKeyForMember(memberPublicKey: PublicKey, encryptedEphemeralKey: string): string {
  return encryptKeyForPublicKey(memberPublicKey, fromBase64(encryptedEphemeralKey));
}

/**
 * `group_finish_key_rotation`: reads `KeyRotationInput`, recovers the new group key and returns it with the
 * `DoneKeyRotationData` JSON for `PUT …/key_rotation/<new_group_key_id>`.
 */
export function finishKeyRotation(
  serverOutput: string | Record<string, unknown>,
  previousGroupKey: SymKey,
  publicKey: PublicKey,
  privateKey: PrivateKey,
): { newGroupKey: SymKey; serverInput: string } {
  // Rotation data the reference cannot read is its client_203 (checked against sentc_wasm 0.15).
  return referenceScope({ invalid_format: 203, invalid_encoding: 203 }, () =>
    readKeyRotation(serverOutput, previousGroupKey, publicKey, privateKey),
  );
}

function readKeyRotation(
  serverOutput: string | Record<string, unknown>,
  previousGroupKey: SymKey,
  publicKey: PublicKey,
  privateKey: PrivateKey,
): { newGroupKey: SymKey; serverInput: string } {
  const what = "key rotation input";
  const data = readObject(serverOutput, what);
  const error = optionalStringField(data, "error", what);
  if (error !== null)
    throw new SentcError("key_rotation_failed", `the server could not prepare the rotation for this key: ${error}`);
  const wrapped = decryptWithPrivateKey(
    privateKey,
    fromBase64(stringField(data, "encrypted_ephemeral_key_by_group_key_and_public_key", what)),
  );
  const ephemeralAlg = stringField(data, "ephemeral_alg", what);
  if (ephemeralAlg !== ALG.aesGcm)
    throw new SentcError("unsupported_algorithm", `${what}: unknown ephemeral alg "${ephemeralAlg}"`);
  const ephemeral = symDecrypt(previousGroupKey.key, wrapped);
  const rawNewKey = symDecrypt(ephemeral, fromBase64(stringField(data, "encrypted_group_key_by_ephemeral", what)));
  ephemeral.fill(0);
  const newGroupKey = symKeyFromRaw(ALG.aesGcm, rawNewKey, stringField(data, "new_group_key_id", what));
  const serverInput = JSON.stringify({
    encrypted_new_group_key: encryptKeyForPublicKey(publicKey, newGroupKey.key),
    public_key_id: publicKey.keyId,
    encrypted_alg: publicKey.alg,
  });
  return { newGroupKey, serverInput };
}
