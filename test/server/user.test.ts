import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotp } from "../../server/services/otp.js";
import { SERVER_RANDOM_VALUE } from "../../server/services/auth.js";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import { decodeJwt } from "../../src/protocol/jwt.js";
import { finishKeyRotation, prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { decryptUserKey, doneLogin, prepareLogin, prepareVerifyLogin } from "../../src/protocol/login.js";
import { generateSalt } from "../../src/protocol/password.js";
import { prepareChangePassword, prepareResetPassword } from "../../src/protocol/password-change.js";
import { prepareRegister, prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import { expectError, expectOk, login, registerUser, startHarness, unique, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const V = "/api/v1";

describe("register, exists, prepare_login", () => {
  it("reports availability and registers with the secret token only (sentc's default)", async () => {
    const identifier = unique();
    expect(expectOk(await h.call("POST", `${V}/exists`, { body: { user_identifier: identifier } }))).toEqual({
      user_identifier: identifier,
      available: true,
    });
    expectError(await h.call("POST", `${V}/register`, { raw: prepareRegister(identifier, "pw") }), 400, 203);
    const user = await registerUser(h, identifier);
    expect(user.userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectOk(await h.call("POST", `${V}/exists`, { body: { user_identifier: identifier } })).available).toBe(
      false,
    );
    expectError(
      await h.call("POST", `${V}/register`, { token: h.app.secretToken, raw: prepareRegister(identifier, "pw") }),
      400,
      101,
    );
  });

  it("requires the user group's sign keys (117) and validates the body (422/11)", async () => {
    const data = JSON.parse(prepareRegister(unique(), "pw"));
    delete data.group.verify_key;
    expectError(await h.call("POST", `${V}/register`, { token: h.app.secretToken, body: data }), 400, 117);
    delete data.device.derived;
    expectError(await h.call("POST", `${V}/register`, { token: h.app.secretToken, body: data }), 422, 11);
  });

  it("registers light users (no user group keys) and echoes the plain identifier", async () => {
    const identifier = unique();
    const result = expectOk(
      await h.call("POST", `${V}/register_light`, {
        token: h.app.secretToken,
        raw: prepareRegisterDeviceStart(identifier, "pw"),
      }),
    );
    expect(result.device_identifier).toBe(identifier);
    expectError(
      await h.call("POST", `${V}/register_light`, {
        token: h.app.secretToken,
        raw: prepareRegisterDeviceStart(identifier, "pw"),
      }),
      400,
      101,
    );
    expectError(
      await h.call("POST", `${V}/register_light`, { raw: prepareRegisterDeviceStart(unique(), "pw") }),
      400,
      203,
    );
  });

  it("answers sentc's stable fake salt for unknown identifiers", async () => {
    const identifier = unique("nobody");
    const a = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: identifier } }));
    const b = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: identifier } }));
    expect(a).toEqual(b);
    expect(a.salt_string).toBe(toBase64(generateSalt(fromBase64(SERVER_RANDOM_VALUE), identifier)));
    expect(a.derived_encryption_key_alg).toBe("ARGON-2-SHA256");
  });
});

