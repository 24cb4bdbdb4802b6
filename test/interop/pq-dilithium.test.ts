/**
 * Live interop of round-3 Dilithium3-AES with the REAL sentc client (hybrid ED25519_DILITHIUM_3 keys):
 * signatures made with a key pair WE generated are verified by the real package (public key signatures and
 * signed symmetric data), and signatures the real package makes, with its own keys and with ours, are verified
 * by us: through the protocol layer and, byte for byte, with the core's dilithiumVerify over data ‖ sig_x.
 * Needs the full core (Ed25519 and Dilithium exports).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { dilithiumKeyPair, dilithiumVerify } from "../../src/core/dilithium.js";
import { ed25519PublicKey, ed25519Verify } from "../../src/core/index.js";
import { randomBytes } from "../../src/core/bytes.js";
import { fromBase64 } from "../../src/protocol/encoding.js";
import * as enc from "../../src/protocol/encrypt.js";
import * as keys from "../../src/protocol/keys.js";
import type { SignKey, VerifyKey } from "../../src/protocol/keys.js";
import {
  parseUserPublicKeyData,
  parseUserVerifyKeyData,
  serializeUserPublicKeyData,
  serializeUserVerifyKeyData,
  signPublicKey,
} from "../../src/protocol/public-keys.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import { loadRealSentc, real, realErrorCode } from "./real-sentc.js";

beforeAll(loadReleaseCore);

const { sentc } = loadRealSentc();
const ALG = "ED25519_DILITHIUM_3";
const SIG_BYTES = 64 + 3293;
const same = (a: Uint8Array, b: Uint8Array) =>
  expect(Buffer.from(a).toString("hex")).toBe(Buffer.from(b).toString("hex"));
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

type HybridVerifyKey = Extract<VerifyKey, { k: Uint8Array }>;
const hybrid = (key: VerifyKey): HybridVerifyKey => key as HybridVerifyKey;

/** A hybrid sign/verify key pair made entirely by us. */
function ourHybridKeys(id: string): { signKey: SignKey; verifyKey: HybridVerifyKey } {
  const seed = randomBytes(32);
  const dilithium = dilithiumKeyPair();
  return {
    signKey: { alg: ALG, x: seed, k: dilithium.secretKey, keyId: id } as SignKey,
    verifyKey: { alg: ALG, x: ed25519PublicKey(seed), k: dilithium.publicKey, keyId: id } as HybridVerifyKey,
  };
}

/** Splits the byte variant of encrypted data (head ‖ 0x00 ‖ sig_x ‖ sig_k ‖ body) into its parts. */
function splitSigned(encrypted: Uint8Array): {
  head: { sign: { id: string; alg: string } | null };
  sigX: Uint8Array;
  sigK: Uint8Array;
  body: Uint8Array;
} {
  const zero = encrypted.indexOf(0);
  const head = JSON.parse(Buffer.from(encrypted.subarray(0, zero)).toString("utf8"));
  const payload = encrypted.subarray(zero + 1);
  return {
    head,
    sigX: payload.subarray(0, 64),
    sigK: payload.subarray(64, SIG_BYTES),
    body: payload.subarray(SIG_BYTES),
  };
}

