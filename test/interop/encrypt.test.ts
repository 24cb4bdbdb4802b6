/**
 * Live interop, encrypted data with classical keys (K1/K2 of the vectors): the REAL sentc client's symmetric and
 * asymmetric output (bytes, raw, string; unsigned and signed) opened by our code, and ours opened by the real
 * client with and without the verify key. Plaintexts are random (fast-check).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import * as enc from "../../src/protocol/encrypt.js";
import * as keys from "../../src/protocol/keys.js";
import { parseUserPublicKeyData, parseUserVerifyKeyData } from "../../src/protocol/public-keys.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import { loadRealSentc, real, realErrorCode, type VectorKeys } from "./real-sentc.js";
import { errorCode as codeOf } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

const { sentc } = loadRealSentc();
const RUNS = { numRuns: 25 };
const bytes = fc.uint8Array({ maxLength: 600 });
const text = fc.string({ unit: "binary", maxLength: 120 });
const same = (a: Uint8Array, b: Uint8Array) =>
  expect(Buffer.from(a).toString("hex")).toBe(Buffer.from(b).toString("hex"));

/** The combinations every direction is run with: no signature, signed and read with / without the verify key. */
const MODES = [
  { name: "unsigned", signed: false, verify: false },
  { name: "signed, opened with the verify key", signed: true, verify: true },
  { name: "signed, opened without the verify key", signed: true, verify: false },
] as const;

describe.runIf(vectorsAvailable("sentc"))(
  "symmetric (AES-GCM-256 + head) with K1.sym_key, signed by K1.sign_key",
  () => {
    const { K1, K2 } = readVectorJson<{ keys: { K1: VectorKeys; K2: VectorKeys } }>("sentc", "symmetric.json").keys;
    const symKey = keys.importSymKey(K1.exported.sym_key);
    const signKey = keys.importSignKey(K1.exported.sign_key);
    const verifyKey = parseUserVerifyKeyData(K1.exported.user_verify_key_data);

    for (const mode of MODES) {
      const realSign = mode.signed ? K1.exported.sign_key : undefined;
      const realVerify = mode.verify ? K1.exported.user_verify_key_data : undefined;
      const ourSign = mode.signed ? signKey : null;
      const ourVerify = mode.verify ? verifyKey : null;

      it(`real encrypt_symmetric / _raw_ / _string_ → our decrypt (${mode.name})`, () => {
        fc.assert(
          fc.property(bytes, text, (plaintext, message) => {
            same(
              enc.decryptSymmetric(
                symKey,
                real(() => sentc.encrypt_symmetric(K1.exported.sym_key, plaintext, realSign)),
                ourVerify,
              ),
              plaintext,
            );
            const raw = real(() => sentc.encrypt_raw_symmetric(K1.exported.sym_key, plaintext, realSign));
            same(enc.decryptRawSymmetric(symKey, raw.get_head(), raw.get_data(), ourVerify), plaintext);
            expect(
              enc.decryptStringSymmetric(
                symKey,
                real(() => sentc.encrypt_string_symmetric(K1.exported.sym_key, message, realSign)),
                ourVerify,
              ),
            ).toBe(message);
          }),
          RUNS,
        );
      });

      it(`our encryptSymmetric / Raw / String → real decrypt_* (${mode.name})`, () => {
        fc.assert(
          fc.property(bytes, text, (plaintext, message) => {
            same(
              real(() =>
                sentc.decrypt_symmetric(
                  K1.exported.sym_key,
                  enc.encryptSymmetric(symKey, plaintext, ourSign),
                  realVerify,
                ),
              ),
              plaintext,
            );
            const raw = enc.encryptRawSymmetric(symKey, plaintext, ourSign);
            same(
              real(() => sentc.decrypt_raw_symmetric(K1.exported.sym_key, raw.data, raw.head, realVerify)),
              plaintext,
            );
            expect(
              real(() =>
                sentc.decrypt_string_symmetric(
                  K1.exported.sym_key,
                  enc.encryptStringSymmetric(symKey, message, ourSign),
                  realVerify,
                ),
              ),
            ).toBe(message);
          }),
          RUNS,
        );
      });
    }

    it("our raw head is byte-identical to the real one (unsigned and signed)", () => {
      const plaintext = new Uint8Array([1, 2, 3]);
      expect(enc.encryptRawSymmetric(symKey, plaintext).head).toBe(
        sentc.encrypt_raw_symmetric(K1.exported.sym_key, plaintext, undefined).get_head(),
      );
      expect(enc.encryptRawSymmetric(symKey, plaintext, signKey).head).toBe(
        sentc.encrypt_raw_symmetric(K1.exported.sym_key, plaintext, K1.exported.sign_key).get_head(),
      );
    });

    it("both sides reject the same bad inputs: wrong key, wrong verify key, tampered signature", () => {
      const plaintext = new Uint8Array([9, 8, 7, 6]);
      const theirs = sentc.encrypt_symmetric(K1.exported.sym_key, plaintext, K1.exported.sign_key);
      const ours = enc.encryptSymmetric(symKey, plaintext, signKey);
      // wrong key
      expect(realErrorCode(() => sentc.decrypt_symmetric(K2.exported.sym_key, ours, undefined))).toBe("client_14");
      expect(codeOf(() => enc.decryptSymmetric(keys.importSymKey(K2.exported.sym_key), theirs))).toBe(
        "decryption_failed",
      );
      // a verify key with another id than the head names
      expect(
        realErrorCode(() => sentc.decrypt_symmetric(K1.exported.sym_key, ours, K2.exported.user_verify_key_data)),
      ).toBe("client_20");
      expect(
        codeOf(() => enc.decryptSymmetric(symKey, theirs, parseUserVerifyKeyData(K2.exported.user_verify_key_data))),
      ).toBe("wrong_verify_key");
      // a flipped signature bit: the byte after the head's 0x00 is the first signature byte
      const flip = (data: Uint8Array) => {
        const copy = data.slice();
        copy[copy.indexOf(0) + 1]! ^= 1;
        return copy;
      };
      expect(
        realErrorCode(() => sentc.decrypt_symmetric(K1.exported.sym_key, flip(ours), K1.exported.user_verify_key_data)),
      ).toBe("client_22");
      expect(codeOf(() => enc.decryptSymmetric(symKey, flip(theirs), verifyKey))).toBe("verification_failed");
    });
  },
);

