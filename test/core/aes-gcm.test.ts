import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { AES_GCM_MAX_BYTES, aesGcmDecrypt, aesGcmEncrypt } from "../../src/core/aes-gcm.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable, type WycheproofFile } from "../helpers/vectors.js";
import { errorCode } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

function nodeEncrypt(key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-256-gcm", key, nonce);
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}

function nodeDecrypt(key: Uint8Array, nonce: Uint8Array, ctTag: Uint8Array, aad: Uint8Array): Uint8Array {
  const d = createDecipheriv("aes-256-gcm", key, nonce);
  d.setAAD(aad);
  d.setAuthTag(ctTag.subarray(ctTag.length - 16));
  return new Uint8Array(Buffer.concat([d.update(ctTag.subarray(0, ctTag.length - 16)), d.final()]));
}

const rnd = (n: number): Uint8Array => new Uint8Array(nodeRandomBytes(n));

interface GcmCase {
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
}

describe("AES-256-GCM: Wycheproof aes_gcm_test.json", () => {
  it.runIf(vectorsAvailable("wycheproof"))("runs every case: 256/96/128 by value, every other group rejected", () => {
    const file = readVectorJson<WycheproofFile<GcmCase>>("wycheproof", "aes_gcm_test.json");
    let valid = 0;
    let invalid = 0;
    let otherSizes = 0;
    let total = 0;
    for (const group of file.testGroups) {
      const inScope = group.keySize === 256 && group.ivSize === 96 && group.tagSize === 128;
      for (const t of group.tests) {
        total++;
        const key = hex(t.key);
        const iv = hex(t.iv);
        const aad = hex(t.aad);
        const msg = hex(t.msg);
        const ctTag = hex(t.ct + t.tag);
        const label = `tcId ${t.tcId}`;
        if (!inScope) {
          // Other key sizes, IV sizes or tag sizes are outside our API: rejected before any work.
          otherSizes++;
          expect(
            errorCode(() => aesGcmDecrypt(key, iv, ctTag, aad)),
            label,
          ).toBe("invalid_input");
          expect(
            errorCode(() => aesGcmEncrypt(key, iv, msg, aad)),
            label,
          ).toBe("invalid_input");
          continue;
        }
        expect(t.result === "valid" || t.result === "invalid", label).toBe(true);
        if (t.result === "valid") {
          valid++;
          expect(toHex(aesGcmEncrypt(key, iv, msg, aad)), label).toBe(t.ct + t.tag);
          expect(toHex(aesGcmDecrypt(key, iv, ctTag, aad)), label).toBe(t.msg);
        } else {
          invalid++;
          expect(
            errorCode(() => aesGcmDecrypt(key, iv, ctTag, aad)),
            label,
          ).toBe("verification_failed");
        }
      }
    }
    expect(total).toBe(file.numberOfTests);
    expect(valid).toBe(39);
    expect(invalid).toBe(27);
    expect(otherSizes).toBe(250);
  });
});

interface SentcSymVector {
  id: string;
  plaintext_hex?: string;
  parsed?: { aead_b64?: string };
}

describe("AES-256-GCM: interoperability with the real sentc core", () => {
  it.runIf(vectorsAvailable("sentc"))("decrypts every AES-GCM body of symmetric.json (sentc_wasm output)", () => {
    const file = readVectorJson<{ keys: { K1: { raw: { sym_key_b64: string } } }; vectors: SentcSymVector[] }>(
      "sentc",
      "symmetric.json",
    );
    const key = new Uint8Array(Buffer.from(file.keys.K1.raw.sym_key_b64, "base64"));
    let count = 0;
    for (const v of file.vectors) {
      if (v.parsed?.aead_b64 === undefined || v.plaintext_hex === undefined) continue;
      // sentc's symmetric body (spec §3.1): nonce(12) ‖ ciphertext ‖ tag(16), no AAD.
      const body = new Uint8Array(Buffer.from(v.parsed.aead_b64, "base64"));
      expect(toHex(aesGcmDecrypt(key, body.subarray(0, 12), body.subarray(12))), v.id).toBe(v.plaintext_hex);
      count++;
    }
    expect(count).toBe(8);
  });

  it("sentc_wasm decrypts what we encrypt, and we decrypt what it encrypts", () => {
    const require = createRequire(import.meta.url);
    const sentc = require("sentc_wasm") as {
      initSync(module: BufferSource): unknown;
      encrypt_symmetric(key: string, data: Uint8Array, signKey?: string): Uint8Array;
      decrypt_symmetric(key: string, data: Uint8Array, verifyKey?: string): Uint8Array;
    };
    sentc.initSync(readFileSync(require.resolve("sentc_wasm/sentc_wasm_bg.wasm")));
    const key = rnd(32);
    const sentcKey = JSON.stringify({ Aes: { key: Buffer.from(key).toString("base64"), key_id: "k" } });
    const head = new TextEncoder().encode(JSON.stringify({ id: "k", sign: null }));
    for (const len of [0, 1, 16, 100, 1000]) {
      const pt = rnd(len);
      const nonce = rnd(12);
      const sealed = aesGcmEncrypt(key, nonce, pt);
      const framed = new Uint8Array([...head, 0, ...nonce, ...sealed]);
      expect(toHex(sentc.decrypt_symmetric(sentcKey, framed)), `len ${len}`).toBe(toHex(pt));
      const theirs = sentc.encrypt_symmetric(sentcKey, pt);
      const body = theirs.subarray(theirs.indexOf(0) + 1);
      expect(toHex(aesGcmDecrypt(key, body.subarray(0, 12), body.subarray(12))), `len ${len}`).toBe(toHex(pt));
    }
  });
});

