import { createCipheriv, randomBytes as nodeRandomBytes } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { aes128EncryptBlocks } from "../../src/core/aes128.js";
import { aesGcmDecrypt, aesGcmEncrypt } from "../../src/core/aes-gcm.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, toHex } from "../helpers/vectors.js";
import { errorCode } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

function nodeEcb(key: Uint8Array, input: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-128-ecb", key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(input), c.final()]));
}

const rnd = (n: number): Uint8Array => new Uint8Array(nodeRandomBytes(n));

describe("aes128EncryptBlocks: FIPS 197 examples", () => {
  it("Appendix C.1 (AES-128)", () => {
    const out = aes128EncryptBlocks(hex("000102030405060708090a0b0c0d0e0f"), hex("00112233445566778899aabbccddeeff"));
    expect(toHex(out)).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
  });

  it("Appendix B (cipher example)", () => {
    const out = aes128EncryptBlocks(hex("2b7e151628aed2a6abf7158809cf4f3c"), hex("3243f6a8885a308d313198a2e0370734"));
    expect(toHex(out)).toBe("3925841d02dc09fbdc118597196a0b32");
  });

  it("Appendix A.1 key: every round key matters (B's input under a one-bit-changed key differs)", () => {
    const key = hex("2b7e151628aed2a6abf7158809cf4f3c");
    key[15] = key[15]! ^ 1;
    const out = aes128EncryptBlocks(key, hex("3243f6a8885a308d313198a2e0370734"));
    expect(toHex(out)).toBe(toHex(nodeEcb(key, hex("3243f6a8885a308d313198a2e0370734"))));
    expect(toHex(out)).not.toBe("3925841d02dc09fbdc118597196a0b32");
  });
});

describe("aes128EncryptBlocks against node:crypto aes-128-ecb", () => {
  it("every block count 0..40 (full batches of eight and every tail)", () => {
    const key = rnd(16);
    for (let blocks = 0; blocks <= 40; blocks++) {
      const input = rnd(blocks * 16);
      expect(toHex(aes128EncryptBlocks(key, input)), `blocks=${blocks}`).toBe(toHex(nodeEcb(key, input)));
    }
  });

  it("random keys and blocks (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 33 }).chain((n) => fc.uint8Array({ minLength: n * 16, maxLength: n * 16 })),
        (key, input) => {
          expect(toHex(aes128EncryptBlocks(key, input))).toBe(toHex(nodeEcb(key, input)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("does not modify its arguments", () => {
    const key = rnd(16);
    const input = rnd(48);
    const keyCopy = key.slice();
    const inputCopy = input.slice();
    aes128EncryptBlocks(key, input);
    expect(key).toEqual(keyCopy);
    expect(input).toEqual(inputCopy);
  });

  it("a large input (1 MiB) equals node:crypto", () => {
    const key = rnd(16);
    const input = rnd(1 << 20);
    expect(Buffer.from(aes128EncryptBlocks(key, input)).equals(Buffer.from(nodeEcb(key, input)))).toBe(true);
  });
});

describe("aes128EncryptBlocks argument validation", () => {
  it("rejects wrong key lengths and types", () => {
    for (const len of [0, 15, 17, 24, 32]) {
      expect(
        errorCode(() => aes128EncryptBlocks(new Uint8Array(len), new Uint8Array(16))),
        `key ${len}`,
      ).toBe("invalid_input");
    }
    expect(errorCode(() => aes128EncryptBlocks([1, 2] as unknown as Uint8Array, new Uint8Array(16)))).toBe(
      "invalid_input",
    );
    expect(errorCode(() => aes128EncryptBlocks("k".repeat(16) as unknown as Uint8Array, new Uint8Array(16)))).toBe(
      "invalid_input",
    );
  });

  it("rejects input that is not whole blocks or not bytes", () => {
    for (const len of [1, 15, 17, 31, 33]) {
      expect(
        errorCode(() => aes128EncryptBlocks(new Uint8Array(16), new Uint8Array(len))),
        `input ${len}`,
      ).toBe("invalid_input");
    }
    expect(errorCode(() => aes128EncryptBlocks(new Uint8Array(16), null as unknown as Uint8Array))).toBe(
      "invalid_input",
    );
  });
});

describe("AES-128 and AES-256-GCM share the core's AES state", () => {
  it("interleaved calls stay correct", () => {
    const k128 = rnd(16);
    const k256 = rnd(32);
    const nonce = rnd(12);
    const pt = rnd(100);
    for (let i = 0; i < 5; i++) {
      const block = rnd(32);
      expect(toHex(aes128EncryptBlocks(k128, block))).toBe(toHex(nodeEcb(k128, block)));
      const sealed = aesGcmEncrypt(k256, nonce, pt);
      const c = createCipheriv("aes-256-gcm", k256, nonce);
      const expected = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
      expect(toHex(sealed)).toBe(expected.toString("hex"));
      expect(toHex(aesGcmDecrypt(k256, nonce, sealed))).toBe(toHex(pt));
    }
  });
});
