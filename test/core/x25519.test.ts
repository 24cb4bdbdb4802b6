import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { x25519, x25519PublicKey } from "../../src/core/x25519.js";
import { getCore } from "../../src/core/loader.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable, type WycheproofFile } from "../helpers/vectors.js";
import { contains, expectCode } from "../helpers/assert.js";

// node:crypto takes raw X25519 keys wrapped in PKCS#8 / SPKI DER (RFC 8410).
const nodePrivate = (raw: Uint8Array) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), raw]),
    format: "der",
    type: "pkcs8",
  });
const nodePublic = (raw: Uint8Array) =>
  createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), raw]),
    format: "der",
    type: "spki",
  });
const nodeDh = (sk: Uint8Array, pk: Uint8Array): string =>
  toHex(diffieHellman({ privateKey: nodePrivate(sk), publicKey: nodePublic(pk) }));
const nodePublicKey = (sk: Uint8Array): string =>
  toHex(new Uint8Array(createPublicKey(nodePrivate(sk)).export({ format: "der", type: "spki" })).slice(12));

const NINE = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 9 : 0));

beforeAll(async () => {
  await loadReleaseCore();
});

describe("X25519: RFC 7748", () => {
  it("§5.2 test vectors (the second u has its top bit set, which is masked)", () => {
    expect(
      toHex(
        x25519(
          hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
          hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
        ),
      ),
    ).toBe("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    expect(
      toHex(
        x25519(
          hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
          hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
        ),
      ),
    ).toBe("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
  });

  it("§5.2 iterated: after 1 and 1,000 iterations", () => {
    let k: Uint8Array = NINE.slice();
    let u: Uint8Array = NINE.slice();
    for (let i = 1; i <= 1000; i++) {
      const next = x25519(k, u);
      u = k;
      k = next;
      if (i === 1) expect(toHex(k)).toBe("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    }
    expect(toHex(k)).toBe("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
  });

  it("§6.1 Diffie-Hellman", () => {
    const alicePriv = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const bobPriv = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const alicePub = x25519PublicKey(alicePriv);
    const bobPub = x25519PublicKey(bobPriv);
    expect(toHex(alicePub)).toBe("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    expect(toHex(bobPub)).toBe("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    expect(toHex(x25519(alicePriv, bobPub))).toBe(shared);
    expect(toHex(x25519(bobPriv, alicePub))).toBe(shared);
  });

  it("rejects small-order public keys (all-zero shared secret, §6.1) with weak_public_key", () => {
    const sk = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32);
    one[0] = 1;
    // p - 1 (order 2) and p (≡ 0, non-canonical).
    const pMinus1 = hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    const p = hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    for (const u of [zero, one, pMinus1, p]) expectCode(() => x25519(sk, u), "weak_public_key");
  });

  it("leaves no private key material in wasm memory after a call", () => {
    const sk = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 ^ (i * 7));
    const clamped = sk.slice();
    clamped[0]! &= 248;
    clamped[31] = (clamped[31]! & 127) | 64;
    x25519(sk, x25519PublicKey(hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")));
    x25519PublicKey(sk);
    const memory = new Uint8Array(getCore().memory.buffer);
    expect(contains(memory, sk)).toBe(false);
    expect(contains(memory, clamped)).toBe(false);
  });
});

interface XdhCase {
  public: string;
  private: string;
  shared: string;
}

describe("X25519: Wycheproof x25519_test.json", () => {
  it.runIf(vectorsAvailable("wycheproof"))(
    "every case: the RFC 7748 result, except the all-zero ones we reject",
    () => {
      const file = readVectorJson<WycheproofFile<XdhCase>>("wycheproof", "x25519_test.json");
      let run = 0;
      let rejectedZero = 0;
      for (const group of file.testGroups) {
        for (const t of group.tests) {
          run++;
          // No case is "invalid": every valid or acceptable case has a defined RFC 7748 result.
          expect(t.result === "valid" || t.result === "acceptable", `tcId ${t.tcId}`).toBe(true);
          if (/^0+$/.test(t.shared)) {
            // Deliberate deviation: the all-zero shared secret (§6.1 check) throws weak_public_key.
            expect(t.result, `tcId ${t.tcId}`).toBe("acceptable");
            expect(t.flags, `tcId ${t.tcId}`).toContain("ZeroSharedSecret");
            expectCode(() => x25519(hex(t.private), hex(t.public)), "weak_public_key");
            rejectedZero++;
          } else {
            expect(toHex(x25519(hex(t.private), hex(t.public))), `tcId ${t.tcId}`).toBe(t.shared);
          }
        }
      }
      expect(run).toBe(file.numberOfTests);
      expect(run).toBe(518);
      expect(rejectedZero).toBe(31);
    },
  );
});

describe("X25519: differential against node:crypto and @noble/curves", () => {
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it("public keys and shared secrets agree for random key pairs", () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        const pubA = x25519PublicKey(a);
        const pubB = x25519PublicKey(b);
        expect(toHex(pubA)).toBe(toHex(nobleX25519.getPublicKey(a)));
        expect(toHex(pubA)).toBe(nodePublicKey(a));
        // x25519PublicKey takes the Edwards fixed-base path; it must equal the ladder on u = 9.
        expect(toHex(pubA)).toBe(toHex(x25519(a, NINE)));
        const shared = toHex(x25519(a, pubB));
        expect(toHex(x25519(b, pubA))).toBe(shared);
        expect(shared).toBe(toHex(nobleX25519.getSharedSecret(a, pubB)));
        expect(shared).toBe(nodeDh(a, pubB));
      }),
      { numRuns: 60 },
    );
  });

  it("arbitrary 32-byte u-coordinates (top bit, twist points, non-canonical values) agree", () => {
    fc.assert(
      fc.property(key, key, (sk, u) => {
        expect(toHex(x25519(sk, u))).toBe(toHex(nobleX25519.getSharedSecret(sk, u)));
        expect(toHex(x25519(sk, u))).toBe(nodeDh(sk, u));
      }),
      { numRuns: 60 },
    );
  });
});

describe("X25519: argument validation", () => {
  const ok = new Uint8Array(32).fill(1);
  it("rejects wrong lengths and non-Uint8Array arguments with invalid_input", () => {
    for (const bad of [
      new Uint8Array(0),
      new Uint8Array(31),
      new Uint8Array(33),
      [1, 2, 3],
      "x".repeat(32),
      null,
      undefined,
    ]) {
      expectCode(() => x25519(bad as Uint8Array, ok), "invalid_input");
      expectCode(() => x25519(ok, bad as Uint8Array), "invalid_input");
      expectCode(() => x25519PublicKey(bad as Uint8Array), "invalid_input");
    }
  });
});
