import { exportedFunction, type AreaExports, type AreaSpec } from "./spec.js";

/** The exports of assembly/abi/ope.ts: AES-128 on whole blocks (assembly/aes.ts), for the OPE generator. */
export const OPE_ABI = {
  aes128_encrypt_blocks: exportedFunction(["key", "input", "output", "blocks"], "i32"),
} as const satisfies AreaSpec;

/** The host-side type of {@link OPE_ABI}. */
export type OpeExports = AreaExports<typeof OPE_ABI>;
