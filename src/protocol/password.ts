/**
 * sentc's password hashing `ARGON-2-SHA256` (spec crypto.md §3.6), with the parameters of the published
 * sentc_wasm 0.15 (§0.2): Argon2id v0x13, m = 4096 KiB, t = 3, p = 1, 64-byte output.
 */
import { argon2id, randomBytes, sha256 } from "../core/index.js";
import { SentcError, invalidInput } from "../errors.js";
import { ALG } from "./algorithms.js";

export const ARGON2_PARAMS = { memoryKib: 4096, iterations: 3, parallelism: 1, length: 64 } as const;
export const CLIENT_RANDOM_VALUE_BYTES = 16;
const SALT_STRING_BYTES = 200;
const utf8 = new TextEncoder();

export interface DerivedKeys {
  /** out[0..32]: the AES-256-GCM key that wraps the master key. */
  masterKeyEncryptionKey: Uint8Array;
  /** out[32..64]: sent to the server at login. */
  authKey: Uint8Array;
}

/**
 * `SHA256(("sentc" ‖ addStr) padded with 'P' to 200 bytes ‖ clientRandomValue)` (§3.6). A longer prefix is
 * not truncated, as in sentc.
 */
export function generateSalt(clientRandomValue: Uint8Array, addStr = ""): Uint8Array {
  const prefix = utf8.encode(`sentc${addStr}`);
  const padded = new Uint8Array(Math.max(SALT_STRING_BYTES, prefix.length) + clientRandomValue.length);
  padded.fill(0x50 /* 'P' */, prefix.length, padded.length - clientRandomValue.length);
  padded.set(prefix, 0);
  padded.set(clientRandomValue, padded.length - clientRandomValue.length);
  return sha256(padded);
}

/** Argon2id over the UTF-8 password and the salt, split into the two 32-byte keys. */
export function deriveKeys(password: string, salt: Uint8Array, alg: string = ALG.argon2): DerivedKeys {
  if (alg !== ALG.argon2) throw new SentcError("unsupported_algorithm", `unknown password hashing alg "${alg}"`);
  if (typeof password !== "string") throw invalidInput("the password must be a string");
  const out = argon2id({ password: utf8.encode(password), salt, ...ARGON2_PARAMS });
  const keys = { masterKeyEncryptionKey: out.slice(0, 32), authKey: out.slice(32, 64) };
  out.fill(0);
  return keys;
}

/** What the server stores to check the auth key: `SHA256(authKey)[0..16]`. */
export function hashAuthKey(authKey: Uint8Array): Uint8Array {
  return sha256(authKey).slice(0, 16);
}

/** A fresh client random value with its salt and derived keys (register, password change and reset). */
export function deriveFromNewRandomValue(password: string): DerivedKeys & { clientRandomValue: Uint8Array } {
  const clientRandomValue = randomBytes(CLIENT_RANDOM_VALUE_BYTES);
  return { clientRandomValue, ...deriveKeys(password, generateSalt(clientRandomValue)) };
}
