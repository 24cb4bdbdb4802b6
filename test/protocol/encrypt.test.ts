import { beforeAll, describe, expect, it } from "vitest";
import { ALG } from "../../src/protocol/algorithms.js";
import { fromBase64 } from "../../src/protocol/encoding.js";
import * as enc from "../../src/protocol/encrypt.js";
import { splitHead } from "../../src/protocol/head.js";
import * as keys from "../../src/protocol/keys.js";
import { generateKeyPair, generateSignKeyPair } from "../../src/protocol/keypairs.js";
import {
  parseUserPublicKeyData,
  parseUserVerifyKeyData,
  serializeUserPublicKeyData,
  serializeUserVerifyKeyData,
} from "../../src/protocol/public-keys.js";
import { loadReleaseCore } from "../helpers/core.js";
import { hex, readVectorJson, toHex, vectorsAvailable } from "../helpers/vectors.js";
import { errorCode as codeOf } from "../helpers/assert.js";

interface Vector {
  id: string;
  key?: string;
  recipient_private_key?: string;
  sign_key: string | null;
  plaintext_hex?: string;
  plaintext?: string;
  output_b64?: string;
  output?: string;
  head?: string;
  data_b64?: string;
  parsed?: { head_json: string };
}
interface VectorFile {
  keys: Record<string, { exported: Record<string, string> }>;
  vectors: Vector[];
}

beforeAll(loadReleaseCore);

