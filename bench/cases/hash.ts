import { createHash, createHmac } from "node:crypto";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { createHMAC, createSHA256 } from "hash-wasm";
import sodium from "libsodium-wrappers-sumo";
import { hmacSha256 } from "../../src/core/hmac.js";
import { sha256 } from "../../src/core/sha2.js";
import type { BenchCase } from "../harness.js";

export async function cases(): Promise<BenchCase[]> {
  await sodium.ready;
  const mib = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 255);
  const key = new Uint8Array(32).map((_, i) => i + 1);
  const msg = new Uint8Array(64).map((_, i) => 255 - i);
  const hashWasmSha = await createSHA256();
  const hashWasmHmac = await createHMAC(createSHA256(), key);

  return [
    {
      id: "sha256-1mib",
      unit: "MiB/s",
      bytesPerOp: mib.length,
      ours: () => sha256(mib),
      peers: {
        "hash-wasm": () => hashWasmSha.init().update(mib).digest("binary"),
        noble: () => nobleSha256(mib),
        "node:crypto": () => createHash("sha256").update(mib).digest(),
        "libsodium-sumo": () => sodium.crypto_hash_sha256(mib),
      },
    },
    {
      id: "hmac-sha256-64b",
      unit: "ops/s",
      ours: () => hmacSha256(key, msg),
      peers: {
        "libsodium-sumo": () => sodium.crypto_auth_hmacsha256(msg, key),
        "node:crypto": () => createHmac("sha256", key).update(msg).digest(),
        noble: () => nobleHmac(nobleSha256, key, msg),
        "hash-wasm": () => hashWasmHmac.init().update(msg).digest("binary"),
      },
    },
  ];
}
