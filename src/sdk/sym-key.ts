/**
 * `SymKey` (sdk.md §4.3): a stand-alone AES-GCM-256 content key with sentc's encrypt/decrypt API, and the
 * helpers that create and recover one.
 *
 * - Non-registered keys (crypto.md §8): `generateNonRegisteredKey(masterKey)` wraps a new key with a symmetric
 *   master key (a group key or the user's own group key), `generateNonRegisteredKeyByPublicKey(publicKey)` with a
 *   public key. Both return `[key, encrypted_key]`; store `encrypted_key` (the `GeneratedSymKeyHeadServerOutput`
 *   JSON) and `key.master_key_id` with your data and recover the key with `getNonRegisteredKey` /
 *   `getNonRegisteredKeyByPrivateKey`.
 * - Registered keys (api.md §3.7, `/keys/sym_key`): `registerSymKey` stores the wrapped key on the server and
 *   `fetchSymKey` / `fetchSymKeysByMasterKey` get it back by id.
 *
 * A key's `key_id` is what goes into the head of the data it encrypts: the server id for registered keys and
 * `"non_registered"` for the others (the reference writes `""` right after generation and `"non_registered"`
 * after recovery; decryption never looks at the head id, so both read each other's data).
 */
import { SentcError, invalidFormat, invalidInput, invalidServerResponse } from "../errors.js";
import {
  deleteSymKey as apiDeleteSymKey,
  getSymKey,
  getSymKeysByMasterKey,
  registerSymKey as apiRegisterSymKey,
  type SymKeyEntity,
} from "../api/endpoints/sym-keys.js";
import type { HttpClient, JwtInput, RequestOptions } from "../api/http.js";
import { symEncrypt } from "../protocol/aead.js";
import { ALG, NON_REGISTERED_KEY_ID } from "../protocol/algorithms.js";
import { toBase64 } from "../protocol/encoding.js";
import {
  decryptRawSymmetric,
  decryptStringSymmetric,
  decryptSymmetric,
  encryptRawSymmetric,
  encryptStringSymmetric,
  encryptSymmetric,
} from "../protocol/encrypt.js";
import { parseHead, splitHead } from "../protocol/head.js";
import { generateSymKey } from "../protocol/keypairs.js";
import {
  exportSymKey,
  importPrivateKey,
  importPublicKey,
  importSignKey,
  importSymKey,
  importVerifyKey,
  type SymKey as ProtocolSymKey,
} from "../protocol/keys.js";
import {
  decryptSymKeyByMasterKey,
  decryptSymKeyByPrivateKey,
  generateSymKeyWrappedByMasterKey,
  generateSymKeyWrappedByPublicKey,
} from "../protocol/sym-key-wrap.js";
import { fromBase64 } from "../protocol/encoding.js";
import type { CryptoRawOutput } from "./types.js";
import { strictVerify } from "./verify-policy.js";

/** Where a key was made: the API (kept for the reference's public fields) and the creator's sign key. */
export interface SymKeyContext {
  base_url: string;
  app_token: string;
  /** The exported sign key used by `encrypt*(…, sign = true)`; without it signing is `invalid_input`. */
  sign_key?: string;
}

/** A `SymKeyContext` from an `HttpClient`. */
export function symKeyContext(http: HttpClient, signKey?: string): SymKeyContext {
  return signKey === undefined
    ? { base_url: http.baseUrl, app_token: http.appToken }
    : { base_url: http.baseUrl, app_token: http.appToken, sign_key: signKey };
}

function checkData(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw invalidInput("data must be a Uint8Array");
}

/**
 * A content key. All methods are synchronous (as in the reference). `verify_key` (an exported verify key) makes
 * decryption check the signature; unsigned data is then decrypted unchecked, as the reference does, or refused
 * (`missing_signature`) with the init option `strict_verify`.
 */
export class SymKey {
  readonly #signKey: string | undefined;

