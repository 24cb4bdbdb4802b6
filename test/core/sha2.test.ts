import { createHash } from "node:crypto";
import { sha256 as nobleSha256, sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { createSHA256, createSHA512, type IHasher } from "hash-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { Sha256, Sha512, sha256, sha512 } from "../../src/core/sha2.js";
import { getCore } from "../../src/core/loader.js";
import { loadReleaseCore } from "../helpers/core.js";
import { toHex } from "../helpers/vectors.js";
import { contains, expectInvalidInput } from "../helpers/assert.js";

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const node = (alg: "sha256" | "sha512", data: Uint8Array): string => createHash(alg).update(data).digest("hex");

let hw256: IHasher;
let hw512: IHasher;

beforeAll(async () => {
  await loadReleaseCore();
  hw256 = await createSHA256();
  hw512 = await createSHA512();
});

// FIPS 180-4 examples (NIST "Cryptographic Standards and Guidelines: Examples with Intermediate Values",
// SHA256.pdf / SHA512.pdf): one-block "abc", the two-block 448-bit and 896-bit messages, one million "a".
const M448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const M896 =
  "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
const MILLION_A = "a".repeat(1_000_000);

const NIST_SHA256: Array<[string, string]> = [
  ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
  [M448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
  [M896, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"],
  [MILLION_A, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
];
const NIST_SHA512: Array<[string, string]> = [
  [
    "",
    "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
  ],
  [
    "abc",
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  ],
  [
    M448,
    "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
  ],
  [
    M896,
    "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
  ],
  [
    MILLION_A,
    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
  ],
];

describe("SHA-256 / SHA-512: FIPS 180-4 examples", () => {
  for (const [msg, digest] of NIST_SHA256) {
    it(`SHA-256 of ${msg.length} bytes`, () => {
      expect(toHex(sha256(ascii(msg)))).toBe(digest);
    });
  }
  for (const [msg, digest] of NIST_SHA512) {
    it(`SHA-512 of ${msg.length} bytes`, () => {
      expect(toHex(sha512(ascii(msg)))).toBe(digest);
    });
  }
  it("one million 'a' streamed in uneven chunks", () => {
    const data = ascii(MILLION_A);
    const h256 = new Sha256();
    const h512 = new Sha512();
    for (let at = 0, step = 1; at < data.length; at += step, step = (step * 7 + 3) % 9_973) {
      h256.update(data.subarray(at, at + step));
      h512.update(data.subarray(at, at + step));
    }
    expect(toHex(h256.digest())).toBe(NIST_SHA256[4]![1]);
    expect(toHex(h512.digest())).toBe(NIST_SHA512[4]![1]);
  });
});

describe("SHA-256 / SHA-512: every length 0..1025 against node:crypto, noble and hash-wasm", () => {
  const data = Uint8Array.from({ length: 1025 }, (_, i) => (i * 167 + 13) & 255);
  it("one-shot", () => {
    let checked = 0;
    for (let n = 0; n <= 1025; n++) {
      const m = data.subarray(0, n);
      const d256 = toHex(sha256(m));
      const d512 = toHex(sha512(m));
      expect(d256, `sha256 len ${n}`).toBe(node("sha256", m));
      expect(d256, `sha256 len ${n}`).toBe(toHex(nobleSha256(m)));
      expect(d256, `sha256 len ${n}`).toBe(toHex(hw256.init().update(m).digest("binary")));
      expect(d512, `sha512 len ${n}`).toBe(node("sha512", m));
      expect(d512, `sha512 len ${n}`).toBe(toHex(nobleSha512(m)));
      expect(d512, `sha512 len ${n}`).toBe(toHex(hw512.init().update(m).digest("binary")));
      checked++;
    }
    expect(checked).toBe(1026);
  });
  it("streamed: a split at every position of a 300-byte message", () => {
    const m = data.subarray(0, 300);
    for (let cut = 0; cut <= 300; cut++) {
      const a = m.subarray(0, cut);
      const b = m.subarray(cut);
      expect(toHex(new Sha256().update(a).update(b).digest()), `cut ${cut}`).toBe(node("sha256", m));
      expect(toHex(new Sha512().update(a).update(b).digest()), `cut ${cut}`).toBe(node("sha512", m));
    }
  });
});

describe("SHA-256 / SHA-512: differential property tests", () => {
  it("one-shot random inputs match node:crypto, noble and hash-wasm", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (m) => {
        const d256 = toHex(sha256(m));
        const d512 = toHex(sha512(m));
        return (
          d256 === node("sha256", m) &&
          d256 === toHex(nobleSha256(m)) &&
          d256 === toHex(hw256.init().update(m).digest("binary")) &&
          d512 === node("sha512", m) &&
          d512 === toHex(nobleSha512(m)) &&
          d512 === toHex(hw512.init().update(m).digest("binary"))
        );
      }),
      { numRuns: 300 },
    );
  });

  it("random streaming chunk boundaries give the one-shot digest", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat({ max: 300 }), { maxLength: 20 }), (m, cuts) => {
        const h256 = new Sha256();
        const h512 = new Sha512();
        let at = 0;
        for (const cut of cuts) {
          const chunk = m.subarray(at, Math.min(m.length, at + cut));
          expect(h256.update(chunk)).toBe(h256);
          expect(h512.update(chunk)).toBe(h512);
          at += chunk.length;
        }
        h256.update(m.subarray(at));
        h512.update(m.subarray(at));
        return toHex(h256.digest()) === node("sha256", m) && toHex(h512.digest()) === node("sha512", m);
      }),
      { numRuns: 300 },
    );
  });

  it("a streaming state is independent of other hashes run in between", () => {
    const a = new Sha256().update(ascii("ab"));
    const b = new Sha512().update(ascii("xyz"));
    sha256(ascii("interleaved"));
    sha512(ascii("interleaved"));
    a.update(ascii("c"));
    expect(toHex(a.digest())).toBe(NIST_SHA256[1]![1]);
    expect(toHex(b.digest())).toBe(node("sha512", ascii("xyz")));
  });
});