describe("login, JWT, refresh", () => {
  it("logs in with the protocol layer and mints an ES384 JWT with exactly sentc's claims", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    expect(session.userKeys).toHaveLength(1);
    expect(session.hmacKeys).toHaveLength(1);
    const header = decodeProtectedHeader(session.jwt);
    expect(header).toEqual({ typ: "JWT", alg: "ES384", kid: h.app.jwtKeyId });
    const claims = JSON.parse(Buffer.from(session.jwt.split(".")[1]!, "base64url").toString());
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "fresh", "iat", "sub"]);
    expect(claims).toMatchObject({ aud: user.userId, sub: user.deviceId, fresh: true });
    expect(claims.exp - claims.iat).toBe(300);
    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{67}$/);
    // The JWT works on a JWT route.
    expect(expectOk(await h.call("GET", `${V}/user/jwt`, { token: h.app.secretToken, jwt: session.jwt }))).toEqual({
      id: user.userId,
      device_id: user.deviceId,
    });
    expectError(await h.call("GET", `${V}/user/jwt`, { jwt: session.jwt }), 400, 203);
  });

  it("verify_login_light returns only the tokens", async () => {
    const user = await registerUser(h);
    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } }));
    const start = prepareLogin(user.identifier, user.password, salt);
    const done = doneLogin(
      start.masterKeyEncryptionKey,
      expectOk(await h.call("POST", `${V}/done_login`, { raw: start.doneLoginInput })),
    );
    if (done.kind !== "direct") throw new Error("mfa");
    const result = expectOk(
      await h.call("POST", `${V}/verify_login_light`, {
        raw: prepareVerifyLogin(start.authKey, user.identifier, done.challenge),
      }),
    );
    expect(Object.keys(result).sort()).toEqual(["jwt", "refresh_token"]);
  });

  it("refuses wrong passwords with 401/112, unknown users with 401/100 as the reference (the public token may call /exists), bad auth keys with 401/111", async () => {
    const user = await registerUser(h);
    const wrong = await h.call("POST", `${V}/done_login`, {
      body: { auth_key: toBase64(new Uint8Array(32).fill(7)), device_identifier: user.identifier },
    });
    const unknown = await h.call("POST", `${V}/done_login`, {
      body: { auth_key: toBase64(new Uint8Array(32).fill(7)), device_identifier: unique("nobody") },
    });
    expectError(wrong, 401, 112);
    expectError(unknown, 401, 100);
    expect(unknown.body.err_msg).toBe("No user found with this identifier");
    expectError(
      await h.call("POST", `${V}/done_login`, {
        body: { auth_key: "not base64!", device_identifier: user.identifier },
      }),
      401,
      111,
    );
    expectError(
      await h.call("POST", `${V}/done_login`, {
        body: { auth_key: toBase64(new Uint8Array(16)), device_identifier: user.identifier },
      }),
      401,
      111,
    );
    expectError(await h.call("POST", `${V}/done_login`, { body: { device_identifier: user.identifier } }), 422, 11);
  });

  it("devices with post-quantum (hybrid) keys log in: the challenge is Kyber-wrapped around ECIES", async () => {
    const identifier = unique("pq");
    const data = JSON.parse(prepareRegister(identifier, "pw", { postQuantum: true }));
    expect(data.device.derived.keypair_encrypt_alg).toBe("ECIES-ed25519_KYBER_768");
    expectOk(await h.call("POST", `${V}/register`, { token: h.app.secretToken, body: data }));
    const session = await login(h, identifier, "pw");
    expect(session.deviceKeys.privateKey.alg).toBe("ECIES-ed25519_KYBER_768");
    expect(session.userKeys[0]!.signKey.alg).toBe("ED25519_DILITHIUM_3");
  });

  it("devices with classical keys log in too", async () => {
    const identifier = unique("classical");
    expectOk(
      await h.call("POST", `${V}/register`, {
        token: h.app.secretToken,
        raw: prepareRegister(identifier, "pw", { postQuantum: false }),
      }),
    );
    const session = await login(h, identifier, "pw");
    expect(session.deviceKeys.privateKey.alg).toBe("ECIES-ed25519");
  });

  it("single-use challenges: a wrong or replayed challenge is 401/112", async () => {
    const user = await registerUser(h);
    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } }));
    const start = prepareLogin(user.identifier, user.password, salt);
    const done = doneLogin(
      start.masterKeyEncryptionKey,
      expectOk(await h.call("POST", `${V}/done_login`, { raw: start.doneLoginInput })),
    );
    if (done.kind !== "direct") throw new Error("mfa");
    expectError(
      await h.call("POST", `${V}/verify_login`, {
        raw: prepareVerifyLogin(start.authKey, user.identifier, `${done.challenge}x`),
      }),
      401,
      112,
    );
    expectOk(
      await h.call("POST", `${V}/verify_login`, {
        raw: prepareVerifyLogin(start.authKey, user.identifier, done.challenge),
      }),
    );
    expectError(
      await h.call("POST", `${V}/verify_login`, {
        raw: prepareVerifyLogin(start.authKey, user.identifier, done.challenge),
      }),
      401,
      112,
    );
  });

  it("refresh and init give a non-fresh JWT for a valid refresh token; 400/114 otherwise", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const refreshed = expectOk(
      await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    );
    expect(refreshed.user_id).toBe(user.userId);
    expect(refreshed.device_id).toBe(user.deviceId);
    expect(decodeJwt(refreshed.jwt).fresh).toBe(false);
    const init = expectOk(
      await h.call("POST", `${V}/init`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    );
    expect(init.invites).toEqual([]);
    expect(decodeJwt(init.jwt).fresh).toBe(false);
    expectError(await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: "nope" } }), 400, 114);
    expectError(await h.call("POST", `${V}/init`, { jwt: session.jwt, body: { refresh_token: "nope" } }), 400, 114);
    expectError(await h.call("PUT", `${V}/refresh`, { body: { refresh_token: session.refreshToken } }), 401, 31);
    // A refresh token of another device does not work.
    const other = await registerUser(h);
    const otherSession = await login(h, other.identifier, other.password);
    expectError(
      await h.call("PUT", `${V}/refresh`, { jwt: otherSession.jwt, body: { refresh_token: session.refreshToken } }),
      400,
      114,
    );
    // Fresh is required for the delete route: a refreshed JWT is refused.
    expectError(await h.call("GET", `${V}/user/otp_recovery_keys`, { jwt: refreshed.jwt }), 401, 113);
  });
});

