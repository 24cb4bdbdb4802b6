import { createCipheriv, createHash } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DILITHIUM3_PUBLIC_KEY_BYTES,
  DILITHIUM3_SECRET_KEY_BYTES,
  DILITHIUM3_SIGNATURE_BYTES,
  dilithiumKeyPair,
  dilithiumSign,
  dilithiumVerify,
} from "../../src/core/dilithium.js";
import { shake256 } from "../../src/core/keccak.js";
import { fromBase64, fromPem } from "../../src/protocol/encoding.js";
import { contains, expectInvalidInput } from "../helpers/assert.js";
import { getCore } from "../../src/core/loader.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable } from "../helpers/vectors.js";

beforeAll(loadReleaseCore);

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};
const seq = (n: number, start = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i * 13) & 0xff);

/** A hybrid "PEM" (JSON of two PEMs) as raw x and k bytes. */
const hybridPem = (text: string): { x: Uint8Array; k: Uint8Array } => {
  const parsed = JSON.parse(text) as { x: string; k: string };
  return { x: fromPem(parsed.x).bytes, k: fromPem(parsed.k).bytes };
};
/** A hybrid signature string {"x":b64,"k":b64}. */
const hybridSig = (text: string): { x: Uint8Array; k: Uint8Array } => {
  const parsed = JSON.parse(text) as { x: string; k: string };
  return { x: fromBase64(parsed.x), k: fromBase64(parsed.k) };
};

// ---- Round-3 known-answer tests (Dilithium3-AES, randomized signing) ------------------------------------------

/**
 * The NIST KAT generator's randombytes(): CTR_DRBG with AES-256 and no derivation function (SP 800-90A §10.2.1),
 * instantiated with a 48-byte seed and no personalization; every call ends with an Update (§10.2.1.5.1 step 6).
 */
class KatDrbg {
  private key = new Uint8Array(32);
  private v = new Uint8Array(16);
  constructor(seed: Uint8Array) {
    this.update(seed);
  }
  private next(): Uint8Array {
    for (let i = 15; i >= 0; i--) {
      this.v[i] = (this.v[i]! + 1) & 0xff;
      if (this.v[i] !== 0) break;
    }
    const aes = createCipheriv("aes-256-ecb", this.key, null);
    aes.setAutoPadding(false);
    return new Uint8Array(aes.update(this.v));
  }
  private update(data?: Uint8Array): void {
    const t = concat(this.next(), this.next(), this.next());
    if (data) for (let i = 0; i < 48; i++) t[i]! ^= data[i]!;
    this.key = t.slice(0, 32);
    this.v = t.slice(32, 48);
  }
  random(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 16) out.set(this.next().subarray(0, Math.min(16, n - off)), off);
    this.update();
    return out;
  }
}

