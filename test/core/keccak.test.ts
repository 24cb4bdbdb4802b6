import { createHash } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { shake128, shake256 } from "../../src/core/keccak.js";
import { loadReleaseCore } from "../helpers/core.js";
import { expectInvalidInput } from "../helpers/assert.js";
import { toHex } from "../helpers/vectors.js";

const node = (alg: "shake128" | "shake256", data: Uint8Array, outputLength: number): string =>
  createHash(alg, { outputLength }).update(data).digest("hex");

beforeAll(async () => {
  await loadReleaseCore();
});

describe("SHAKE128 / SHAKE256 (FIPS 202)", () => {
  it("matches the FIPS 202 example values for the empty message", () => {
    // NIST "Examples with Intermediate Values": SHAKE128 and SHAKE256 of the empty string.
    expect(toHex(shake128(new Uint8Array(0), 32))).toBe(
      "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
    );
    expect(toHex(shake256(new Uint8Array(0), 64))).toBe(
      "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be",
    );
  });

  it("matches node:crypto for the 1600-bit 0xA3 message of the FIPS 202 examples, long outputs", () => {
    const m = new Uint8Array(200).fill(0xa3);
    expect(toHex(shake128(m, 512))).toBe(node("shake128", m, 512));
    expect(toHex(shake256(m, 512))).toBe(node("shake256", m, 512));
  });

  it("matches node:crypto at every length around the rate boundaries", () => {
    for (const rate of [136, 168]) {
      for (let len = 0; len <= 2 * rate + 2; len++) {
        const m = Uint8Array.from({ length: len }, (_, i) => (i * 7 + len) & 0xff);
        for (const out of [0, 1, rate - 1, rate, rate + 1]) {
          expect(toHex(shake128(m, out)), `shake128 len ${len} out ${out}`).toBe(node("shake128", m, out));
          expect(toHex(shake256(m, out)), `shake256 len ${len} out ${out}`).toBe(node("shake256", m, out));
        }
      }
    }
  });

  it("matches node:crypto on random inputs and output lengths", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), fc.integer({ min: 0, max: 1000 }), (m, out) => {
        expect(toHex(shake128(m, out))).toBe(node("shake128", m, out));
        expect(toHex(shake256(m, out))).toBe(node("shake256", m, out));
      }),
      { numRuns: 300 },
    );
  });

  it("rejects bad arguments", () => {
    expectInvalidInput(() => shake128("abc" as unknown as Uint8Array, 32));
    expectInvalidInput(() => shake256(new Uint8Array(1), -1));
    expectInvalidInput(() => shake256(new Uint8Array(1), 1.5));
  });
});