describe("public keys", () => {
  it("serves the newest user public key, keys by id and verify keys", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const keyId = session.userKeys[0]!.groupKey.keyId;
    const pk = expectOk(await h.call("GET", `${V}/user/${user.userId}/public_key`));
    expect(pk.public_key_id).toBe(keyId);
    expect(pk.public_key_alg).toBe(session.userKeys[0]!.publicGroupKey.alg);
    expect(typeof pk.public_key_sig).toBe("string");
    expect(pk.public_key_sig_key_id).toBe(keyId);
    expect(expectOk(await h.call("GET", `${V}/user/${user.userId}/public_key/${keyId}`))).toEqual(pk);
    const vk = expectOk(await h.call("GET", `${V}/user/${user.userId}/verify_key/${keyId}`));
    expect(vk).toMatchObject({ verify_key_id: keyId, verify_key_alg: session.userKeys[0]!.verifyKey.alg });
    expectError(await h.call("GET", `${V}/user/unknown/public_key`), 400, 100);
    expectError(await h.call("GET", `${V}/user/${user.userId}/public_key/unknown`), 400, 100);
    expectError(await h.call("GET", `${V}/user/${user.userId}/verify_key/unknown`), 400, 100);
    expect(expectOk(await h.call("GET", `${V}/group/${session.deviceKeys.userGroupId}/public_key`)).public_key_id).toBe(
      keyId,
    );
    expectError(await h.call("GET", `${V}/group/unknown/public_key`), 400, 304);
  });
});

