import { createHash, createHmac } from "node:crypto";
import { hmac as nobleHmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256, sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { createHMAC, createSHA256, createSHA512 } from "hash-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { hmacSha256, hmacSha512 } from "../../src/core/hmac.js";
import { getCore } from "../../src/core/loader.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable, type WycheproofFile } from "../helpers/vectors.js";
import { contains, expectInvalidInput } from "../helpers/assert.js";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const seq = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);
const node = (alg: "sha256" | "sha512", key: Uint8Array, data: Uint8Array): string =>
  createHmac(alg, key).update(data).digest("hex");

beforeAll(async () => {
  await loadReleaseCore();
});

// RFC 4231 §4.2–§4.8: key, data, HMAC-SHA-256, HMAC-SHA-512 (test case 5 is truncated to 128 bits).
const RFC4231: Array<[string, Uint8Array, Uint8Array, string, string]> = [
  [
    "4.2 test case 1",
    fill(20, 0x0b),
    ascii("Hi There"),
    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
  ],
  [
    "4.3 test case 2 (key shorter than the output)",
    ascii("Jefe"),
    ascii("what do ya want for nothing?"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  ],
  [
    "4.4 test case 3",
    fill(20, 0xaa),
    fill(50, 0xdd),
    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
  ],
  [
    "4.5 test case 4",
    seq(1, 25),
    fill(50, 0xcd),
    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
  ],
  [
    "4.6 test case 5 (truncated)",
    fill(20, 0x0c),
    ascii("Test With Truncation"),
    "a3b6167473100ee06e0c796c2955552b",
    "415fad6271580a531d4179bc891d87a6",
  ],
  [
    "4.7 test case 6 (key longer than the block)",
    fill(131, 0xaa),
    ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
  ],
  [
    "4.8 test case 7 (key and data longer than the block)",
    fill(131, 0xaa),
    ascii(
      "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
    ),
    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
  ],
];

describe("HMAC: RFC 4231", () => {
  for (const [name, key, data, t256, t512] of RFC4231) {
    it(name, () => {
      const full256 = toHex(hmacSha256(key, data));
      const full512 = toHex(hmacSha512(key, data));
      expect(full256.slice(0, t256.length)).toBe(t256);
      expect(full512.slice(0, t512.length)).toBe(t512);
      expect(full256).toHaveLength(64);
      expect(full512).toHaveLength(128);
    });
  }
});

interface MacCase {
  key: string;
  msg: string;
  tag: string;
}

for (const [file, fn, fullBytes] of [
  ["hmac_sha256_test.json", hmacSha256, 32],
  ["hmac_sha512_test.json", hmacSha512, 64],
] as const) {
  describe.runIf(vectorsAvailable("wycheproof"))(`HMAC: Wycheproof ${file}`, () => {
    it("every case: valid tags match, invalid tags do not (tag prefix of tagSize bits)", () => {
      const suite = readVectorJson<WycheproofFile<MacCase>>("wycheproof", file);
      const counts = { valid: 0, invalid: 0, acceptable: 0 };
      for (const group of suite.testGroups) {
        const tagBytes = (group.tagSize as number) / 8;
        expect(tagBytes).toBeLessThanOrEqual(fullBytes);
        for (const t of group.tests) {
          const tag = fn(hex(t.key), hex(t.msg));
          expect(tag).toHaveLength(fullBytes);
          const matches = toHex(tag.subarray(0, tagBytes)) === t.tag;
          if (t.result === "valid") expect(matches, `tcId ${t.tcId}: ${t.comment}`).toBe(true);
          else expect(matches, `tcId ${t.tcId}: ${t.comment}`).toBe(false);
          counts[t.result]++;
        }
      }
      expect(counts.valid + counts.invalid + counts.acceptable).toBe(suite.numberOfTests);
      expect(counts.acceptable).toBe(0);
      expect(counts.valid).toBeGreaterThan(0);
      expect(counts.invalid).toBeGreaterThan(0);
    });
  });
}

describe("HMAC: differential property tests", () => {
  // Keys from empty to beyond both block sizes (64 and 128 bytes), messages across several blocks.
  const keyArb = fc.uint8Array({ maxLength: 200 });
  const msgArb = fc.uint8Array({ maxLength: 600 });

  it("HMAC-SHA256 matches node:crypto, noble and hash-wasm", async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, msgArb, async (key, msg) => {
        const ours = toHex(hmacSha256(key, msg));
        const hw = await createHMAC(createSHA256(), key);
        return (
          ours === node("sha256", key, msg) &&
          ours === toHex(nobleHmac(nobleSha256, key, msg)) &&
          ours === toHex(hw.init().update(msg).digest("binary"))
        );
      }),
      { numRuns: 200 },
    );
  });

  it("HMAC-SHA512 matches node:crypto, noble and hash-wasm", async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, msgArb, async (key, msg) => {
        const ours = toHex(hmacSha512(key, msg));
        const hw = await createHMAC(createSHA512(), key);
        return (
          ours === node("sha512", key, msg) &&
          ours === toHex(nobleHmac(nobleSha512, key, msg)) &&
          ours === toHex(hw.init().update(msg).digest("binary"))
        );
      }),
      { numRuns: 200 },
    );
  });

  it("every key length 0..260 and message length 0..260 against node:crypto", () => {
    const bytes = Uint8Array.from({ length: 261 }, (_, i) => (i * 53 + 1) & 255);
    let checked = 0;
    for (let n = 0; n <= 260; n++) {
      const key = bytes.subarray(0, n);
      const msg = bytes.subarray(260 - n);
      expect(toHex(hmacSha256(key, msg)), `len ${n}`).toBe(node("sha256", key, msg));
      expect(toHex(hmacSha512(key, msg)), `len ${n}`).toBe(node("sha512", key, msg));
      checked++;
    }
    expect(checked).toBe(261);
  });
});

