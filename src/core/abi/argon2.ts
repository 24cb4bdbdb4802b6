import { exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/** The exports of assembly/abi/argon2.ts: Argon2id (assembly/argon2.ts), its block matrix in `work`. */
export const ARGON2_ABI = {
  argon2id: exportedFunction(
    [
      "pwd",
      "pwdLen",
      "salt",
      "saltLen",
      "secret",
      "secretLen",
      "ad",
      "adLen",
      "memoryKib",
      "iterations",
      "parallelism",
      "out",
      "outLen",
      "work",
      "workLen",
    ],
    "i32",
  ),
} as const satisfies AreaSpec;

/** The host-side type of {@link ARGON2_ABI}. */
export type Argon2Exports = AreaExports<typeof ARGON2_ABI>;