// The first entries of the official round-3 PQCsignKAT for Dilithium3-AES with randomized signing (generated
// by the reference implementation from the NIST DRBG seeds), as SHA3-256 hashes of pk, sk and the signature.
const KAT = [
  {
    seed: "061550234D158C5EC95595FE04EF7A25767F2E24CC2BC479D09D86DC9ABCFDE7056A8C266F9EF97ED08541DBD2E1FFA1",
    msg: "D81C4D8D734FCBFBEADE3D3F8A039FAA2A2C9957E835AD55B22E75BF57BB556AC8",
    pk: "9efe43f4bb301f74685d9040bf028031517c1c5eff59be707d5e8da025929217",
    sk: "206d5e947002f597e1fdd0d1d37587156a1560a96df5fbd079db61843557e2fa",
    sig: "df6f3ce0ca32a37fad6b04b57b93ebde205010adf48068291f6bb18a0ecd1975",
  },
  {
    seed: "64335BF29E5DE62842C941766BA129B0643B5E7121CA26CFC190EC7DC3543830557FDD5C03CF123A456D48EFEA43C868",
    msg: "225D5CE2CEAC61930A07503FB59F7C2F936A3E075481DA3CA299A80F8C5DF9223A073E7B90E02EBF98CA2227EBA38C1AB2568209E46DBA961869C6F83983B17DCD49",
    pk: "e5651d6a344a7bb6f1595c5c8937e4be415280dbc96124eb99de38836332fd00",
    sk: "917ef10ad14ef0c45942cfce597b624cdf55fd8640f8aa3a6d0524f1f08c5638",
    sig: "6a2489c44b1a11ab79b35e10d56f9b1200f3b67316cbaeb2b85f57074f2326d1",
  },
  {
    seed: "BFF58FDA9DB4C2D8BD02E4647868D4A2FA12500A65CA4C9F918B505707FA775951018D9149C97D443EA16B07DD68435B",
    msg: "2B8C4B0F29363EAEE469A7E33524538AA066AE98980EAA19D1F10593203DA2143B9E9E1973F7FF0E6C6AAA3C0B900E50D003412EFE96DEECE3046D8C46BC7709228789775ABDF56AED6416C90033780CB7A4984815DA1B14660DCF34AA34BF82CEBBCF",
    pk: "3550e26f212ee675fd494528d2dfc543590347d6a387b7ed1f0fe75d5a9e32db",
    sk: "ccc60fa7e912a7a5fa67e820d92d5bf5326eb1b2b817ebfdb0af81363180ab8e",
    sig: "859721d71f6e33fc9a093ae3d7832f48e19c5342a5239c3fabb6dca05ab172f5",
  },
  {
    seed: "58C094D217BC13EDFDBEA57EDBF3A536F8F69FED1D54648CE3D0CCB4847A5C9917C2E2BC4D5F620E937F0D329FCF8A16",
    msg: "2F7AF5B52A046471EFCD720C9384919BE05A61CDE8E8B01251C5AB885E820FD36ED9FF6FDF45783EC81A86728CBB74B426ADFF96123C08FAC2BC6C58A9C0DD71761292262C65F20DF47751F0831770A6BB7B3760BB7F5EFFFB6E11AC35F353A6F24400B80B287834E92C9CF0D3C949D6DCA31B0B94E0E3312E8BD02174B170C2CA9355FE",
    pk: "24fa199d3e69e5448e9022a0c25f86484d7cfb360a8a8856fdd4e244dfc533af",
    sk: "90bdc05be59c822e00cb0c8aae08d6f1a341ec5ebdf06fda9fd96e892fa5d862",
    sig: "5230eeba6efee9bbaf5f981384b47a702cab91b5981ffa3093ed52ce6fedf1d9",
  },
  {
    seed: "F1902A7815F37BC7F5802D8CBCE5B48D82EB85691718062BFB84D8C06AA41D6E9039B0A107245DAFA4EC109A57332914",
    msg: "1CDF0AE1124780A8FF00318F779A3B86B3504D059CA7AB3FE4D6EAE9FD46428D1DABB704C0735A8FE8708F409741017B723D9A304E54FDC5789A7B0748C2464B7308AC9665115644C569AE253D5205751342574C03346DDDC1950A6273546616B96D0C5ECE0A044AF0EDEFBE445F9AE37DA5AFB8D22A56D9FD1801425A0A276F48431D7AF039521E549551481391FE5F4EBFB7644D9F9782D83A95137E84EA3AEB3C2F8099",
    pk: "12cdb65b9bc492081fb356b5ee64ce5cb97f11d0def1a2a3ad38317b886e9a28",
    sk: "ee8d5f737ce7d824db43fe53e3f16a54a7bceb2215f1e6d97ef9df00b679d923",
    sig: "5711ee873426a2fe1d705e1d57709623b47f149ee9f32c3422b1c02330446e4e",
  },
];