describe("SHA-256 / SHA-512: argument validation and hygiene", () => {
  it("rejects inputs that are not Uint8Array", () => {
    for (const bad of [undefined, null, "abc", [1, 2, 3], new ArrayBuffer(3), new Uint16Array(2), 7]) {
      expectInvalidInput(() => sha256(bad as unknown as Uint8Array));
      expectInvalidInput(() => sha512(bad as unknown as Uint8Array));
      expectInvalidInput(() => new Sha256().update(bad as unknown as Uint8Array));
      expectInvalidInput(() => new Sha512().update(bad as unknown as Uint8Array));
    }
  });

  it("accepts a Uint8Array view with an offset (Buffer, subarray)", () => {
    const big = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect(toHex(sha256(big.subarray(10, 60)))).toBe(node("sha256", big.subarray(10, 60)));
    expect(toHex(sha512(Buffer.from("abc")))).toBe(NIST_SHA512[1]![1]);
  });

  it("a finished stream throws invalid_input on update and digest", () => {
    for (const h of [new Sha256(), new Sha512()]) {
      h.update(ascii("abc"));
      h.digest();
      expectInvalidInput(() => h.update(ascii("more")));
      expectInvalidInput(() => h.digest());
    }
  });

  it("the ABI rejects negative lengths and corrupt states with ERR_INVALID_INPUT", () => {
    const core = getCore() as unknown as Record<string, (...args: number[]) => number> & { memory: WebAssembly.Memory };
    const p = core.alloc!(512);
    try {
      expect(core.sha256!(p, -1, p + 256)).toBe(1);
      expect(core.sha512!(p, -1, p + 256)).toBe(1);
      core.sha256_init!(p);
      expect(core.sha256_update!(p, p + 256, -5)).toBe(1);
      expect(core.sha256_update!(p, p + 256, 3)).toBe(0);
      new DataView(core.memory.buffer).setUint32(p + 40, 64, true); // buffered-byte count out of range
      expect(core.sha256_update!(p, p + 256, 1)).toBe(1);
      expect(core.sha256_final!(p, p + 256)).toBe(1);
      core.sha512_init!(p);
      expect(core.sha512_update!(p, p + 256, -5)).toBe(1);
      new DataView(core.memory.buffer).setUint32(p + 72, 128, true);
      expect(core.sha512_update!(p, p + 256, 1)).toBe(1);
      expect(core.sha512_final!(p, p + 256)).toBe(1);
    } finally {
      core.arena_reset!();
    }
  });

  it("exports its state sizes", () => {
    const core = getCore() as unknown as Record<string, WebAssembly.Global>;
    expect(core.SHA256_STATE_BYTES!.value).toBe(112);
    expect(core.SHA512_STATE_BYTES!.value).toBe(208);
  });

  it("leaves neither the message's last block nor the digest in wasm memory", () => {
    const secret = Uint8Array.from({ length: 200 }, (_, i) => (i * 89 + 5) & 255);
    const d256 = sha256(secret);
    const d512 = sha512(secret);
    const h = new Sha256().update(secret);
    const d256s = h.digest();
    const memory = new Uint8Array(getCore().memory.buffer);
    for (const needle of [secret.subarray(128, 200), secret.subarray(0, 64), d256, d512, d256s]) {
      expect(contains(memory, needle)).toBe(false);
    }
    expect(toHex(d256)).toBe(node("sha256", secret));
  });
});
