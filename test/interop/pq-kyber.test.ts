/**
 * Kyber768-90s against the REAL sentc client (sentc_wasm 0.15.0, hybrid ECIES-ed25519_KYBER_768 keys):
 *
 * - recorded data (login.json, group.json, key_rotation.json): our decapsulation with the real hybrid
 *   private keys, then the rest of the hybrid layer by hand (crypto.md §3.7: kyber_ct(1088) ‖
 *   AES-GCM_ss(ECIES(x_pk, pt))) with src/protocol pieces, compared with the recorded plaintexts;
 * - live, both directions: the real client encrypts to a hybrid key WE generated and we decrypt; we
 *   encapsulate and encrypt to a hybrid key the real client generated and it decrypts.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes, x25519PublicKey } from "../../src/core/index.js";
import { kyberDecapsulate, kyberEncapsulate, kyberKeyPair } from "../../src/core/kyber.js";
import { symDecrypt, symEncrypt } from "../../src/protocol/aead.js";
import { eciesDecrypt, eciesEncrypt } from "../../src/protocol/ecies.js";
import { fromBase64, toBase64, toPem } from "../../src/protocol/encoding.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import { loadRealSentc, real } from "./real-sentc.js";

beforeAll(loadReleaseCore);

const KYBER_CT = 1088;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

interface Hybrid {
  x: Uint8Array;
  k: Uint8Array;
  keyId: string;
}
function hybridOf(json: string): Hybrid {
  const key = (JSON.parse(json) as { EciesKyberHybrid: { x: string; k: string; key_id: string } }).EciesKyberHybrid;
  return { x: fromBase64(key.x), k: fromBase64(key.k), keyId: key.key_id };
}

/** Hybrid decryption (crypto.md §3.7): Kyber layer first, then ECIES with x. */
function hybridDecrypt(key: Hybrid, data: Uint8Array): Uint8Array {
  const ss = kyberDecapsulate(key.k, data.subarray(0, KYBER_CT));
  return eciesDecrypt(key.x, symDecrypt(ss, data.subarray(KYBER_CT)));
}

/** Hybrid encryption (crypto.md §3.7): ECIES to x_pk, then Kyber around it. */
function hybridEncrypt(publicKey: Hybrid, plaintext: Uint8Array): Uint8Array {
  const { ciphertext, sharedSecret } = kyberEncapsulate(publicKey.k);
  return concat(ciphertext, symEncrypt(sharedSecret, eciesEncrypt(publicKey.x, plaintext)));
}

/** The UserPublicKeyData string of a hybrid public key (crypto.md §4.1, PEM JSON of §1.2). */
function userPublicKeyData(publicKey: Hybrid): string {
  return JSON.stringify({
    public_key_pem: JSON.stringify({ x: toPem(publicKey.x), k: toPem(publicKey.k) }),
    public_key_alg: "ECIES-ed25519_KYBER_768",
    public_key_id: publicKey.keyId,
    public_key_sig: null,
    public_key_sig_key_id: null,
  });
}

interface LoginVectors {
  direct_path: {
    user_data: {
      device_private_key: string;
      device_public_key: string;
      device_exported_public_key: string;
      user_keys: Array<{ private_key: string; group_key: string }>;
    };
  };
  server: {
    done_login_output: { challenge: string };
    challenge_plaintext: string;
    verify_login_output: { user_keys: Array<{ encrypted_group_key: string }> };
  };
}
interface GroupVectors {
  hybrid_example: {
    group_key_server_output_json: string;
    decrypted_group_key: string;
    observed: { encrypted_group_key_len: number };
  };
}
interface KeyRotationVectors {
  user_key_rotation: { request_log: Array<{ body: string }> };
}

const symKeyBytes = (json: string) => fromBase64((JSON.parse(json) as { Aes: { key: string } }).Aes.key);

