import { exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/** The exports of assembly/abi/curve25519.ts: X25519 (assembly/x25519.ts) and Ed25519 (assembly/ed25519.ts). */
export const CURVE25519_ABI = {
  x25519: exportedFunction(["out", "k", "u"], "i32"),
  x25519_base: exportedFunction(["out", "k"], "i32"),
  ed25519_public_key: exportedFunction(["out", "seed"], "i32"),
  ed25519_sign: exportedFunction(["sig", "seed", "msg", "len"], "i32"),
  ed25519_verify: exportedFunction(["pk", "msg", "len", "sig"], "i32"),
} as const satisfies AreaSpec;

/** The host-side type of {@link CURVE25519_ABI}. */
export type Curve25519Exports = AreaExports<typeof CURVE25519_ABI>;
