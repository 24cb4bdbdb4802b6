/**
 * Kyber768-90s (round 3) and the round-3 aes256ctr stream.
 *
 * - aes256ctr: differential against node:crypto's AES-256-CTR (nonce ‖ 0x00000000 as the initial counter
 *   block; no 32-bit wrap happens within the tested lengths).
 * - Kyber768-90s: the round-3 reference implementation's deterministic test vectors ("tvecs768-90s": 10,000
 *   key generations, encapsulations and decapsulations driven by the SURF generator with the reference's
 *   fixed seed), compared through the SHA-256 digest of the whole transcript that the reference publishes.
 * - round trips, the secret-key layout, implicit rejection (exactly KDF(z ‖ H(c')) for a tampered c'),
 *   argument validation, and that no secret stays in wasm memory after a call.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { createCipheriv, createHash } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { getCore } from "../../src/core/loader.js";
import { aes256CtrKeystream, kyberDecapsulate, kyberEncapsulate, kyberKeyPair } from "../../src/core/kyber.js";
import { contains, expectInvalidInput } from "../helpers/assert.js";
import { loadReleaseCore } from "../helpers/core.js";

beforeAll(loadReleaseCore);

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

describe("aes256ctr (round-3 PRF/XOF stream)", () => {
  it("equals AES-256-CTR with the counter block nonce ‖ BE32(0), 1, 2, …", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.nat(700),
        (key, nonce, len) => {
          const cipher = createCipheriv("aes-256-ctr", key, concat(nonce, new Uint8Array(4)));
          expect(hex(aes256CtrKeystream(key, nonce, len))).toBe(hex(cipher.update(new Uint8Array(len))));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a long stream crosses many eight-block batches", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => 0xf0 + i);
    const cipher = createCipheriv("aes-256-ctr", key, concat(nonce, new Uint8Array(4)));
    expect(hex(aes256CtrKeystream(key, nonce, 65541))).toBe(hex(cipher.update(new Uint8Array(65541))));
  });

  it("validates its arguments", () => {
    expectInvalidInput(() => aes256CtrKeystream(new Uint8Array(31), new Uint8Array(12), 16));
    expectInvalidInput(() => aes256CtrKeystream(new Uint8Array(32), new Uint8Array(16), 16));
    expectInvalidInput(() => aes256CtrKeystream(new Uint8Array(32), new Uint8Array(12), -1));
    expectInvalidInput(() => aes256CtrKeystream(new Uint8Array(32), new Uint8Array(12), 1.5));
    expectInvalidInput(() => aes256CtrKeystream("k" as unknown as Uint8Array, new Uint8Array(12), 1));
  });
});

/**
 * SURF (the small deterministic generator of the reference test-vector program): each call of
 * randombytes(n) takes bytes from out[7], out[6], … of successive SURF outputs and is echoed in hex.
 */
class Surf {
  private readonly seed = Uint32Array.of(
    3,
    1,
    4,
    1,
    5,
    9,
    2,
    6,
    5,
    3,
    5,
    8,
    9,
    7,
    9,
    3,
    2,
    3,
    8,
    4,
    6,
    2,
    6,
    4,
    3,
    3,
    8,
    3,
    2,
    7,
    9,
    5,
  );
  private readonly input = new Uint32Array(12);
  private readonly out = new Uint32Array(8);
  private left = 0;

  private surf(): void {
    const t = new Uint32Array(12);
    const seed = this.seed;
    for (let i = 0; i < 12; i++) t[i] = this.input[i]! ^ seed[12 + i]!;
    for (let i = 0; i < 8; i++) this.out[i] = seed[24 + i]!;
    let x = t[11]!;
    let sum = 0;
    for (let loop = 0; loop < 2; loop++) {
      for (let r = 0; r < 16; r++) {
        sum = (sum + 0x9e3779b9) >>> 0;
        for (let i = 0; i < 12; i++) {
          const b = 5 + 2 * (i & 3) + ((i & 3) === 3 ? 2 : 0); // rotations 5, 7, 9, 13
          x = t[i] = (t[i]! + ((((x ^ seed[i]!) + sum) >>> 0) ^ ((x << b) | (x >>> (32 - b))))) >>> 0;
        }
      }
      for (let i = 0; i < 8; i++) this.out[i]! ^= t[i + 4]!;
    }
  }

  bytes(n: number): Uint8Array {
    const r = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (this.left === 0) {
        // 128-bit little-endian counter over in[0..3]
        for (let w = 0; w < 4; w++) if ((this.input[w] = (this.input[w]! + 1) >>> 0) !== 0) break;
        this.surf();
        this.left = 8;
      }
      r[i] = this.out[--this.left]! & 0xff;
    }
    return r;
  }
}

