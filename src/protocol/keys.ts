/**
 * sentc's key export formats (spec crypto.md §4): externally tagged JSON enums whose `key` (or hybrid
 * `x`/`k`) fields hold the raw key bytes in canonical base64. Export writes fields in sentc's declaration
 * order so the text is byte-identical; import tolerates unknown fields and reordering, and checks every
 * length.
 */
import { referenceScope, type ReferenceNumber, invalidFormat, invalidInput } from "../errors.js";
import { ALG, PQ_SIZES } from "./algorithms.js";
import { fromBase64, toBase64 } from "./encoding.js";
import { isRecord, parseJson, stringField } from "./json.js";

/** A single-part key: `{"<Tag>":{"key":"<b64>","key_id":"<id>"}}`. */
export interface SingleKey<Alg extends string> {
  alg: Alg;
  key: Uint8Array;
  keyId: string;
}
/** A hybrid key: `{"<Tag>":{"x":"<b64>","k":"<b64>","key_id":"<id>"}}`. */
export interface HybridKey<Alg extends string> {
  alg: Alg;
  x: Uint8Array;
  k: Uint8Array;
  keyId: string;
}

export type SymKey = SingleKey<typeof ALG.aesGcm>;
export type HmacKey = SingleKey<typeof ALG.hmacSha256>;
export type SortableKey = SingleKey<typeof ALG.ope>;
export type PrivateKey =
  | SingleKey<typeof ALG.ecies>
  | SingleKey<typeof ALG.kyber>
  | HybridKey<typeof ALG.eciesKyberHybrid>;
export type PublicKey = PrivateKey;
export type SignKey =
  | SingleKey<typeof ALG.ed25519>
  | SingleKey<typeof ALG.dilithium>
  | HybridKey<typeof ALG.ed25519DilithiumHybrid>;
export type VerifyKey = SignKey;

type Layout = { tag: string; alg: string } & ({ key: number } | { x: number; k: number });

const SYM: Layout[] = [{ tag: "Aes", alg: ALG.aesGcm, key: 32 }];
const HMAC: Layout[] = [{ tag: "HmacSha256", alg: ALG.hmacSha256, key: 32 }];
const SORTABLE: Layout[] = [{ tag: "Ope16", alg: ALG.ope, key: 16 }];
const PRIVATE: Layout[] = [
  { tag: "Ecies", alg: ALG.ecies, key: 32 },
  { tag: "Kyber", alg: ALG.kyber, key: PQ_SIZES.kyberSecretKey },
  { tag: "EciesKyberHybrid", alg: ALG.eciesKyberHybrid, x: 32, k: PQ_SIZES.kyberSecretKey },
];
const PUBLIC: Layout[] = [
  { tag: "Ecies", alg: ALG.ecies, key: 32 },
  { tag: "Kyber", alg: ALG.kyber, key: PQ_SIZES.kyberPublicKey },
  { tag: "EciesKyberHybrid", alg: ALG.eciesKyberHybrid, x: 32, k: PQ_SIZES.kyberPublicKey },
];
const SIGN: Layout[] = [
  { tag: "Ed25519", alg: ALG.ed25519, key: 32 },
  { tag: "Dilithium", alg: ALG.dilithium, key: PQ_SIZES.dilithiumSecretKey },
  { tag: "Ed25519DilithiumHybrid", alg: ALG.ed25519DilithiumHybrid, x: 32, k: PQ_SIZES.dilithiumSecretKey },
];
const VERIFY: Layout[] = [
  { tag: "Ed25519", alg: ALG.ed25519, key: 32 },
  { tag: "Dilithium", alg: ALG.dilithium, key: PQ_SIZES.dilithiumPublicKey },
  { tag: "Ed25519DilithiumHybrid", alg: ALG.ed25519DilithiumHybrid, x: 32, k: PQ_SIZES.dilithiumPublicKey },
];

function decodePart(body: Record<string, unknown>, field: string, length: number, what: string): Uint8Array {
  const bytes = fromBase64(stringField(body, field, what));
  if (bytes.length !== length) {
    throw invalidFormat(`${what}: "${field}" must be ${length} bytes, got ${bytes.length}`, {
      reference: 30,
    });
  }
  return bytes;
}