describe("devices", () => {
  it("adds a device, lists, pages and deletes devices", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const second = unique("device");
    const start = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(second, "pw2") }),
    );
    expect(start.device_identifier).toBe(second);
    expectError(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(second, "pw2") }),
      400,
      101,
    );
    // Pending devices cannot log in yet and are not listed.
    expectError(
      await h.call("POST", `${V}/done_login`, {
        body: { auth_key: toBase64(new Uint8Array(32)), device_identifier: second },
      }),
      401,
      100,
    );
    expect(expectOk(await h.call("GET", `${V}/user/device/0/none`, { jwt: session.jwt }))).toHaveLength(1);
    const done = prepareRegisterDevice(
      start,
      session.userKeys.map((k) => k.groupKey),
      session.userKeys.length,
    );
    expectError(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        body: { ...JSON.parse(done.serverInput), token: "wrong" },
      }),
      400,
      100,
    );
    const added = expectOk(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        raw: done.serverInput,
      }),
    );
    expect(added).toEqual({ message: "This device was added to the account." });
    expectError(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        raw: done.serverInput,
      }),
      400,
      100,
    );
    // The new device logs in and opens the user keys.
    const secondSession = await login(h, second, "pw2");
    expect(secondSession.deviceKeys.userId).toBe(user.userId);
    expect(secondSession.userKeys[0]!.groupKey.key).toEqual(session.userKeys[0]!.groupKey.key);
    const devices = expectOk(await h.call("GET", `${V}/user/device/0/none`, { jwt: session.jwt }));
    expect(devices).toHaveLength(2);
    expect(devices[0].device_identifier).not.toBe(user.identifier);
    const last = devices[1];
    expect(
      expectOk(await h.call("GET", `${V}/user/device/${last.time}/${last.device_id}`, { jwt: session.jwt })),
    ).toEqual([]);
    expectError(await h.call("GET", `${V}/user/device/abc/none`, { jwt: session.jwt }), 400, 13);
    // Delete: fresh JWT required, only own devices, never the last one.
    const refreshed = expectOk(
      await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    );
    expectError(
      await h.call("DELETE", `${V}/user/device/${secondSession.deviceKeys.deviceId}`, { jwt: refreshed.jwt }),
      401,
      113,
    );
    const stranger = await registerUser(h);
    expectError(await h.call("DELETE", `${V}/user/device/${stranger.deviceId}`, { jwt: session.jwt }), 400, 100);
    expectOk(await h.call("DELETE", `${V}/user/device/${secondSession.deviceKeys.deviceId}`, { jwt: session.jwt }));
    // The deleted device's JWT stops working at once.
    expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt: secondSession.jwt }), 401, 113);
    expectError(await h.call("DELETE", `${V}/user/device/${user.deviceId}`, { jwt: session.jwt }), 400, 115);
  });

  it("light device registration and key sessions", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const start = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, {
        raw: prepareRegisterDeviceStart(unique("light"), "pw"),
      }),
    );
    expectOk(
      await h.call("PUT", `${V}/user/done_register_device_light`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        body: { user_group: { rank: null }, token: start.token },
      }),
    );
    // A key session: the first request opens it, the upload adds keys.
    const third = unique("third");
    const start3 = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(third, "pw3") }),
    );
    const done = JSON.parse(
      prepareRegisterDevice(
        start3,
        session.userKeys.map((k) => k.groupKey),
        1,
      ).serverInput,
    );
    const keys = done.user_keys.keys;
    expectError(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        body: { ...done, user_keys: { ...done.user_keys, keys: [] } },
      }),
      400,
      303,
    );
    const opened = expectOk(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        body: { ...done, user_keys: { ...done.user_keys, key_session: true } },
      }),
    );
    expect(typeof opened.session_id).toBe("string");
    expectOk(await h.call("PUT", `${V}/user/user_keys/session/${opened.session_id}`, { jwt: session.jwt, body: keys }));
    expectError(await h.call("PUT", `${V}/user/user_keys/session/unknown`, { jwt: session.jwt, body: keys }), 400, 306);
    expectError(
      await h.call("PUT", `${V}/user/user_keys/session/${opened.session_id}`, { jwt: session.jwt, body: [] }),
      400,
      303,
    );
    expectError(
      await h.call("PUT", `${V}/user/user_keys/session/${opened.session_id}`, {
        jwt: session.jwt,
        body: Array(101).fill(keys[0]),
      }),
      400,
      305,
    );
  });
});

describe("identifier and password", () => {
  it("changes the identifier (101 when taken)", async () => {
    const user = await registerUser(h);
    const other = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    expectError(
      await h.call("PUT", `${V}/user`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        body: { user_identifier: other.identifier },
      }),
      400,
      101,
    );
    const renamed = unique("renamed");
    expectOk(
      await h.call("PUT", `${V}/user`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        body: { user_identifier: renamed },
      }),
    );
    await login(h, renamed, user.password);
  });

  it("changes the password with a fresh JWT and the old auth key", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const body = prepareChangePassword("new password", session.masterKey, session.authKey);
    const refreshed = expectOk(
      await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    );
    expectError(await h.call("PUT", `${V}/user/update_pw`, { jwt: refreshed.jwt, raw: body }), 401, 113);
    const wrongOld = prepareChangePassword("new password", session.masterKey, new Uint8Array(32).fill(1));
    expectError(await h.call("PUT", `${V}/user/update_pw`, { jwt: session.jwt, raw: wrongOld }), 401, 112);
    expectOk(await h.call("PUT", `${V}/user/update_pw`, { jwt: session.jwt, raw: body }));
    await login(h, user.identifier, "new password");
    await expect(login(h, user.identifier, user.password)).rejects.toThrow(/112/);
  });

  it("resets the password with the device keys", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const body = prepareResetPassword("reset password", session.deviceKeys.privateKey, session.deviceKeys.signKey);
    expectOk(
      await h.call("PUT", `${V}/user/reset_pw`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        raw: body,
      }),
    );
    await login(h, user.identifier, "reset password");
    expectError(
      await h.call("PUT", `${V}/user/reset_pw`, {
        jwt: session.jwt,
        deviceSignKey: session.deviceKeys.signKey,
        body: {},
      }),
      422,
      11,
    );
  });
});

