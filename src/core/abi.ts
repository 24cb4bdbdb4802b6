import { AES_GCM_ABI } from "./abi/aes_gcm.js";
import { ARGON2_ABI } from "./abi/argon2.js";
import { BASE_ABI } from "./abi/base.js";
import { CURVE25519_ABI } from "./abi/curve25519.js";
import { DILITHIUM_ABI } from "./abi/dilithium.js";
import { HASH_ABI } from "./abi/hash.js";
import { KYBER_ABI } from "./abi/kyber.js";
import { OPE_ABI } from "./abi/ope.js";
import type { ModuleExports } from "./abi/spec.js";

/**
 * Every export of build/core.wasm (assembly/index.ts), declared once, area by area: `base` is what
 * assembly/index.ts exports itself, every other key is a file of assembly/abi/ (src/core/abi/ mirrors
 * them). Only numbers cross the boundary: pointers into the core's linear memory, lengths and status codes
 * (assembly/status.ts). test/core/abi.test.ts checks this declaration against the compiled module.
 */
export const CORE_ABI = {
  base: BASE_ABI,
  hash: HASH_ABI,
  argon2: ARGON2_ABI,
  aes_gcm: AES_GCM_ABI,
  curve25519: CURVE25519_ABI,
  ope: OPE_ABI,
  kyber: KYBER_ABI,
  dilithium: DILITHIUM_ABI,
} as const;

/** The exports of the instantiated core, typed from {@link CORE_ABI}. */
export type CoreExports = ModuleExports<typeof CORE_ABI>;
