/**
 * Safety numbers (spec crypto.md §6.6): `base64url(SHA256(vk ‖ id))` for one user, or both users' pairs in
 * a fixed order for two: ids are compared as UTF-8 bytes, as Rust compares `&str`.
 */
import { sha256 } from "../core/index.js";
import { concatBytes } from "../core/bytes.js";
import { invalidInput } from "../errors.js";
import { toBase64Url } from "./encoding.js";
import { rawKeyBytes } from "./keypairs.js";
import type { VerifyKey } from "./keys.js";

const utf8 = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function createSafetyNumber(
  verifyKey: VerifyKey,
  userId: string,
  otherVerifyKey?: VerifyKey | null,
  otherUserId?: string | null,
): string {
  if (typeof userId !== "string") throw invalidInput("the user id must be a string");
  const first = [rawKeyBytes(verifyKey), utf8.encode(userId)] as const;
  if (!otherVerifyKey) return toBase64Url(sha256(concatBytes([...first])));
  if (typeof otherUserId !== "string") throw invalidInput("the other user id must be a string");
  const second = [rawKeyBytes(otherVerifyKey), utf8.encode(otherUserId)] as const;
  // Rust: `if id2 > id1 { (1, 2) } else { (2, 1) }`.
  const ordered = compareBytes(second[1], first[1]) > 0 ? [...first, ...second] : [...second, ...first];
  return toBase64Url(sha256(concatBytes(ordered)));
}
