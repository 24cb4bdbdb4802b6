import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sentc, User, type UserMfaLogin } from "../../src/index.js";
import { unique } from "../server/harness.js";
import { newUser, reinit, sentcError, startSdkHarness, type SdkHarness } from "./helpers.js";
import { setStrictVerify } from "../../src/sdk/verify-policy.js";

let s: SdkHarness;
beforeAll(async () => {
  s = await startSdkHarness();
  expect(await reinit(s)).toBeUndefined();
});
afterAll(() => s.h.close());

import { importSignKey } from "../../src/protocol/keys.js";

const V = "/api/v1";

/**
 * A code of the next 30-second step: the server accepts each code once (docs/server.md "Sessions"), so the
 * server clock moves on by one step for every code (never waiting for the real clock).
 */
function totpNow(secret: string): string {
  s.h.clock.offsetMs += 30_000;
  return new TOTP({ algorithm: "SHA256", digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({
    timestamp: Date.now() + s.h.clock.offsetMs,
  });
}

describe("register and identifiers", () => {
  it("registers through an own backend with the secret token (prepareRegister / doneRegister)", async () => {
    await reinit(s, {}, s.strict);
    const identifier = unique();
    const input = Sentc.prepareRegister(identifier, "pw");
    // The public token may not register with sentc's default options.
    const refused = await sentcError(Sentc.register(unique(), "pw"));
    expect(refused).toMatchObject({ code: "server", serverCode: 203 });
    const answer = await s.h.call("POST", `${V}/register`, { token: s.strict.secretToken, raw: input });
    const userId = Sentc.doneRegister(JSON.stringify(answer.body));
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    const again = await s.h.call("POST", `${V}/register`, {
      token: s.strict.secretToken,
      raw: Sentc.prepareRegister(identifier, "pw"),
    });
    expect(() => Sentc.doneRegister(JSON.stringify(again.body))).toThrowError(
      expect.objectContaining({ code: "server", serverCode: 101 }),
    );
    expect(() => Sentc.doneRegister("<html>bad gateway</html>")).toThrowError(
      expect.objectContaining({ code: "invalid_server_response" }),
    );
    expect(() => Sentc.doneRegister('{"status":true,"result":{}}')).toThrowError(
      expect.objectContaining({ code: "invalid_server_response" }),
    );
    const user = await Sentc.login(identifier, "pw", true);
    expect(user.user_data.user_id).toBe(userId);
    await reinit(s);
  });

  it("registers from the client when the app allows it; checks identifiers; rejects empty input", async () => {
    const identifier = unique();
    expect(await Sentc.checkUserIdentifierAvailable(identifier)).toBe(true);
    expect(await Sentc.checkUserIdentifierAvailable("")).toBe(false);
    expect(Sentc.prepareCheckUserIdentifierAvailable("")).toBe(false);
    const userId = await Sentc.register(identifier, "pw");
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await Sentc.checkUserIdentifierAvailable(identifier)).toBe(false);
    const body = Sentc.prepareCheckUserIdentifierAvailable(identifier) as string;
    const answer = await s.h.call("POST", `${V}/exists`, { token: s.lax.publicToken, raw: body });
    expect(Sentc.doneCheckUserIdentifierAvailable(JSON.stringify(answer.body))).toBe(false);
    // Appendix B 15: a rejected promise, not a synchronous false.
    const empty = Sentc.register("", "pw");
    expect(empty).toBeInstanceOf(Promise);
    expect((await sentcError(empty)).code).toBe("invalid_input");
    expect((await sentcError(Sentc.register(identifier, "pw"))).serverCode).toBe(101);
  });

  it("generates register data", () => {
    const [identifier, password] = Sentc.generateRegisterData();
    expect(identifier.length).toBeGreaterThan(20);
    expect(password.length).toBeGreaterThan(40);
    expect(Sentc.generateRegisterData()[0]).not.toBe(identifier);
  });
});

describe("login", () => {
  it("logs in with the LoginUser union, stores the login and refuses wrong passwords", async () => {
    const identifier = unique();
    const userId = await Sentc.register(identifier, "secret pw");
    const result = await Sentc.login(identifier, "secret pw");
    expect(result.kind).toBe("user");
    if (result.kind !== "user") throw new Error("unreachable");
    const user = result.u;
    expect(user).toBeInstanceOf(User);
    expect(user.user_data.user_id).toBe(userId);
    expect(user.user_data.user_keys).toHaveLength(1);
    expect(user.user_data.key_map.get(user.user_data.newest_key_id)).toBe(0);
    expect(user.user_data.hmac_keys).toHaveLength(1);
    expect(user.user_data.refresh_token.length).toBeGreaterThan(20);
    expect(user.enabledMfa()).toBe(false);
    const store = await Sentc.getStore();
    expect(await store.getItem("actual_user")).toBe(identifier);
    expect(await store.getItem(`user_data_id_${identifier}`)).toMatchObject({
      user_id: userId,
      refresh_token: user.user_data.refresh_token,
    });
    expect(await store.getItem(`user_public_key_id_${userId}`)).toMatchObject({
      public_key_id: user.user_data.newest_key_id,
      verified: false,
    });
    expect(await Sentc.getActualUser()).toBe(user);
    expect(await Sentc.getActualUser(true)).toBe(user);
    const [again, name] = await Sentc.getActualUser(false, true);
    expect(again).toBe(user);
    expect(name).toBe(identifier);
    expect(await Sentc.getUser(identifier)).toBe(user);
    expect(await Sentc.getUser("nobody")).toBe(false);

    expect(await sentcError(Sentc.login(identifier, "wrong pw"))).toMatchObject({ code: "server", serverCode: 112 });
    expect(await sentcError(Sentc.login(unique(), "pw"))).toMatchObject({ code: "server", serverCode: 100 });
    expect((await sentcError(Sentc.login(identifier, ""))).code).toBe("invalid_input");
  });

  it("splits the login into prepare/done steps for an own backend", async () => {
    const identifier = unique();
    const userId = await Sentc.register(identifier, "pw");
    const salt = await s.h.call("POST", `${V}/prepare_login`, {
      token: s.lax.publicToken,
      raw: Sentc.prepareLoginStart(identifier),
    });
    const state = Sentc.prepareLogin(identifier, "pw", JSON.stringify(salt.body));
    const done = await s.h.call("POST", `${V}/done_login`, { token: s.lax.publicToken, raw: state.input });
    const next = Sentc.doneLogin(state, JSON.stringify(done.body));
    if (next.kind !== "verify") throw new Error("expected the verify step");
    const verify = await s.h.call("POST", `${V}/verify_login`, { token: s.lax.publicToken, raw: next.input });
    const user = await Sentc.verifyLogin(next.state, JSON.stringify(verify.body));
    expect(user.user_data.user_id).toBe(userId);
    expect((await Sentc.getActualUser()).user_data.user_id).toBe(userId);
    // A failed step is the server's typed error.
    const wrong = Sentc.prepareLogin(identifier, "nope", JSON.stringify(salt.body));
    const refused = await s.h.call("POST", `${V}/done_login`, { token: s.lax.publicToken, raw: wrong.input });
    expect(() => Sentc.doneLogin(wrong, JSON.stringify(refused.body))).toThrowError(
      expect.objectContaining({ code: "server", serverCode: 112 }),
    );
  });
});

describe("encryption between users, public keys, safety numbers", () => {
  it("encrypts to another user (bytes, strings, raw, sync), signs and verifies", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const a = alice.user;
    const b = bob.user;

    const text = await a.encryptString("hello bob", bob.userId);
    expect(await b.decryptString(text)).toBe("hello bob");
    // Like the reference, the server's answer for a key this user does not have passes through.
    await expect(a.decryptString(text)).rejects.toMatchObject({
      code: "server",
      serverCode: 304,
      status: "server_304",
    });

    const signed = await a.encryptString("signed hello", bob.userId, true);
    expect(await b.decryptString(signed, true, alice.userId)).toBe("signed hello");
    // Verifying with the wrong sender fails; unsigned data with verify is refused, not silently accepted.
    expect((await sentcError(b.decryptString(signed, true, bob.userId))).code).toMatch(/verification_failed|server/);
    expect(await b.decryptString(text, true, alice.userId)).toBe("hello bob"); // as sentc: unsigned passes unchecked
    setStrictVerify(true);
    try {
      expect((await sentcError(b.decryptString(text, true, alice.userId))).code).toBe("missing_signature");
    } finally {
      setStrictVerify(false);
    }

    const bytes = new Uint8Array([1, 2, 3, 250]);
    const enc = await a.encrypt(bytes, bob.userId, true);
    expect(await b.decrypt(enc, true, alice.userId)).toEqual(bytes);
    const tampered = enc.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect((await sentcError(b.decrypt(tampered, true, alice.userId))).code).toBe("verification_failed");
    expect((await sentcError(b.decrypt(tampered))).code).toBe("decryption_failed");

    const raw = await a.encryptRaw(bytes, bob.userId, true);
    const head = JSON.parse(raw.head);
    expect(head.sign.id).toBe(a.user_data.newest_key_id);
    const verifyKey = await Sentc.getUserVerifyKey(alice.userId, head.sign.id);
    expect(await b.decryptRaw(raw.head, raw.data, verifyKey)).toEqual(bytes);
    expect(b.decryptRawSync(raw.head, raw.data, verifyKey)).toEqual(bytes);

    const bobKey = await Sentc.getUserPublicKey(bob.userId);
    expect(bobKey.public_key_id).toBe(b.user_data.newest_key_id);
    const syncText = a.encryptStringSync("sync", bobKey.public_key, true);
    expect(b.decryptStringSync(syncText, verifyKey)).toBe("sync");
    expect(b.decryptSync(a.encryptSync(bytes, bobKey.public_key), undefined)).toEqual(bytes);
    expect(b.decryptStringSync(a.encryptStringSync("x", bobKey.public_key), verifyKey)).toBe("x");
    setStrictVerify(true);
    try {
      expect(() => b.decryptStringSync(a.encryptStringSync("x", bobKey.public_key), verifyKey)).toThrowError(
        expect.objectContaining({ code: "missing_signature" }),
      );
    } finally {
      setStrictVerify(false);
    }
    expect(() => a.decryptStringSync(syncText)).toThrowError(expect.objectContaining({ code: "key_not_found" }));
  });

  it("verifies public keys and builds matching safety numbers", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const key = await Sentc.getUserPublicKey(bob.userId);
    expect(key.verified).toBe(false);
    expect(await Sentc.verifyUserPublicKey(bob.userId, key)).toBe(true);
    expect((await Sentc.getUserPublicKey(bob.userId)).verified).toBe(true);
    // A forged signature does not verify.
    // Flip the first base64 character of the signature (of its Ed25519 half when the signature is hybrid JSON).
    const flip = (b64: string) => b64.replace(/^./, (c) => (c === "A" ? "B" : "A"));
    const sig = key.public_key_sig!;
    const forgedSig = sig.startsWith("{")
      ? JSON.stringify({ ...JSON.parse(sig), x: flip(JSON.parse(sig).x) })
      : flip(sig);
    const forged = { ...key, verified: false, public_key_sig: forgedSig };
    expect(await Sentc.verifyUserPublicKey(bob.userId, forged, true)).toBe(false);

    const ownA = await alice.user.createSafetyNumber();
    expect(ownA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ab = await alice.user.createSafetyNumber({
      user_id: bob.userId,
      verify_key_id: bob.user.user_data.newest_key_id,
    });
    const ba = await bob.user.createSafetyNumber({
      user_id: alice.userId,
      verify_key_id: alice.user.user_data.newest_key_id,
    });
    expect(ab).toBe(ba);
    expect(ab).not.toBe(ownA);
  });
});