describe.runIf(vectorsAvailable("sentc"))("Kyber768-90s with the real package's recorded hybrid data", () => {
  const login = readVectorJson<LoginVectors>("sentc", "login.json");
  const user = login.direct_path.user_data;
  const device = hybridOf(user.device_private_key);
  const devicePublic = hybridOf(user.device_public_key);

  it("the real device key is a round-3 Kyber768 key: sk embeds its pk and H(pk)", () => {
    expect(device.k.length).toBe(2400);
    expect(hex(device.k.subarray(1152, 2336))).toBe(hex(devicePublic.k));
    expect(hex(x25519PublicKey(device.x))).toBe(hex(devicePublic.x));
    // the exported public key carries the same bytes in PEM form, as we write it
    expect(JSON.parse(user.device_exported_public_key).public_key_pem).toBe(
      JSON.stringify({ x: toPem(devicePublic.x), k: toPem(devicePublic.k) }),
    );
  });

  it("decrypts the login challenge (login.json)", () => {
    const challenge = fromBase64(login.server.done_login_output.challenge);
    expect(new TextDecoder().decode(hybridDecrypt(device, challenge))).toBe(login.server.challenge_plaintext);
  });

  it("decrypts the hybrid-encrypted user group key (login.json)", () => {
    const encrypted = fromBase64(login.server.verify_login_output.user_keys[0]!.encrypted_group_key);
    expect(hex(hybridDecrypt(device, encrypted))).toBe(hex(symKeyBytes(user.user_keys[0]!.group_key)));
  });

  it("decrypts group.json hybrid_example with the user key", () => {
    const group = readVectorJson<GroupVectors>("sentc", "group.json").hybrid_example;
    const userKey = hybridOf(user.user_keys[0]!.private_key);
    const encrypted = fromBase64(JSON.parse(group.group_key_server_output_json).encrypted_group_key);
    expect(encrypted.length).toBe(group.observed.encrypted_group_key_len);
    expect(hex(hybridDecrypt(userKey, encrypted))).toBe(hex(symKeyBytes(group.decrypted_group_key)));
  });

  it("decrypts key_rotation.json user_key_rotation: the new user group key opens the new hybrid private key", () => {
    const rotation = readVectorJson<KeyRotationVectors>("sentc", "key_rotation.json").user_key_rotation;
    const body = JSON.parse(rotation.request_log[0]!.body) as {
      encrypted_group_key_by_user: string;
      encrypted_private_group_key: string;
      public_group_key: string;
    };
    const groupKey = hybridDecrypt(device, fromBase64(body.encrypted_group_key_by_user));
    expect(groupKey.length).toBe(32);
    // The new group key must open the new private key (AES-GCM authenticates), whose parts match the new public key.
    const privateKey = symDecrypt(groupKey, fromBase64(body.encrypted_private_group_key));
    expect(privateKey.length).toBe(32 + 2400);
    const pem = JSON.parse(body.public_group_key) as { x: string; k: string };
    expect(toPem(x25519PublicKey(privateKey.subarray(0, 32)))).toBe(pem.x);
    expect(toPem(privateKey.subarray(32 + 1152, 32 + 2336))).toBe(pem.k);
  });
});