describe("AES-256-GCM: differential against node:crypto", () => {
  it("every plaintext length 0..1025 (random key, nonce, AAD)", () => {
    for (let len = 0; len <= 1025; len++) {
      const key = rnd(32);
      const nonce = rnd(12);
      const aad = rnd(len % 37);
      const pt = rnd(len);
      const ours = aesGcmEncrypt(key, nonce, pt, aad);
      expect(toHex(ours), `len ${len}`).toBe(toHex(nodeEncrypt(key, nonce, pt, aad)));
      expect(toHex(aesGcmDecrypt(key, nonce, ours, aad)), `len ${len}`).toBe(toHex(pt));
    }
  });

  it("property: encrypt matches node:crypto, decrypt inverts it (optional AAD)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ minLength: 0, maxLength: 1025 }),
        fc.option(fc.uint8Array({ minLength: 0, maxLength: 300 }), { nil: undefined }),
        (key, nonce, pt, aad) => {
          const ours = aesGcmEncrypt(key, nonce, pt, aad);
          expect(toHex(ours)).toBe(toHex(nodeEncrypt(key, nonce, pt, aad ?? new Uint8Array(0))));
          expect(toHex(aesGcmDecrypt(key, nonce, ours, aad))).toBe(toHex(pt));
          expect(toHex(nodeDecrypt(key, nonce, ours, aad ?? new Uint8Array(0)))).toBe(toHex(pt));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("large inputs: 1 MiB + 7, 64 KiB - 1, 200 KiB AAD", () => {
    for (const [ptLen, aadLen] of [
      [1048576 + 7, 13],
      [65535, 0],
      [129, 200 * 1024],
    ] as const) {
      const key = rnd(32);
      const nonce = rnd(12);
      const pt = rnd(ptLen);
      const aad = rnd(aadLen);
      const ours = aesGcmEncrypt(key, nonce, pt, aad);
      expect(Buffer.from(ours).equals(Buffer.from(nodeEncrypt(key, nonce, pt, aad))), `pt ${ptLen}`).toBe(true);
      expect(Buffer.from(aesGcmDecrypt(key, nonce, ours, aad)).equals(Buffer.from(pt)), `pt ${ptLen}`).toBe(true);
    }
  });

  it("decrypts what node:crypto encrypted, with and without AAD", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        (key, nonce, pt, aad) => {
          const theirs = nodeEncrypt(key, nonce, pt, aad);
          expect(toHex(aesGcmDecrypt(key, nonce, theirs, aad.length > 0 ? aad : undefined))).toBe(toHex(pt));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("AES-256-GCM: tampering is detected", () => {
  const key = rnd(32);
  const nonce = rnd(12);
  const pt = rnd(45);
  const aad = rnd(21);
  let ctTag: Uint8Array = new Uint8Array(0);
  beforeAll(() => {
    ctTag = aesGcmEncrypt(key, nonce, pt, aad);
  });

  function flips(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length * 8; i++) {
      const copy = bytes.slice();
      copy[i >> 3]! ^= 1 << (i & 7);
      out.push(copy);
    }
    return out;
  }

  it("every bit flip of ciphertext and tag", () => {
    let count = 0;
    for (const bad of flips(ctTag)) {
      expect(errorCode(() => aesGcmDecrypt(key, nonce, bad, aad))).toBe("verification_failed");
      count++;
    }
    expect(count).toBe((45 + 16) * 8);
  });

  it("every bit flip of AAD and nonce", () => {
    for (const bad of flips(aad)) {
      expect(errorCode(() => aesGcmDecrypt(key, nonce, ctTag, bad))).toBe("verification_failed");
    }
    for (const bad of flips(nonce)) {
      expect(errorCode(() => aesGcmDecrypt(key, bad, ctTag, aad))).toBe("verification_failed");
    }
    expect(aesGcmDecrypt(key, nonce, ctTag, aad)).toEqual(pt);
  });

  it("wrong key, missing or extra AAD, truncation and extension", () => {
    const wrongKey = key.slice();
    wrongKey[31]! ^= 0x80;
    expect(errorCode(() => aesGcmDecrypt(wrongKey, nonce, ctTag, aad))).toBe("verification_failed");
    expect(errorCode(() => aesGcmDecrypt(key, nonce, ctTag))).toBe("verification_failed");
    expect(errorCode(() => aesGcmDecrypt(key, nonce, ctTag, aad.subarray(1)))).toBe("verification_failed");
    expect(errorCode(() => aesGcmDecrypt(key, nonce, ctTag.subarray(1), aad))).toBe("verification_failed");
    expect(errorCode(() => aesGcmDecrypt(key, nonce, ctTag.subarray(0, ctTag.length - 1), aad))).toBe(
      "verification_failed",
    );
    const longer = new Uint8Array(ctTag.length + 1);
    longer.set(ctTag);
    expect(errorCode(() => aesGcmDecrypt(key, nonce, longer, aad))).toBe("verification_failed");
    // An empty plaintext is authenticated too: only the tag is left.
    const emptySealed = aesGcmEncrypt(key, nonce, new Uint8Array(0), aad);
    expect(emptySealed.length).toBe(16);
    emptySealed[0]! ^= 1;
    expect(errorCode(() => aesGcmDecrypt(key, nonce, emptySealed, aad))).toBe("verification_failed");
  });
});

describe("AES-256-GCM: argument validation", () => {
  const key = rnd(32);
  const nonce = rnd(12);

  it("accepts only 32-byte keys and 12-byte nonces", () => {
    const ctTag = aesGcmEncrypt(key, nonce, rnd(5));
    for (const n of [0, 16, 24, 31, 33, 64]) {
      expect(
        errorCode(() => aesGcmEncrypt(rnd(n), nonce, rnd(5))),
        `key ${n}`,
      ).toBe("invalid_input");
      expect(
        errorCode(() => aesGcmDecrypt(rnd(n), nonce, ctTag)),
        `key ${n}`,
      ).toBe("invalid_input");
    }
    for (const n of [0, 8, 11, 13, 16]) {
      expect(
        errorCode(() => aesGcmEncrypt(key, rnd(n), rnd(5))),
        `nonce ${n}`,
      ).toBe("invalid_input");
      expect(
        errorCode(() => aesGcmDecrypt(key, rnd(n), ctTag)),
        `nonce ${n}`,
      ).toBe("invalid_input");
    }
  });

  it("rejects inputs shorter than the tag", () => {
    for (let n = 0; n < 16; n++) {
      expect(
        errorCode(() => aesGcmDecrypt(key, nonce, rnd(n))),
        `length ${n}`,
      ).toBe("invalid_input");
    }
  });

  it("rejects values that are not Uint8Array", () => {
    const bad: unknown[] = [
      "0123456789abcdef0123456789abcdef",
      null,
      42,
      [1, 2, 3],
      new ArrayBuffer(32),
      new Uint16Array(16),
    ];
    for (const value of bad) {
      const v = value as Uint8Array;
      expect(errorCode(() => aesGcmEncrypt(v, nonce, rnd(1)))).toBe("invalid_input");
      expect(errorCode(() => aesGcmEncrypt(key, v, rnd(1)))).toBe("invalid_input");
      expect(errorCode(() => aesGcmEncrypt(key, nonce, v))).toBe("invalid_input");
      expect(errorCode(() => aesGcmDecrypt(key, nonce, v))).toBe("invalid_input");
      expect(errorCode(() => aesGcmEncrypt(key, nonce, rnd(1), v))).toBe("invalid_input");
      expect(errorCode(() => aesGcmDecrypt(key, nonce, rnd(20), v))).toBe("invalid_input");
    }
  });

  it("rejects plaintext, ciphertext and AAD above the limit before touching the data", () => {
    // A Uint8Array that reports a length above the limit without allocating it.
    class Huge extends Uint8Array {
      constructor(private readonly fakeLength: number) {
        super(16);
      }
      override get length(): number {
        return this.fakeLength;
      }
    }
    expect(errorCode(() => aesGcmEncrypt(key, nonce, new Huge(AES_GCM_MAX_BYTES + 1)))).toBe("invalid_input");
    expect(errorCode(() => aesGcmDecrypt(key, nonce, new Huge(AES_GCM_MAX_BYTES + 17)))).toBe("invalid_input");
    expect(errorCode(() => aesGcmEncrypt(key, nonce, rnd(1), new Huge(AES_GCM_MAX_BYTES + 1)))).toBe("invalid_input");
    expect(errorCode(() => aesGcmDecrypt(key, nonce, rnd(17), new Huge(AES_GCM_MAX_BYTES + 1)))).toBe("invalid_input");
  });

  it("the same key and nonce give the same output; inputs are not modified", () => {
    const pt = rnd(100);
    const aad = rnd(10);
    const copies = [key.slice(), nonce.slice(), pt.slice(), aad.slice()];
    const a = aesGcmEncrypt(key, nonce, pt, aad);
    const b = aesGcmEncrypt(key, nonce, pt, aad);
    expect(a).toEqual(b);
    expect([key, nonce, pt, aad]).toEqual(copies);
  });
});
