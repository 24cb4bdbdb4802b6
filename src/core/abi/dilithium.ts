import { exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/**
 * The exports of assembly/abi/dilithium.ts: SHAKE128/256 (assembly/keccak.ts) and round-3 Dilithium3-AES
 * (assembly/dilithium3.ts).
 */
export const DILITHIUM_ABI = {
  shake128: exportedFunction(["out", "outLen", "data", "len"], "i32"),
  shake256: exportedFunction(["out", "outLen", "data", "len"], "i32"),
  dilithium3_keypair: exportedFunction(["pk", "sk", "seed"], "i32"),
  dilithium3_sign: exportedFunction(["sig", "msg", "len", "sk", "rnd"], "i32"),
  dilithium3_verify: exportedFunction(["sig", "msg", "len", "pk"], "i32"),
} as const satisfies AreaSpec;

/** The host-side type of {@link DILITHIUM_ABI}. */
export type DilithiumExports = AreaExports<typeof DILITHIUM_ABI>;
