/**
 * The few cryptographic steps the server does itself: hashing of tokens and identifiers, random tokens,
 * ids, the ES384 key handling for JWTs. The sentc formats (challenge encryption, key rotation) come from
 * src/protocol.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from "node:crypto";
import { v7 as uuidv7, validate as uuidValidate, version as uuidVersion } from "uuid";

export const newId = (): string => uuidv7();

/** sentc's id check (api.md §1.7): a UUID of version 4 or 7. */
export function isUuid(value: unknown): value is string {
  if (typeof value !== "string" || !uuidValidate(value)) return false;
  const v = uuidVersion(value);
  return v === 4 || v === 7;
}

export function sha256(data: Uint8Array | string): Buffer {
  return createHash("sha256").update(data).digest();
}

/** base64(SHA-256(utf8(text))): how identifiers, refresh tokens and challenges are stored. */
export const hashText = (text: string): string => sha256(text).toString("base64");

/** Strict standard base64 with padding (what sentc's tokens and keys use); null when not canonical. */
export function decodeBase64Strict(text: string): Buffer | null {
  if (typeof text !== "string" || text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    return null;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : null;
}

/** An app token is stored as base64(SHA-256(base64-decoded token)) (api.md §2.2). */
export function hashAppToken(token: string): string | null {
  const bytes = decodeBase64Strict(token);
  return bytes ? sha256(bytes).toString("base64") : null;
}

export const randomBase64 = (size: number): string => randomBytes(size).toString("base64");
export const randomBase64Url = (size: number): string => randomBytes(size).toString("base64url");

/** Constant-time comparison of two byte strings (false for different lengths, without early exit on content). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

export interface Es384KeyPair {
  /** base64 PKCS#8 DER. */
  signKey: string;
  /** base64 raw uncompressed point, 97 bytes (sentc's format). */
  verifyKey: string;
}

export function generateEs384KeyPair(): Es384KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  return {
    signKey: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    verifyKey: rawPointOf(publicKey).toString("base64"),
  };
}

function rawPointOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? "", "base64url"),
    Buffer.from(jwk.y ?? "", "base64url"),
  ]);
}

export function importSignKey(pkcs8Base64: string): KeyObject {
  const key = createPrivateKey({ key: Buffer.from(pkcs8Base64, "base64"), format: "der", type: "pkcs8" });
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "secp384r1")
    throw new Error("the JWT sign key must be a P-384 key");
  return key;
}

export function importVerifyKey(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, "base64");
  if (raw.length !== 97 || raw[0] !== 4) throw new Error("the JWT verify key must be a raw uncompressed P-384 point");
  return createPublicKey({
    key: {
      kty: "EC",
      crv: "P-384",
      x: raw.subarray(1, 49).toString("base64url"),
      y: raw.subarray(49).toString("base64url"),
    },
    format: "jwk",
  });
}

/** The verify key of a sign key, in sentc's raw format. */
export function verifyKeyOf(pkcs8Base64: string): string {
  return rawPointOf(createPublicKey(importSignKey(pkcs8Base64))).toString("base64");
}