describe("account", () => {
  it("changes and resets the password", async () => {
    const { user, identifier, password } = await newUser();
    await user.changePassword(password, "new password");
    expect(await sentcError(Sentc.login(identifier, password))).toMatchObject({ serverCode: 112 });
    const again = await Sentc.login(identifier, "new password", true);
    expect(again.user_data.user_id).toBe(user.user_data.user_id);
    expect(await sentcError(again.changePassword("wrong", "x"))).toMatchObject({ serverCode: 112 });
    await again.resetPassword("reset password");
    const third = await Sentc.login(identifier, "reset password", true);
    // The device keys are the same after the reset: old data still decrypts.
    expect(third.user_data.device.private_key).toBe(again.user_data.device.private_key);
  });

  it("updates the identifier and moves the stored login", async () => {
    const { user, identifier, password } = await newUser();
    const next = unique();
    await user.updateUser(next);
    expect(user.userIdentifier).toBe(next);
    const store = await Sentc.getStore();
    expect(await store.getItem(`user_data_id_${identifier}`)).toBeUndefined();
    expect(await store.getItem(`user_data_id_${next}`)).toMatchObject({ user_id: user.user_data.user_id });
    expect(await store.getItem("actual_user")).toBe(next);
    // Fresh-JWT operations use the new identifier (Appendix B 5).
    await user.changePassword(password, "pw2");
    expect((await Sentc.login(next, "pw2", true)).user_data.user_id).toBe(user.user_data.user_id);
  });

  it("deletes the user from the client and logs out", async () => {
    const { user, identifier, password } = await newUser();
    await user.deleteUser(password);
    expect(await sentcError(Sentc.login(identifier, password))).toMatchObject({ serverCode: 100 });
    expect((await sentcError(Sentc.getActualUser())).code).toBe("not_logged_in");
  });

  it("deletes the user through an own backend (fresh JWT + secret token, doneDeleteUser)", async () => {
    await reinit(s, {}, s.strict);
    const identifier = unique();
    const answer = await s.h.call("POST", `${V}/register`, {
      token: s.strict.secretToken,
      raw: Sentc.prepareRegister(identifier, "pw"),
    });
    Sentc.doneRegister(JSON.stringify(answer.body));
    const user = await Sentc.login(identifier, "pw", true);
    // Without the secret token the server refuses.
    expect((await sentcError(user.deleteUser("pw"))).serverCode).toBe(203);
    const jwt = await user.getFreshJwt("pw");
    const refused = await s.h.call("DELETE", `${V}/user`, {
      token: s.strict.secretToken,
      jwt: user.user_data.jwt.replace(/.$/, (last) => (last === "x" ? "y" : "x")),
    });
    expect(() => Sentc.doneDeleteUser(JSON.stringify(refused.body))).toThrowError(
      expect.objectContaining({ code: "server" }),
    );
    const deleted = await s.h.call("DELETE", `${V}/user`, { token: s.strict.secretToken, jwt });
    Sentc.doneDeleteUser(JSON.stringify(deleted.body));
    await user.logOut();
    expect(await sentcError(Sentc.login(identifier, "pw"))).toMatchObject({ serverCode: 100 });
    await reinit(s);
  });
});

