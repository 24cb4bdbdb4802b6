import { EXPORTED_GLOBAL, exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/**
 * The exports of assembly/abi/hash.ts: SHA-256 and SHA-512 (assembly/sha256.ts, assembly/sha512.ts; one-shot
 * and streaming over a host-held state), HMAC (assembly/hmac.ts) and HKDF-SHA256 (assembly/hkdf.ts).
 */
export const HASH_ABI = {
  SHA256_STATE_BYTES: EXPORTED_GLOBAL,
  sha256: exportedFunction(["data", "len", "out"], "i32"),
  sha256_init: exportedFunction(["state"], "void"),
  sha256_update: exportedFunction(["state", "data", "len"], "i32"),
  sha256_final: exportedFunction(["state", "out"], "i32"),
  SHA512_STATE_BYTES: EXPORTED_GLOBAL,
  sha512: exportedFunction(["data", "len", "out"], "i32"),
  sha512_init: exportedFunction(["state"], "void"),
  sha512_update: exportedFunction(["state", "data", "len"], "i32"),
  sha512_final: exportedFunction(["state", "out"], "i32"),
  hmac_sha256: exportedFunction(["key", "keyLen", "data", "dataLen", "out"], "i32"),
  hmac_sha512: exportedFunction(["key", "keyLen", "data", "dataLen", "out"], "i32"),
  hkdf_sha256: exportedFunction(["ikm", "ikmLen", "salt", "saltLen", "info", "infoLen", "out", "outLen"], "i32"),
} as const satisfies AreaSpec;

/** The host-side type of {@link HASH_ABI}. */
export type HashExports = AreaExports<typeof HASH_ABI>;