describe.runIf(vectorsAvailable("sentc"))("data encrypted by the real sentc_wasm", () => {
  const sym = readVectorJson<VectorFile>("sentc", "symmetric.json");
  const asym = readVectorJson<VectorFile>("sentc", "asymmetric.json");
  const exported = (file: VectorFile, ref: string) => {
    const [set, name] = ref.split(".") as [string, string];
    return file.keys[set]!.exported[name]!;
  };
  const verifyKeyFor = (file: VectorFile, signRef: string) =>
    parseUserVerifyKeyData(exported(file, signRef.replace("sign_key", "user_verify_key_data")));

  it("covers all 12 + 12 vectors", () => {
    expect(sym.vectors).toHaveLength(12);
    expect(asym.vectors).toHaveLength(12);
  });

  for (const [name, file, decrypt] of [
    ["symmetric", sym, (v: Vector) => ({ key: keys.importSymKey(exported(sym, v.key!)), kind: "sym" as const })],
    [
      "asymmetric",
      asym,
      (v: Vector) => ({ key: keys.importPrivateKey(exported(asym, v.recipient_private_key!)), kind: "asym" as const }),
    ],
  ] as const) {
    it(`${name}: decrypts every vector with and without the verify key`, () => {
      let checked = 0;
      for (const vector of file.vectors) {
        const { key, kind } = decrypt(vector);
        const verifyKeys = vector.sign_key ? [null, verifyKeyFor(file, vector.sign_key)] : [null];
        for (const verifyKey of verifyKeys) {
          if (vector.head !== undefined) {
            const data = fromBase64(vector.data_b64!);
            const plain =
              kind === "sym"
                ? enc.decryptRawSymmetric(key as keys.SymKey, vector.head, data, verifyKey)
                : enc.decryptRawAsymmetric(key as keys.PrivateKey, vector.head, data, verifyKey);
            expect(toHex(plain), vector.id).toBe(vector.plaintext_hex);
          } else if (vector.plaintext !== undefined) {
            const plain =
              kind === "sym"
                ? enc.decryptStringSymmetric(key as keys.SymKey, vector.output!, verifyKey)
                : enc.decryptStringAsymmetric(key as keys.PrivateKey, vector.output!, verifyKey);
            expect(plain, vector.id).toBe(vector.plaintext);
          } else {
            const data = fromBase64(vector.output_b64!);
            if (vector.parsed) expect(JSON.stringify(splitHead(data).head)).toBe(vector.parsed.head_json);
            const plain =
              kind === "sym"
                ? enc.decryptSymmetric(key as keys.SymKey, data, verifyKey)
                : enc.decryptAsymmetric(key as keys.PrivateKey, data, verifyKey);
            expect(toHex(plain), vector.id).toBe(vector.plaintext_hex);
          }
          checked++;
        }
      }
      expect(checked).toBe(18); // 12 vectors, 6 of them signed and checked twice
    });
  }

  it("rejects a wrong key, a foreign verify key, a bad signature and tampering with typed errors", () => {
    const k1 = keys.importSymKey(sym.keys.K1!.exported.sym_key!);
    const k2 = keys.importSymKey(sym.keys.K2!.exported.sym_key!);
    const signed = sym.vectors.find((v) => v.id === "sym_bytes_ascii_signed")!;
    const unsigned = sym.vectors.find((v) => v.id === "sym_bytes_ascii")!;
    const signedData = fromBase64(signed.output_b64!);
    const vk1 = verifyKeyFor(sym, "K1.sign_key");
    const vk2 = verifyKeyFor(sym, "K2.sign_key");
    expect(codeOf(() => enc.decryptSymmetric(k2, fromBase64(unsigned.output_b64!)))).toBe("decryption_failed");
    expect(codeOf(() => enc.decryptSymmetric(k1, signedData, vk2))).toBe("wrong_verify_key");
    // The right id but another key: the signature check itself fails.
    expect(codeOf(() => enc.decryptSymmetric(k1, signedData, { ...vk2, keyId: vk1.keyId }))).toBe(
      "verification_failed",
    );
    const tampered = fromBase64(unsigned.output_b64!);
    tampered[tampered.length - 1]! ^= 1;
    expect(codeOf(() => enc.decryptSymmetric(k1, tampered))).toBe("decryption_failed");
    const tamperedSigned = signedData.slice();
    tamperedSigned[tamperedSigned.length - 1]! ^= 1;
    expect(codeOf(() => enc.decryptSymmetric(k1, tamperedSigned, vk1))).toBe("verification_failed");
    expect(codeOf(() => enc.decryptSymmetric(k1, new Uint8Array([123, 125])))).toBe("invalid_format");
    expect(
      codeOf(() => enc.decryptSymmetric(k1, Uint8Array.of(...new TextEncoder().encode('{"id":"x"}'), 0, 1, 2))),
    ).toBe("decryption_failed");
  });

  it("our output decrypts with our code, heads are byte-identical to the real package's", () => {
    const symKey = keys.importSymKey(sym.keys.K1!.exported.sym_key!);
    const signKey = keys.importSignKey(sym.keys.K1!.exported.sign_key!);
    const verifyKey = verifyKeyFor(sym, "K1.sign_key");
    const publicKey = parseUserPublicKeyData(asym.keys.K1!.exported.user_public_key_data!).publicKey;
    const privateKey = keys.importPrivateKey(asym.keys.K1!.exported.private_key!);
    const message = hex("00ff10203040");
    const raw = enc.encryptRawSymmetric(symKey, message, signKey);
    expect(raw.head).toBe(sym.vectors.find((v) => v.id === "sym_raw_utf8_signed")!.head);
    expect(raw.data.length).toBe(64 + 12 + message.length + 16);
    expect(enc.decryptRawSymmetric(symKey, raw.head, raw.data, verifyKey)).toEqual(message);
    expect(enc.decryptSymmetric(symKey, enc.encryptSymmetric(symKey, message), verifyKey)).toEqual(message);
    expect(enc.decryptStringSymmetric(symKey, enc.encryptStringSymmetric(symKey, "héllo ✓", signKey), verifyKey)).toBe(
      "héllo ✓",
    );
    const sealed = enc.encryptRawAsymmetric(publicKey, message);
    expect(sealed.head).toBe(asym.vectors.find((v) => v.id === "asym_raw_utf8")!.head);
    expect(sealed.data.length).toBe(32 + 12 + message.length + 16);
    expect(enc.decryptAsymmetric(privateKey, enc.encryptAsymmetric(publicKey, message, signKey), verifyKey)).toEqual(
      message,
    );
    expect(enc.decryptStringAsymmetric(privateKey, enc.encryptStringAsymmetric(publicKey, "✓"))).toBe("✓");
  });

  it("public and verify key data round-trip byte for byte", () => {
    for (const set of ["K1", "K2"]) {
      const publicText = asym.keys[set]!.exported.user_public_key_data!;
      const verifyText = asym.keys[set]!.exported.user_verify_key_data!;
      expect(serializeUserPublicKeyData(parseUserPublicKeyData(publicText))).toBe(publicText);
      expect(serializeUserVerifyKeyData(parseUserVerifyKeyData(verifyText))).toBe(verifyText);
    }
  });

  it("hybrid keys: encryption to X25519+Kyber768 and signatures with Ed25519+Dilithium3 round-trip", () => {
    const { privateKey, publicKey } = generateKeyPair("hybrid_key", { postQuantum: true });
    const { signKey, verifyKey } = generateSignKeyPair("hybrid_sign", { postQuantum: true });
    expect(publicKey.alg).toBe(ALG.eciesKyberHybrid);
    const message = hex("0102030405");
    const sealed = enc.encryptRawAsymmetric(publicKey, message, signKey);
    // kyber_ct(1088) ‖ nonce ‖ AES-GCM(eph_pk ‖ nonce ‖ AES-GCM(pt) ‖ tag) ‖ tag, after a 64 + 3293-byte signature.
    expect(sealed.data.length).toBe(64 + 3293 + 1088 + 12 + (32 + 12 + message.length + 16) + 16);
    expect(enc.decryptRawAsymmetric(privateKey, sealed.head, sealed.data, verifyKey)).toEqual(message);
    const tampered = sealed.data.slice();
    tampered[10]! ^= 1;
    expect(codeOf(() => enc.decryptRawAsymmetric(privateKey, sealed.head, tampered, verifyKey))).toBe(
      "verification_failed",
    );
    const other = generateKeyPair("other", { postQuantum: true });
    expect(codeOf(() => enc.decryptRawAsymmetric(other.privateKey, sealed.head, sealed.data))).toBe(
      "decryption_failed",
    );
  });
});