describe.runIf(vectorsAvailable("sentc"))("asymmetric (ECIES-ed25519 + head) to K1, signed by K2.sign_key", () => {
  const { K1, K2 } = readVectorJson<{ keys: { K1: VectorKeys; K2: VectorKeys } }>("sentc", "asymmetric.json").keys;
  const privateKey = keys.importPrivateKey(K1.exported.private_key);
  const publicKey = parseUserPublicKeyData(K1.exported.user_public_key_data).publicKey;
  const signKey = keys.importSignKey(K2.exported.sign_key);
  const verifyKey = parseUserVerifyKeyData(K2.exported.user_verify_key_data);
  const recipient = K1.exported.user_public_key_data;

  for (const mode of MODES) {
    const realSign = mode.signed ? K2.exported.sign_key : undefined;
    const realVerify = mode.verify ? K2.exported.user_verify_key_data : undefined;
    const ourSign = mode.signed ? signKey : null;
    const ourVerify = mode.verify ? verifyKey : null;

    it(`real encrypt_asymmetric / _raw_ / _string_ → our decrypt (${mode.name})`, () => {
      fc.assert(
        fc.property(bytes, text, (plaintext, message) => {
          same(
            enc.decryptAsymmetric(
              privateKey,
              real(() => sentc.encrypt_asymmetric(recipient, plaintext, realSign)),
              ourVerify,
            ),
            plaintext,
          );
          const raw = real(() => sentc.encrypt_raw_asymmetric(recipient, plaintext, realSign));
          same(enc.decryptRawAsymmetric(privateKey, raw.get_head(), raw.get_data(), ourVerify), plaintext);
          expect(
            enc.decryptStringAsymmetric(
              privateKey,
              real(() => sentc.encrypt_string_asymmetric(recipient, message, realSign)),
              ourVerify,
            ),
          ).toBe(message);
        }),
        RUNS,
      );
    });

    it(`our encryptAsymmetric / Raw / String → real decrypt_* (${mode.name})`, () => {
      fc.assert(
        fc.property(bytes, text, (plaintext, message) => {
          same(
            real(() =>
              sentc.decrypt_asymmetric(
                K1.exported.private_key,
                enc.encryptAsymmetric(publicKey, plaintext, ourSign),
                realVerify,
              ),
            ),
            plaintext,
          );
          const raw = enc.encryptRawAsymmetric(publicKey, plaintext, ourSign);
          same(
            real(() => sentc.decrypt_raw_asymmetric(K1.exported.private_key, raw.data, raw.head, realVerify)),
            plaintext,
          );
          expect(
            real(() =>
              sentc.decrypt_string_asymmetric(
                K1.exported.private_key,
                enc.encryptStringAsymmetric(publicKey, message, ourSign),
                realVerify,
              ),
            ),
          ).toBe(message);
        }),
        RUNS,
      );
    });
  }

  it("our raw head is byte-identical to the real one (unsigned and signed)", () => {
    const plaintext = new Uint8Array([1, 2, 3]);
    expect(enc.encryptRawAsymmetric(publicKey, plaintext).head).toBe(
      sentc.encrypt_raw_asymmetric(recipient, plaintext, undefined).get_head(),
    );
    expect(enc.encryptRawAsymmetric(publicKey, plaintext, signKey).head).toBe(
      sentc.encrypt_raw_asymmetric(recipient, plaintext, K2.exported.sign_key).get_head(),
    );
  });

  it("both sides reject data for another private key and a wrong verify key", () => {
    const plaintext = new Uint8Array([5, 5, 5]);
    const ours = enc.encryptAsymmetric(publicKey, plaintext, signKey);
    const theirs = sentc.encrypt_asymmetric(recipient, plaintext, K2.exported.sign_key);
    expect(realErrorCode(() => sentc.decrypt_asymmetric(K2.exported.private_key, ours, undefined))).not.toBe(
      "no error",
    );
    expect(codeOf(() => enc.decryptAsymmetric(keys.importPrivateKey(K2.exported.private_key), theirs))).toBe(
      "decryption_failed",
    );
    expect(
      realErrorCode(() => sentc.decrypt_asymmetric(K1.exported.private_key, ours, K1.exported.user_verify_key_data)),
    ).toBe("client_20");
    expect(
      codeOf(() => enc.decryptAsymmetric(privateKey, theirs, parseUserVerifyKeyData(K1.exported.user_verify_key_data))),
    ).toBe("wrong_verify_key");
  });
});