describe("devices", () => {
  it("adds a second device, lists and deletes it", async () => {
    const { user, password } = await newUser();
    const deviceId = unique("device");
    const out = await Sentc.registerDeviceStart(deviceId, "device pw");
    expect(() => Sentc.doneRegisterDeviceStart(out)).not.toThrow();
    expect(await user.registerDevice(out)).toBeUndefined();
    const device = await Sentc.login(deviceId, "device pw", true);
    expect(device.user_data.user_id).toBe(user.user_data.user_id);
    expect(device.user_data.device_id).not.toBe(user.user_data.device_id);
    expect(device.user_data.newest_key_id).toBe(user.user_data.newest_key_id);
    // Data for the user decrypts on both devices.
    const text = await user.encryptString("for all my devices", user.user_data.user_id);
    expect(await device.decryptString(text)).toBe("for all my devices");

    const devices = await user.getDevices();
    expect(devices.map((d) => d.device_id).sort()).toEqual(
      [user.user_data.device_id, device.user_data.device_id].sort(),
    );
    expect(await user.getDevices(devices[devices.length - 1]!)).toEqual([]);
    await user.deleteDevice(password, device.user_data.device_id);
    expect(await sentcError(Sentc.login(deviceId, "device pw"))).toMatchObject({ serverCode: 100 });
    expect(await user.getDevices()).toHaveLength(1);
    // A used device token cannot be accepted twice.
    expect((await sentcError(user.registerDevice(out))).code).toBe("server");
  });

  it("rotates user keys; other devices finish when the app asks (as sentc); more than 50 keys page and go through key sessions", async () => {
    const { user, identifier, password } = await newUser();
    const first = await user.encryptString("under the first key", user.user_data.user_id, true);
    const deviceId = unique("device");
    await user.registerDevice(await Sentc.registerDeviceStart(deviceId, "d"));
    const second = await Sentc.login(deviceId, "d", true);
    Sentc.reset();
    await Sentc.init({ base_url: s.baseUrl, app_token: s.lax.publicToken });

    const before = user.user_data.newest_key_id;
    await user.keyRotation();
    expect(user.user_data.newest_key_id).not.toBe(before);
    expect(user.user_data.user_keys).toHaveLength(2);
    const own = user.user_data.user_keys[user.user_data.key_map.get(user.user_data.newest_key_id)!]!;
    const newer = user.encryptStringSync("under the new key", own.public_key);
    // The second device has no copy of the new key yet: the server's "not found" stands until the app finishes the
    // rotation (init option auto_finish_key_rotation does it by itself: test/parity/behaviour.test.ts).
    expect(await sentcError(second.decryptString(newer))).toMatchObject({ code: "server" });
    await second.finishKeyRotation();
    expect(await second.decryptString(newer)).toBe("under the new key");
    expect(second.user_data.newest_key_id).toBe(user.user_data.newest_key_id);
    expect(await second.decryptString(first, true, user.user_data.user_id)).toBe("under the first key");
    await second.finishKeyRotation(); // nothing pending: a no-op

    for (let i = 0; i < 50; i++) await user.keyRotation();
    expect(user.user_data.user_keys).toHaveLength(52);
    // A new login pages past the first 50 keys and still opens the HMAC key (made with the first key).
    const relogged = await Sentc.login(identifier, password, true);
    expect(relogged.user_data.user_keys).toHaveLength(52);
    expect(relogged.user_data.hmac_keys).toHaveLength(1);
    expect(await relogged.decryptString(first)).toBe("under the first key");
    // A third device gets all 52 keys: 50 in done_register_device, 2 in the key session (Appendix B 3).
    const thirdId = unique("device");
    const sessions = await relogged.registerDevice(await Sentc.registerDeviceStart(thirdId, "t"));
    expect(sessions).toEqual([{ status: "fulfilled", value: undefined }]);
    const third = await Sentc.login(thirdId, "t", true);
    expect(third.user_data.user_keys).toHaveLength(52);
    expect(new Set(third.user_data.user_keys.map((k) => k.group_key_id))).toEqual(
      new Set(relogged.user_data.user_keys.map((k) => k.group_key_id)),
    );
    expect(await third.decryptString(first, true, user.user_data.user_id)).toBe("under the first key");
  });

  it("prepares a device registration page for an own backend", async () => {
    const { user } = await newUser();
    const deviceId = unique("device");
    const start = Sentc.prepareRegisterDeviceStart(deviceId, "pw");
    const answer = await s.h.call("POST", `${V}/user/prepare_register_device`, {
      token: s.lax.publicToken,
      raw: start,
    });
    const text = JSON.stringify(answer.body);
    Sentc.doneRegisterDeviceStart(text);
    const prepared = user.prepareRegisterDevice(text);
    expect(JSON.parse(prepared.get_input())).toMatchObject({ user_keys: { key_session: false } });
    expect(() => user.prepareRegisterDevice(text, 1)).toThrowError(expect.objectContaining({ code: "invalid_input" }));
    // The request carries the device proof of the accepting device (docs/server.md "Sessions").
    const deviceSignKey = importSignKey(user.user_data.device.sign_key);
    const done = await s.h.call("PUT", `${V}/user/done_register_device`, {
      token: s.lax.publicToken,
      jwt: await user.getJwt(),
      raw: prepared.input,
      deviceSignKey,
    });
    expect(done.body.status).toBe(true);
    expect((await Sentc.login(deviceId, "pw", true)).user_data.user_id).toBe(user.user_data.user_id);
    const taken = await s.h.call("POST", `${V}/user/prepare_register_device`, { token: s.lax.publicToken, raw: start });
    expect(() => Sentc.doneRegisterDeviceStart(JSON.stringify(taken.body))).toThrowError(
      expect.objectContaining({ code: "server", serverCode: 101 }),
    );
  });
});

