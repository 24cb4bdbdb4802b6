/**
 * Live interop, users: our registration logged in by the REAL sentc client (sentc_wasm@0.15.0) through a fake
 * sentc-api, and the real client's classical login material (reset_password, change_password, user key
 * rotation) opened by our login code.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ALG } from "../../src/protocol/algorithms.js";
import { encryptWithPublicKey } from "../../src/protocol/kem.js";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import * as keys from "../../src/protocol/keys.js";
import {
  decryptUserKey,
  doneLogin,
  doneVerifyLogin,
  prepareLogin,
  prepareVerifyLogin,
  type DeviceKeys,
} from "../../src/protocol/login.js";
import { hashAuthKey } from "../../src/protocol/password.js";
import {
  parseUserPublicKeyData,
  publicKeyFromPemText,
  serializeUserPublicKeyData,
  serializeUserVerifyKeyData,
  verifyKeyFromPemText,
} from "../../src/protocol/public-keys.js";
import { prepareRegister, prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import { prepareChangePassword, prepareResetPassword } from "../../src/protocol/password-change.js";
import { prepareCreateGroup } from "../../src/protocol/group-create.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { decryptWithPrivateKey } from "../../src/protocol/kem.js";
import { x25519PublicKey, ed25519PublicKey } from "../../src/core/index.js";
import { loadReleaseCore } from "../helpers/core.js";
import { readVectorJson, vectorsAvailable } from "../helpers/vectors.js";
import {
  APP_TOKEN,
  BASE_URL,
  JWT,
  loadRealSentc,
  ok,
  real,
  serverSalt,
  withServer,
  type VectorKeys,
} from "./real-sentc.js";

beforeAll(loadReleaseCore);

const { sentc, server } = loadRealSentc();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const json = (text: string) => JSON.parse(text) as Record<string, any>;
const _single = (key: unknown) => (key as keys.SingleKey<string>).key;
const classicalHalf = (key: { key: Uint8Array } | { x: Uint8Array }): Uint8Array => ("key" in key ? key.key : key.x);

const IDS = {
  userId: "user_id_interop",
  deviceKeyId: "device_key_id_interop",
  deviceSignKeyId: "device_sign_key_id_interop",
  userGroupKeyId: "user_group_key_id_interop",
  userKeyPairId: "user_key_pair_id_interop",
  userSignKeyId: "user_sign_key_id_interop",
  hmacKeyId: "user_hmac_key_id_interop",
};

/** What sentc-api stores from a RegisterData and answers at login (DoneLoginServerKeysOutput, GroupKeyServerOutput). */
function serverViewOfRegistration(register: Record<string, any>) {
  const { device, group } = register;
  const deviceKeys = {
    encrypted_master_key: device.master_key.encrypted_master_key,
    encrypted_private_key: device.derived.encrypted_private_key,
    public_key_string: device.derived.public_key,
    keypair_encrypt_alg: device.derived.keypair_encrypt_alg,
    encrypted_sign_key: device.derived.encrypted_sign_key,
    verify_key_string: device.derived.verify_key,
    keypair_sign_alg: device.derived.keypair_sign_alg,
    keypair_encrypt_id: IDS.deviceKeyId,
    keypair_sign_id: IDS.deviceSignKeyId,
    user_id: IDS.userId,
    device_id: IDS.deviceKeyId,
    user_group_id: IDS.userId,
  };
  const userKey = {
    encrypted_group_key: group.encrypted_group_key,
    group_key_alg: group.group_key_alg,
    group_key_id: IDS.userGroupKeyId,
    encrypted_private_group_key: group.encrypted_private_group_key,
    public_group_key: group.public_group_key,
    keypair_encrypt_alg: group.keypair_encrypt_alg,
    key_pair_id: IDS.userKeyPairId,
    user_public_key_id: IDS.deviceKeyId,
    time: 1700000000000,
    encrypted_sign_key: group.encrypted_sign_key,
    verify_key: group.verify_key,
    keypair_sign_alg: group.keypair_sign_alg,
    keypair_sign_id: IDS.userSignKeyId,
    public_key_sig: group.public_key_sig,
    public_key_sig_key_id: IDS.userSignKeyId,
  };
  const hmacKey = {
    id: IDS.hmacKeyId,
    encrypted_hmac_key: group.encrypted_hmac_key,
    encrypted_hmac_alg: group.encrypted_hmac_alg,
    encrypted_hmac_encryption_key_id: IDS.userGroupKeyId,
    time: 1700000000000,
  };
  return { deviceKeys, userKey, hmacKey };
}

