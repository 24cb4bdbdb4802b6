/**
 * The encrypted-data head (spec crypto.md §5): `UTF8(JSON(EncryptedHead)) ‖ 0x00 ‖ payload`, where
 * `EncryptedHead = {"id":<key id>,"sign":null|{"id":<sign key id>,"alg":<sign alg>}}`.
 */
import { invalidFormat, invalidInput } from "../errors.js";
import { isRecord, parseJson, stringField } from "./json.js";

export interface SignHead {
  id: string;
  alg: string;
}
export interface EncryptedHead {
  id: string;
  sign: SignHead | null;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** The head as sentc serialises it: fields in declaration order, `sign: null` written explicitly. */
export function serializeHead(head: EncryptedHead): string {
  const sign = head.sign === null ? null : { id: head.sign.id, alg: head.sign.alg };
  return JSON.stringify({ id: head.id, sign });
}

/** Parses a head JSON string; a missing `sign` means unsigned, unknown fields are ignored. */
export function parseHead(json: string): EncryptedHead {
  const value = parseJson(json, "head");
  if (!isRecord(value)) throw invalidFormat("head: expected a JSON object");
  const id = stringField(value, "id", "head");
  const sign = value.sign;
  if (sign === undefined || sign === null) return { id, sign: null };
  if (!isRecord(sign)) throw invalidFormat("head: sign must be an object or null");
  return { id, sign: { id: stringField(sign, "id", "head.sign"), alg: stringField(sign, "alg", "head.sign") } };
}

/** Puts the head in front of a payload: head JSON ‖ 0x00 ‖ payload. */
export function joinHead(head: EncryptedHead, payload: Uint8Array): Uint8Array {
  const headBytes = utf8Encoder.encode(serializeHead(head));
  const out = new Uint8Array(headBytes.length + 1 + payload.length);
  out.set(headBytes, 0);
  out.set(payload, headBytes.length + 1);
  return out;
}

/** Splits at the first 0x00 (sentc panics without one; we throw `invalid_format`). */
export function splitHead(data: Uint8Array): { head: EncryptedHead; payload: Uint8Array } {
  if (!(data instanceof Uint8Array)) throw invalidInput("encrypted data must be a Uint8Array");
  const zero = data.indexOf(0);
  if (zero < 0) throw invalidFormat("encrypted data has no head separator (0x00)");
  let headText: string;
  try {
    headText = utf8Decoder.decode(data.subarray(0, zero));
  } catch (cause) {
    throw invalidFormat("head is not UTF-8", { cause });
  }
  return { head: parseHead(headText), payload: data.subarray(zero + 1) };
}