  /**
   * @param key the exported key (`{"Aes":{"key":…,"key_id":…}}`)
   * @param key_id the id written into heads: the registered id or `"non_registered"`
   * @param master_key_id the id of the key that wraps this one (a group/user key id or a public key id)
   * @param sign_key the exported sign key for `sign = true`
   */
  constructor(
    public base_url: string,
    public app_token: string,
    public key: string,
    public key_id: string,
    public master_key_id: string,
    sign_key?: string,
  ) {
    // Validate once so that every later call fails only on its own input.
    const parsed = importSymKey(key);
    parsed.key.fill(0);
    this.#signKey = sign_key === "" ? undefined : sign_key;
  }

  /**
   * The protocol key with this object's id (a fresh copy: callers may wipe it). For the SDK's own use.
   * @internal
   * @throws {SentcError} `invalid_format` when `key` was changed to a value that is not an exported symmetric key.
   * @example
   * const raw = key.protocolKey();
   * raw.key.fill(0);
   */
  protocolKey(): ProtocolSymKey {
    const parsed = importSymKey(this.key);
    return { alg: parsed.alg, key: parsed.key, keyId: this.key_id };
  }

  /**
   * The exported sign key, when the key was made with one. For the SDK's own use. Never throws.
   * @internal
   * @example
   * const canSign = key.signKeyString() !== undefined;
   */
  signKeyString(): string | undefined {
    return this.#signKey;
  }

  #sign(sign: boolean) {
    if (!sign) return null;
    if (this.#signKey === undefined) throw invalidInput("this key has no sign key: it cannot sign", { reference: 109 });
    return importSignKey(this.#signKey);
  }

  #verify(verifyKey: string | undefined, signed: boolean) {
    if (verifyKey === undefined || verifyKey === "") return null;
    if (!signed) {
      if (strictVerify()) throw new SentcError("missing_signature", "the data is not signed");
      return null;
    }
    return importVerifyKey(verifyKey);
  }