describe.runIf(vectorsAvailable("sentc"))("Dilithium3-AES with the real sentc client", () => {
  const login = readVectorJson<any>("sentc", "login.json");
  const userKey = login.direct_path.user_data.user_keys[0];
  const symExport: string = userKey.group_key; // the real user group's AES key export
  const symKey = keys.importSymKey(symExport);
  const realSignExport: string = userKey.sign_key;
  const realVerifyData: string = userKey.exported_verify_key;
  const realVerifyKey = () => hybrid(parseUserVerifyKeyData(realVerifyData));

  it("our public key signature (hybrid, our Dilithium) verifies in the real user_verify_user_public_key; tampering is rejected", () => {
    const ours = ourHybridKeys("our_sign_key");
    const verifyData = serializeUserVerifyKeyData(ours.verifyKey);
    const publicKey = parseUserPublicKeyData(userKey.exported_public_key).publicKey;
    for (let i = 0; i < 3; i++) {
      const signed = { publicKey, ...signPublicKey(ours.signKey, publicKey) };
      expect(real(() => sentc.user_verify_user_public_key(verifyData, serializeUserPublicKeyData(signed)))).toBe(true);
      const sig = JSON.parse(signed.signature) as { x: string; k: string };
      const k = fromBase64(sig.k);
      k[100 + i]! ^= 0x04;
      const badK = { ...signed, signature: JSON.stringify({ x: sig.x, k: Buffer.from(k).toString("base64") }) };
      expect(real(() => sentc.user_verify_user_public_key(verifyData, serializeUserPublicKeyData(badK)))).toBe(false);
    }
    // The real package's own verify key does not accept our signature.
    const signed = { publicKey, ...signPublicKey(ours.signKey, publicKey) };
    expect(real(() => sentc.user_verify_user_public_key(realVerifyData, serializeUserPublicKeyData(signed)))).toBe(
      false,
    );
  });

  it("our hybrid-signed encrypt_symmetric data opens in the real decrypt_symmetric with our verify key; a flipped Dilithium byte gives client_22", () => {
    const ours = ourHybridKeys("our_sign_key_2");
    const verifyData = serializeUserVerifyKeyData(ours.verifyKey);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (plaintext) => {
        const sealed = enc.encryptSymmetric(symKey, plaintext, ours.signKey);
        const parts = splitSigned(sealed);
        expect(parts.head.sign).toEqual({ id: "our_sign_key_2", alg: ALG });
        expect(dilithiumVerify(ours.verifyKey.k, concat(parts.body, parts.sigX), parts.sigK)).toBe(true);
        same(
          real(() => sentc.decrypt_symmetric(symExport, sealed, verifyData)),
          plaintext,
        );
        const bad = sealed.slice();
        bad[sealed.length - parts.body.length - 1]! ^= 0x01; // last byte of sig_k
        expect(realErrorCode(() => sentc.decrypt_symmetric(symExport, bad, verifyData))).toBe("client_22");
      }),
      { numRuns: 8 },
    );
  });

  it("the real package signs with OUR exported hybrid sign key; we verify the Dilithium part and open the data", () => {
    const ours = ourHybridKeys("our_sign_key_3");
    const signExport = keys.exportSignKey(ours.signKey);
    expect(Object.keys(JSON.parse(signExport).Ed25519DilithiumHybrid)).toEqual(["x", "k", "key_id"]);
    for (let i = 0; i < 4; i++) {
      const plaintext = randomBytes(1 + i * 50);
      const sealed = real(() => sentc.encrypt_symmetric(symExport, plaintext, signExport));
      const parts = splitSigned(sealed);
      expect(parts.head.sign).toEqual({ id: "our_sign_key_3", alg: ALG });
      expect(dilithiumVerify(ours.verifyKey.k, concat(parts.body, parts.sigX), parts.sigK)).toBe(true);
      expect(dilithiumVerify(ours.verifyKey.k, parts.body, parts.sigK)).toBe(false);
      expect(ed25519Verify(ours.verifyKey.x, parts.body, parts.sigX)).toBe(true);
      same(enc.decryptSymmetric(symKey, sealed, ours.verifyKey), plaintext);
    }
  });

  it("the real package signs with ITS keys; we verify (protocol and core), and reject tampering", () => {
    const verifyKey = realVerifyKey();
    for (let i = 0; i < 4; i++) {
      const plaintext = randomBytes(10 + i * 100);
      const sealed = real(() => sentc.encrypt_symmetric(symExport, plaintext, realSignExport));
      const parts = splitSigned(sealed);
      expect(parts.head.sign?.alg).toBe(ALG);
      expect(dilithiumVerify(verifyKey.k, concat(parts.body, parts.sigX), parts.sigK)).toBe(true);
      same(enc.decryptSymmetric(symKey, sealed, verifyKey), plaintext);
      const bad = sealed.slice();
      bad[sealed.length - parts.body.length - 1 - i * 700]! ^= 0x20; // inside sig_k
      expect(() => enc.decryptSymmetric(symKey, bad, verifyKey)).toThrow();
    }
  });

  it("the real package signs with the real device key too (a second real key pair)", () => {
    const deviceVerify = hybrid(parseUserVerifyKeyData(login.direct_path.user_data.device_exported_verify_key));
    const plaintext = randomBytes(33);
    const sealed = real(() =>
      sentc.encrypt_symmetric(symExport, plaintext, login.direct_path.user_data.device_sign_key),
    );
    const parts = splitSigned(sealed);
    expect(dilithiumVerify(deviceVerify.k, concat(parts.body, parts.sigX), parts.sigK)).toBe(true);
    expect(dilithiumVerify(realVerifyKey().k, concat(parts.body, parts.sigX), parts.sigK)).toBe(false);
  });
});