/** Our complete login against the given server answers; returns the device keys and the user keys. */
function ourLogin(
  identifier: string,
  password: string,
  salt: string,
  doneLoginOutput: unknown,
  verifyLoginOutput: Record<string, unknown>,
) {
  const start = prepareLogin(identifier, password, { salt_string: salt, derived_encryption_key_alg: ALG.argon2 });
  const done = doneLogin(start.masterKeyEncryptionKey, doneLoginOutput as Record<string, unknown>);
  if (done.kind !== "direct") throw new Error("expected a direct login");
  const verified = doneVerifyLogin(done.deviceKeys.privateKey, verifyLoginOutput);
  return { start, done, verified };
}

function deviceExports(device: DeviceKeys) {
  return {
    private_key: keys.exportPrivateKey(device.privateKey),
    public_key: keys.exportPublicKey(device.publicKey),
    sign_key: keys.exportSignKey(device.signKey),
    verify_key: keys.exportVerifyKey(device.verifyKey),
    exported_public_key: serializeUserPublicKeyData({
      publicKey: device.publicKey,
      signature: null,
      signatureKeyId: null,
    }),
    exported_verify_key: serializeUserVerifyKeyData(device.verifyKey),
  };
}

describe("register → login: our prepareRegister output, logged in by the REAL client", () => {
  it("the real login accepts our RegisterData and exports exactly the keys our login derives", async () => {
    const identifier = `interop_user_${randomBytes(4).toString("hex")}`;
    const password = `pässwörd ✓ ${randomBytes(6).toString("base64")}`;
    const register = json(prepareRegister(identifier, password));
    const salt = serverSalt(register.device.derived.client_random_value);
    const { deviceKeys, userKey, hmacKey } = serverViewOfRegistration(register);
    // The server encrypts the challenge to the device public key (hybrid: Kyber around ECIES), without a head.
    const challenge = `challenge-${randomBytes(8).toString("hex")}`;
    const devicePublic = publicKeyFromPemText(
      deviceKeys.public_key_string,
      deviceKeys.keypair_encrypt_alg,
      IDS.deviceKeyId,
    );
    const doneLoginOutput = {
      device_keys: deviceKeys,
      challenge: toBase64(encryptWithPublicKey(devicePublic, new TextEncoder().encode(challenge))),
    };
    const verifyLoginOutput = {
      user_keys: [userKey],
      hmac_keys: [hmacKey],
      jwt: JWT,
      refresh_token: "refresh_interop",
    };

    const { result: user, requests } = await withServer(
      server,
      [
        () => ok({ salt_string: salt, derived_encryption_key_alg: register.device.derived.derived_alg }),
        (request) => {
          // What sentc-api checks: SHA256(auth_key)[0..16] must equal the registered hashed_authentication_key.
          const authKey = fromBase64(json(request.body).auth_key);
          if (b64(hashAuthKey(authKey)) !== register.device.derived.hashed_authentication_key)
            throw new Error("wrong auth key");
          return ok({ Direct: doneLoginOutput });
        },
        (request) => {
          if (json(request.body).challenge !== challenge) throw new Error("challenge not solved");
          return ok(verifyLoginOutput);
        },
      ],
      () => sentc.login(BASE_URL, APP_TOKEN, identifier, password),
    );
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /api/v1/prepare_login",
      "POST /api/v1/done_login",
      "POST /api/v1/verify_login",
    ]);

    const ours = ourLogin(identifier, password, salt, { Direct: doneLoginOutput }, verifyLoginOutput);
    // The same request bodies, byte for byte.
    expect(requests[0]!.body).toBe(JSON.stringify({ user_identifier: identifier }));
    expect(requests[1]!.body).toBe(ours.start.doneLoginInput);
    expect(requests[2]!.body).toBe(prepareVerifyLogin(ours.start.authKey, identifier, challenge));
    expect(ours.done.kind === "direct" && ours.done.challenge).toBe(challenge);

    // Device keys: the real exports equal ours, and the private keys belong to the registered public keys.
    const device = ours.done.kind === "direct" ? ours.done.deviceKeys : undefined;
    expect(device).toBeDefined();
    const mine = deviceExports(device!);
    expect(user.get_device_private_key()).toBe(mine.private_key);
    expect(user.get_device_public_key()).toBe(mine.public_key);
    expect(user.get_device_sign_key()).toBe(mine.sign_key);
    expect(user.get_device_verify_key()).toBe(mine.verify_key);
    expect(user.get_device_exported_public_key()).toBe(mine.exported_public_key);
    expect(user.get_device_exported_verify_key()).toBe(mine.exported_verify_key);
    const realDeviceSk = keys.importPrivateKey(user.get_device_private_key()!);
    const realDeviceSeed = keys.importSignKey(user.get_device_sign_key()!);
    // The classical halves (the whole key for classical keys, x for hybrid ones) derive the public halves.
    expect(b64(x25519PublicKey(classicalHalf(realDeviceSk)))).toBe(b64(classicalHalf(devicePublic)));
    expect(b64(ed25519PublicKey(classicalHalf(realDeviceSeed)))).toBe(
      b64(classicalHalf(verifyKeyFromPemText(deviceKeys.verify_key_string, deviceKeys.keypair_sign_alg, ""))),
    );
    expect(user.get_id()).toBe(IDS.userId);
    expect(user.get_device_id()).toBe(IDS.deviceKeyId);
    expect(user.get_jwt()).toBe(JWT);

    // User keys (UserKeyDataExport): every export equals ours.
    const [realUserKey] = user.get_user_keys() as Array<Record<string, string>>;
    const [ourUserKey] = ours.verified.userKeys;
    expect(realUserKey).toBeDefined();
    expect(realUserKey!.group_key).toBe(keys.exportSymKey(ourUserKey!.groupKey));
    expect(realUserKey!.group_key_id).toBe(IDS.userGroupKeyId);
    expect(realUserKey!.private_key).toBe(keys.exportPrivateKey(ourUserKey!.privateGroupKey));
    expect(realUserKey!.public_key).toBe(keys.exportPublicKey(ourUserKey!.publicGroupKey));
    expect(realUserKey!.sign_key).toBe(keys.exportSignKey(ourUserKey!.signKey));
    expect(realUserKey!.verify_key).toBe(keys.exportVerifyKey(ourUserKey!.verifyKey));
    expect(realUserKey!.exported_verify_key).toBe(serializeUserVerifyKeyData(ourUserKey!.verifyKey));
    expect(realUserKey!.exported_public_key).toBe(
      serializeUserPublicKeyData({
        publicKey: ourUserKey!.publicGroupKey,
        signature: ourUserKey!.publicKeySignature,
        signatureKeyId: ourUserKey!.publicKeySignatureKeyId,
      }),
    );
    expect(realUserKey!.exported_public_key_sig_key_id).toBe(IDS.userSignKeyId);
    expect(String(realUserKey!.time)).toBe("1700000000000");
    // Our user public key signature (made by our user-group sign key) verifies for the real package.
    expect(
      sentc.user_verify_user_public_key(realUserKey!.exported_verify_key!, realUserKey!.exported_public_key!),
    ).toBe(true);

    // HMAC key of the user group.
    const [realHmac] = user.get_hmac_keys() as Array<{ group_key_id: string; key_data: string }>;
    expect(realHmac!.group_key_id).toBe(IDS.userGroupKeyId);
    expect(real(() => sentc.group_decrypt_hmac_key(realUserKey!.group_key!, realHmac!.key_data))).toBe(
      keys.exportHmacKey(ours.verified.hmacKeys[0]!),
    );
  });

  it("the real MFA (Otp) login path: the real mfa_master_key / mfa_auth_key equal our derived keys, and mfa_login finishes with our data", async () => {
    const identifier = "mfa_user";
    const password = "mfa password ✓";
    const register = json(prepareRegister(identifier, password));
    const salt = serverSalt(register.device.derived.client_random_value);
    const { deviceKeys, userKey, hmacKey } = serverViewOfRegistration(register);
    const { result: otp } = await withServer(
      server,
      [() => ok({ salt_string: salt, derived_encryption_key_alg: ALG.argon2 }), () => ok("Otp")],
      () => sentc.login(BASE_URL, APP_TOKEN, identifier, password),
    );
    const start = prepareLogin(identifier, password, { salt_string: salt, derived_encryption_key_alg: ALG.argon2 });
    expect(doneLogin(start.masterKeyEncryptionKey, "Otp")).toEqual({ kind: "mfa" });
    expect(otp.get_mfa_master_key()).toBe(keys.exportMasterKeyFormat(start.masterKeyEncryptionKey));
    expect(otp.get_mfa_auth_key()).toBe(b64(start.authKey));
    expect(otp.get_device_private_key()).toBeUndefined();

    const devicePublic = publicKeyFromPemText(
      deviceKeys.public_key_string,
      deviceKeys.keypair_encrypt_alg,
      IDS.deviceKeyId,
    );
    const challenge = `mfa-${randomBytes(4).toString("hex")}`;
    // The MFA endpoint answers DoneLoginServerOutput without the "Direct" wrapper.
    const doneOutput = {
      device_keys: deviceKeys,
      challenge: toBase64(encryptWithPublicKey(devicePublic, new TextEncoder().encode(challenge))),
    };
    const { result: user, requests } = await withServer(
      server,
      [
        () => ok(doneOutput),
        (request) =>
          json(request.body).challenge === challenge
            ? ok({ user_keys: [userKey], hmac_keys: [hmacKey], jwt: JWT, refresh_token: "r" })
            : "bad",
      ],
      () =>
        sentc.mfa_login(
          BASE_URL,
          APP_TOKEN,
          otp.get_mfa_master_key()!,
          otp.get_mfa_auth_key()!,
          identifier,
          "123456",
          false,
        ),
    );
    expect(requests[0]!.path).toBe("/api/v1/validate_mfa");
    const done = doneLogin(keys.importMasterKeyFormat(otp.get_mfa_master_key()!), doneOutput);
    if (done.kind !== "direct") throw new Error("expected the device keys");
    expect(user.get_device_private_key()).toBe(keys.exportPrivateKey(done.deviceKeys.privateKey));
    expect(user.get_device_sign_key()).toBe(keys.exportSignKey(done.deviceKeys.signKey));
  });

  it("the real login of our registration fails with a wrong password (our master-key wrap is authenticated)", async () => {
    const register = json(prepareRegister("wrong_pw_user", "right password"));
    const { deviceKeys } = serverViewOfRegistration(register);
    await expect(
      withServer(
        server,
        [
          () =>
            ok({
              salt_string: serverSalt(register.device.derived.client_random_value),
              derived_encryption_key_alg: ALG.argon2,
            }),
          () => ok({ Direct: { device_keys: deviceKeys, challenge: "AAAA" } }),
        ],
        () => sentc.login(BASE_URL, APP_TOKEN, "wrong_pw_user", "wrong password"),
      ),
    ).rejects.toThrow(/client_14/);
  });

  it("the real change_password of our registered user: our login with the new password unwraps the same device keys", async () => {
    const identifier = "pw_change_user";
    const oldPassword = "old password";
    const newPassword = `new pässword ${randomBytes(4).toString("hex")}`;
    const register = json(prepareRegister(identifier, oldPassword));
    const { deviceKeys, userKey, hmacKey } = serverViewOfRegistration(register);
    const devicePublic = publicKeyFromPemText(
      deviceKeys.public_key_string,
      deviceKeys.keypair_encrypt_alg,
      IDS.deviceKeyId,
    );
    const challenge = `c-${randomBytes(6).toString("hex")}`;
    const doneLoginOutput = {
      device_keys: deviceKeys,
      challenge: toBase64(encryptWithPublicKey(devicePublic, new TextEncoder().encode(challenge))),
    };
    const verifyLoginOutput = { user_keys: [userKey], hmac_keys: [hmacKey], jwt: JWT, refresh_token: "r" };
    let changeData: Record<string, any> = {};
    const { requests } = await withServer(
      server,
      [
        () =>
          ok({
            salt_string: serverSalt(register.device.derived.client_random_value),
            derived_encryption_key_alg: ALG.argon2,
          }),
        () => ok({ Direct: doneLoginOutput }),
        () => ok(verifyLoginOutput),
        (request) => ((changeData = json(request.body)), ok("ok")),
      ],
      () => sentc.change_password(BASE_URL, APP_TOKEN, identifier, oldPassword, newPassword, undefined, undefined),
    );
    expect(`${requests[3]!.method} ${requests[3]!.path}`).toBe("PUT /api/v1/user/update_pw");
    const before = ourLogin(
      identifier,
      oldPassword,
      serverSalt(register.device.derived.client_random_value),
      { Direct: doneLoginOutput },
      verifyLoginOutput,
    );
    expect(changeData.old_auth_key).toBe(b64(before.start.authKey));

    const newSalt = serverSalt(changeData.new_client_random_value);
    const changedDevice = { ...deviceKeys, encrypted_master_key: changeData.new_encrypted_master_key };
    const after = ourLogin(
      identifier,
      newPassword,
      newSalt,
      { Direct: { ...doneLoginOutput, device_keys: changedDevice } },
      verifyLoginOutput,
    );
    expect(b64(hashAuthKey(after.start.authKey))).toBe(changeData.new_hashed_authentication_key);
    expect(after.done.kind === "direct" && b64(after.done.masterKey)).toBe(
      before.done.kind === "direct" && b64(before.done.masterKey),
    );
    const a = after.done.kind === "direct" ? deviceExports(after.done.deviceKeys) : undefined;
    const b = before.done.kind === "direct" ? deviceExports(before.done.deviceKeys) : undefined;
    expect(a).toEqual(b);
  });
});

