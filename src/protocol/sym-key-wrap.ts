/**
 * Stand-alone symmetric keys (spec crypto.md §8): a new AES key wrapped by a master key (AES-GCM) or by a
 * public key (ECIES), described by `GeneratedSymKeyHeadServerOutput`.
 */
import { SentcError } from "../errors.js";
import { symDecrypt, symEncrypt } from "./aead.js";
import { ALG, NON_REGISTERED_KEY_ID } from "./algorithms.js";
import { fromBase64, toBase64 } from "./encoding.js";
import { encryptKeyForPublicKey } from "./group-create.js";
import { readObject, stringField } from "./json.js";
import { decryptWithPrivateKey } from "./kem.js";
import { generateSymKey } from "./keypairs.js";
import { symKeyFromRaw, type PrivateKey, type PublicKey, type SymKey } from "./keys.js";

function head(encryptedKey: string, masterKeyId: string): string {
  return JSON.stringify({
    alg: ALG.aesGcm,
    encrypted_key_string: encryptedKey,
    master_key_id: masterKeyId,
    key_id: NON_REGISTERED_KEY_ID,
    time: 0,
  });
}

/** `generate_non_register_sym_key(master_key)`: the new key (key id "") and its wrapped description. */
export function generateSymKeyWrappedByMasterKey(masterKey: SymKey): { key: SymKey; encryptedKey: string } {
  const key = generateSymKey("");
  return { key, encryptedKey: head(toBase64(symEncrypt(masterKey.key, key.key)), masterKey.keyId) };
}

/** `generate_non_register_sym_key_by_public_key(public key)`. */
export function generateSymKeyWrappedByPublicKey(publicKey: PublicKey): { key: SymKey; encryptedKey: string } {
  const key = generateSymKey("");
  return { key, encryptedKey: head(encryptKeyForPublicKey(publicKey, key.key), publicKey.keyId) };
}

function readHead(info: string | Record<string, unknown>) {
  const what = "sym key info";
  const data = readObject(info, what);
  const alg = stringField(data, "alg", what);
  if (alg !== ALG.aesGcm) throw new SentcError("unsupported_algorithm", `${what}: unknown alg "${alg}"`);
  return {
    alg,
    encrypted: fromBase64(stringField(data, "encrypted_key_string", what)),
    keyId: stringField(data, "key_id", what),
  };
}

/** `decrypt_sym_key(master_key, info)`: the key gets the id the info names. */
export function decryptSymKeyByMasterKey(masterKey: SymKey, info: string | Record<string, unknown>): SymKey {
  const { alg, encrypted, keyId } = readHead(info);
  return symKeyFromRaw(alg, symDecrypt(masterKey.key, encrypted), keyId);
}

/** `decrypt_sym_key_by_private_key(private_key, info)`. */
export function decryptSymKeyByPrivateKey(privateKey: PrivateKey, info: string | Record<string, unknown>): SymKey {
  const { alg, encrypted, keyId } = readHead(info);
  return symKeyFromRaw(alg, decryptWithPrivateKey(privateKey, encrypted), keyId);
}
