/**
 * Round-3 Dilithium3-AES. The real sentc client has no stand-alone Dilithium call, so its peer is the closest
 * real call: symmetric encryption of 32 bytes signed (and opened with verification) by a hybrid
 * ED25519_DILITHIUM_3 key, whose cost is almost all Dilithium. The "-hybrid-sym32" cases run that same
 * operation with our protocol code for a like-for-like ratio.
 */
import { dilithiumKeyPair, dilithiumSign, dilithiumVerify } from "../../src/core/dilithium.js";
import { ed25519PublicKey } from "../../src/core/ed25519.js";
import * as enc from "../../src/protocol/encrypt.js";
import * as keys from "../../src/protocol/keys.js";
import type { SignKey, VerifyKey } from "../../src/protocol/keys.js";
import { serializeUserVerifyKeyData } from "../../src/protocol/public-keys.js";
import { loadRealSentc } from "../../test/interop/real-sentc.js";
import type { BenchCase } from "../harness.js";

export async function cases(): Promise<BenchCase[]> {
  const { sentc } = loadRealSentc();
  const seed = new Uint8Array(32).map((_, i) => (i * 37 + 1) & 255);
  const edSeed = new Uint8Array(32).map((_, i) => (i * 91 + 7) & 255);
  const kp = dilithiumKeyPair(seed);
  const msg = new Uint8Array(32).map((_, i) => (i * 5) & 255);
  const sig = dilithiumSign(kp.secretKey, msg);

  const signKey = { alg: "ED25519_DILITHIUM_3", x: edSeed, k: kp.secretKey, keyId: "bench_sign" } as SignKey;
  const verifyKey = {
    alg: "ED25519_DILITHIUM_3",
    x: ed25519PublicKey(edSeed),
    k: kp.publicKey,
    keyId: "bench_sign",
  } as VerifyKey;
  const signExport = keys.exportSignKey(signKey);
  const verifyData = serializeUserVerifyKeyData(verifyKey);
  const symKey = { alg: "AES-GCM-256", key: new Uint8Array(32).fill(7), keyId: "bench_sym" } as keys.SymKey;
  const symExport = keys.exportSymKey(symKey);
  const sealedByReal = sentc.encrypt_symmetric(symExport, msg, signExport);
  const sealedByUs = enc.encryptSymmetric(symKey, msg, signKey);

  const realSign = { sentc_wasm: () => sentc.encrypt_symmetric(symExport, msg, signExport) };
  const realVerify = { sentc_wasm: () => sentc.decrypt_symmetric(symExport, sealedByReal, verifyData) };
  return [
    { id: "dilithium3-keygen", unit: "ops/s", ours: () => dilithiumKeyPair(seed), peers: {} },
    { id: "dilithium3-sign", unit: "ops/s", ours: () => dilithiumSign(kp.secretKey, msg), peers: realSign },
    { id: "dilithium3-verify", unit: "ops/s", ours: () => dilithiumVerify(kp.publicKey, msg, sig), peers: realVerify },
    {
      id: "dilithium3-sign-hybrid-sym32",
      unit: "ops/s",
      ours: () => enc.encryptSymmetric(symKey, msg, signKey),
      peers: realSign,
    },
    {
      id: "dilithium3-verify-hybrid-sym32",
      unit: "ops/s",
      ours: () => enc.decryptSymmetric(symKey, sealedByUs, verifyKey),
      peers: realVerify,
    },
  ];
}