describe("round-3 Dilithium3-AES known-answer tests (randomized signing)", () => {
  it("reproduces the key pairs and signatures of the first five KAT entries", () => {
    const sha3 = (b: Uint8Array): string => createHash("sha3-256").update(b).digest("hex");
    for (const [i, v] of KAT.entries()) {
      const drbg = new KatDrbg(hex(v.seed));
      // Key generation draws ζ (32 bytes), randomized signing then draws ρ′ (64 bytes) from the same DRBG.
      const kp = dilithiumKeyPair(drbg.random(32));
      expect(sha3(kp.publicKey), `count ${i} pk`).toBe(v.pk);
      expect(sha3(kp.secretKey), `count ${i} sk`).toBe(v.sk);
      const msg = hex(v.msg);
      const sig = dilithiumSign(kp.secretKey, msg, drbg.random(64));
      expect(sha3(sig), `count ${i} sig`).toBe(v.sig);
      expect(dilithiumVerify(kp.publicKey, msg, sig)).toBe(true);
    }
  });
});

// ---- Signatures made by the real package (sentc_wasm 0.15, pqc_dilithium_edit: Dilithium3-AES) ----------------

interface RealCase {
  name: string;
  /** The signed data (raw public key bytes x ‖ k, or the raw group key). */
  data: Uint8Array;
  verifyKey: { x: Uint8Array; k: Uint8Array };
  sig: { x: Uint8Array; k: Uint8Array };
}

function realCases(): RealCase[] {
  const cases: RealCase[] = [];
  const pubKeySig = (name: string, publicKeyPem: string, verifyKeyPem: string, sig: string): void => {
    const pk = hybridPem(publicKeyPem);
    cases.push({ name, data: concat(pk.x, pk.k), verifyKey: hybridPem(verifyKeyPem), sig: hybridSig(sig) });
  };
  const register = readVectorJson<any>("sentc", "register.json");
  const reg = JSON.parse(register.prepare_register.output_json_string).group;
  pubKeySig(
    "register.json prepare_register group public_key_sig",
    reg.public_group_key,
    reg.verify_key,
    reg.public_key_sig,
  );

  const login = readVectorJson<any>("sentc", "login.json");
  const lg = login.register_output.group;
  pubKeySig("login.json register_output group public_key_sig", lg.public_group_key, lg.verify_key, lg.public_key_sig);
  // server.verify_login_output.user_keys[0] carries the same signature and keys again (checked below).
  const uk = login.server.verify_login_output.user_keys[0];

  const rotation = readVectorJson<any>("sentc", "key_rotation.json").user_key_rotation.key_rotation_data;
  pubKeySig(
    "key_rotation.json user_key_rotation public_key_sig",
    rotation.public_group_key,
    rotation.verify_key,
    rotation.public_key_sig,
  );

  const group = readVectorJson<any>("sentc", "group.json").hybrid_example;
  const created = JSON.parse(group.create_data_json);
  const groupKey = fromBase64(JSON.parse(group.decrypted_group_key).Aes.key);
  cases.push({
    name: "group.json hybrid_example group_key_sig",
    data: groupKey,
    verifyKey: hybridPem(uk.verify_key),
    sig: hybridSig(created.group_key_sig),
  });
  return cases;
}

