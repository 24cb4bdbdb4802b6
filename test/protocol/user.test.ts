import { beforeAll, describe, expect, it } from "vitest";
import { ALG } from "../../src/protocol/algorithms.js";
import { eciesDecrypt } from "../../src/protocol/ecies.js";
import { encryptWithPublicKey } from "../../src/protocol/kem.js";
import { fromBase64, fromBase64Url, toBase64 } from "../../src/protocol/encoding.js";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { decodeJwt } from "../../src/protocol/jwt.js";
import * as keys from "../../src/protocol/keys.js";
import { doneLogin, doneVerifyLogin, prepareLogin, prepareVerifyLogin } from "../../src/protocol/login.js";
import { generateSalt, hashAuthKey } from "../../src/protocol/password.js";
import {
  parseUserPublicKeyData,
  parseUserVerifyKeyData,
  readPublicKeyServerOutput,
  readVerifyKeyServerOutput,
  signPublicKey,
  verifyUserPublicKey,
} from "../../src/protocol/public-keys.js";
import { generateUserRegisterData, prepareRegister, prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import { createSafetyNumber } from "../../src/protocol/safety-number.js";
import { splitHead, parseHead } from "../../src/protocol/head.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import { errorCode as codeOf } from "../helpers/assert.js";

beforeAll(loadReleaseCore);

describe.runIf(vectorsAvailable("sentc"))("safety numbers and public key signatures (safety_number.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "safety_number.json");
  const vk1 = parseUserVerifyKeyData(file.keys.K1.exported.user_verify_key_data);
  const vk2 = parseUserVerifyKeyData(file.keys.K2.exported.user_verify_key_data);

  it("reproduces every safety number, in both argument orders", () => {
    const [single, pair, swapped] = file.safety_numbers;
    expect(createSafetyNumber(vk1, "user_a")).toBe(single.output);
    expect(createSafetyNumber(vk1, "user_a", vk2, "user_b")).toBe(pair.output);
    expect(createSafetyNumber(vk2, "user_b", vk1, "user_a")).toBe(swapped.output);
  });

  it("compares ids as UTF-8 bytes, not UTF-16 units", () => {
    // U+FF5E sorts after U+1F600 in UTF-16 units but before it in UTF-8 bytes.
    const a = createSafetyNumber(vk1, "\uff5e", vk2, "\u{1f600}");
    const b = createSafetyNumber(vk2, "\u{1f600}", vk1, "\uff5e");
    expect(a).toBe(b);
    expect(fromBase64Url(a)).toHaveLength(32);
  });

  it("reads the server's public and verify key entities", () => {
    const data = parseUserPublicKeyData(file.public_key_signature.public_key_data_with_sig);
    const entity = JSON.parse(file.public_key_signature.public_key_data_with_sig);
    const fromServer = readPublicKeyServerOutput({
      public_key_id: entity.public_key_id,
      public_key: entity.public_key_pem,
      public_key_alg: entity.public_key_alg,
      public_key_sig: entity.public_key_sig,
      public_key_sig_key_id: entity.public_key_sig_key_id,
    });
    expect(fromServer).toEqual(data);
    const vk = JSON.parse(file.keys.K1.exported.user_verify_key_data);
    expect(
      readVerifyKeyServerOutput({
        verify_key_id: vk.verify_key_id,
        verify_key: vk.verify_key_pem,
        verify_key_alg: vk.verify_key_alg,
      }),
    ).toEqual(vk1);
    expect(codeOf(() => readPublicKeyServerOutput({ public_key_id: "x" }))).toBe("invalid_format");
  });

  it("verifies a public key signature as the real package does, and signs one that verifies", () => {
    const signature = file.public_key_signature;
    const data = parseUserPublicKeyData(signature.public_key_data_with_sig);
    const verifyKey = parseUserVerifyKeyData(signature.verify_key_data);
    expect(verifyUserPublicKey(verifyKey, data)).toBe(signature.real_user_verify_user_public_key);
    expect(verifyUserPublicKey(vk1, data)).toBe(signature.real_user_verify_user_public_key_with_wrong_vk);
    expect(verifyUserPublicKey(verifyKey, { ...data, signature: null })).toBe(
      signature.real_user_verify_user_public_key_without_sig,
    );
    const signKey = keys.importSignKey(
      readVectorJson<Record<string, any>>("sentc", "symmetric.json").keys.K1.exported.sign_key,
    );
    const ours = signPublicKey(signKey, data.publicKey);
    expect(verifyUserPublicKey(vk1, { ...data, ...ours })).toBe(true);
  });
});