describe.runIf(vectorsAvailable("sentc"))(
  "real post-quantum signed data, read without the verify key (signature stripped by its alg)",
  () => {
    const { K1 } = readVectorJson<{ keys: { K1: VectorKeys } }>("sentc", "symmetric.json").keys;
    const symKey = keys.importSymKey(K1.exported.sym_key);
    const userKey = readVectorJson<Record<string, any>>("sentc", "login.json").direct_path.user_data.user_keys[0];
    const hybrid = JSON.parse(userKey.sign_key as string).Ed25519DilithiumHybrid as { k: string };
    const signKeys = {
      ED25519_DILITHIUM_3: userKey.sign_key as string,
      // the Dilithium half of the real hybrid key, as a Dilithium-only export
      DILITHIUM_3: JSON.stringify({ Dilithium: { key: hybrid.k, key_id: "dilithium_only" } }),
    };

    for (const [alg, signKey] of Object.entries(signKeys)) {
      it(`real encrypt_symmetric / _raw_ / _string_ signed with ${alg} → our decrypt without a verify key`, () => {
        fc.assert(
          fc.property(bytes, text, (plaintext, message) => {
            const sealed = real(() => sentc.encrypt_symmetric(K1.exported.sym_key, plaintext, signKey));
            expect(enc.decryptSymmetric(symKey, sealed).length).toBe(plaintext.length);
            same(enc.decryptSymmetric(symKey, sealed), plaintext);
            const raw = real(() => sentc.encrypt_raw_symmetric(K1.exported.sym_key, plaintext, signKey));
            expect(JSON.parse(raw.get_head()).sign.alg).toBe(alg);
            same(enc.decryptRawSymmetric(symKey, raw.get_head(), raw.get_data()), plaintext);
            expect(
              enc.decryptStringSymmetric(
                symKey,
                real(() => sentc.encrypt_string_symmetric(K1.exported.sym_key, message, signKey)),
              ),
            ).toBe(message);
          }),
          { numRuns: 5 },
        );
      });
    }
  },
);