describe("OTP", () => {
  it("register, MFA login, recovery keys once, reset and disable", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const otp = expectOk(await h.call("PATCH", `${V}/user/register_otp`, { jwt: session.jwt }));
    expect(otp.alg).toBe("totp_sha256");
    expect(otp.secret).toMatch(/^[A-Z2-7]{52}$/);
    expect(otp.recover).toHaveLength(6);
    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } }));
    const start = prepareLogin(user.identifier, user.password, salt);
    expect(expectOk(await h.call("POST", `${V}/done_login`, { raw: start.doneLoginInput }))).toBe("Otp");
    const auth = JSON.parse(start.doneLoginInput);
    expectError(
      await h.call("POST", `${V}/validate_mfa`, {
        body: { ...auth, token: "000000" === currentTotp(otp.secret) ? "111111" : "000000" },
      }),
      402,
      902,
    );
    const mfa = expectOk(
      await h.call("POST", `${V}/validate_mfa`, { body: { ...auth, token: currentTotp(otp.secret) } }),
    );
    const done = doneLogin(start.masterKeyEncryptionKey, mfa);
    if (done.kind !== "direct") throw new Error("expected keys");
    const verified = expectOk(
      await h.call("POST", `${V}/verify_login`, {
        raw: prepareVerifyLogin(start.authKey, user.identifier, done.challenge),
      }),
    );
    expectOk(await h.call("POST", `${V}/validate_recovery_otp`, { body: { ...auth, token: otp.recover[0] } }));
    expectError(
      await h.call("POST", `${V}/validate_recovery_otp`, { body: { ...auth, token: otp.recover[0] } }),
      400,
      901,
    );
    expect(expectOk(await h.call("GET", `${V}/user/otp_recovery_keys`, { jwt: verified.jwt })).keys).toEqual(
      otp.recover.slice(1),
    );
    const reset = expectOk(await h.call("PATCH", `${V}/user/reset_otp`, { jwt: verified.jwt }));
    expect(reset.secret).not.toBe(otp.secret);
    expect(expectOk(await h.call("GET", `${V}/user/otp_recovery_keys`, { jwt: verified.jwt })).keys).toEqual(
      reset.recover,
    );
    expectOk(await h.call("PATCH", `${V}/user/disable_otp`, { jwt: verified.jwt }));
    expectError(
      await h.call("POST", `${V}/validate_mfa`, { body: { ...auth, token: currentTotp(reset.secret) } }),
      400,
      901,
    );
    await login(h, user.identifier, user.password);
    const refreshed = expectOk(
      await h.call("PUT", `${V}/refresh`, { jwt: verified.jwt, body: { refresh_token: verified.refresh_token } }),
    );
    expectError(await h.call("PATCH", `${V}/user/reset_otp`, { jwt: refreshed.jwt }), 401, 113);
    expectError(await h.call("PATCH", `${V}/user/disable_otp`, { jwt: refreshed.jwt }), 401, 113);
  });
});

