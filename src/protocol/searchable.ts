/**
 * Searchable encryption (spec crypto.md §9): HMAC-SHA256 hashes, base64url without padding, of the whole
 * value or of its UTF-8 byte prefixes. sentc's off-by-one is kept on purpose so hashes match: with a
 * `limit` below the length there are `limit + 1` prefixes.
 */
import { hmacSha256 } from "../core/index.js";
import { invalidInput } from "../errors.js";
import { ALG } from "./algorithms.js";
import { toBase64Url } from "./encoding.js";
import type { HmacKey } from "./keys.js";

export const SEARCHABLE_MAX_BYTES = 200;
const utf8 = new TextEncoder();

function hmacKeyBytes(key: HmacKey): Uint8Array {
  if (key?.alg !== ALG.hmacSha256) throw invalidInput("expected an HMAC-SHA256 key", { reference: 109 });
  return key.key;
}

function hash(key: Uint8Array, bytes: Uint8Array): string {
  return toBase64Url(hmacSha256(key, bytes));
}

/** `create_searchable_raw`: the hashes only. */
export function createSearchableRaw(key: HmacKey, data: string, full: boolean, limit?: number | null): string[] {
  const raw = hmacKeyBytes(key);
  if (typeof data !== "string") throw invalidInput("searchable data must be a string");
  if (data.length === 0) throw invalidInput("searchable data must not be empty", { reference: 301 });
  const bytes = utf8.encode(data);
  if (full) return [hash(raw, bytes)];
  if (limit !== undefined && limit !== null && (!Number.isInteger(limit) || limit < 0)) {
    throw invalidInput("limit must be a non-negative integer");
  }
  const max = Math.min(limit ?? bytes.length, bytes.length);
  if (max > SEARCHABLE_MAX_BYTES) {
    throw invalidInput(`searchable data is limited to ${SEARCHABLE_MAX_BYTES} bytes; pass full or a limit`, {
      reference: 300,
    });
  }
  const hashes: string[] = [];
  for (let i = 0; i <= max && i < bytes.length; i++) hashes.push(hash(raw, bytes.subarray(0, i + 1)));
  return hashes;
}

/** `create_searchable`: `SearchableCreateOutput {hashes, alg, key_id}`. */
export function createSearchable(key: HmacKey, data: string, full: boolean, limit?: number | null) {
  return { hashes: createSearchableRaw(key, data, full, limit), alg: key.alg, key_id: key.keyId };
}

/** `search`: the hash to look up. */
export function search(key: HmacKey, data: string): string {
  if (typeof data !== "string") throw invalidInput("search data must be a string");
  if (data.length === 0) throw invalidInput("search data must not be empty", { reference: 301 });
  return hash(hmacKeyBytes(key), utf8.encode(data));
}
