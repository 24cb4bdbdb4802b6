import { createHmac, hkdfSync } from "node:crypto";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { hkdfSha256 } from "../../src/core/hkdf.js";
import { getCore } from "../../src/core/loader.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable, type WycheproofFile } from "../helpers/vectors.js";
import { contains, expectInvalidInput } from "../helpers/assert.js";

const seq = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);
const node = (ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): string =>
  Buffer.from(hkdfSync("sha256", ikm, salt, info, length)).toString("hex");

beforeAll(async () => {
  await loadReleaseCore();
});

describe("HKDF-SHA256: RFC 5869 appendix A", () => {
  it("A.1 basic test case", () => {
    const okm = hkdfSha256(new Uint8Array(22).fill(0x0b), seq(0x00, 0x0c), seq(0xf0, 0xf9), 42);
    expect(toHex(okm)).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });
  it("A.2 longer inputs and outputs", () => {
    const okm = hkdfSha256(seq(0x00, 0x4f), seq(0x60, 0xaf), seq(0xb0, 0xff), 82);
    expect(toHex(okm)).toBe(
      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
    );
  });
  it("A.3 zero-length salt and info", () => {
    const okm = hkdfSha256(new Uint8Array(22).fill(0x0b), new Uint8Array(0), new Uint8Array(0), 42);
    expect(toHex(okm)).toBe("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  });
  it("an empty salt equals a salt of HashLen zero bytes (§2.2)", () => {
    const ikm = seq(1, 40);
    const info = seq(5, 9);
    expect(toHex(hkdfSha256(ikm, new Uint8Array(0), info, 77))).toBe(
      toHex(hkdfSha256(ikm, new Uint8Array(32), info, 77)),
    );
  });
});

interface HkdfCase {
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
}

describe.runIf(vectorsAvailable("wycheproof"))("HKDF-SHA256: Wycheproof hkdf_sha256_test.json", () => {
  it("every case: valid ones give the OKM, invalid ones are rejected with invalid_input", () => {
    const suite = readVectorJson<WycheproofFile<HkdfCase>>("wycheproof", "hkdf_sha256_test.json");
    const counts = { valid: 0, invalid: 0, acceptable: 0 };
    for (const group of suite.testGroups) {
      for (const t of group.tests) {
        const run = () => hkdfSha256(hex(t.ikm), hex(t.salt), hex(t.info), t.size);
        if (t.result === "valid") expect(toHex(run()), `tcId ${t.tcId}: ${t.comment}`).toBe(t.okm);
        else expectInvalidInput(run);
        counts[t.result]++;
      }
    }
    expect(counts.valid + counts.invalid + counts.acceptable).toBe(suite.numberOfTests);
    expect(counts.acceptable).toBe(0);
    expect(counts.invalid).toBeGreaterThan(0);
  });
});

describe("HKDF-SHA256: differential property tests", () => {
  it("matches node:crypto and noble for random ikm, salt, info and length", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 150 }),
        fc.uint8Array({ maxLength: 150 }),
        fc.integer({ min: 1, max: 255 * 32 }),
        (ikm, salt, info, length) => {
          const ours = toHex(hkdfSha256(ikm, salt, info, length));
          return (
            ours === node(ikm, salt, info, length) && ours === toHex(nobleHkdf(nobleSha256, ikm, salt, info, length))
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("every output length 1..300 and the maximum 8160 against node:crypto", () => {
    const ikm = seq(1, 32);
    const salt = seq(100, 131);
    const info = new TextEncoder().encode("ecies-ed25519");
    for (let length = 1; length <= 300; length++) {
      expect(toHex(hkdfSha256(ikm, salt, info, length)), `length ${length}`).toBe(node(ikm, salt, info, length));
    }
    expect(toHex(hkdfSha256(ikm, salt, info, 8160))).toBe(node(ikm, salt, info, 8160));
  });
});

describe("HKDF-SHA256: argument validation and hygiene", () => {
  it("rejects lengths outside 1..8160 and non-integers", () => {
    const b = new Uint8Array(8);
    for (const length of [0, -1, 8161, 1e9, 1.5, NaN, Infinity, "32", undefined]) {
      expectInvalidInput(() => hkdfSha256(b, b, b, length as unknown as number));
    }
  });

  it("rejects ikm, salt and info that are not Uint8Array", () => {
    const b = new Uint8Array(8);
    for (const bad of [undefined, null, "x", [1], new ArrayBuffer(2)]) {
      const x = bad as unknown as Uint8Array;
      expectInvalidInput(() => hkdfSha256(x, b, b, 32));
      expectInvalidInput(() => hkdfSha256(b, x, b, 32));
      expectInvalidInput(() => hkdfSha256(b, b, x, 32));
    }
  });

  it("the ABI rejects bad lengths with ERR_INVALID_INPUT", () => {
    const core = getCore() as unknown as Record<string, (...args: number[]) => number>;
    const p = core.alloc!(256);
    try {
      expect(core.hkdf_sha256!(p, 8, p, 8, p, 8, p + 64, 0)).toBe(1);
      expect(core.hkdf_sha256!(p, 8, p, 8, p, 8, p + 64, 8161)).toBe(1);
      expect(core.hkdf_sha256!(p, -1, p, 8, p, 8, p + 64, 32)).toBe(1);
      expect(core.hkdf_sha256!(p, 8, p, -1, p, 8, p + 64, 32)).toBe(1);
      expect(core.hkdf_sha256!(p, 8, p, 8, p, -1, p + 64, 32)).toBe(1);
      expect(core.hkdf_sha256!(p, 8, p, 8, p, 8, p + 64, 32)).toBe(0);
    } finally {
      core.arena_reset!();
    }
  });

  it("leaves neither PRK nor OKM in wasm memory", () => {
    const ikm = seq(7, 38);
    const salt = seq(50, 81);
    const info = seq(1, 3);
    const okm = hkdfSha256(ikm, salt, info, 96);
    const prk = createHmac("sha256", salt).update(ikm).digest();
    const memory = new Uint8Array(getCore().memory.buffer);
    for (const needle of [prk, okm.subarray(0, 32), okm.subarray(32, 64), okm.subarray(64), ikm]) {
      expect(contains(memory, needle)).toBe(false);
    }
  });
});
