/**
 * Decrypting data that carries a head (sdk.md §4.1, §4.2), for users (their private keys) and groups (their
 * symmetric keys) alike: the head names the key, and the verify key comes from the caller (a key string) or from
 * the sender's user id. Unsigned data asked to be verified is decrypted unchecked, as the reference does, or
 * refused (`missing_signature`) with the init option `strict_verify`.
 */
import { SentcError, invalidInput } from "../errors.js";
import { fromBase64 } from "../protocol/encoding.js";
import {
  decryptAsymmetric,
  decryptRawAsymmetric,
  decryptRawSymmetric,
  decryptStringAsymmetric,
  decryptStringSymmetric,
  decryptSymmetric,
} from "../protocol/encrypt.js";
import { parseHead, splitHead, type EncryptedHead } from "../protocol/head.js";
import {
  importSignKey,
  importVerifyKey,
  type PrivateKey,
  type SignKey,
  type SymKey,
  type VerifyKey,
} from "../protocol/keys.js";
import type { SdkContext } from "./internal.js";
import { getUserVerifyKeyData } from "./public-keys.js";
import { strictVerify } from "./verify-policy.js";

/**
 * An explicit verify key (exported string) for a head. Unsigned data is decrypted unchecked, as the reference does,
 * or refused (`missing_signature`) with the init option `strict_verify`.
 * @throws SentcError `missing_signature` (strict only), `invalid_input` for a malformed key
 * @example
 * const verifyKey = explicitVerifyKey(parseHead(head), verify_key);
 */
export function explicitVerifyKey(head: EncryptedHead, verifyKey: string | undefined): VerifyKey | null {
  if (verifyKey === undefined || verifyKey === "") return null;
  if (head.sign === null) {
    if (strictVerify()) throw new SentcError("missing_signature", "the data is not signed");
    return null;
  }
  return importVerifyKey(verifyKey);
}

/**
 * The sender's verify key for a signed head (fetched or cached). Unsigned data needs none: it is decrypted
 * unchecked, as the reference does, or refused (`missing_signature`) with the init option `strict_verify`.
 * @throws SentcError `invalid_input` without a sender id, `missing_signature` (strict only), `server`, `network`
 * @example
 * const verifyKey = await senderVerifyKey(ctx, head, user_id);
 */
export async function senderVerifyKey(
  ctx: SdkContext,
  head: EncryptedHead,
  userId: string | undefined,
): Promise<VerifyKey | null> {
  if (head.sign === null) {
    if (strictVerify()) throw new SentcError("missing_signature", "the data is not signed");
    return null;
  }
  if (typeof userId !== "string" || userId.length === 0) throw invalidInput("verifying needs the sender's user id");
  return importVerifyKey(await getUserVerifyKeyData(ctx, userId, head.sign.id));
}

/**
 * The sign key for `encrypt…(…, sign)`: the user's newest sign key when `sign`, else none.
 * @throws SentcError `key_not_found` when signing and the user has no keys
 * @example
 * const signKey = signKeyIf(sign, () => user.getSignKeySync());
 */
export function signKeyIf(sign: boolean, exportedSignKey: () => string): SignKey | null {
  return sign ? importSignKey(exportedSignKey()) : null;
}

/** The three decrypt forms (raw with a separate head, bytes, base64 string) for one kind of key. */
export interface DecryptForms<K> {
  raw(key: K, head: string, data: Uint8Array, verifyKey: VerifyKey | null): Uint8Array;
  bytes(key: K, data: Uint8Array, verifyKey: VerifyKey | null): Uint8Array;
  string(key: K, data: string, verifyKey: VerifyKey | null): string;
}

/** Group keys (sdk.md §4.1). */
export const SYMMETRIC: DecryptForms<SymKey> = {
  raw: decryptRawSymmetric,
  bytes: decryptSymmetric,
  string: decryptStringSymmetric,
};

/** User keys (sdk.md §4.2). */
export const ASYMMETRIC: DecryptForms<PrivateKey> = {
  raw: decryptRawAsymmetric,
  bytes: decryptAsymmetric,
  string: decryptStringAsymmetric,
};