describe.runIf(vectorsAvailable("sentc"))("heads and JWT claims (head_and_jwt.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "head_and_jwt.json");

  it("splits and parses heads like the real package", () => {
    const outputs = file.head.outputs;
    expect(splitHead(fromBase64(file.head.input_output_b64)).head).toEqual(outputs.split_head_and_encrypted_data);
    expect(splitHead(fromBase64(file.head.input_string)).head).toEqual(outputs.split_head_and_encrypted_string);
    expect(parseHead('{"id":"abc"}')).toEqual(outputs.deserialize_head_minimal.value);
    expect(parseHead('{"id":"abc","sign":{"id":"s","alg":"ED25519"}}')).toEqual(
      outputs.deserialize_head_with_sign.value,
    );
    expect(outputs.deserialize_head_missing_id.ok).toBe(false);
    expect(codeOf(() => parseHead('{"sign":null}'))).toBe("invalid_format");
  });

  it("decodes the claims and rejects what the real package rejects", () => {
    expect(decodeJwt(file.jwt.jwt)).toEqual(file.jwt.decoded);
    const [header, claims, signature] = file.jwt.jwt.split(".");
    expect(file.jwt.errors_real.two_parts.ok).toBe(false);
    expect(codeOf(() => decodeJwt(`${header}.${claims}`))).toBe("invalid_format");
    let claimsJson = JSON.stringify(file.jwt.claims_input);
    while (claimsJson.length % 3 === 0) claimsJson += " ";
    const padded = Buffer.from(claimsJson).toString("base64");
    expect(padded.endsWith("=")).toBe(true);
    expect(codeOf(() => decodeJwt(`${header}.${padded}.${signature}`))).toBe("invalid_format");
    const missing = Buffer.from(JSON.stringify({ aud: "a", sub: "b", exp: 1, iat: 1 })).toString("base64url");
    expect(codeOf(() => decodeJwt(`${header}.${missing}.${signature}`))).toBe("invalid_format");
  });
});

