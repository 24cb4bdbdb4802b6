import { exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/**
 * The exports of assembly/abi/kyber.ts: the round-3 aes256ctr keystream (assembly/aes256ctr.ts) and the
 * Kyber768-90s KEM (assembly/kyber768.ts).
 */
export const KYBER_ABI = {
  aes256_ctr_keystream: exportedFunction(["key", "nonce", "out", "len"], "i32"),
  kyber768_keypair: exportedFunction(["seed", "pk", "sk"], "i32"),
  kyber768_encaps: exportedFunction(["pk", "random", "ct", "ss"], "i32"),
  kyber768_decaps: exportedFunction(["sk", "ct", "ss"], "i32"),
} as const satisfies AreaSpec;

/** The host-side type of {@link KYBER_ABI}. */
export type KyberExports = AreaExports<typeof KYBER_ABI>;