describe("Kyber768-90s (round 3)", () => {
  it("reproduces the reference's 10,000 deterministic test vectors (tvecs768-90s)", () => {
    const rng = new Surf();
    const transcript = createHash("sha256");
    const line = (label: string, bytes: Uint8Array) => transcript.update(`${label}${hex(bytes)}\n`);
    for (let i = 0; i < 10000; i++) {
      const d = rng.bytes(32);
      line("", d);
      const z = rng.bytes(32);
      line("", z);
      const { publicKey, secretKey } = kyberKeyPair(concat(d, z));
      line("Public Key: ", publicKey);
      line("Secret Key: ", secretKey);
      const coins = rng.bytes(32);
      line("", coins);
      const { ciphertext, sharedSecret } = kyberEncapsulate(publicKey, coins);
      line("Ciphertext: ", ciphertext);
      line("Shared Secret B: ", sharedSecret);
      line("Shared Secret A: ", kyberDecapsulate(secretKey, ciphertext));
    }
    // SHA256SUMS of the round-3 reference (tvecs768-90s)
    expect(transcript.digest("hex")).toBe("a1b8fe37e3fc58a8511c63a7187d3626a1a98c5d3bb67000fe9a02be7199d952");
  }, 60_000);

  it("round trip with random seeds; the secret key is s ‖ pk ‖ H(pk) ‖ z", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (seed, coins) => {
          const { publicKey, secretKey } = kyberKeyPair(seed);
          expect(publicKey.length).toBe(1184);
          expect(secretKey.length).toBe(2400);
          expect(hex(secretKey.subarray(1152, 2336))).toBe(hex(publicKey));
          expect(hex(secretKey.subarray(2336, 2368))).toBe(hex(sha256(publicKey)));
          expect(hex(secretKey.subarray(2368))).toBe(hex(seed.subarray(32)));
          // deterministic in the seed and the coins
          expect(hex(kyberKeyPair(seed).secretKey)).toBe(hex(secretKey));
          const enc = kyberEncapsulate(publicKey, coins);
          expect(enc.ciphertext.length).toBe(1088);
          expect(hex(kyberEncapsulate(publicKey, coins).ciphertext)).toBe(hex(enc.ciphertext));
          expect(hex(kyberDecapsulate(secretKey, enc.ciphertext))).toBe(hex(enc.sharedSecret));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("default randomness gives fresh keys and encapsulations", () => {
    const a = kyberKeyPair();
    const b = kyberKeyPair();
    expect(hex(a.publicKey)).not.toBe(hex(b.publicKey));
    const e1 = kyberEncapsulate(a.publicKey);
    const e2 = kyberEncapsulate(a.publicKey);
    expect(hex(e1.ciphertext)).not.toBe(hex(e2.ciphertext));
    expect(hex(kyberDecapsulate(a.secretKey, e1.ciphertext))).toBe(hex(e1.sharedSecret));
    expect(hex(kyberDecapsulate(a.secretKey, e2.ciphertext))).toBe(hex(e2.sharedSecret));
  });

  it("implicit rejection: a tampered ciphertext gives KDF(z ‖ H(c')), no error", () => {
    const { publicKey, secretKey } = kyberKeyPair();
    const z = secretKey.subarray(2368);
    const { ciphertext, sharedSecret } = kyberEncapsulate(publicKey);
    fc.assert(
      fc.property(fc.nat(1087), fc.integer({ min: 1, max: 255 }), (pos, flip) => {
        const tampered = ciphertext.slice();
        tampered[pos]! ^= flip;
        const ss = kyberDecapsulate(secretKey, tampered);
        expect(hex(ss)).not.toBe(hex(sharedSecret));
        expect(hex(ss)).toBe(hex(sha256(concat(z, sha256(tampered)))));
      }),
      { numRuns: 40 },
    );
    // a ciphertext for another key is rejected the same way
    const other = kyberEncapsulate(kyberKeyPair().publicKey).ciphertext;
    expect(hex(kyberDecapsulate(secretKey, other))).toBe(hex(sha256(concat(z, sha256(other)))));
  });

  it("validates its arguments", () => {
    const { publicKey, secretKey } = kyberKeyPair();
    const { ciphertext } = kyberEncapsulate(publicKey);
    expectInvalidInput(() => kyberKeyPair(new Uint8Array(63)));
    expectInvalidInput(() => kyberKeyPair(new Uint8Array(65)));
    expectInvalidInput(() => kyberKeyPair([1, 2] as unknown as Uint8Array));
    expectInvalidInput(() => kyberEncapsulate(publicKey.subarray(1)));
    expectInvalidInput(() => kyberEncapsulate(publicKey, new Uint8Array(31)));
    expectInvalidInput(() => kyberEncapsulate(null as unknown as Uint8Array));
    expectInvalidInput(() => kyberDecapsulate(secretKey.subarray(1), ciphertext));
    expectInvalidInput(() => kyberDecapsulate(secretKey, ciphertext.subarray(1)));
    expectInvalidInput(() => kyberDecapsulate(secretKey, new Uint8Array(1089)));
  });

  it("leaves no secret in wasm memory", () => {
    const seed = Uint8Array.from({ length: 64 }, (_, i) => 0xa0 ^ i);
    const { publicKey, secretKey } = kyberKeyPair(seed);
    const coins = Uint8Array.from({ length: 32 }, (_, i) => 0x5c ^ (i * 3));
    const { ciphertext, sharedSecret } = kyberEncapsulate(publicKey, coins);
    const memory = () => new Uint8Array(getCore().memory.buffer);
    expect(contains(memory(), sharedSecret)).toBe(false);
    expect(contains(memory(), secretKey.subarray(0, 32))).toBe(false); // the start of Encode_12(ŝ)
    expect(contains(memory(), coins)).toBe(false);
    expect(hex(kyberDecapsulate(secretKey, ciphertext))).toBe(hex(sharedSecret));
    expect(contains(memory(), sharedSecret)).toBe(false);
    expect(contains(memory(), seed.subarray(32))).toBe(false); // z
    expect(contains(memory(), sha256(coins))).toBe(false); // m
  });
});