/** Where the key a head names comes from: fetched when unknown, or only what is held (the `…Sync` methods). */
export interface HeadKeySource<K> {
  readonly ctx: SdkContext;
  keyFor(head: EncryptedHead): Promise<K>;
  keyForSync(head: EncryptedHead): K;
}

/**
 * The bodies of the `decrypt…` methods of `User` and `Group`: each reads the head, takes the key it names and the
 * verify key asked for, and decrypts.
 */
export class HeadDecryptor<K> {
  readonly #keys: HeadKeySource<K>;
  readonly #forms: DecryptForms<K>;

  /**
   * @example
   * const decryptor = new HeadDecryptor({ ctx, keyFor, keyForSync }, SYMMETRIC);
   */
  constructor(keys: HeadKeySource<K>, forms: DecryptForms<K>) {
    this.#keys = keys;
    this.#forms = forms;
  }

  /**
   * `decryptRaw`: data and head apart; `verifyKey` is an exported verify key.
   * @throws SentcError `invalid_input` (head), `key_not_found`, `decryption_failed`, `verification_failed`, `missing_signature`
   * @example
   * const plain = await decryptor.raw(head, data);
   */
  async raw(head: string, data: Uint8Array, verifyKey?: string): Promise<Uint8Array> {
    const parsed = parseHead(head);
    return this.#forms.raw(await this.#keys.keyFor(parsed), head, data, explicitVerifyKey(parsed, verifyKey));
  }

  /**
   * `decryptRawSync`: like `raw` with a held key only.
   * @throws SentcError as `raw`
   * @example
   * const plain = decryptor.rawSync(head, data);
   */
  rawSync(head: string, data: Uint8Array, verifyKey?: string): Uint8Array {
    const parsed = parseHead(head);
    return this.#forms.raw(this.#keys.keyForSync(parsed), head, data, explicitVerifyKey(parsed, verifyKey));
  }

  /**
   * `decrypt`: `verify` checks the signature with user `userId`'s verify key.
   * @throws SentcError as `raw`, and `invalid_input` when verifying without a user id
   * @example
   * const plain = await decryptor.bytes(data, true, senderId);
   */
  async bytes(data: Uint8Array, verify: boolean, userId: string | undefined): Promise<Uint8Array> {
    const { head } = splitHead(data);
    const verifyKey = verify ? await senderVerifyKey(this.#keys.ctx, head, userId) : null;
    return this.#forms.bytes(await this.#keys.keyFor(head), data, verifyKey);
  }

  /**
   * `decryptSync`: with a held key and an exported verify key.
   * @throws SentcError as `raw`
   * @example
   * const plain = decryptor.bytesSync(data);
   */
  bytesSync(data: Uint8Array, verifyKey?: string): Uint8Array {
    const { head } = splitHead(data);
    return this.#forms.bytes(this.#keys.keyForSync(head), data, explicitVerifyKey(head, verifyKey));
  }

  /**
   * `decryptString`: base64 data; `verify` checks the signature with user `userId`'s verify key.
   * @throws SentcError as `bytes`
   * @example
   * const text = await decryptor.string(encrypted, true, senderId);
   */
  async string(data: string, verify: boolean, userId: string | undefined): Promise<string> {
    const { head } = splitHead(fromBase64(data));
    const verifyKey = verify ? await senderVerifyKey(this.#keys.ctx, head, userId) : null;
    return this.#forms.string(await this.#keys.keyFor(head), data, verifyKey);
  }

  /**
   * `decryptStringSync`: with a held key and an exported verify key.
   * @throws SentcError as `raw`
   * @example
   * const text = decryptor.stringSync(encrypted);
   */
  stringSync(data: string, verifyKey?: string): string {
    const { head } = splitHead(fromBase64(data));
    return this.#forms.string(this.#keys.keyForSync(head), data, explicitVerifyKey(head, verifyKey));
  }
}