describe("HMAC: argument validation and hygiene", () => {
  it("rejects keys and messages that are not Uint8Array", () => {
    for (const bad of [undefined, null, "key", [1, 2], new ArrayBuffer(4), new Int32Array(1)]) {
      for (const fn of [hmacSha256, hmacSha512]) {
        expectInvalidInput(() => fn(bad as unknown as Uint8Array, new Uint8Array(4)));
        expectInvalidInput(() => fn(new Uint8Array(4), bad as unknown as Uint8Array));
      }
    }
  });

  it("the ABI rejects negative lengths with ERR_INVALID_INPUT", () => {
    const core = getCore() as unknown as Record<string, (...args: number[]) => number>;
    const p = core.alloc!(256);
    try {
      expect(core.hmac_sha256!(p, -1, p, 0, p + 128)).toBe(1);
      expect(core.hmac_sha256!(p, 0, p, -1, p + 128)).toBe(1);
      expect(core.hmac_sha512!(p, -1, p, 0, p + 128)).toBe(1);
      expect(core.hmac_sha512!(p, 0, p, -1, p + 128)).toBe(1);
      expect(core.hmac_sha256!(p, 0, p, 0, p + 128)).toBe(0);
    } finally {
      core.arena_reset!();
    }
  });

  it("leaves no key, padded key, inner digest or tag in wasm memory", () => {
    for (const [fn, alg, block] of [
      [hmacSha256, "sha256", 64],
      [hmacSha512, "sha512", 128],
    ] as const) {
      const key = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 11) & 255);
      const msg = Uint8Array.from({ length: 70 }, (_, i) => (i * 59 + 3) & 255);
      const tag = fn(key, msg);
      const ipadKey = new Uint8Array(block).fill(0x36);
      const opadKey = new Uint8Array(block).fill(0x5c);
      key.forEach((b, i) => {
        ipadKey[i] = 0x36 ^ b;
        opadKey[i] = 0x5c ^ b;
      });
      // FIPS 198-1 §4 step 6: the inner digest H((K0 ⊕ ipad) ‖ text).
      const inner = createHash(alg).update(ipadKey).update(msg).digest();
      const memory = new Uint8Array(getCore().memory.buffer);
      for (const needle of [key, ipadKey.subarray(0, 40), opadKey.subarray(0, 40), inner, tag, msg]) {
        expect(contains(memory, needle), alg).toBe(false);
      }
    }
  });
});