describe.runIf(vectorsAvailable("sentc"))(
  "real → ours: the real client's classical login material, opened by our login code",
  () => {
    const { K1, K2 } = readVectorJson<{ keys: { K1: VectorKeys; K2: VectorKeys } }>("sentc", "asymmetric.json").keys;

    it("real reset_password (classical K1 device keys) + real challenge encryption → our prepareLogin/doneLogin recover K1", async () => {
      const newPassword = `reset ✓ ${randomBytes(4).toString("hex")}`;
      let reset: Record<string, any> = {};
      const { requests } = await withServer(server, [(request) => ((reset = json(request.body)), ok("ok"))], () =>
        sentc.reset_password(BASE_URL, APP_TOKEN, JWT, newPassword, K1.exported.private_key, K1.exported.sign_key),
      );
      expect(`${requests[0]!.method} ${requests[0]!.path}`).toBe("PUT /api/v1/user/reset_pw");

      const challenge = `real challenge ${randomBytes(6).toString("hex")}`;
      // The server's challenge: base64(pk.encrypt(challenge)) without a head = the real encrypt_raw_asymmetric data.
      const encryptedChallenge = b64(
        real(() =>
          sentc.encrypt_raw_asymmetric(
            K1.exported.user_public_key_data,
            new TextEncoder().encode(challenge),
            undefined,
          ),
        ).get_data(),
      );
      const deviceKeys = {
        encrypted_master_key: reset.master_key.encrypted_master_key,
        encrypted_private_key: reset.encrypted_private_key,
        public_key_string: json(K1.exported.user_public_key_data).public_key_pem,
        keypair_encrypt_alg: ALG.ecies,
        encrypted_sign_key: reset.encrypted_sign_key,
        verify_key_string: json(K1.exported.user_verify_key_data).verify_key_pem,
        keypair_sign_alg: ALG.ed25519,
        keypair_encrypt_id: K1.ids.ecies,
        keypair_sign_id: K1.ids.sign,
        user_id: "u",
        device_id: K1.ids.ecies,
        user_group_id: "u",
      };
      const start = prepareLogin("reset_user", newPassword, {
        salt_string: serverSalt(reset.client_random_value),
        derived_encryption_key_alg: reset.derived_alg,
      });
      expect(b64(hashAuthKey(start.authKey))).toBe(reset.hashed_authentication_key);
      const done = doneLogin(
        start.masterKeyEncryptionKey,
        JSON.stringify({ Direct: { device_keys: deviceKeys, challenge: encryptedChallenge } }),
      );
      if (done.kind !== "direct") throw new Error("expected a direct login");
      expect(done.challenge).toBe(challenge);
      expect(keys.exportPrivateKey(done.deviceKeys.privateKey)).toBe(K1.exported.private_key);
      expect(keys.exportSignKey(done.deviceKeys.signKey)).toBe(K1.exported.sign_key);
      expect(keys.exportPublicKey(done.deviceKeys.publicKey)).toBe(K1.exported.public_key);
      expect(keys.exportVerifyKey(done.deviceKeys.verifyKey)).toBe(K1.exported.verify_key);
    });

    it("real user_key_rotation for a classical device (K1) → our doneVerifyLogin/decryptUserKey equal the real done_fetch_user_key", async () => {
      let rotation: Record<string, any> = {};
      const { requests } = await withServer(
        server,
        [(request) => ((rotation = json(request.body)), ok({ group_id: "u", key_id: "new_user_key" }))],
        () => sentc.user_key_rotation(BASE_URL, APP_TOKEN, JWT, K1.exported.public_key, K2.exported.sym_key),
      );
      expect(`${requests[0]!.method} ${requests[0]!.path}`).toBe("POST /api/v1/user/user_keys/rotation");
      expect(rotation.encrypted_group_key_alg).toBe(ALG.ecies);
      // The new user key as the server hands it to the device (GroupKeyServerOutput of the user group).
      const userKey = {
        encrypted_group_key: rotation.encrypted_group_key_by_user,
        group_key_alg: rotation.group_key_alg,
        group_key_id: "new_user_key",
        encrypted_private_group_key: rotation.encrypted_private_group_key,
        public_group_key: rotation.public_group_key,
        keypair_encrypt_alg: rotation.keypair_encrypt_alg,
        key_pair_id: "new_user_key_pair",
        user_public_key_id: K1.ids.ecies,
        time: 42,
        encrypted_sign_key: rotation.encrypted_sign_key,
        verify_key: rotation.verify_key,
        keypair_sign_alg: rotation.keypair_sign_alg,
        keypair_sign_id: "new_user_sign_key",
        public_key_sig: rotation.public_key_sig,
        public_key_sig_key_id: "new_user_sign_key",
      };
      const realKey = real(() => sentc.done_fetch_user_key(K1.exported.private_key, ok(userKey)));
      const ours = doneVerifyLogin(keys.importPrivateKey(K1.exported.private_key), {
        user_keys: [userKey],
        hmac_keys: [],
        jwt: "j",
        refresh_token: "r",
      }).userKeys[0]!;
      expect(decryptUserKey(keys.importPrivateKey(K1.exported.private_key), JSON.stringify(userKey)).groupKey).toEqual(
        ours.groupKey,
      );
      expect(keys.exportSymKey(ours.groupKey)).toBe(realKey.get_group_key());
      expect(ours.groupKey.keyId).toBe(realKey.get_group_key_id());
      expect(keys.exportPrivateKey(ours.privateGroupKey)).toBe(realKey.get_private_key());
      expect(keys.exportPublicKey(ours.publicGroupKey)).toBe(realKey.get_public_key());
      expect(keys.exportSignKey(ours.signKey)).toBe(realKey.get_sign_key());
      expect(keys.exportVerifyKey(ours.verifyKey)).toBe(realKey.get_verify_key());
      expect(serializeUserVerifyKeyData(ours.verifyKey)).toBe(realKey.get_exported_verify_key());
      expect(
        serializeUserPublicKeyData({
          publicKey: ours.publicGroupKey,
          signature: ours.publicKeySignature,
          signatureKeyId: ours.publicKeySignatureKeyId,
        }),
      ).toBe(realKey.get_exported_public_key());
      expect(parseUserPublicKeyData(realKey.get_exported_public_key()).publicKey).toEqual(ours.publicGroupKey);
    });
  },
);