describe("user keys and key rotation", () => {
  it("pages user keys, fetches one, rotates the user key for every device", async () => {
    const user = await registerUser(h);
    const a = await login(h, user.identifier, user.password);
    const secondId = unique("second");
    const start = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(secondId, "pw2") }),
    );
    expectOk(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: a.jwt,
        deviceSignKey: a.deviceKeys.signKey,
        raw: prepareRegisterDevice(
          start,
          a.userKeys.map((k) => k.groupKey),
          1,
        ).serverInput,
      }),
    );
    const b = await login(h, secondId, "pw2");
    const oldKey = a.userKeys[0]!;

    const rotation = prepareKeyRotation({
      previousGroupKey: oldKey.groupKey,
      invokerPublicKey: a.deviceKeys.publicKey,
      signKey: oldKey.signKey,
      starter: user.userId,
      userGroup: true,
    });
    const bad = JSON.parse(rotation.serverInput);
    expectError(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: a.jwt,
        deviceSignKey: a.deviceKeys.signKey,
        body: { ...bad, previous_group_key_id: "nope" },
      }),
      400,
      1,
    );
    const { verify_key: _v, ...noSign } = bad;
    expectError(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: a.jwt,
        deviceSignKey: a.deviceKeys.signKey,
        body: noSign,
      }),
      400,
      117,
    );
    const started = expectOk(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: a.jwt,
        deviceSignKey: a.deviceKeys.signKey,
        raw: rotation.serverInput,
      }),
    );
    expect(started.group_id).toBe(a.deviceKeys.userGroupId);
    expect(expectOk(await h.call("GET", `${V}/user/user_keys/rotation`, { jwt: a.jwt }))).toEqual([]);
    const pending = expectOk(await h.call("GET", `${V}/user/user_keys/rotation`, { jwt: b.jwt }));
    expect(pending).toHaveLength(1);
    const finished = finishKeyRotation(
      pending[0],
      b.userKeys[0]!.groupKey,
      b.deviceKeys.publicKey,
      b.deviceKeys.privateKey,
    );
    expect(finished.newGroupKey.key).toEqual(rotation.keys.groupKey.key);
    expectOk(
      await h.call("PUT", `${V}/user/user_keys/rotation/${started.key_id}`, { jwt: b.jwt, raw: finished.serverInput }),
    );
    expectError(
      await h.call("PUT", `${V}/user/user_keys/rotation/${started.key_id}`, { jwt: b.jwt, raw: finished.serverInput }),
      400,
      304,
    );
    expect(expectOk(await h.call("GET", `${V}/user/user_keys/rotation`, { jwt: b.jwt }))).toEqual([]);

    // Paging: newest first, then older than the cursor.
    const page = expectOk(await h.call("GET", `${V}/user/user_keys/keys/0/none`, { jwt: b.jwt }));
    expect(page.map((k: { group_key_id: string }) => k.group_key_id)).toEqual([started.key_id, oldKey.groupKey.keyId]);
    const newest = decryptUserKey(b.deviceKeys.privateKey, page[0]);
    expect(newest.groupKey.key).toEqual(rotation.keys.groupKey.key);
    const older = expectOk(
      await h.call("GET", `${V}/user/user_keys/keys/${page[0].time}/${page[0].group_key_id}`, { jwt: b.jwt }),
    );
    expect(older.map((k: { group_key_id: string }) => k.group_key_id)).toEqual([oldKey.groupKey.keyId]);
    expect(
      expectOk(await h.call("GET", `${V}/user/user_keys/key/${started.key_id}`, { jwt: a.jwt })).group_key_id,
    ).toBe(started.key_id);
    expectError(await h.call("GET", `${V}/user/user_keys/key/unknown`, { jwt: a.jwt }), 400, 304);
    expectError(await h.call("GET", `${V}/user/user_keys/keys/x/none`, { jwt: a.jwt }), 400, 13);
    // The public key is now the rotated one.
    expect(expectOk(await h.call("GET", `${V}/user/${user.userId}/public_key`)).public_key_id).toBe(started.key_id);
  });
});

describe("delete user", () => {
  it("needs the secret token and a fresh JWT", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    expectError(await h.call("DELETE", `${V}/user`, { jwt: session.jwt }), 400, 203);
    const refreshed = expectOk(
      await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    );
    expectError(await h.call("DELETE", `${V}/user`, { token: h.app.secretToken, jwt: refreshed.jwt }), 401, 113);
    expectOk(await h.call("DELETE", `${V}/user`, { token: h.app.secretToken, jwt: session.jwt }));
    await expect(login(h, user.identifier, user.password)).rejects.toThrow(/100/);
    expectError(await h.call("GET", `${V}/user/${user.userId}/public_key`), 400, 100);
    expectError(
      await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
      400,
      100,
    );
    expect(
      expectOk(await h.call("POST", `${V}/exists`, { body: { user_identifier: user.identifier } })).available,
    ).toBe(true);
  });
});

