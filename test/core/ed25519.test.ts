import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { ed25519 as nobleEd25519 } from "@noble/curves/ed25519.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "../../src/core/ed25519.js";
import { getCore } from "../../src/core/loader.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable, type WycheproofFile } from "../helpers/vectors.js";
import { contains, expectCode } from "../helpers/assert.js";

// node:crypto takes raw Ed25519 keys wrapped in PKCS#8 / SPKI DER (RFC 8410).
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

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const leToBig = (b: Uint8Array): bigint => BigInt(`0x${toHex(Uint8Array.from(b).reverse()) || "0"}`);
const bigToLe = (v: bigint): Uint8Array => Uint8Array.from(hex(v.toString(16).padStart(64, "0"))).reverse();

beforeAll(async () => {
  await loadReleaseCore();
});

// RFC 8032 §7.1.
const RFC8032 = [
  {
    name: "TEST 1",
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    msg: "",
    sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "TEST 2",
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    msg: "72",
    sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "TEST 3",
    seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    pk: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    msg: "af82",
    sig: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
  {
    name: "TEST 1024",
    seed: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
    pk: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
    msg:
      "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8" +
      "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc" +
      "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e" +
      "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7" +
      "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2" +
      "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270" +
      "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07" +
      "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a" +
      "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7" +
      "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8" +
      "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08" +
      "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4" +
      "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e" +
      "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5" +
      "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d" +
      "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
    sig: "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
  },
  {
    name: "TEST SHA(abc)",
    seed: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    pk: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    msg: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    sig: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  },
];

describe("Ed25519: RFC 8032 §7.1", () => {
  for (const v of RFC8032) {
    it(`${v.name}: public key, signature, verification`, () => {
      const seed = hex(v.seed);
      const msg = hex(v.msg);
      expect(toHex(ed25519PublicKey(seed))).toBe(v.pk);
      expect(toHex(ed25519Sign(seed, msg))).toBe(v.sig);
      expect(ed25519Verify(hex(v.pk), msg, hex(v.sig))).toBe(true);
      const tampered = hex(v.sig);
      tampered[0]! ^= 1;
      expect(ed25519Verify(hex(v.pk), msg, tampered)).toBe(false);
    });
  }

  it("SHA(abc) message is SHA-512('abc') and TEST 1024 message is 1,023 bytes", () => {
    expect(RFC8032[4]!.msg).toBe(createHash("sha512").update("abc").digest("hex"));
    expect(hex(RFC8032[3]!.msg).length).toBe(1023);
  });
});

describe("Ed25519: strict verification", () => {
  const seed = hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  const pk = hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  const msg = hex("72");

  it("rejects S + L (S ≥ L, §5.1.7 step 1) while S verifies", () => {
    const sig = ed25519Sign(seed, msg);
    expect(ed25519Verify(pk, msg, sig)).toBe(true);
    const big = leToBig(sig.slice(32)) + L;
    expect(big < 2n ** 256n).toBe(true);
    const malleated = new Uint8Array(64);
    malleated.set(sig.slice(0, 32));
    malleated.set(bigToLe(big), 32);
    expect(ed25519Verify(pk, msg, malleated)).toBe(false);
  });

  it("rejects small-order public keys even when the cofactorless equation holds", () => {
    // A = neutral element (y = 1), R = neutral element, S = 0: [0]B = R + [k]A holds for every k.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const sig = new Uint8Array(64);
    sig.set(identity);
    expect(ed25519Verify(identity, msg, sig)).toBe(false);
    // A = (0, -1), of order 2, with R = neutral element: the equation holds when k is even.
    const order2 = hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    let holds = 0;
    for (let i = 0; i < 16; i++) {
      const m = Uint8Array.of(i);
      const k =
        BigInt(
          "0x" +
            toHex(
              Uint8Array.from(
                createHash("sha512")
                  .update(Buffer.concat([identity, order2, m]))
                  .digest(),
              ).reverse(),
            ),
        ) % L;
      if (k % 2n === 0n) holds++;
      expect(ed25519Verify(order2, m, sig)).toBe(false);
    }
    expect(holds).toBeGreaterThan(0);
  });

  it("rejects a small-order R even when the cofactorless equation holds", () => {
    // R = neutral element, S = k·s mod L: [S]B = [k]A = R + [k]A.
    const h = createHash("sha512").update(seed).digest();
    const s = Uint8Array.from(h.subarray(0, 32));
    s[0]! &= 248;
    s[31] = (s[31]! & 127) | 64;
    const R = new Uint8Array(32);
    R[0] = 1;
    const k =
      leToBig(
        Uint8Array.from(
          createHash("sha512")
            .update(Buffer.concat([R, pk, msg]))
            .digest(),
        ),
      ) % L;
    const S = (k * leToBig(s)) % L;
    const sig = new Uint8Array(64);
    sig.set(R);
    sig.set(bigToLe(S), 32);
    // The same signature with R written as a prime-order point would need a different k; this one satisfies
    // the group equation, which noble (non-strict about R's order) confirms.
    expect(nobleEd25519.verify(sig, msg, pk, { zip215: false })).toBe(true);
    expect(ed25519Verify(pk, msg, sig)).toBe(false);
  });

  it("rejects non-canonical encodings of A (y ≥ p, and x = 0 with the sign bit set)", () => {
    // y = p + 1 ≡ 1 (the neutral element written non-canonically), and y = 1 with x_0 = 1.
    const sig = new Uint8Array(64);
    sig[0] = 1;
    for (const a of [
      hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
      hex("0100000000000000000000000000000000000000000000000000000000000080"),
    ]) {
      expect(ed25519Verify(a, msg, sig)).toBe(false);
    }
  });

  it("rejects public keys that are not on the curve", () => {
    // y = 2 gives x^2 = 3/(4d + 1), which has no square root.
    const a = new Uint8Array(32);
    a[0] = 2;
    expect(() => nobleEd25519.Point.fromBytes(a)).toThrow();
    expect(ed25519Verify(a, msg, ed25519Sign(seed, msg))).toBe(false);
  });

  it("leaves no seed or secret scalar in wasm memory after signing", () => {
    const secretSeed = Uint8Array.from({ length: 32 }, (_, i) => 0x5c ^ (i * 13));
    const h = createHash("sha512").update(secretSeed).digest();
    const s = Uint8Array.from(h.subarray(0, 32));
    s[0]! &= 248;
    s[31] = (s[31]! & 127) | 64;
    const prefix = Uint8Array.from(h.subarray(32, 64));
    ed25519Sign(secretSeed, new Uint8Array(300).fill(7));
    ed25519PublicKey(secretSeed);
    const memory = new Uint8Array(getCore().memory.buffer);
    expect(contains(memory, secretSeed)).toBe(false);
    expect(contains(memory, s)).toBe(false);
    expect(contains(memory, prefix)).toBe(false);
  });
});

interface EddsaCase {
  msg: string;
  sig: string;
}

describe("Ed25519: Wycheproof ed25519_test.json", () => {
  it.runIf(vectorsAvailable("wycheproof"))("every case: valid verifies, invalid is rejected", () => {
    const file = readVectorJson<WycheproofFile<EddsaCase>>("wycheproof", "ed25519_test.json");
    let run = 0;
    let valid = 0;
    let rejectedAsFalse = 0;
    let rejectedAsInvalidInput = 0;
    for (const group of file.testGroups) {
      const pk = hex((group.publicKey as { pk: string }).pk);
      for (const t of group.tests) {
        run++;
        const sig = hex(t.sig);
        const msg = hex(t.msg);
        expect(t.result === "valid" || t.result === "invalid", `tcId ${t.tcId}`).toBe(true);
        if (sig.length !== 64) {
          // A wrong-length signature is a malformed argument: invalid_input (documented in src/core/ed25519.ts).
          expect(t.result, `tcId ${t.tcId}`).toBe("invalid");
          expectCode(() => ed25519Verify(pk, msg, sig), "invalid_input");
          rejectedAsInvalidInput++;
          continue;
        }
        expect(ed25519Verify(pk, msg, sig), `tcId ${t.tcId} ${t.comment}`).toBe(t.result === "valid");
        if (t.result === "valid") valid++;
        else rejectedAsFalse++;
      }
    }
    expect(run).toBe(file.numberOfTests);
    expect(run).toBe(151);
    expect(valid).toBe(88);
    expect(rejectedAsFalse).toBe(51);
    expect(rejectedAsInvalidInput).toBe(12);
  });
});

describe("Ed25519: differential against node:crypto and @noble/curves", () => {
  const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const msgArb = fc.uint8Array({ minLength: 0, maxLength: 1025 });

  it("public keys and signatures agree; each verifies the others' signatures", () => {
    fc.assert(
      fc.property(seedArb, msgArb, (seed, msg) => {
        const pk = ed25519PublicKey(seed);
        expect(toHex(pk)).toBe(toHex(nobleEd25519.getPublicKey(seed)));
        const sig = ed25519Sign(seed, msg);
        expect(toHex(sig)).toBe(toHex(nobleEd25519.sign(msg, seed)));
        expect(toHex(sig)).toBe(toHex(nodeSign(null, msg, nodePrivate(seed))));
        expect(ed25519Verify(pk, msg, sig)).toBe(true);
        expect(nodeVerify(null, msg, nodePublic(pk), sig)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("a flipped bit in the message, key or signature fails everywhere", () => {
    fc.assert(
      fc.property(seedArb, msgArb, fc.nat(), fc.constantFrom("msg", "pk", "sig"), (seed, msg, bitIndex, where) => {
        const pk = ed25519PublicKey(seed);
        const sig = ed25519Sign(seed, msg);
        const m = msg.slice();
        const k = pk.slice();
        const s = sig.slice();
        if (where === "msg" && m.length > 0) m[(bitIndex >> 3) % m.length]! ^= 1 << (bitIndex & 7);
        else if (where === "pk") k[(bitIndex >> 3) % 32]! ^= 1 << (bitIndex & 7);
        else s[(bitIndex >> 3) % 64]! ^= 1 << (bitIndex & 7);
        const ours = ed25519Verify(k, m, s);
        expect(ours).toBe(false);
        let noble: boolean;
        try {
          noble = nobleEd25519.verify(s, m, k, { zip215: false });
        } catch {
          noble = false;
        }
        expect(noble).toBe(ours);
      }),
      { numRuns: 80 },
    );
  });
});

describe("Ed25519: long messages", () => {
  it("signs and verifies a 1 MiB message like node:crypto (the arena grows past its first pages)", () => {
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i * 3);
    const msg = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 131 + 7) & 255);
    const sig = ed25519Sign(seed, msg);
    expect(toHex(sig)).toBe(toHex(nodeSign(null, msg, nodePrivate(seed))));
    expect(ed25519Verify(ed25519PublicKey(seed), msg, sig)).toBe(true);
    msg[msg.length - 1]! ^= 1;
    expect(ed25519Verify(ed25519PublicKey(seed), msg, sig)).toBe(false);
  });
});

describe("Ed25519: argument validation", () => {
  const seed = new Uint8Array(32).fill(3);
  const msg = new Uint8Array(5);
  it("rejects wrong lengths and non-Uint8Array arguments with invalid_input", () => {
    const sig = ed25519Sign(seed, msg);
    const pk = ed25519PublicKey(seed);
    for (const bad of [
      new Uint8Array(0),
      new Uint8Array(31),
      new Uint8Array(33),
      [1, 2, 3],
      "x".repeat(32),
      null,
      undefined,
    ]) {
      expectCode(() => ed25519PublicKey(bad as Uint8Array), "invalid_input");
      expectCode(() => ed25519Sign(bad as Uint8Array, msg), "invalid_input");
      expectCode(() => ed25519Verify(bad as Uint8Array, msg, sig), "invalid_input");
    }
    for (const bad of [[1, 2, 3], "abc", null, undefined, new ArrayBuffer(4)]) {
      expectCode(() => ed25519Sign(seed, bad as unknown as Uint8Array), "invalid_input");
      expectCode(() => ed25519Verify(pk, bad as unknown as Uint8Array, sig), "invalid_input");
    }
    for (const bad of [new Uint8Array(0), new Uint8Array(63), new Uint8Array(65), sig.subarray(0, 32)]) {
      expectCode(() => ed25519Verify(pk, msg, bad), "invalid_input");
    }
    expect(ed25519Verify(pk, msg, sig)).toBe(true);
  });
});
