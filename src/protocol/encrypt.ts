/**
 * Encrypted data with sentc's head (spec crypto.md §5), for symmetric keys (AES-GCM, §3.1) and public
 * keys (ECIES, §3.2), each in three variants:
 * - raw:    the head JSON string and `[sig ‖] body` returned separately;
 * - bytes:  `head JSON ‖ 0x00 ‖ [sig ‖] body`;
 * - string: standard base64 of the bytes variant of UTF-8 text.
 * The optional signature covers exactly `body` (the ciphertext).
 */
import { SentcError, invalidFormat, invalidInput } from "../errors.js";
import { symDecrypt, symEncrypt } from "./aead.js";
import { ALG } from "./algorithms.js";
import { decryptWithPrivateKey, encryptWithPublicKey } from "./kem.js";
import { fromBase64, toBase64 } from "./encoding.js";
import { joinHead, parseHead, serializeHead, splitHead, type EncryptedHead } from "./head.js";
import type { PrivateKey, PublicKey, SignKey, SymKey, VerifyKey } from "./keys.js";
import { signOnly, splitSignature, verifyOnly } from "./signature.js";

export interface RawEncrypted {
  /** The EncryptedHead JSON string. */
  head: string;
  /** `[sig ‖] body`, without the head. */
  data: Uint8Array;
}

/** How one kind of key seals and opens a body, and which key id goes into the head. */
interface Sealer {
  keyId: string;
  seal(plaintext: Uint8Array): Uint8Array;
}
interface Opener {
  open(body: Uint8Array): Uint8Array;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

function symSealer(key: SymKey): Sealer & Opener {
  if (key?.alg !== ALG.aesGcm) throw invalidInput("expected an AES-GCM-256 symmetric key", { reference: 109 });
  return { keyId: key.keyId, seal: (pt) => symEncrypt(key.key, pt), open: (body) => symDecrypt(key.key, body) };
}

function publicSealer(key: PublicKey): Sealer {
  if (typeof key?.keyId !== "string") throw invalidInput("expected a public key", { reference: 109 });
  return { keyId: key.keyId, seal: (pt) => encryptWithPublicKey(key, pt) };
}

function privateOpener(key: PrivateKey): Opener {
  return { open: (body) => decryptWithPrivateKey(key, body) };
}

function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidInput(`${what} must be a Uint8Array`);
}

function sealRaw(sealer: Sealer, plaintext: Uint8Array, signKey: SignKey | null | undefined): RawEncrypted {
  assertBytes(plaintext, "plaintext");
  const body = sealer.seal(plaintext);
  if (!signKey) return { head: serializeHead({ id: sealer.keyId, sign: null }), data: body };
  const signature = signOnly(signKey, body);
  const data = new Uint8Array(signature.length + body.length);
  data.set(signature, 0);
  data.set(body, signature.length);
  return { head: serializeHead({ id: sealer.keyId, sign: { id: signKey.keyId, alg: signKey.alg } }), data };
}

/** Decrypt steps 1–3 of crypto.md §5. */
function openRaw(
  opener: Opener,
  head: EncryptedHead,
  payload: Uint8Array,
  verifyKey: VerifyKey | null | undefined,
): Uint8Array {
  if (head.sign === null) return opener.open(payload);
  const { signature, data } = splitSignature(head.sign.alg, payload);
  if (verifyKey) {
    if (verifyKey.keyId !== head.sign.id) {
      throw new SentcError("wrong_verify_key", "the data was signed by another key than the verify key given");
    }
    if (verifyKey.alg !== head.sign.alg || !verifyOnly(verifyKey, signature, data)) {
      throw new SentcError("verification_failed", "the signature does not verify");
    }
  }
  return opener.open(data);
}

function toBytes(raw: RawEncrypted): Uint8Array {
  return joinHead(parseHead(raw.head), raw.data);
}

function textBytes(text: string): Uint8Array {
  if (typeof text !== "string") throw invalidInput("text must be a string");
  return utf8Encoder.encode(text);
}

function bytesText(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw invalidFormat("the decrypted data is not UTF-8 text", { cause, reference: 10 });
  }
}

// Symmetric ---------------------------------------------------------------------------------------------

export function encryptRawSymmetric(key: SymKey, plaintext: Uint8Array, signKey?: SignKey | null): RawEncrypted {
  return sealRaw(symSealer(key), plaintext, signKey);
}
export function decryptRawSymmetric(
  key: SymKey,
  head: string,
  data: Uint8Array,
  verifyKey?: VerifyKey | null,
): Uint8Array {
  assertBytes(data, "data");
  return openRaw(symSealer(key), parseHead(head), data, verifyKey);
}
export function encryptSymmetric(key: SymKey, plaintext: Uint8Array, signKey?: SignKey | null): Uint8Array {
  return toBytes(encryptRawSymmetric(key, plaintext, signKey));
}
export function decryptSymmetric(key: SymKey, encrypted: Uint8Array, verifyKey?: VerifyKey | null): Uint8Array {
  const { head, payload } = splitHead(encrypted);
  return openRaw(symSealer(key), head, payload, verifyKey);
}
export function encryptStringSymmetric(key: SymKey, text: string, signKey?: SignKey | null): string {
  return toBase64(encryptSymmetric(key, textBytes(text), signKey));
}
export function decryptStringSymmetric(key: SymKey, encrypted: string, verifyKey?: VerifyKey | null): string {
  return bytesText(decryptSymmetric(key, fromBase64(encrypted), verifyKey));
}

// Asymmetric --------------------------------------------------------------------------------------------

export function encryptRawAsymmetric(
  recipient: PublicKey,
  plaintext: Uint8Array,
  signKey?: SignKey | null,
): RawEncrypted {
  return sealRaw(publicSealer(recipient), plaintext, signKey);
}
export function decryptRawAsymmetric(
  key: PrivateKey,
  head: string,
  data: Uint8Array,
  verifyKey?: VerifyKey | null,
): Uint8Array {
  assertBytes(data, "data");
  return openRaw(privateOpener(key), parseHead(head), data, verifyKey);
}
export function encryptAsymmetric(recipient: PublicKey, plaintext: Uint8Array, signKey?: SignKey | null): Uint8Array {
  return toBytes(encryptRawAsymmetric(recipient, plaintext, signKey));
}
export function decryptAsymmetric(key: PrivateKey, encrypted: Uint8Array, verifyKey?: VerifyKey | null): Uint8Array {
  const { head, payload } = splitHead(encrypted);
  return openRaw(privateOpener(key), head, payload, verifyKey);
}
export function encryptStringAsymmetric(recipient: PublicKey, text: string, signKey?: SignKey | null): string {
  return toBase64(encryptAsymmetric(recipient, textBytes(text), signKey));
}
export function decryptStringAsymmetric(key: PrivateKey, encrypted: string, verifyKey?: VerifyKey | null): string {
  return bytesText(decryptAsymmetric(key, fromBase64(encrypted), verifyKey));
}