describe.runIf(vectorsAvailable("sentc"))("register and login", () => {
  const login = readVectorJson<Record<string, any>>("sentc", "login.json");
  const register = readVectorJson<Record<string, any>>("sentc", "register.json");

  it("our RegisterData has the real package's fields in the same order and, hybrid by default, its lengths", () => {
    const ours = JSON.parse(prepareRegister("vector_user", "vector-password-äöü€"));
    const real = JSON.parse(register.prepare_register.output_json_string);
    const observed = register.prepare_register.observed;
    expect(Object.keys(ours)).toEqual(observed.top_level_keys);
    expect(Object.keys(ours.device)).toEqual(observed.device_keys);
    expect(Object.keys(ours.device.master_key)).toEqual(observed.master_key_keys);
    expect(Object.keys(ours.device.derived)).toEqual(observed.derived_keys);
    expect(Object.keys(ours.group)).toEqual(observed.group_keys);
    expect(Object.keys(ours.group)).toEqual(Object.keys(real.group));
    const length = (b64: string) => fromBase64(b64).length;
    expect(length(ours.device.master_key.encrypted_master_key)).toBe(observed.encrypted_master_key_len);
    expect(length(ours.device.derived.client_random_value)).toBe(observed.client_random_value_len);
    expect(length(ours.device.derived.hashed_authentication_key)).toBe(observed.hashed_authentication_key_len);
    expect(length(ours.device.derived.encrypted_private_key)).toBe(observed.encrypted_private_key_len);
    expect(length(ours.device.derived.encrypted_sign_key)).toBe(observed.encrypted_sign_key_len);
    expect(length(ours.group.encrypted_group_key)).toBe(observed.group_encrypted_group_key_len);
    expect(length(ours.group.encrypted_private_group_key)).toBe(observed.group_encrypted_private_group_key_len);
    expect(length(ours.group.encrypted_hmac_key)).toBe(observed.group_encrypted_hmac_key_len);
    expect(length(ours.group.encrypted_sortable_key)).toBe(observed.group_encrypted_sortable_key_len);
    expect(length(ours.group.encrypted_sign_key)).toBe(observed.group_encrypted_sign_key_len);
    const algs = observed.algs;
    expect([
      ours.device.derived.keypair_encrypt_alg,
      ours.device.derived.keypair_sign_alg,
      ours.group.keypair_encrypt_alg,
      ours.group.keypair_sign_alg,
      ours.group.encrypted_group_key_alg,
    ]).toEqual([
      algs.keypair_encrypt_alg,
      algs.keypair_sign_alg,
      algs.group_keypair_encrypt_alg,
      algs.group_keypair_sign_alg,
      algs.group_encrypted_group_key_alg,
    ]);
    expect(ours.group.creator_public_key_id).toBe(algs.creator_public_key_id);
    expect(ours.device.device_identifier).toBe("vector_user");
    expect(codeOf(() => prepareRegister("", "pw"))).toBe("invalid_input");
    expect(Object.keys(JSON.parse(prepareRegisterDeviceStart("second", "pw")))).toEqual(observed.device_keys);
    const generated = generateUserRegisterData();
    expect(fromBase64Url(generated.identifier)).toHaveLength(20);
    expect(fromBase64Url(generated.password)).toHaveLength(40);
  });

  it("classical keys on request: X25519 / Ed25519 with their shorter lengths", () => {
    const ours = JSON.parse(prepareRegister("classical_user", "pw", { postQuantum: false }));
    expect(ours.device.derived.keypair_encrypt_alg).toBe(ALG.ecies);
    expect(ours.device.derived.keypair_sign_alg).toBe(ALG.ed25519);
    expect(fromBase64(ours.device.derived.encrypted_private_key)).toHaveLength(60);
    expect(fromBase64(ours.group.encrypted_group_key)).toHaveLength(92);
    expect(fromBase64(ours.group.public_key_sig)).toHaveLength(64);
  });

  it("the real (hybrid) login: same auth key, the real device keys, the challenge and the user keys", () => {
    const derived = prepareLogin(login.identifier, login.password, {
      salt_string: login.server.salt_string,
      derived_encryption_key_alg: ALG.argon2,
    });
    expect(derived.doneLoginInput).toBe(login.direct_path.request_log[1].body);
    expect(toBase64(hashAuthKey(derived.authKey))).toBe(login.register_output.device.derived.hashed_authentication_key);
    const done = doneLogin(derived.masterKeyEncryptionKey, login.server.done_login_output);
    if (done.kind !== "direct") throw new Error("expected a direct login");
    const real = login.direct_path.user_data;
    // The challenge was encrypted to the hybrid device key: Kyber768-90s around ECIES.
    expect(done.challenge).toBe(login.server.challenge_plaintext);
    expect(keys.exportPrivateKey(done.deviceKeys.privateKey)).toBe(real.device_private_key);
    expect(keys.exportSignKey(done.deviceKeys.signKey)).toBe(real.device_sign_key);
    expect(keys.exportPublicKey(done.deviceKeys.publicKey)).toBe(real.device_public_key);
    expect(keys.exportVerifyKey(done.deviceKeys.verifyKey)).toBe(real.device_verify_key);
    const verified = doneVerifyLogin(done.deviceKeys.privateKey, login.server.verify_login_output);
    const [userKey] = verified.userKeys;
    const realUserKey = real.user_keys[0];
    expect(keys.exportSymKey(userKey!.groupKey)).toBe(realUserKey.group_key);
    expect(keys.exportPrivateKey(userKey!.privateGroupKey)).toBe(realUserKey.private_key);
    expect(keys.exportSignKey(userKey!.signKey)).toBe(realUserKey.sign_key);
    // The user key pair's hybrid public key signature (Ed25519 ‖ Dilithium3) verifies.
    expect(
      verifyUserPublicKey(userKey!.verifyKey, {
        publicKey: userKey!.publicGroupKey,
        signature: userKey!.publicKeySignature,
        signatureKeyId: userKey!.publicKeySignatureKeyId,
      }),
    ).toBe(true);
    expect(doneLogin(derived.masterKeyEncryptionKey, '"Otp"')).toEqual({ kind: "mfa" });
    const wrong = prepareLogin(login.identifier, "wrong password", {
      salt_string: login.server.salt_string,
      derived_encryption_key_alg: ALG.argon2,
    });
    expect(codeOf(() => doneLogin(wrong.masterKeyEncryptionKey, login.server.done_login_output))).toBe(
      "decryption_failed",
    );
  });

  it("a user registered with our data logs in through a simulated server, end to end", () => {
    const password = "correct horse ✓";
    const data = JSON.parse(prepareRegister("alice", password));
    const derived = data.device.derived;
    // What the server stores and answers (api.md §3.1): the salt, the device keys, an encrypted challenge.
    const salt = toBase64(generateSalt(fromBase64(derived.client_random_value)));
    const start = prepareLogin("alice", password, {
      salt_string: salt,
      derived_encryption_key_alg: derived.derived_alg,
    });
    expect(toBase64(hashAuthKey(start.authKey))).toBe(derived.hashed_authentication_key);
    const devicePublic = parseUserPublicKeyData(
      JSON.stringify({
        public_key_pem: derived.public_key,
        public_key_alg: derived.keypair_encrypt_alg,
        public_key_id: "device_1",
        public_key_sig: null,
        public_key_sig_key_id: null,
      }),
    ).publicKey;
    const challenge = "challenge-✓";
    const doneOutput = {
      Direct: {
        device_keys: {
          encrypted_master_key: data.device.master_key.encrypted_master_key,
          encrypted_private_key: derived.encrypted_private_key,
          public_key_string: derived.public_key,
          keypair_encrypt_alg: derived.keypair_encrypt_alg,
          encrypted_sign_key: derived.encrypted_sign_key,
          verify_key_string: derived.verify_key,
          keypair_sign_alg: derived.keypair_sign_alg,
          keypair_encrypt_id: "device_1",
          keypair_sign_id: "device_sign_1",
          user_id: "user_1",
          device_id: "device_1",
          user_group_id: "user_1",
        },
        challenge: toBase64(encryptWithPublicKey(devicePublic, new TextEncoder().encode(challenge))),
      },
    };
    const done = doneLogin(start.masterKeyEncryptionKey, doneOutput);
    if (done.kind !== "direct") throw new Error("expected a direct login");
    expect(done.challenge).toBe(challenge);
    expect(done.deviceKeys.userId).toBe("user_1");
    expect(JSON.parse(prepareVerifyLogin(start.authKey, "alice", done.challenge))).toEqual({
      auth_key: toBase64(start.authKey),
      device_identifier: "alice",
      challenge,
    });

    const group = data.group;
    const verified = doneVerifyLogin(done.deviceKeys.privateKey, {
      user_keys: [
        {
          encrypted_group_key: group.encrypted_group_key,
          group_key_alg: group.group_key_alg,
          group_key_id: "user_group_key_1",
          encrypted_private_group_key: group.encrypted_private_group_key,
          public_group_key: group.public_group_key,
          keypair_encrypt_alg: group.keypair_encrypt_alg,
          key_pair_id: "user_key_pair_1",
          user_public_key_id: "device_1",
          time: 1,
          encrypted_sign_key: group.encrypted_sign_key,
          verify_key: group.verify_key,
          keypair_sign_alg: group.keypair_sign_alg,
          keypair_sign_id: "user_sign_1",
          public_key_sig: group.public_key_sig,
          public_key_sig_key_id: "user_sign_1",
        },
      ],
      hmac_keys: [
        {
          id: "hmac_1",
          encrypted_hmac_key: group.encrypted_hmac_key,
          encrypted_hmac_alg: group.encrypted_hmac_alg,
          encrypted_hmac_encryption_key_id: "user_group_key_1",
          time: 1,
        },
      ],
      jwt: "jwt",
      refresh_token: "refresh",
    });
    const [userKey] = verified.userKeys;
    expect(userKey!.groupKey.keyId).toBe("user_group_key_1");
    expect(verified.hmacKeys[0]!.keyId).toBe("hmac_1");
    expect(verified.pendingHmacKeys).toEqual([]);
    // An HMAC key wrapped by a user key that is not on this page (users with > 50 keys) waits for that key.
    const pending = {
      id: "hmac_0",
      encrypted_hmac_key: group.encrypted_hmac_key,
      encrypted_hmac_alg: "HMAC-SHA256",
      encrypted_hmac_encryption_key_id: "older_key",
      time: 0,
    };
    const withPending = doneVerifyLogin(done.deviceKeys.privateKey, {
      user_keys: [],
      hmac_keys: [pending],
      jwt: "j",
      refresh_token: "r",
    });
    expect(withPending.hmacKeys).toEqual([]);
    expect(withPending.pendingHmacKeys).toEqual([pending]);
    // The user key pair's public key is signed by the user's sign key.
    expect(
      verifyUserPublicKey(userKey!.verifyKey, {
        publicKey: userKey!.publicGroupKey,
        signature: userKey!.publicKeySignature,
        signatureKeyId: "user_sign_1",
      }),
    ).toBe(true);
    // A missing sign key field is rejected, as sentc does (client_130).
    expect(
      codeOf(() =>
        doneVerifyLogin(done.deviceKeys.privateKey, {
          user_keys: [{ encrypted_group_key: "x" }],
          hmac_keys: [],
          jwt: "j",
          refresh_token: "r",
        }),
      ),
    ).toBe("invalid_format");
  });
});

