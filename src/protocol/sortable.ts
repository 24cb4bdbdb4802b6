/**
 * Sortable encryption (spec crypto.md §10): sentc's OPE-16 of a small number, or of the first four UTF-8
 * bytes of a string, so that ciphertexts sort like their plaintexts. Deterministic: equal inputs give
 * equal outputs. Outputs are integers below 2^32 (sentc's wasm API hands them out as u64).
 */
import { invalidInput } from "../errors.js";
import { ALG } from "./algorithms.js";
import type { SortableKey } from "./keys.js";
import { opeEncrypt } from "./ope/ope.js";

/** Largest number sentc accepts (its check is stricter than the OPE domain, 65534). */
export const SORTABLE_MAX_NUMBER = 65532;
/** Strings are cut or padded with '*' to this many UTF-8 bytes (max_len of sentc's wasm API). */
export const SORTABLE_STRING_BYTES = 4;

/** `SortableEncryptOutput`: the ciphertext with the key's algorithm and id. */
export interface SortableEncryptOutput {
  number: number;
  alg: string;
  key_id: string;
}

const utf8 = new TextEncoder();

function sortableKeyBytes(key: SortableKey): Uint8Array {
  if (key?.alg !== ALG.ope || !(key.key instanceof Uint8Array) || key.key.length !== 16) {
    throw invalidInput("expected an OPE-16 sortable key", { reference: 109 });
  }
  return key.key;
}

function plainNumber(n: number | bigint): number {
  if (typeof n === "bigint") {
    if (n < 0n || n > BigInt(SORTABLE_MAX_NUMBER)) {
      throw invalidInput(`sortable numbers must be between 0 and ${SORTABLE_MAX_NUMBER}`, {
        reference: 61,
      });
    }
    return Number(n);
  }
  if (typeof n !== "number" || !Number.isInteger(n))
    throw invalidInput("a sortable number must be an integer", { reference: 62 });
  if (n < 0 || n > SORTABLE_MAX_NUMBER) {
    throw invalidInput(`sortable numbers must be between 0 and ${SORTABLE_MAX_NUMBER}`, {
      reference: 61,
    });
  }
  return n;
}

/** `sortable_encrypt_raw_number`: OPE of an integer 0..65532. */
export function encryptSortableRawNumber(key: SortableKey, n: number | bigint): number {
  const raw = sortableKeyBytes(key);
  return opeEncrypt(raw, plainNumber(n));
}

/** `sortable_encrypt_number`: `SortableEncryptOutput {number, alg, key_id}`. */
export function encryptSortableNumber(key: SortableKey, n: number | bigint): SortableEncryptOutput {
  return { number: encryptSortableRawNumber(key, n), alg: key.alg, key_id: key.keyId };
}

/**
 * sentc's string-to-number map: the string cut to its first 4 UTF-8 bytes or padded with '*' to 4
 * bytes, its code points folded as n*256 + c (wrapping at 2^64), divided by 65534. A cut inside a
 * multi-byte character, where sentc panics, is rejected.
 */
export function sortableStringToNumber(s: string): number {
  if (typeof s !== "string") throw invalidInput("sortable data must be a string");
  const bytes = utf8.encode(s);
  let text = s;
  if (bytes.length > SORTABLE_STRING_BYTES) {
    // A UTF-8 continuation byte (10xxxxxx) right after the cut means the cut splits a character.
    if ((bytes[SORTABLE_STRING_BYTES]! & 0xc0) === 0x80) {
      throw invalidInput(
        `sortable strings are cut after ${SORTABLE_STRING_BYTES} UTF-8 bytes, which here splits a character`,
        { reference: 62 },
      );
    }
    text = new TextDecoder().decode(bytes.subarray(0, SORTABLE_STRING_BYTES));
  } else if (bytes.length < SORTABLE_STRING_BYTES) {
    text = s + "*".repeat(SORTABLE_STRING_BYTES - bytes.length);
  }
  let value = 0n;
  for (const ch of text) value = BigInt.asUintN(64, value * 256n + BigInt(ch.codePointAt(0)!));
  return Number(value / 65534n);
}

/** `sortable_encrypt_raw_string`: OPE of the string's number (see sortableStringToNumber). */
export function encryptSortableRawString(key: SortableKey, s: string): number {
  const raw = sortableKeyBytes(key);
  return opeEncrypt(raw, plainNumber(sortableStringToNumber(s)));
}

/** `sortable_encrypt_string`: `SortableEncryptOutput {number, alg, key_id}`. */
export function encryptSortableString(key: SortableKey, s: string): SortableEncryptOutput {
  return { number: encryptSortableRawString(key, s), alg: key.alg, key_id: key.keyId };
}
