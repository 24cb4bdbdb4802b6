import { createPrivateKey, sign as nodeSign, verify as nodeVerify, createPublicKey } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "../../src/core/ed25519.js";
import { loadReleaseCore } from "../helpers/core.js";
import { toHex } from "../helpers/vectors.js";

// The core remembers the public key of the last seed it expanded (signing) and the last public key it
// accepted (verification). These tests interleave keys so that every call switches between a remembered
// key and a new one, and compare each result with node:crypto.
const nodePrivate = (seed: Uint8Array) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
    format: "der",
    type: "pkcs8",
  });
const nodePublic = (pk: Uint8Array) =>
  createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), pk]),
    format: "der",
    type: "spki",
  });

beforeAll(async () => {
  await loadReleaseCore();
});

describe("Ed25519: remembered keys", () => {
  const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const msgArb = fc.uint8Array({ minLength: 0, maxLength: 200 });

  it("signatures agree with node:crypto whichever seed signed last", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(2), msgArb), { minLength: 2, maxLength: 8 }),
        seedArb,
        seedArb,
        seedArb,
        (steps, a, b, c) => {
          const seeds = [a, b, c];
          for (const [which, msg] of steps) {
            const seed = seeds[which]!;
            expect(toHex(ed25519Sign(seed, msg))).toBe(toHex(nodeSign(null, msg, nodePrivate(seed))));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("public key derivation and signing share the memo without mixing keys up", () => {
    fc.assert(
      fc.property(seedArb, seedArb, msgArb, (a, b, msg) => {
        const pkA = ed25519PublicKey(a);
        const sigB = ed25519Sign(b, msg);
        const pkB = ed25519PublicKey(b);
        const sigA = ed25519Sign(a, msg);
        expect(toHex(sigA)).toBe(toHex(nodeSign(null, msg, nodePrivate(a))));
        expect(toHex(sigB)).toBe(toHex(nodeSign(null, msg, nodePrivate(b))));
        expect(nodeVerify(null, msg, nodePublic(pkA), sigA)).toBe(true);
        expect(nodeVerify(null, msg, nodePublic(pkB), sigB)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it("verification under a remembered key still rejects what it must, and a rejected key is not remembered", () => {
    const a = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
    const b = Uint8Array.from({ length: 32 }, (_, i) => 200 - i * 3);
    const msg = new TextEncoder().encode("remembered");
    const pkA = ed25519PublicKey(a);
    const pkB = ed25519PublicKey(b);
    const sigA = ed25519Sign(a, msg);
    const sigB = ed25519Sign(b, msg);
    // A point of small order (the neutral element, y = 1) and a y that is not on the curve (y = 2).
    const neutral = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
    const offCurve = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 2 : 0));
    for (let round = 0; round < 3; round++) {
      expect(ed25519Verify(pkA, msg, sigA)).toBe(true);
      expect(ed25519Verify(pkA, msg, sigB)).toBe(false);
      expect(ed25519Verify(pkA, msg, sigA)).toBe(true);
      expect(ed25519Verify(neutral, msg, sigA)).toBe(false);
      expect(ed25519Verify(pkA, msg, sigA)).toBe(true);
      expect(ed25519Verify(offCurve, msg, sigA)).toBe(false);
      expect(ed25519Verify(pkB, msg, sigA)).toBe(false);
      expect(ed25519Verify(pkB, msg, sigB)).toBe(true);
      expect(ed25519Verify(pkB, msg, sigB)).toBe(true);
    }
  });
});