/**
 * The reference's error numbers for a key export it cannot import (checked against sentc_wasm 0.15): any JSON
 * or shape problem is client_109, bad base64 in the key is the per-kind import error, a wrong length client_30.
 */
const IMPORT_BASE64_REFERENCE = {
  sym: 112,
  hmac: 112,
  sortable: 112,
  private: 111,
  public: 113,
  sign: 110,
  verify: 114,
} as const satisfies Record<string, ReferenceNumber<"invalid_encoding">>;

function importKey(
  json: string,
  layouts: Layout[],
  what: string,
  kind: keyof typeof IMPORT_BASE64_REFERENCE,
): SingleKey<string> | HybridKey<string> {
  return referenceScope(
    { invalid_format: 109, invalid_encoding: IMPORT_BASE64_REFERENCE[kind], invalid_input: 109 },
    () => parseKey(json, layouts, what),
  );
}

function parseKey(json: string, layouts: Layout[], what: string): SingleKey<string> | HybridKey<string> {
  const value = parseJson(json, what);
  if (!isRecord(value) || Object.keys(value).length !== 1) {
    throw invalidFormat(`${what}: expected one tagged object like {"${layouts[0]!.tag}":{…}}`);
  }
  const [tag, body] = Object.entries(value)[0]!;
  const layout = layouts.find((l) => l.tag === tag);
  if (!layout) throw invalidFormat(`${what}: unknown key type "${tag}"`);
  if (!isRecord(body)) throw invalidFormat(`${what}: "${tag}" must hold an object`);
  const keyId = stringField(body, "key_id", what);
  if ("key" in layout) return { alg: layout.alg, key: decodePart(body, "key", layout.key, what), keyId };
  return { alg: layout.alg, x: decodePart(body, "x", layout.x, what), k: decodePart(body, "k", layout.k, what), keyId };
}

/** The raw parts of a key: `key` for single keys, `x` and `k` for hybrid ones. */
export type KeyParts = { key: Uint8Array } | { x: Uint8Array; k: Uint8Array };

function keyFromParts(
  layouts: Layout[],
  alg: string,
  parts: KeyParts,
  keyId: string,
  what: string,
): SingleKey<string> | HybridKey<string> {
  const layout = layouts.find((l) => l.alg === alg);
  if (!layout) throw invalidFormat(`${what}: unknown alg "${alg}"`, { reference: 1 });
  const check = (bytes: Uint8Array | undefined, length: number, field: string): Uint8Array => {
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      throw invalidFormat(`${what}: "${field}" must be ${length} bytes`);
    }
    return bytes;
  };
  if ("key" in layout) return { alg, key: check((parts as { key?: Uint8Array }).key, layout.key, "key"), keyId };
  const hybrid = parts as { x?: Uint8Array; k?: Uint8Array };
  return { alg, x: check(hybrid.x, layout.x, "x"), k: check(hybrid.k, layout.k, "k"), keyId };
}

/**
 * Interprets the raw bytes sentc encrypts for a key (crypto.md §3.7): the key itself for single keys,
 * `x ‖ k` for hybrid keys, by the key's alg.
 */
function keyFromRaw(
  layouts: Layout[],
  alg: string,
  raw: Uint8Array,
  keyId: string,
  what: string,
): SingleKey<string> | HybridKey<string> {
  const layout = layouts.find((l) => l.alg === alg);
  if (!layout) throw invalidFormat(`${what}: unknown alg "${alg}"`, { reference: 1 });
  // A decrypted key of the wrong length: the reference's "can't decrypt the key" (client_30).
  if ("key" in layout)
    return referenceScope({ invalid_format: 30 }, () => keyFromParts(layouts, alg, { key: raw }, keyId, what));
  if (raw.length !== layout.x + layout.k)
    throw invalidFormat(`${what}: ${layout.x + layout.k} bytes expected`, { reference: 30 });
  return referenceScope({ invalid_format: 30 }, () =>
    keyFromParts(layouts, alg, { x: raw.slice(0, layout.x), k: raw.slice(layout.x) }, keyId, what),
  );
}

export const privateKeyFromRaw = (alg: string, raw: Uint8Array, keyId: string) =>
  keyFromRaw(PRIVATE, alg, raw, keyId, "private key") as PrivateKey;