describe("forced user routes (secret token)", () => {
  const S = () => h.app.secretToken;

  it("refuses the public token on every forced route", async () => {
    const body = { user_identifier: "x" };
    for (const [method, path] of [
      ["PUT", "/user/forced/delete"],
      ["DELETE", "/user/forced/delete/x"],
      ["PUT", "/user/forced/disable_otp"],
      ["DELETE", "/user/forced/sessions"],
      ["POST", "/user/forced/login"],
      ["POST", "/user/forced/login_light"],
    ] as const) {
      expectError(await h.call(method, V + path, { body }), 400, 203);
    }
    expectError(await h.call("PUT", `${V}/user/forced/reset_user`, { raw: prepareRegister(unique(), "pw") }), 400, 203);
    expectError(
      await h.call("PUT", `${V}/user/reset_pw_light`, { raw: prepareRegisterDeviceStart(unique(), "pw") }),
      400,
      203,
    );
  });

  it("forced login returns usable device keys, a fresh JWT and a refresh token", async () => {
    const user = await registerUser(h);
    const result = expectOk(
      await h.call("POST", `${V}/user/forced/login`, { token: S(), body: { user_identifier: user.identifier } }),
    );
    expect(result.device_keys.device_id).toBe(user.deviceId);
    expect(result.device_keys.public_key_string).toContain("PUBLIC KEY");
    expect(decodeJwt(result.verify.jwt).fresh).toBe(true);
    expect(result.verify.user_keys).toHaveLength(1);
    const light = expectOk(
      await h.call("POST", `${V}/user/forced/login_light`, { token: S(), body: { user_identifier: user.identifier } }),
    );
    expect(Object.keys(light.verify).sort()).toEqual(["jwt", "refresh_token"]);
    expectError(
      await h.call("POST", `${V}/user/forced/login`, { token: S(), body: { user_identifier: unique("nobody") } }),
      401,
      112,
    );
  });

  it("sessions: revokes every refresh token of the user", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    expectOk(
      await h.call("DELETE", `${V}/user/forced/sessions`, { token: S(), body: { user_identifier: user.identifier } }),
    );
    expectError(
      await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
      400,
      114,
    );
    expectError(
      await h.call("DELETE", `${V}/user/forced/sessions`, { token: S(), body: { user_identifier: unique("nobody") } }),
      400,
      100,
    );
    expectError(await h.call("DELETE", `${V}/user/forced/sessions`, { token: S(), body: {} }), 422, 11);
  });

  it("disable_otp turns MFA off", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    expectOk(await h.call("PATCH", `${V}/user/register_otp`, { jwt: session.jwt }));
    expectOk(
      await h.call("PUT", `${V}/user/forced/disable_otp`, { token: S(), body: { user_identifier: user.identifier } }),
    );
    await login(h, user.identifier, user.password);
    expectError(
      await h.call("PUT", `${V}/user/forced/disable_otp`, { token: S(), body: { user_identifier: unique("nobody") } }),
      400,
      100,
    );
  });

  it("delete by identifier and by id", async () => {
    const a = await registerUser(h);
    const b = await registerUser(h);
    expectOk(await h.call("PUT", `${V}/user/forced/delete`, { token: S(), body: { user_identifier: a.identifier } }));
    expectOk(await h.call("DELETE", `${V}/user/forced/delete/${b.userId}`, { token: S() }));
    expectError(await h.call("DELETE", `${V}/user/forced/delete/${b.userId}`, { token: S() }), 400, 100);
    expectError(
      await h.call("PUT", `${V}/user/forced/delete`, { token: S(), body: { user_identifier: a.identifier } }),
      400,
      100,
    );
  });

  it("reset_user replaces the devices and the user group; reset_pw_light overwrites a light device", async () => {
    const user = await registerUser(h);
    const old = await login(h, user.identifier, user.password);
    expectOk(
      await h.call("PUT", `${V}/user/forced/reset_user`, {
        token: S(),
        raw: prepareRegister(user.identifier, "brand new"),
      }),
    );
    const fresh = await login(h, user.identifier, "brand new");
    expect(fresh.deviceKeys.userId).toBe(user.userId);
    expect(fresh.deviceKeys.deviceId).not.toBe(old.deviceKeys.deviceId);
    expectError(
      await h.call("PUT", `${V}/user/forced/reset_user`, { token: S(), raw: prepareRegister(unique("nobody"), "x") }),
      400,
      100,
    );
    const data = JSON.parse(prepareRegister(user.identifier, "x"));
    delete data.group.public_key_sig;
    expectError(await h.call("PUT", `${V}/user/forced/reset_user`, { token: S(), body: data }), 400, 117);

    const light = unique("light");
    expectOk(
      await h.call("POST", `${V}/register_light`, { token: S(), raw: prepareRegisterDeviceStart(light, "one") }),
    );
    expectOk(
      await h.call("PUT", `${V}/user/reset_pw_light`, { token: S(), raw: prepareRegisterDeviceStart(light, "two") }),
    );
    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: light } }));
    const start = prepareLogin(light, "two", salt);
    expect(expectOk(await h.call("POST", `${V}/done_login`, { raw: start.doneLoginInput })).Direct).toBeDefined();
    expectOk(
      await h.call("PUT", `${V}/user/reset_pw_light`, {
        token: S(),
        raw: prepareRegisterDeviceStart(unique("nobody"), "x"),
      }),
    );
  });
});
