import { createPrivateKey, createPublicKey, diffieHellman, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import sodium from "libsodium-wrappers-sumo";
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "../../src/core/ed25519.js";
import { x25519, x25519PublicKey } from "../../src/core/x25519.js";
import type { BenchCase } from "../harness.js";

export async function cases(): Promise<BenchCase[]> {
  await sodium.ready;
  const skA = new Uint8Array(32).map((_, i) => (i * 29 + 3) & 255);
  const skB = new Uint8Array(32).map((_, i) => (i * 53 + 11) & 255);
  const pkB = x25519PublicKey(skB);
  const nodeX = {
    privateKey: createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), skA]),
      format: "der",
      type: "pkcs8",
    }),
    publicKey: createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), pkB]),
      format: "der",
      type: "spki",
    }),
  };

  const seed = new Uint8Array(32).map((_, i) => (i * 71 + 5) & 255);
  const msg = new Uint8Array(64).map((_, i) => 255 - i);
  const pk = ed25519PublicKey(seed);
  const sig = ed25519Sign(seed, msg);
  // libsodium signs with its 64-byte secret key seed ‖ pk (it does not recompute the public key).
  const sodiumKeys = sodium.crypto_sign_seed_keypair(seed);
  // A second key, alternated with the first: every signature then finds the other key in the core's
  // public-key memo and computes A = [s]B again (the cost of signing with a key not used just before).
  const seed2 = seed.map((b) => b ^ 0xa5);
  const sodiumKeys2 = sodium.crypto_sign_seed_keypair(seed2);
  let turn = 0;
  const nodeEdPrivate = createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
    format: "der",
    type: "pkcs8",
  });
  const nodeEdPublic = createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pk]),
    format: "der",
    type: "spki",
  });

  return [
    {
      id: "x25519-dh",
      unit: "ops/s",
      ours: () => x25519(skA, pkB),
      peers: {
        "libsodium-sumo": () => sodium.crypto_scalarmult(skA, pkB),
        "node:crypto": () => diffieHellman(nodeX),
        noble: () => nobleX25519.getSharedSecret(skA, pkB),
      },
    },
    {
      id: "ed25519-sign",
      unit: "ops/s",
      ours: () => ed25519Sign(seed, msg),
      peers: {
        "libsodium-sumo": () => sodium.crypto_sign_detached(msg, sodiumKeys.privateKey),
        "node:crypto": () => nodeSign(null, msg, nodeEdPrivate),
        noble: () => nobleEd25519.sign(msg, seed),
      },
    },
    {
      id: "ed25519-sign-alternating-keys",
      unit: "ops/s",
      ours: () => ed25519Sign((turn ^= 1) ? seed : seed2, msg),
      peers: {
        "libsodium-sumo": () =>
          sodium.crypto_sign_detached(msg, (turn ^= 1) ? sodiumKeys.privateKey : sodiumKeys2.privateKey),
      },
    },
    {
      id: "ed25519-verify",
      unit: "ops/s",
      ours: () => ed25519Verify(pk, msg, sig),
      peers: {
        "libsodium-sumo": () => sodium.crypto_sign_verify_detached(sig, msg, sodiumKeys.publicKey),
        "node:crypto": () => nodeVerify(null, msg, nodeEdPublic, sig),
        noble: () => nobleEd25519.verify(sig, msg, pk),
      },
    },
  ];
}