describe("MFA (TOTP)", () => {
  it("registers TOTP, logs in with a token and a recovery key, manages and disables it", async () => {
    const { user, identifier, password } = await newUser();
    const [url, recover] = await user.registerOtp("My App", "alice@example.com", password);
    expect(recover).toHaveLength(6);
    const secret = new URL(url).searchParams.get("secret")!;
    // As the reference: issuer and audience are not URI-encoded.
    expect(url).toBe(`otpauth://totp/My App:alice@example.com?secret=${secret}&algorithm=SHA256&issuer=My App`);
    expect(user.enabledMfa()).toBe(true);

    const login = await Sentc.login(identifier, password);
    expect(login.kind).toBe("mfa");
    const mfa = login.u as UserMfaLogin;
    expect(mfa.deviceIdentifier).toBe(identifier);
    expect((await sentcError(Sentc.mfaLogin("000000", mfa))).code).toBe("server");
    const withToken = await Sentc.mfaLogin(totpNow(secret), mfa);
    expect(withToken.enabledMfa()).toBe(true);
    expect(withToken.user_data.user_id).toBe(user.user_data.user_id);
    const second = await Sentc.login(identifier, password);
    const withRecovery = await Sentc.mfaRecoveryLogin(recover[0]!, second.u as UserMfaLogin);
    expect(withRecovery.user_data.user_id).toBe(user.user_data.user_id);
    // Each recovery key works once.
    expect(
      (
        await sentcError(
          Sentc.mfaRecoveryLogin(recover[0]!, (await Sentc.login(identifier, password)).u as UserMfaLogin),
        )
      ).code,
    ).toBe("server");

    expect((await sentcError(Sentc.login(identifier, password, true))).code).toBe("mfa_required");
    // Fresh-JWT methods want the token (Appendix B 7: a typed error, not client_100).
    expect((await sentcError(withToken.getOtpRecoverKeys(password))).code).toBe("mfa_required");
    // As the reference: changePassword throws synchronously, deleteUser / deleteDevice reject before any request.
    expect(() => withToken.changePassword(password, "x")).toThrowError(
      expect.objectContaining({ code: "mfa_required" }),
    );
    expect((await sentcError(withToken.deleteUser(password))).code).toBe("mfa_required");
    expect((await sentcError(withToken.deleteDevice(password, withToken.user_data.device_id))).code).toBe(
      "mfa_required",
    );
    expect(await withToken.getOtpRecoverKeys(password, totpNow(secret))).toHaveLength(5);
    expect(await withToken.getOtpRecoverKeys(password, recover[1]!, true)).toHaveLength(4);

    const [url2, recover2] = await withToken.resetOtp("My App", "alice", password, totpNow(secret));
    const secret2 = new URL(url2).searchParams.get("secret")!;
    expect(secret2).not.toBe(secret);
    expect(recover2).toHaveLength(6);
    await withToken.disableOtp(password, totpNow(secret2));
    expect(withToken.enabledMfa()).toBe(false);
    expect((await Sentc.login(identifier, password)).kind).toBe("user");
    s.h.clock.offsetMs = 0;
  });
});
