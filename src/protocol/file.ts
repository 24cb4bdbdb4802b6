/**
 * File encryption (spec crypto.md §11). Each part has its own key, wrapped by the previous part's key (the
 * file's content key for part 0): `JSON(FileHead) ‖ 0x00 ‖ [sig ‖] AES-GCM(part key, part)`, with
 * `FileHead = {"key": b64(AES-GCM(previous key, part key)), "sign": null|{id, alg}, "sym_key_alg"}`.
 */
import { SentcError, invalidFormat, invalidInput } from "../errors.js";
import { symDecrypt, symEncrypt } from "./aead.js";
import { ALG } from "./algorithms.js";
import { fromBase64, toBase64 } from "./encoding.js";
import { encryptStringSymmetric } from "./encrypt.js";
import { isRecord, parseJson, stringField } from "./json.js";
import { generateSymKey } from "./keypairs.js";
import type { SignKey, SymKey, VerifyKey } from "./keys.js";
import { signOnly, splitSignature, verifyOnly } from "./signature.js";

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Encrypts one part; returns the bytes to upload and the key that wraps the next part's key. */
export function encryptFilePart(
  previousKey: Uint8Array,
  plaintext: Uint8Array,
  signKey?: SignKey | null,
): { part: Uint8Array; nextKey: Uint8Array } {
  if (!(previousKey instanceof Uint8Array) || previousKey.length !== 32)
    throw invalidInput("the previous key must be 32 bytes");
  if (!(plaintext instanceof Uint8Array)) throw invalidInput("the part must be a Uint8Array");
  const partKey = generateSymKey().key;
  let body = symEncrypt(partKey, plaintext);
  const sign = signKey ? { id: signKey.keyId, alg: signKey.alg } : null;
  if (signKey) {
    const signature = signOnly(signKey, body);
    const signed = new Uint8Array(signature.length + body.length);
    signed.set(signature, 0);
    signed.set(body, signature.length);
    body = signed;
  }
  const headBytes = utf8.encode(
    JSON.stringify({ key: toBase64(symEncrypt(previousKey, partKey)), sign, sym_key_alg: ALG.aesGcm }),
  );
  const part = new Uint8Array(headBytes.length + 1 + body.length);
  part.set(headBytes, 0);
  part.set(body, headBytes.length + 1);
  return { part, nextKey: partKey };
}

export interface OpenFilePartOptions {
  /** With a verify key, an unsigned part is an error (`missing_signature`) instead of being accepted. */
  requireSignature?: boolean;
}

/**
 * Reads a downloaded part's head, unwraps its part key with the previous key and, when a verify key is given,
 * checks the signature over the body. Returns the part key and the AES-GCM body still to decrypt.
 */
export function openFilePartHead(
  previousKey: Uint8Array,
  part: Uint8Array,
  verifyKey?: VerifyKey | null,
  options: OpenFilePartOptions = {},
): { partKey: Uint8Array; body: Uint8Array } {
  if (!(part instanceof Uint8Array)) throw invalidInput("the part must be a Uint8Array");
  const zero = part.indexOf(0);
  if (zero < 0) throw invalidFormat("file part has no head separator (0x00)");
  let headText: string;
  try {
    headText = utf8Decoder.decode(part.subarray(0, zero));
  } catch (cause) {
    throw invalidFormat("file part head is not UTF-8", { cause });
  }
  const head = parseJson(headText, "file head");
  if (!isRecord(head)) throw invalidFormat("file head: expected an object");
  const alg = stringField(head, "sym_key_alg", "file head");
  if (alg !== ALG.aesGcm) throw new SentcError("unsupported_algorithm", `file head: unknown alg "${alg}"`);
  const partKey = symDecrypt(previousKey, fromBase64(stringField(head, "key", "file head")));
  let body = part.subarray(zero + 1);
  const sign = head.sign;
  if (sign !== null && sign !== undefined) {
    if (!isRecord(sign)) throw invalidFormat("file head: sign must be an object or null");
    const signAlg = stringField(sign, "alg", "file head.sign");
    const { signature, data } = splitSignature(signAlg, body);
    if (verifyKey) {
      if (verifyKey.keyId !== stringField(sign, "id", "file head.sign"))
        throw new SentcError("wrong_verify_key", "the part was signed by another key");
      if (verifyKey.alg !== signAlg || !verifyOnly(verifyKey, signature, data))
        throw new SentcError("verification_failed", "the part signature does not verify");
    }
    body = data;
  } else if (verifyKey && options.requireSignature) {
    throw new SentcError("missing_signature", "the part is not signed");
  }
  return { partKey, body };
}

/** Decrypts one downloaded part; returns the plaintext and the key for the next part. */
export function decryptFilePart(
  previousKey: Uint8Array,
  part: Uint8Array,
  verifyKey?: VerifyKey | null,
): { plaintext: Uint8Array; nextKey: Uint8Array } {
  const { partKey, body } = openFilePartHead(previousKey, part, verifyKey);
  return { plaintext: symDecrypt(partKey, body), nextKey: partKey };
}

export type BelongsTo = "Group" | "User" | "None";

/**
 * `file_prepare_register_file` → `FileRegisterInput` JSON. Without an id the file belongs to nobody
 * (`None`), as in sentc; the file name is encrypted with the content key.
 */
export function prepareRegisterFile(
  masterKeyId: string,
  contentKey: SymKey,
  encryptedContentKey: string,
  belongsToId: string | null,
  belongsToType: BelongsTo,
  fileName?: string | null,
): string {
  if (!["Group", "User", "None"].includes(belongsToType))
    throw invalidInput("belongsToType must be Group, User or None");
  const type = belongsToId ? belongsToType : "None";
  return JSON.stringify({
    encrypted_key: encryptedContentKey,
    encrypted_key_alg: contentKey.alg,
    master_key_id: masterKeyId,
    belongs_to_id: type === "None" ? null : belongsToId,
    belongs_to_type: type,
    encrypted_file_name: fileName ? encryptStringSymmetric(contentKey, fileName) : null,
  });
}

/** `file_prepare_file_name_update` → `{"encrypted_file_name": …|null}`. */
export function prepareFileNameUpdate(contentKey: SymKey, fileName?: string | null): string {
  return JSON.stringify({ encrypted_file_name: fileName ? encryptStringSymmetric(contentKey, fileName) : null });
}