export const signKeyFromRaw = (alg: string, raw: Uint8Array, keyId: string) =>
  keyFromRaw(SIGN, alg, raw, keyId, "sign key") as SignKey;
export const symKeyFromRaw = (alg: string, raw: Uint8Array, keyId: string) =>
  keyFromRaw(SYM, alg, raw, keyId, "symmetric key") as SymKey;
export const hmacKeyFromRaw = (alg: string, raw: Uint8Array, keyId: string) =>
  keyFromRaw(HMAC, alg, raw, keyId, "hmac key") as HmacKey;
export const sortableKeyFromRaw = (alg: string, raw: Uint8Array, keyId: string) =>
  keyFromRaw(SORTABLE, alg, raw, keyId, "sortable key") as SortableKey;

export const publicKeyFromParts = (alg: string, parts: KeyParts, keyId: string) =>
  keyFromParts(PUBLIC, alg, parts, keyId, "public key") as PublicKey;
export const verifyKeyFromParts = (alg: string, parts: KeyParts, keyId: string) =>
  keyFromParts(VERIFY, alg, parts, keyId, "verify key") as VerifyKey;

function exportKey(key: SingleKey<string> | HybridKey<string>, layouts: Layout[], what: string): string {
  const layout = layouts.find((l) => l.alg === key.alg);
  if (!layout) throw invalidInput(`${what}: unknown alg "${key.alg}"`);
  const check = (bytes: unknown, length: number, field: string): string => {
    if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
      throw invalidInput(`${what}: "${field}" must be ${length} bytes`);
    }
    return toBase64(bytes);
  };
  if (typeof key.keyId !== "string") throw invalidInput(`${what}: keyId must be a string`);
  // Field order as sentc declares it: key (or x, k), then key_id.
  const body =
    "key" in layout
      ? { key: check((key as SingleKey<string>).key, layout.key, "key"), key_id: key.keyId }
      : {
          x: check((key as HybridKey<string>).x, layout.x, "x"),
          k: check((key as HybridKey<string>).k, layout.k, "k"),
          key_id: key.keyId,
        };
  return JSON.stringify({ [layout.tag]: body });
}

export const importSymKey = (json: string) => importKey(json, SYM, "symmetric key", "sym") as SymKey;
export const exportSymKey = (key: SymKey) => exportKey(key, SYM, "symmetric key");
export const importHmacKey = (json: string) => importKey(json, HMAC, "hmac key", "hmac") as HmacKey;
export const exportHmacKey = (key: HmacKey) => exportKey(key, HMAC, "hmac key");
export const importSortableKey = (json: string) => importKey(json, SORTABLE, "sortable key", "sortable") as SortableKey;
export const exportSortableKey = (key: SortableKey) => exportKey(key, SORTABLE, "sortable key");
export const importPrivateKey = (json: string) => importKey(json, PRIVATE, "private key", "private") as PrivateKey;
export const exportPrivateKey = (key: PrivateKey) => exportKey(key, PRIVATE, "private key");
export const importPublicKey = (json: string) => importKey(json, PUBLIC, "public key", "public") as PublicKey;
export const exportPublicKey = (key: PublicKey) => exportKey(key, PUBLIC, "public key");
export const importSignKey = (json: string) => importKey(json, SIGN, "sign key", "sign") as SignKey;
export const exportSignKey = (key: SignKey) => exportKey(key, SIGN, "sign key");
export const importVerifyKey = (json: string) => importKey(json, VERIFY, "verify key", "verify") as VerifyKey;
export const exportVerifyKey = (key: VerifyKey) => exportKey(key, VERIFY, "verify key");

/** The derived master-key-encryption key of the MFA login path: `{"Argon2":"<b64 32 bytes>"}`. */
export function exportMasterKeyFormat(key: Uint8Array): string {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw invalidInput("master key format: 32 bytes expected");
  return JSON.stringify({ Argon2: toBase64(key) });
}
export function importMasterKeyFormat(json: string): Uint8Array {
  const value = parseJson(json, "master key format");
  if (!isRecord(value) || typeof value.Argon2 !== "string")
    throw invalidFormat('master key format: expected {"Argon2":"…"}');
  const key = fromBase64(value.Argon2);
  if (key.length !== 32) throw invalidFormat("master key format: 32 bytes expected");
  return key;
}