describe("Kyber768-90s live against the real package", () => {
  const { sentc } = loadRealSentc();
  const RUNS = { numRuns: 15 };

  it("real encrypt_raw_asymmetric / encrypt_asymmetric to OUR hybrid key → our decapsulation and decryption", () => {
    const xSecret = randomBytes(32);
    const kyber = kyberKeyPair();
    const ours: Hybrid = { x: xSecret, k: kyber.secretKey, keyId: "our_hybrid_key" };
    const recipient = userPublicKeyData({ x: x25519PublicKey(xSecret), k: kyber.publicKey, keyId: ours.keyId });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (plaintext) => {
        const raw = real(() => sentc.encrypt_raw_asymmetric(recipient, plaintext));
        expect(JSON.parse(raw.get_head()).id).toBe(ours.keyId);
        const data = raw.get_data();
        // kyber_ct(1088) ‖ nonce(12) ‖ [eph_pk(32) ‖ nonce(12) ‖ ct ‖ tag(16)] ‖ tag(16)
        expect(data.length).toBe(plaintext.length + 1176);
        expect(hex(hybridDecrypt(ours, data))).toBe(hex(plaintext));
      }),
      RUNS,
    );
  });

  it("our encapsulation + hybrid encryption to the real package's key → real decrypt_raw_asymmetric", () => {
    // A hybrid key pair the real package generated (a user key of the login vectors) and its own export.
    if (!vectorsAvailable("sentc")) return;
    const login = readVectorJson<LoginVectors>("sentc", "login.json");
    const privateExport: string = login.direct_path.user_data.device_private_key;
    const publicKey = hybridOf(login.direct_path.user_data.device_public_key);
    const head = JSON.stringify({ id: publicKey.keyId, sign: null });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (plaintext) => {
        const data = hybridEncrypt(publicKey, plaintext);
        expect(hex(real(() => sentc.decrypt_raw_asymmetric(privateExport, data, head)))).toBe(hex(plaintext));
      }),
      RUNS,
    );
  });

  it("real group creation for OUR hybrid key: we open its fresh hybrid group key pair, encrypt to it, and the real package decrypts", () => {
    const xSecret = randomBytes(32);
    const kyber = kyberKeyPair();
    const ours: Hybrid = { x: xSecret, k: kyber.secretKey, keyId: "our_creator_key" };
    const creator = JSON.stringify({
      EciesKyberHybrid: { x: toBase64(x25519PublicKey(xSecret)), k: toBase64(kyber.publicKey), key_id: ours.keyId },
    });
    const create = JSON.parse(real(() => sentc.group_prepare_create_group(creator, undefined, "starter_user"))) as {
      keypair_encrypt_alg: string;
      encrypted_group_key: string;
      encrypted_private_group_key: string;
      public_group_key: string;
    };
    expect(create.keypair_encrypt_alg).toBe("ECIES-ed25519_KYBER_768");
    // group key: hybrid-encrypted to our key by the real package
    const groupKey = hybridDecrypt(ours, fromBase64(create.encrypted_group_key));
    // the group's fresh hybrid private key x(32) ‖ k(2400), generated by the real package
    const privateKey = symDecrypt(groupKey, fromBase64(create.encrypted_private_group_key));
    expect(privateKey.length).toBe(2432);
    const pem = JSON.parse(create.public_group_key) as { x: string; k: string };
    const groupPublic: Hybrid = {
      x: x25519PublicKey(privateKey.subarray(0, 32)),
      k: privateKey.slice(32 + 1152, 32 + 2336),
      keyId: "fresh_group_key",
    };
    expect(toPem(groupPublic.x)).toBe(pem.x);
    expect(toPem(groupPublic.k)).toBe(pem.k);
    const privateExport = JSON.stringify({
      EciesKyberHybrid: {
        x: toBase64(privateKey.subarray(0, 32)),
        k: toBase64(privateKey.subarray(32)),
        key_id: groupPublic.keyId,
      },
    });
    const head = JSON.stringify({ id: groupPublic.keyId, sign: null });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (plaintext) => {
        expect(
          hex(real(() => sentc.decrypt_raw_asymmetric(privateExport, hybridEncrypt(groupPublic, plaintext), head))),
        ).toBe(hex(plaintext));
        // and the other way round with the same fresh key
        const raw = real(() => sentc.encrypt_raw_asymmetric(userPublicKeyData(groupPublic), plaintext));
        expect(
          hex(
            hybridDecrypt(
              { x: privateKey.subarray(0, 32), k: privateKey.subarray(32), keyId: groupPublic.keyId },
              raw.get_data(),
            ),
          ),
        ).toBe(hex(plaintext));
      }),
      RUNS,
    );
  });

  it("the real package rejects our ciphertext once the Kyber part is tampered (implicit rejection → wrong AES key)", () => {
    if (!vectorsAvailable("sentc")) return;
    const login = readVectorJson<LoginVectors>("sentc", "login.json");
    const privateExport: string = login.direct_path.user_data.device_private_key;
    const publicKey = hybridOf(login.direct_path.user_data.device_public_key);
    const data = hybridEncrypt(publicKey, new TextEncoder().encode("tamper me"));
    data[5]! ^= 1;
    expect(() =>
      real(() =>
        sentc.decrypt_raw_asymmetric(privateExport, data, JSON.stringify({ id: publicKey.keyId, sign: null })),
      ),
    ).toThrow();
  });
});