describe.runIf(vectorsAvailable("sentc"))("Dilithium3-AES against the real package's signatures", () => {
  const cases = realCases();

  it("has the expected vectors and sizes", () => {
    // Four distinct signatures: three public-key signatures by three real key pairs, one group-key signature.
    expect(cases.length).toBe(4);
    const login = readVectorJson<any>("sentc", "login.json");
    expect(login.server.verify_login_output.user_keys[0].public_key_sig).toBe(
      login.register_output.group.public_key_sig,
    );
    for (const c of cases) {
      expect(c.verifyKey.k.length, c.name).toBe(DILITHIUM3_PUBLIC_KEY_BYTES);
      expect(c.sig.k.length, c.name).toBe(DILITHIUM3_SIGNATURE_BYTES);
      expect(c.sig.x.length, c.name).toBe(64);
    }
  });

  it("verifies the Dilithium part of every hybrid signature over data ‖ sig_x", () => {
    for (const c of cases) expect(dilithiumVerify(c.verifyKey.k, concat(c.data, c.sig.x), c.sig.k), c.name).toBe(true);
  });

  it("rejects them over the data alone, under another key, or with any flipped byte", () => {
    for (const [i, c] of cases.entries()) {
      expect(dilithiumVerify(c.verifyKey.k, c.data, c.sig.k), c.name).toBe(false);
      const other = cases[(i + 1) % cases.length]!;
      if (toHex(other.verifyKey.k) !== toHex(c.verifyKey.k)) {
        expect(dilithiumVerify(other.verifyKey.k, concat(c.data, c.sig.x), c.sig.k), c.name).toBe(false);
      }
    }
    const c = cases[0]!;
    const msg = concat(c.data, c.sig.x);
    // c̃ (0..31), z (32..3231), h indices (3232..3286), h counts (3287..3292): a flip anywhere must fail.
    for (const at of [0, 31, 32, 100, 1700, 3231, 3232, 3240, 3286, 3287, 3292]) {
      const bad = c.sig.k.slice();
      bad[at]! ^= 0x01;
      expect(dilithiumVerify(c.verifyKey.k, msg, bad), `sig byte ${at}`).toBe(false);
    }
    for (const at of [0, 31, 32, 1000, 1951]) {
      const bad = c.verifyKey.k.slice();
      bad[at]! ^= 0x80;
      expect(dilithiumVerify(bad, msg, c.sig.k), `pk byte ${at}`).toBe(false);
    }
    for (const at of [0, msg.length - 1]) {
      const bad = msg.slice();
      bad[at]! ^= 0x01;
      expect(dilithiumVerify(c.verifyKey.k, bad, c.sig.k), `message byte ${at}`).toBe(false);
    }
    expect(dilithiumVerify(c.verifyKey.k, msg.subarray(0, msg.length - 1), c.sig.k)).toBe(false);
    expect(dilithiumVerify(c.verifyKey.k, concat(msg, new Uint8Array(1)), c.sig.k)).toBe(false);
  });

  it("signs with the real secret key so that the real verify key accepts; the secret key holds tr = SHAKE256(pk)", () => {
    const login = readVectorJson<any>("sentc", "login.json");
    const userData = login.direct_path.user_data;
    const pairs = [
      [userData.user_keys[0].sign_key, userData.user_keys[0].verify_key],
      [userData.device_sign_key, userData.device_verify_key],
    ] as const;
    for (const [signExport, verifyExport] of pairs) {
      const sk = fromBase64(JSON.parse(signExport).Ed25519DilithiumHybrid.k);
      const pk = fromBase64(JSON.parse(verifyExport).Ed25519DilithiumHybrid.k);
      expect(sk.length).toBe(DILITHIUM3_SECRET_KEY_BYTES);
      expect(toHex(sk.subarray(0, 32))).toBe(toHex(pk.subarray(0, 32))); // ρ
      expect(toHex(sk.subarray(64, 96))).toBe(toHex(shake256(pk, 32))); // tr (v3.1: 32 bytes)
      const msg = seq(77);
      const sig = dilithiumSign(sk, msg, seq(64, 5));
      expect(dilithiumVerify(pk, msg, sig)).toBe(true);
    }
  });
});

// ---- Our own key pairs ---------------------------------------------------------------------------------------

