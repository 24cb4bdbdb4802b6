import { createCipheriv, createDecipheriv } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { aesGcmDecrypt, aesGcmEncrypt } from "../../src/core/aes-gcm.js";
import type { BenchCase } from "../harness.js";

/** The subset of sentc_wasm@0.15.0 used as a throughput peer (symmetric encryption with a raw AES key). */
interface SentcWasm {
  initSync(module: BufferSource): unknown;
  encrypt_symmetric(key: string, data: Uint8Array, signKey?: string): Uint8Array;
  decrypt_symmetric(key: string, encrypted: Uint8Array, verifyKey?: string): Uint8Array;
}

/**
 * AES-256-GCM, 1 MiB (MiB/s) and 1 KiB (ops/s). sentc_wasm's symmetric encryption adds a small JSON head
 * and its own random nonce to the same AES-256-GCM; node:crypto is the native reference.
 */
export async function cases(): Promise<BenchCase[]> {
  const require = createRequire(import.meta.url);
  const sentc = require("sentc_wasm") as SentcWasm;
  sentc.initSync(await readFile(require.resolve("sentc_wasm/sentc_wasm_bg.wasm")));

  const key = new Uint8Array(32).map((_, i) => i * 7 + 1);
  const nonce = new Uint8Array(12).map((_, i) => i + 100);
  const sentcKey = JSON.stringify({ Aes: { key: Buffer.from(key).toString("base64"), key_id: "bench" } });

  const nodeEncrypt = (pt: Uint8Array): Uint8Array => {
    const c = createCipheriv("aes-256-gcm", key, nonce);
    return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
  };
  const nodeDecrypt = (ct: Uint8Array): Uint8Array => {
    const d = createDecipheriv("aes-256-gcm", key, nonce);
    d.setAuthTag(ct.subarray(ct.length - 16));
    return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  };

  const out: BenchCase[] = [];
  for (const [label, size] of [
    ["1mib", 1 << 20],
    ["1kib", 1 << 10],
  ] as const) {
    const pt = new Uint8Array(size).map((_, i) => (i * 13 + 5) & 255);
    const ours = aesGcmEncrypt(key, nonce, pt);
    const sentcSealed = sentc.encrypt_symmetric(sentcKey, pt);
    // Sanity: every contender round-trips before it is timed.
    if (aesGcmDecrypt(key, nonce, ours).length !== size || nodeDecrypt(ours).length !== size) {
      throw new Error("aes-gcm bench: round trip failed");
    }
    if (sentc.decrypt_symmetric(sentcKey, sentcSealed).length !== size)
      throw new Error("aes-gcm bench: sentc_wasm failed");
    const unit = size >= 1 << 20 ? "MiB/s" : "ops/s";
    const bytes = unit === "MiB/s" ? { bytesPerOp: size } : {};
    out.push(
      {
        id: `aes-gcm-256-enc-${label}`,
        unit,
        ...bytes,
        ours: () => aesGcmEncrypt(key, nonce, pt),
        peers: {
          "node:crypto": () => nodeEncrypt(pt),
          sentc_wasm: () => sentc.encrypt_symmetric(sentcKey, pt),
        },
      },
      {
        id: `aes-gcm-256-dec-${label}`,
        unit,
        ...bytes,
        ours: () => aesGcmDecrypt(key, nonce, ours),
        peers: {
          "node:crypto": () => nodeDecrypt(ours),
          sentc_wasm: () => sentc.decrypt_symmetric(sentcKey, sentcSealed),
        },
      },
    );
  }
  return out;
}