  /**
   * Encrypts bytes with this key, head (a JSON string) and ciphertext kept apart (sdk.md §4.3); with `sign` the sign key
   * of the user or group that made the key signs it.
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array` or `sign` is set on a key made without a sign key.
   * @example
   * const [key, encryptedKey] = await group.generateNonRegisteredKey();
   * const { head, data } = key.encryptRaw(new TextEncoder().encode("hello"));
   */
  encryptRaw(data: Uint8Array, sign = false): CryptoRawOutput {
    checkData(data);
    return encryptRawSymmetric(this.protocolKey(), data, this.#sign(sign));
  }

  /**
   * Decrypts the output of `encryptRaw`; `verify_key` (an exported verify key) checks a signed head.
   * @throws {SentcError} `invalid_input` when `encrypted_data` is not a `Uint8Array`; `invalid_format` for a bad head;
   * `decryption_failed` for a wrong key or tampered data; `verification_failed` / `wrong_verify_key` when the signature
   * does not verify; `missing_signature` (with `strict_verify` only) for unsigned data and a `verify_key`.
   * @example
   * const bytes = key.decryptRaw(head, data);
   */
  decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array {
    checkData(encrypted_data);
    const verifyKey = this.#verify(verify_key, parseHead(head).sign !== null);
    return decryptRawSymmetric(this.protocolKey(), head, encrypted_data, verifyKey);
  }

  /**
   * Encrypts bytes with this key into one buffer, head and ciphertext together (sdk.md §4.3).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array` or `sign` is set on a key made without a sign key.
   * @example
   * const encrypted = key.encrypt(new Uint8Array([1, 2, 3]));
   */
  encrypt(data: Uint8Array, sign = false): Uint8Array {
    checkData(data);
    return encryptSymmetric(this.protocolKey(), data, this.#sign(sign));
  }

  /**
   * Decrypts the output of `encrypt`; `verify_key` (an exported verify key) checks a signed head.
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array`; `invalid_format` when it carries no sentc
   * head; `decryption_failed` for a wrong key or tampered data; `verification_failed` / `wrong_verify_key` when the
   * signature does not verify; `missing_signature` (with `strict_verify` only).
   * @example
   * const bytes = key.decrypt(encrypted);
   */
  decrypt(data: Uint8Array, verify_key?: string): Uint8Array {
    checkData(data);
    const verifyKey = this.#verify(verify_key, splitHead(data).head.sign !== null);
    return decryptSymmetric(this.protocolKey(), data, verifyKey);
  }

  /**
   * Encrypts a string with this key into base64 text (sdk.md §4.3).
   * @throws {SentcError} `invalid_input` when `data` is not a string or `sign` is set on a key made without a sign key.
   * @example
   * const key = await group.getNonRegisteredKey(masterKeyId, encryptedKey);
   * const text = key.encryptString("hello");
   */
  encryptString(data: string, sign = false): string {
    if (typeof data !== "string") throw invalidInput("data must be a string");
    return encryptStringSymmetric(this.protocolKey(), data, this.#sign(sign));
  }

  /**
   * Decrypts the output of `encryptString`; `verify_key` (an exported verify key) checks a signed head.
   * @throws {SentcError} `invalid_input` when `data` is not a string; `invalid_encoding` when it is not base64;
   * `invalid_format` when it carries no sentc head or is not UTF-8 after decryption; `decryption_failed` for a wrong key
   * or tampered data; `verification_failed` / `wrong_verify_key` when the signature does not verify;
   * `missing_signature` (with `strict_verify` only).
   * @example
   * const text = key.decryptString(encryptedText);
   */
  decryptString(data: string, verify_key?: string): string {
    if (typeof data !== "string") throw invalidInput("data must be a string");
    const verifyKey =
      verify_key === undefined || verify_key === ""
        ? null
        : this.#verify(verify_key, splitHead(fromBase64(data)).head.sign !== null);
    return decryptStringSymmetric(this.protocolKey(), data, verifyKey);
  }
}

/**
 * `key` when it is a `SymKey`, else `invalid_input` (e.g. for its exported string passed instead).
 * @internal
 * @throws {SentcError} `invalid_input` for anything but a `SymKey`.
 * @example
 * const raw = symKeyArg(content_key).protocolKey();
 */
export function symKeyArg(key: unknown): SymKey {
  if (key instanceof SymKey) return key;
  throw invalidInput("the key must be a SymKey");
}

function fromProtocol(key: ProtocolSymKey, keyId: string, masterKeyId: string, ctx: SymKeyContext): SymKey {
  const exported = exportSymKey({ alg: key.alg, key: key.key, keyId });
  key.key.fill(0);
  return new SymKey(ctx.base_url, ctx.app_token, exported, keyId, masterKeyId, ctx.sign_key);
}

const NO_CONTEXT: SymKeyContext = { base_url: "", app_token: "" };

// ---------- non-registered keys (crypto.md §8) ----------

/**
 * A new key wrapped by the symmetric master key `master_key` (exported; its `key_id` becomes `master_key_id`).
 * Returns the key and `encrypted_key`, the `GeneratedSymKeyHeadServerOutput` JSON to store.
 * @throws {SentcError} `invalid_format` / `invalid_encoding` when `master_key` is not an exported symmetric key;
 * `core_not_initialized` before `Sentc.init()`.
 * @example
 * import { generateNonRegisteredKey } from "sentc-as";
 *
 * const [groupKey] = group.getSymKeyToEncryptSync();
 * const [key, encryptedKey] = generateNonRegisteredKey(groupKey);
 */
export function generateNonRegisteredKey(master_key: string, ctx: SymKeyContext = NO_CONTEXT): [SymKey, string] {
  const master = importSymKey(master_key);
  try {
    const { key, encryptedKey } = generateSymKeyWrappedByMasterKey(master);
    return [fromProtocol(key, NON_REGISTERED_KEY_ID, master.keyId, ctx), encryptedKey];
  } finally {
    master.key.fill(0);
  }
}

/**
 * A new key wrapped by a public key (exported public key whose `key_id` is the public key id, e.g. a user's newest
 * public key): only the holder of the private key can recover it.
 * @throws {SentcError} `invalid_format` / `invalid_encoding` when `public_key` is not an exported public key;
 * `core_not_initialized` before `Sentc.init()`.
 * @example
 * import { generateNonRegisteredKeyByPublicKey } from "sentc-as";
 *
 * const [key, encryptedKey] = generateNonRegisteredKeyByPublicKey(user.getNewestPublicKey());
 */
export function generateNonRegisteredKeyByPublicKey(
  public_key: string,
  ctx: SymKeyContext = NO_CONTEXT,
): [SymKey, string] {
  const publicKey = importPublicKey(public_key);
  const { key, encryptedKey } = generateSymKeyWrappedByPublicKey(publicKey);
  return [fromProtocol(key, NON_REGISTERED_KEY_ID, publicKey.keyId, ctx), encryptedKey];
}

function masterKeyIdOf(encryptedKey: string | Record<string, unknown>): string {
  let info: unknown = encryptedKey;
  if (typeof encryptedKey === "string") {
    try {
      info = JSON.parse(encryptedKey);
    } catch (cause) {
      throw invalidFormat("encrypted_key is not JSON", { cause });
    }
  }
  const id = (info as Record<string, unknown> | null)?.master_key_id;
  if (typeof id !== "string") throw invalidFormat('encrypted_key: "master_key_id" must be a string');
  return id;
}

/**
 * Recovers a key made by `generateNonRegisteredKey` with the same master key (exported).
 * @throws {SentcError} `invalid_format` / `invalid_encoding` when `master_key` or `encrypted_key` is not in sentc's
 * format; `decryption_failed` for a wrong master key or tampered data.
 * @example
 * import { getNonRegisteredKey } from "sentc-as";
 *
 * const key = getNonRegisteredKey(group.getSymKeyByIdSync(masterKeyId), encryptedKey);
 */
export function getNonRegisteredKey(
  master_key: string,
  encrypted_key: string | Record<string, unknown>,
  ctx: SymKeyContext = NO_CONTEXT,
): SymKey {
  const master = importSymKey(master_key);
  try {
    const key = decryptSymKeyByMasterKey(master, encrypted_key);
    return fromProtocol(key, key.keyId, masterKeyIdOf(encrypted_key), ctx);
  } finally {
    master.key.fill(0);
  }
}

/**
 * Recovers a key made by `generateNonRegisteredKeyByPublicKey` with the matching private key (exported).
 * @throws {SentcError} `invalid_format` / `invalid_encoding` when `private_key` or `encrypted_key` is not in sentc's
 * format; `decryption_failed` for a wrong private key or tampered data.
 * @example
 * import { getNonRegisteredKeyByPrivateKey } from "sentc-as";
 *
 * const key = getNonRegisteredKeyByPrivateKey(await user.getPrivateKey(masterKeyId), encryptedKey);
 */
export function getNonRegisteredKeyByPrivateKey(
  private_key: string,
  encrypted_key: string | Record<string, unknown>,
  ctx: SymKeyContext = NO_CONTEXT,
): SymKey {
  const key = decryptSymKeyByPrivateKey(importPrivateKey(private_key), encrypted_key);
  return fromProtocol(key, key.keyId, masterKeyIdOf(encrypted_key), ctx);
}

// ---------- registered keys (api.md §3.7) ----------

/**
 * `POST /keys/sym_key`: a new key wrapped by `master_key` (exported symmetric key), stored on the server. The
 * returned key carries the server's id.
 * @throws {SentcError} `invalid_format` / `invalid_encoding` when `master_key` is not an exported symmetric key;
 * `server` when the server refuses; `network_error` / `timeout` when it cannot be reached.
 * @example
 * import { registerSymKey } from "sentc-as";
 *
 * const [groupKey] = group.getSymKeyToEncryptSync();
 * const key = await registerSymKey(http, await user.getJwt(), groupKey);
 */
export async function registerSymKey(
  http: HttpClient,
  jwt: JwtInput,
  master_key: string,
  sign_key?: string,
  options?: RequestOptions,
): Promise<SymKey> {
  const master = importSymKey(master_key);
  const raw = generateSymKey("");
  let body: string;
  try {
    body = JSON.stringify({
      alg: ALG.aesGcm,
      encrypted_key_string: toBase64(symEncrypt(master.key, raw.key)),
      master_key_id: master.keyId,
    });
  } finally {
    master.key.fill(0);
  }
  try {
    const keyId = await apiRegisterSymKey(http, jwt, body, options);
    return fromProtocol(raw, keyId, JSON.parse(body).master_key_id as string, symKeyContext(http, sign_key));
  } finally {
    raw.key.fill(0);
  }
}

/** Resolves a master key id to the exported symmetric master key (e.g. `group.getSymKeyById`, `user.getUserSymKey`). */
export type MasterKeyResolver = (master_key_id: string) => Promise<string> | string;

async function openEntity(entity: SymKeyEntity, getMasterKey: MasterKeyResolver, ctx: SymKeyContext): Promise<SymKey> {
  const master = importSymKey(await getMasterKey(entity.master_key_id));
  try {
    if (master.keyId !== entity.master_key_id)
      throw new SentcError(
        "key_not_found",
        `master key ${entity.master_key_id} not found (the resolver gave ${master.keyId})`,
        { reference: 14 },
      );
    const key = decryptSymKeyByMasterKey(master, { ...entity });
    return fromProtocol(key, entity.key_id, entity.master_key_id, ctx);
  } finally {
    master.key.fill(0);
  }
}

/**
 * `GET /keys/sym_key/<key_id>` and decryption with the master key it names.
 * @throws {SentcError} `server` (e.g. `server_400` for an unknown key) when the server refuses; `invalid_server_response`
 * when it answers another key; `key_not_found` when the resolver gives another master key; `decryption_failed`;
 * `network_error` / `timeout`.
 * @example
 * import { fetchSymKey } from "sentc-as";
 *
 * const key = await fetchSymKey(http, keyId, (masterKeyId) => group.getSymKeyById(masterKeyId));
 */
export async function fetchSymKey(
  http: HttpClient,
  key_id: string,
  getMasterKey: MasterKeyResolver,
  sign_key?: string,
  options?: RequestOptions,
): Promise<SymKey> {
  const entity = await getSymKey(http, key_id, options);
  if (entity.key_id !== key_id) throw invalidServerResponse("the server answered another sym key than asked for");
  return openEntity(entity, getMasterKey, symKeyContext(http, sign_key));
}

/**
 * `GET /keys/sym_key/master_key/…`: 50 keys wrapped by `master_key_id` after `last` (newest first), decrypted. Also
 * returns the cursor for the next page (`undefined` when the page was empty).
 * @throws {SentcError} `server` when the server refuses; `key_not_found` when the resolver gives another master key;
 * `decryption_failed`; `invalid_server_response` for a malformed list; `network_error` / `timeout`.
 * @example
 * import { fetchSymKeysByMasterKey } from "sentc-as";
 *
 * const [keys, next] = await fetchSymKeysByMasterKey(http, groupKeyId, (id) => group.getSymKeyById(id));
 */
export async function fetchSymKeysByMasterKey(
  http: HttpClient,
  master_key_id: string,
  getMasterKey: MasterKeyResolver,
  last?: { time: number; key_id: string } | null,
  sign_key?: string,
  options?: RequestOptions,
): Promise<[SymKey[], { time: number; key_id: string } | undefined]> {
  const entities = await getSymKeysByMasterKey(
    http,
    master_key_id,
    last ? { time: last.time, id: last.key_id } : null,
    options,
  );
  const ctx = symKeyContext(http, sign_key);
  const keys: SymKey[] = [];
  for (const entity of entities) keys.push(await openEntity(entity, getMasterKey, ctx));
  const tail = entities[entities.length - 1];
  return [keys, tail === undefined ? undefined : { time: tail.time, key_id: tail.key_id }];
}

/**
 * `DELETE /keys/sym_key/<key_id>` (only the creator's keys).
 * @throws {SentcError} `server` (e.g. `server_400`) when the server refuses; `network_error` / `timeout`.
 * @example
 * import { deleteSymKey } from "sentc-as";
 *
 * await deleteSymKey(http, await user.getJwt(), key.key_id);
 */
export async function deleteSymKey(
  http: HttpClient,
  jwt: JwtInput,
  key_id: string,
  options?: RequestOptions,
): Promise<void> {
  await apiDeleteSymKey(http, jwt, key_id, options);
}