describe("Dilithium3-AES key generation, signing and verification", () => {
  const seed = seq(32, 1);
  let kp: { publicKey: Uint8Array; secretKey: Uint8Array };
  beforeAll(() => {
    kp = dilithiumKeyPair(seed);
  });

  it("has the round-3 sizes and is deterministic in the seed", () => {
    expect(kp.publicKey.length).toBe(1952);
    expect(kp.secretKey.length).toBe(4000);
    const again = dilithiumKeyPair(seed);
    expect(toHex(again.publicKey)).toBe(toHex(kp.publicKey));
    expect(toHex(again.secretKey)).toBe(toHex(kp.secretKey));
    const other = dilithiumKeyPair(seq(32, 2));
    expect(toHex(other.publicKey)).not.toBe(toHex(kp.publicKey));
    // Layout (§5.2): pk = ρ ‖ t1, sk = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0 with (ρ, ρ′, K) = SHAKE256(ζ, 128) and tr = SHAKE256(pk, 32).
    const expanded = shake256(seed, 128);
    expect(toHex(kp.publicKey.subarray(0, 32))).toBe(toHex(expanded.subarray(0, 32)));
    expect(toHex(kp.secretKey.subarray(0, 32))).toBe(toHex(expanded.subarray(0, 32)));
    expect(toHex(kp.secretKey.subarray(32, 64))).toBe(toHex(expanded.subarray(96, 128)));
    expect(toHex(kp.secretKey.subarray(64, 96))).toBe(toHex(shake256(kp.publicKey, 32)));
    // s1, s2 coefficients are in [−4, 4]: both nibbles of every packed byte are ≤ 8.
    for (const byte of kp.secretKey.subarray(96, 96 + 11 * 128)) {
      expect(byte & 15).toBeLessThanOrEqual(8);
      expect(byte >> 4).toBeLessThanOrEqual(8);
    }
    // A random seed is used when none is given.
    expect(toHex(dilithiumKeyPair().publicKey)).not.toBe(toHex(dilithiumKeyPair().publicKey));
  });

  it("signatures verify; ρ′ makes them reproducible or different", () => {
    const msg = seq(100);
    const a = dilithiumSign(kp.secretKey, msg, seq(64, 9));
    const b = dilithiumSign(kp.secretKey, msg, seq(64, 9));
    const c = dilithiumSign(kp.secretKey, msg, seq(64, 10));
    const d = dilithiumSign(kp.secretKey, msg);
    expect(a.length).toBe(3293);
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(a)).not.toBe(toHex(c));
    for (const s of [a, c, d]) expect(dilithiumVerify(kp.publicKey, msg, s)).toBe(true);
    expect(dilithiumVerify(kp.publicKey, seq(100, 1), a)).toBe(false);
  });

  it("signs and verifies random messages; every single-bit change is rejected", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.nat(),
        (msg, rnd, pick) => {
          const sig = dilithiumSign(kp.secretKey, msg, rnd);
          expect(dilithiumVerify(kp.publicKey, msg, sig)).toBe(true);
          const bad = sig.slice();
          const bit = pick % (bad.length * 8);
          bad[bit >> 3]! ^= 1 << (bit & 7);
          expect(dilithiumVerify(kp.publicKey, msg, bad)).toBe(false);
          if (msg.length > 0) {
            const m2 = msg.slice();
            m2[pick % m2.length]! ^= 1 << (pick & 7);
            expect(dilithiumVerify(kp.publicKey, m2, sig)).toBe(false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("rejects malformed hint encodings (strong unforgeability rules of §5.2)", () => {
    const msg = seq(10);
    const sig = dilithiumSign(kp.secretKey, msg, seq(64, 3));
    const H = 32 + 5 * 640; // start of the hint: ω = 55 index bytes, then K = 6 counts
    const counts = Array.from(sig.subarray(H + 55, H + 61));
    const total = counts[5]!;
    // A count above ω.
    let bad = sig.slice();
    bad[H + 55 + 5] = 56;
    expect(dilithiumVerify(kp.publicKey, msg, bad)).toBe(false);
    // Decreasing counts.
    bad = sig.slice();
    bad[H + 55 + 5] = 0;
    if (total > 0) expect(dilithiumVerify(kp.publicKey, msg, bad)).toBe(false);
    // A nonzero unused index slot.
    if (total < 55) {
      bad = sig.slice();
      bad[H + 54] = 1;
      expect(dilithiumVerify(kp.publicKey, msg, bad)).toBe(false);
    }
    // Indices within one polynomial not strictly increasing: find a polynomial with ≥ 2 hints and swap.
    let start = 0;
    let swapped = false;
    for (const end of counts) {
      if (end - start >= 2 && !swapped) {
        bad = sig.slice();
        const t = bad[H + start]!;
        bad[H + start] = bad[H + start + 1]!;
        bad[H + start + 1] = t;
        expect(dilithiumVerify(kp.publicKey, msg, bad)).toBe(false);
        bad[H + start + 1] = bad[H + start]!; // equal indices
        expect(dilithiumVerify(kp.publicKey, msg, bad)).toBe(false);
        swapped = true;
      }
      start = end;
    }
    expect(swapped).toBe(true);
    // z with a coefficient at the norm bound: γ1 − (packed value) = γ1 − β means packed = β.
    bad = sig.slice();
    bad[32] = 196 & 0xff;
    bad[33] = 0;
    bad[34] = (bad[34]! & 0xf0) | 0;
    expect(dilithiumVerify(kp.publicKey, msg, bad)).toBe(false);
  });

  it("leaves no secret in wasm memory after key generation and signing", () => {
    const zeta = seq(32, 0x41);
    const { publicKey, secretKey } = dilithiumKeyPair(zeta);
    const rnd = seq(64, 0x77);
    const msg = seq(50, 3);
    const sig = dilithiumSign(secretKey, msg, rnd);
    expect(dilithiumVerify(publicKey, msg, sig)).toBe(true);
    const expanded = shake256(zeta, 128);
    // s1 as the core holds it: 32-bit little-endian coefficients 4 − nibble (§5.2 η = 4 packing).
    const coefficients = (at: number): Uint8Array =>
      new Uint8Array(
        new Int32Array(Array.from({ length: 16 }, (_, i) => 4 - ((secretKey[at + (i >> 1)]! >> (4 * (i & 1))) & 15)))
          .buffer,
      );
    const memory = new Uint8Array(getCore().memory.buffer);
    for (const [name, needle] of [
      ["seed", zeta],
      ["rho'", expanded.subarray(32, 64)],
      ["K", secretKey.subarray(32, 64)],
      ["packed s1", secretKey.subarray(96, 128)],
      ["packed s2", secretKey.subarray(96 + 640, 96 + 672)],
      ["packed t0", secretKey.subarray(96 + 1408, 96 + 1440)],
      ["s1 coefficients", coefficients(96)],
      ["last s2 polynomial's coefficients", coefficients(96 + 640 + 5 * 128)],
      ["signing rho'", rnd.subarray(0, 32)],
    ] as const) {
      expect(contains(memory, needle), name).toBe(false);
    }
  });

  it("validates its arguments", () => {
    expectInvalidInput(() => dilithiumKeyPair(new Uint8Array(31)));
    expectInvalidInput(() => dilithiumKeyPair("seed" as unknown as Uint8Array));
    expectInvalidInput(() => dilithiumSign(new Uint8Array(3999), new Uint8Array(1)));
    expectInvalidInput(() => dilithiumSign(kp.secretKey, "m" as unknown as Uint8Array));
    expectInvalidInput(() => dilithiumSign(kp.secretKey, new Uint8Array(1), new Uint8Array(32)));
    expectInvalidInput(() => dilithiumSign(kp.secretKey, new Uint8Array(1), new Uint8Array(48)));
    const sig = dilithiumSign(kp.secretKey, new Uint8Array(1));
    expectInvalidInput(() => dilithiumVerify(kp.publicKey.subarray(1), new Uint8Array(1), sig));
    expectInvalidInput(() => dilithiumVerify(kp.publicKey, new Uint8Array(1), sig.subarray(1)));
    expectInvalidInput(() => dilithiumVerify(kp.publicKey, new Uint8Array(1), concat(sig, new Uint8Array(1))));
    expectInvalidInput(() => dilithiumVerify(kp.publicKey, null as unknown as Uint8Array, sig));
  });
});