describe.runIf(vectorsAvailable("sentc"))("devices (device.json)", () => {
  const file = readVectorJson<Record<string, any>>("sentc", "device.json");

  it("the real classical device input opens with the device key; ours has the same shape and opens too", () => {
    const classical = file.prepare_register_device_classical;
    const k2 = keys.importPrivateKey(
      readVectorJson<Record<string, any>>("sentc", "asymmetric.json").keys.K2.exported.private_key,
    );
    const unwrap = (input: string) => {
      const entry = JSON.parse(input).user_keys.keys[0];
      return keys.exportSymKey(
        keys.symKeyFromRaw(
          entry.alg,
          eciesDecrypt((k2 as keys.SingleKey<string>).key, fromBase64(entry.encrypted_group_key)),
          entry.key_id,
        ),
      );
    };
    expect(unwrap(classical.input)).toBe(classical.unwrapped_with_K2_private_key);
    const userKeys = (JSON.parse(classical.user_keys_json) as unknown[]).map((k) =>
      keys.importSymKey(JSON.stringify(k)),
    );
    const ours = prepareRegisterDevice(JSON.parse(classical.server_output).result, userKeys, 1);
    expect(ours.publicKey).toBe(classical.public_key);
    expect(unwrap(ours.serverInput)).toBe(classical.unwrapped_with_K2_private_key);
    const real = JSON.parse(classical.input);
    const mine = JSON.parse(ours.serverInput);
    expect(Object.keys(mine)).toEqual(Object.keys(real));
    expect({ ...mine.user_keys, keys: [] }).toEqual({ ...real.user_keys, keys: [] });
    // A hybrid device (made by the real package) receives the keys Kyber-wrapped, in the same shape.
    const hybrid = file.prepare_register_device;
    const hybridKeys = (JSON.parse(hybrid.user_keys_json) as unknown[]).map((k) =>
      keys.importSymKey(JSON.stringify(k)),
    );
    const forHybrid = prepareRegisterDevice(JSON.parse(hybrid.server_output).result, hybridKeys, 1);
    expect(forHybrid.publicKey).toBe(hybrid.public_key);
    const realHybrid = JSON.parse(hybrid.input);
    const ourHybrid = JSON.parse(forHybrid.serverInput);
    expect(fromBase64(ourHybrid.user_keys.keys[0].encrypted_group_key)).toHaveLength(
      fromBase64(realHybrid.user_keys.keys[0].encrypted_group_key).length,
    );
    expect({ ...ourHybrid.user_keys.keys[0], encrypted_group_key: "" }).toEqual({
      ...realHybrid.user_keys.keys[0],
      encrypted_group_key: "",
    });
  });
});
