import { argon2id as nobleArgon2id } from "@noble/hashes/argon2.js";
import { argon2id as hashWasmArgon2id } from "hash-wasm";
import sodium from "libsodium-wrappers-sumo";
import { argon2id } from "../../src/core/argon2.js";
import type { BenchCase } from "../harness.js";

/** sentc's password derivation: Argon2id m = 4096 KiB, t = 3, p = 1, 64-byte output, 16-byte salt. */
export async function cases(): Promise<BenchCase[]> {
  await sodium.ready;
  const password = new TextEncoder().encode("correct horse battery staple");
  const salt = new Uint8Array(16).map((_, i) => i * 13 + 1);
  const params = { memoryKib: 4096, iterations: 3, parallelism: 1, length: 64 };
  return [
    {
      id: "argon2id-4096-3-1",
      unit: "ops/s",
      ours: () => argon2id({ password, salt, ...params }),
      peers: {
        "libsodium-sumo": () =>
          sodium.crypto_pwhash(
            64,
            password,
            salt,
            params.iterations,
            params.memoryKib * 1024,
            sodium.crypto_pwhash_ALG_ARGON2ID13,
          ),
        "hash-wasm": () =>
          hashWasmArgon2id({
            password,
            salt,
            memorySize: 4096,
            iterations: 3,
            parallelism: 1,
            hashLength: 64,
            outputType: "binary",
          }),
        noble: () => nobleArgon2id(password, salt, { m: 4096, t: 3, p: 1, dkLen: 64 }),
      },
    },
  ];
}