describe.runIf(vectorsAvailable("sentc"))(
  "ours → real: our password change / reset, device and user key rotation data, used by the REAL client",
  () => {
    const { K1, K2 } = readVectorJson<{ keys: { K1: VectorKeys; K2: VectorKeys } }>("sentc", "asymmetric.json").keys;
    const k1Public = keys.importPublicKey(K1.exported.public_key);
    const k1Private = keys.importPrivateKey(K1.exported.private_key);

    /** Real login against device keys and a user key; returns the real UserLoginOut. */
    async function realLogin(
      identifier: string,
      password: string,
      clientRandomValue: string,
      deviceKeys: Record<string, any>,
      userKey: Record<string, unknown>,
    ) {
      const devicePublic = publicKeyFromPemText(
        deviceKeys.public_key_string,
        deviceKeys.keypair_encrypt_alg,
        deviceKeys.keypair_encrypt_id,
      );
      const challenge = `c-${randomBytes(6).toString("hex")}`;
      const { result } = await withServer(
        server,
        [
          () => ok({ salt_string: serverSalt(clientRandomValue), derived_encryption_key_alg: ALG.argon2 }),
          () =>
            ok({
              Direct: {
                device_keys: deviceKeys,
                challenge: toBase64(encryptWithPublicKey(devicePublic, new TextEncoder().encode(challenge))),
              },
            }),
          (request) =>
            json(request.body).challenge === challenge
              ? ok({ user_keys: [userKey], hmac_keys: [], jwt: JWT, refresh_token: "r" })
              : "bad challenge",
        ],
        () => sentc.login(BASE_URL, APP_TOKEN, identifier, password),
      );
      return result;
    }

    it("our prepareChangePassword → the real login with the new password unwraps the same device and user keys", async () => {
      const identifier = "ours_change_pw";
      const register = json(prepareRegister(identifier, "first password"));
      const { deviceKeys, userKey, hmacKey } = serverViewOfRegistration(register);
      const salt = serverSalt(register.device.derived.client_random_value);
      const devicePublic = publicKeyFromPemText(
        deviceKeys.public_key_string,
        deviceKeys.keypair_encrypt_alg,
        IDS.deviceKeyId,
      );
      const doneOutput = {
        device_keys: deviceKeys,
        challenge: toBase64(encryptWithPublicKey(devicePublic, new TextEncoder().encode("x"))),
      };
      const before = ourLogin(
        identifier,
        "first password",
        salt,
        { Direct: doneOutput },
        { user_keys: [userKey], hmac_keys: [hmacKey], jwt: "j", refresh_token: "r" },
      );
      if (before.done.kind !== "direct") throw new Error("expected a direct login");
      const newPassword = `second pässword ${randomBytes(3).toString("hex")}`;
      const change = json(prepareChangePassword(newPassword, before.done.masterKey, before.start.authKey));
      expect(change.old_auth_key).toBe(b64(before.start.authKey));
      const user = await realLogin(
        identifier,
        newPassword,
        change.new_client_random_value,
        { ...deviceKeys, encrypted_master_key: change.new_encrypted_master_key },
        userKey,
      );
      expect(user.get_device_private_key()).toBe(keys.exportPrivateKey(before.done.deviceKeys.privateKey));
      expect(user.get_device_sign_key()).toBe(keys.exportSignKey(before.done.deviceKeys.signKey));
      expect((user.get_user_keys() as Array<Record<string, string>>)[0]!.group_key).toBe(
        keys.exportSymKey(before.verified.userKeys[0]!.groupKey),
      );
    });

    it("our prepareResetPassword (K1 device keys) + our user-group CreateData → the real login exports K1 and our user keys", async () => {
      const newPassword = "reset by us ✓";
      const reset = json(prepareResetPassword(newPassword, k1Private, keys.importSignKey(K1.exported.sign_key)));
      const userGroup = prepareCreateGroup({ creatorPublicKey: k1Public, starter: "", userGroup: true });
      const group = json(userGroup.serverInput);
      const deviceKeys = {
        encrypted_master_key: reset.master_key.encrypted_master_key,
        encrypted_private_key: reset.encrypted_private_key,
        public_key_string: json(K1.exported.user_public_key_data).public_key_pem,
        keypair_encrypt_alg: ALG.ecies,
        encrypted_sign_key: reset.encrypted_sign_key,
        verify_key_string: json(K1.exported.user_verify_key_data).verify_key_pem,
        keypair_sign_alg: ALG.ed25519,
        keypair_encrypt_id: K1.ids.ecies,
        keypair_sign_id: K1.ids.sign,
        user_id: "u",
        device_id: K1.ids.ecies,
        user_group_id: "u",
      };
      const userKey = {
        ...serverViewOfRegistration({ device: { master_key: {}, derived: {} }, group }).userKey,
        user_public_key_id: K1.ids.ecies,
      };
      const user = await realLogin("reset_user", newPassword, reset.client_random_value, deviceKeys, userKey);
      expect(user.get_device_private_key()).toBe(K1.exported.private_key);
      expect(user.get_device_sign_key()).toBe(K1.exported.sign_key);
      const realUserKey = (user.get_user_keys() as Array<Record<string, string>>)[0]!;
      expect(realUserKey.group_key).toBe(keys.exportSymKey({ ...userGroup.keys.groupKey, keyId: IDS.userGroupKeyId }));
      expect(realUserKey.private_key).toBe(
        keys.exportPrivateKey({ ...userGroup.keys.privateKey, keyId: IDS.userKeyPairId }),
      );
      expect(realUserKey.sign_key).toBe(keys.exportSignKey({ ...userGroup.keys.signKey!, keyId: IDS.userSignKeyId }));
      expect(
        sentc.user_verify_user_public_key(realUserKey.exported_verify_key!, realUserKey.exported_public_key!),
      ).toBe(true);
    });

    it("our prepareRegisterDeviceStart → the real prepare_register_device encrypts the user keys to our new device, which opens them", () => {
      const password = "device password";
      const start = json(prepareRegisterDeviceStart("new_device", password));
      const serverOutput = ok({
        device_id: "new_device_id",
        token: "device_token",
        device_identifier: "new_device",
        public_key_string: start.derived.public_key,
        keypair_encrypt_alg: start.derived.keypair_encrypt_alg,
      });
      const userKeys = [K1.exported.sym_key, K2.exported.sym_key];
      const pre = real(() =>
        sentc.prepare_register_device(serverOutput, JSON.stringify(userKeys.map((k) => JSON.parse(k))), 2),
      );
      const ours = prepareRegisterDevice(json(serverOutput).result, userKeys.map(keys.importSymKey), 2);
      expect(ours.publicKey).toBe(pre.get_public_key());
      // The new device logs in with its password and opens the keys the real device encrypted to it.
      const derived = prepareLogin("new_device", password, {
        salt_string: serverSalt(start.derived.client_random_value),
        derived_encryption_key_alg: ALG.argon2,
      });
      const devicePublic = publicKeyFromPemText(
        start.derived.public_key,
        start.derived.keypair_encrypt_alg,
        "new_device_id",
      );
      const done = doneLogin(derived.masterKeyEncryptionKey, {
        device_keys: {
          encrypted_master_key: start.master_key.encrypted_master_key,
          encrypted_private_key: start.derived.encrypted_private_key,
          public_key_string: start.derived.public_key,
          keypair_encrypt_alg: start.derived.keypair_encrypt_alg,
          encrypted_sign_key: start.derived.encrypted_sign_key,
          verify_key_string: start.derived.verify_key,
          keypair_sign_alg: start.derived.keypair_sign_alg,
          keypair_encrypt_id: "new_device_id",
          keypair_sign_id: "new_device_sign_id",
          user_id: "u",
          device_id: "new_device_id",
          user_group_id: "u",
        },
        challenge: toBase64(encryptWithPublicKey(devicePublic, new TextEncoder().encode("c"))),
      });
      if (done.kind !== "direct") throw new Error("expected the device keys");
      const input = json(pre.get_input());
      expect(input.token).toBe("device_token");
      input.user_keys.keys.forEach((entry: Record<string, string>, i: number) => {
        const raw = decryptWithPrivateKey(done.deviceKeys.privateKey, fromBase64(entry.encrypted_group_key!));
        expect(keys.exportSymKey(keys.symKeyFromRaw(entry.alg!, raw, entry.key_id!))).toBe(userKeys[i]);
      });
      expect({ ...json(ours.serverInput), user_keys: { ...json(ours.serverInput).user_keys, keys: [] } }).toEqual({
        ...input,
        user_keys: { ...input.user_keys, keys: [] },
      });
    });

    it("our user key rotation (prepareKeyRotation, userGroup) → the real done_fetch_user_key opens it and verifies our public key signature", async () => {
      const rotation = prepareKeyRotation({
        previousGroupKey: keys.importSymKey(K2.exported.sym_key),
        invokerPublicKey: k1Public,
        starter: "",
        userGroup: true,
      });
      const data = json(rotation.serverInput);
      // Same KeyRotationData fields, in the same order, as the real user_key_rotation sends (classical device key).
      let theirs: Record<string, unknown> = {};
      await withServer(server, [(request) => ((theirs = json(request.body)), ok({ group_id: "u", key_id: "k" }))], () =>
        sentc.user_key_rotation(BASE_URL, APP_TOKEN, JWT, K1.exported.public_key, K2.exported.sym_key),
      );
      expect(Object.keys(data)).toEqual(Object.keys(theirs));
      const userKey = {
        encrypted_group_key: data.encrypted_group_key_by_user,
        group_key_alg: data.group_key_alg,
        group_key_id: "rotated_user_key",
        encrypted_private_group_key: data.encrypted_private_group_key,
        public_group_key: data.public_group_key,
        keypair_encrypt_alg: data.keypair_encrypt_alg,
        key_pair_id: "rotated_pair",
        user_public_key_id: K1.ids.ecies,
        time: 7,
        encrypted_sign_key: data.encrypted_sign_key,
        verify_key: data.verify_key,
        keypair_sign_alg: data.keypair_sign_alg,
        keypair_sign_id: "rotated_sign",
        public_key_sig: data.public_key_sig,
        public_key_sig_key_id: "rotated_sign",
      };
      const realKey = real(() => sentc.done_fetch_user_key(K1.exported.private_key, ok(userKey)));
      expect(realKey.get_group_key()).toBe(keys.exportSymKey({ ...rotation.keys.groupKey, keyId: "rotated_user_key" }));
      expect(realKey.get_private_key()).toBe(
        keys.exportPrivateKey({ ...rotation.keys.privateKey, keyId: "rotated_pair" }),
      );
      expect(realKey.get_sign_key()).toBe(keys.exportSignKey({ ...rotation.keys.signKey!, keyId: "rotated_sign" }));
      expect(realKey.get_verify_key()).toBe(
        keys.exportVerifyKey({ ...rotation.keys.verifyKey!, keyId: "rotated_sign" }),
      );
      expect(
        sentc.user_verify_user_public_key(realKey.get_exported_verify_key(), realKey.get_exported_public_key()),
      ).toBe(true);
    });
  },
);
