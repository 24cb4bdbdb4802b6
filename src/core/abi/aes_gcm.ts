import { exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/** The exports of assembly/abi/aes_gcm.ts: AES-256-GCM with a 96-bit nonce (assembly/gcm.ts). */
export const AES_GCM_ABI = {
  aes256gcm_encrypt: exportedFunction(["key", "nonce", "aad", "aadLen", "pt", "ptLen", "out"], "i32"),
  aes256gcm_decrypt: exportedFunction(["key", "nonce", "aad", "aadLen", "ct", "ctLen", "out"], "i32"),
} as const satisfies AreaSpec;

/** The host-side type of {@link AES_GCM_ABI}. */
export type AesGcmExports = AreaExports<typeof AES_GCM_ABI>;
