/**
 * Sessions (docs/server.md "Sessions", "Threat model"): refresh token lifetime and revocation, the JWT age
 * at /refresh, OTP registration, the device proof on sensitive routes, TOTP replay, and the takeover
 * chain with a stolen refresh token replayed step by step against the default app options.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotp } from "../../server/services/otp.js";
import { defaultAppOptions } from "../../server/config.js";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { decodeJwt } from "../../src/protocol/jwt.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { prepareLogin } from "../../src/protocol/login.js";
import { prepareChangePassword, prepareResetPassword } from "../../src/protocol/password-change.js";
import { prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import { expectError, expectOk, login, makeApp, registerUser, startHarness, unique, type Harness } from "./harness.js";

const V = "/api/v1";
const DAY = 86_400_000;
let h: Harness & Awaited<ReturnType<typeof startHarness>>;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function refresh(jwt: string, refreshToken: string, headers?: Record<string, string>) {
  return h.call("PUT", `${V}/refresh`, { jwt, body: { refresh_token: refreshToken }, headers });
}

describe("refresh tokens", () => {
  it("each use extends the idle lifetime; 30 idle days end it", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    try {
      h.clock.offsetMs = 20 * DAY;
      const second = expectOk(await refresh(session.jwt, session.refreshToken));
      h.clock.offsetMs = 40 * DAY;
      const third = expectOk(await refresh(second.jwt, session.refreshToken));
      // Last used on day 40: day 71 is 31 idle days later (and the day-40 JWT is as old).
      h.clock.offsetMs = 71 * DAY;
      expectError(await refresh(third.jwt, session.refreshToken), 401, 30);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it("an unused token stops working after 30 days; a JWT older than that is refused at /refresh and /init", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    try {
      h.clock.offsetMs = 31 * DAY;
      expectError(await refresh(session.jwt, session.refreshToken), 401, 30);
      expectError(
        await h.call("POST", `${V}/init`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
        401,
        30,
      );
    } finally {
      h.clock.offsetMs = 0;
    }
    // Two logins of one device: a JWT refreshed with one token does not keep the other token alive.
    const first = await login(h, user.identifier, user.password);
    const other = await login(h, user.identifier, user.password);
    try {
      h.clock.offsetMs = 20 * DAY;
      const recent = expectOk(await refresh(other.jwt, other.refreshToken));
      h.clock.offsetMs = 31 * DAY;
      expectError(await refresh(recent.jwt, first.refreshToken), 400, 114);
      expectOk(await refresh(recent.jwt, other.refreshToken));
    } finally {
      h.clock.offsetMs = 0;
    }
    const again = await login(h, user.identifier, user.password);
    try {
      h.clock.offsetMs = 29 * DAY;
      const refreshed = expectOk(await refresh(again.jwt, again.refreshToken));
      h.clock.offsetMs = 58 * DAY;
      // The JWT of day 29 is 29 days old: the token (used on day 29) is still within its idle lifetime.
      expectOk(await refresh(refreshed.jwt, again.refreshToken));
      h.clock.offsetMs = 89 * DAY;
      expectError(await refresh(refreshed.jwt, again.refreshToken), 401, 30);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it("are revoked by a password change, a password reset and the forced session delete", async () => {
    const user = await registerUser(h);
    const a = await login(h, user.identifier, user.password);
    const b = await login(h, user.identifier, user.password);
    expectOk(
      await h.call("PUT", `${V}/user/update_pw`, {
        jwt: a.jwt,
        raw: prepareChangePassword("new password", a.masterKey, a.authKey),
      }),
    );
    expectError(await refresh(b.jwt, b.refreshToken), 400, 114);
    expectError(await refresh(a.jwt, a.refreshToken), 400, 114);

    const c = await login(h, user.identifier, "new password");
    expectOk(
      await h.call("PUT", `${V}/user/reset_pw`, {
        jwt: c.jwt,
        raw: prepareResetPassword("third password", c.deviceKeys.privateKey, c.deviceKeys.signKey),
        deviceSignKey: c.deviceKeys.signKey,
      }),
    );
    expectError(await refresh(c.jwt, c.refreshToken), 400, 114);

    const d = await login(h, user.identifier, "third password");
    expectOk(
      await h.call("DELETE", `${V}/user/forced/sessions`, {
        token: h.app.secretToken,
        body: { user_identifier: user.identifier },
      }),
    );
    expectError(await refresh(d.jwt, d.refreshToken), 400, 114);
  });

  it("rotate on use only for clients that ask (the reference's answer has no refresh token)", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const plain = expectOk(await refresh(session.jwt, session.refreshToken));
    expect(plain.refresh_token).toBeUndefined();
    const rotated = expectOk(await refresh(plain.jwt, session.refreshToken, { "x-sentc-rotate-refresh-token": "1" }));
    expect(typeof rotated.refresh_token).toBe("string");
    expectError(await refresh(rotated.jwt, session.refreshToken), 400, 114);
    expectOk(await refresh(rotated.jwt, rotated.refresh_token));
  });
});

describe("a stolen refresh token (default app options)", () => {
  it("the takeover chain stops after the refresh: every later step fails", async () => {
    const victim = await registerUser(h);
    const victimSession = await login(h, victim.identifier, victim.password);
    const stolen = { jwt: victimSession.jwt, refreshToken: victimSession.refreshToken };

    // Step 1 (allowed): a new, non-fresh JWT.
    const refreshed = expectOk(await refresh(stolen.jwt, stolen.refreshToken));
    expect(decodeJwt(refreshed.jwt).fresh).toBe(false);

    // Step 2: OTP on the victim's account with the refreshed JWT.
    expectError(await h.call("PATCH", `${V}/user/register_otp`, { jwt: refreshed.jwt }), 401, 113);

    // Step 3: the attacker's own device into the victim's account.
    const attackerIdentifier = unique("attacker");
    const pending = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, {
        raw: prepareRegisterDeviceStart(attackerIdentifier, "attacker pw"),
      }),
    );
    expectError(
      await h.call("PUT", `${V}/user/done_register_device_light`, {
        jwt: refreshed.jwt,
        body: { user_group: { rank: null }, token: pending.token },
      }),
      401,
      119,
    );
    const victimKeys = victimSession.userKeys.map((k) => k.groupKey);
    expectError(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: refreshed.jwt,
        raw: prepareRegisterDevice(pending, victimKeys, 1).serverInput,
      }),
      401,
      119,
    );

    // Step 4: a fresh JWT as the victim through that device: it was never confirmed.
    await expect(login(h, attackerIdentifier, "attacker pw")).rejects.toThrow(/failed/);

    // Step 5: delete the victim's devices.
    expectError(await h.call("DELETE", `${V}/user/device/${victim.deviceId}`, { jwt: refreshed.jwt }), 401, 113);

    // Step 6: rotate in keys of the attacker (made with its own account's key, ids of the victim's).
    const attacker = await registerUser(h);
    const attackerSession = await login(h, attacker.identifier, attacker.password);
    const rotation = prepareKeyRotation({
      previousGroupKey: attackerSession.userKeys[0]!.groupKey,
      invokerPublicKey: attackerSession.deviceKeys.publicKey,
      starter: victim.userId,
      userGroup: true,
    });
    const body = {
      ...JSON.parse(rotation.serverInput),
      previous_group_key_id: victimSession.userKeys[0]!.groupKey.keyId,
    };
    expectError(await h.call("POST", `${V}/user/user_keys/rotation`, { jwt: refreshed.jwt, body }), 401, 119);
    // …signed with a sign key that is not the device's.
    expectError(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: refreshed.jwt,
        body,
        deviceSignKey: attackerSession.deviceKeys.signKey,
      }),
      401,
      119,
    );

    // The other sensitive steps with the refreshed JWT alone.
    expectError(
      await h.call("PUT", `${V}/user/reset_pw`, {
        jwt: refreshed.jwt,
        raw: prepareResetPassword(
          "taken over",
          attackerSession.deviceKeys.privateKey,
          attackerSession.deviceKeys.signKey,
        ),
      }),
      401,
      119,
    );
    expectError(
      await h.call("PUT", `${V}/user`, { jwt: refreshed.jwt, body: { user_identifier: unique("renamed") } }),
      401,
      119,
    );

    // The victim's account is unchanged: one device, its keys, its login.
    expect(expectOk(await h.call("GET", `${V}/user/device/0/none`, { jwt: refreshed.jwt }))).toHaveLength(1);
    expect(expectOk(await h.call("GET", `${V}/user/${victim.userId}/public_key`)).public_key_id).toBe(
      victimSession.userKeys[0]!.groupKey.keyId,
    );
    await login(h, victim.identifier, victim.password);
  });

  it("the device's own proof passes on every proof route (the SDK sends it)", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const refreshed = expectOk(await refresh(session.jwt, session.refreshToken));
    const signKey = session.deviceKeys.signKey;
    const pending = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, {
        raw: prepareRegisterDeviceStart(unique("second"), "pw"),
      }),
    );
    expectOk(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: refreshed.jwt,
        raw: prepareRegisterDevice(
          pending,
          session.userKeys.map((k) => k.groupKey),
          1,
        ).serverInput,
        deviceSignKey: signKey,
      }),
    );
    const rotation = prepareKeyRotation({
      previousGroupKey: session.userKeys[0]!.groupKey,
      invokerPublicKey: session.deviceKeys.publicKey,
      starter: user.userId,
      userGroup: true,
    });
    expectOk(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: refreshed.jwt,
        raw: rotation.serverInput,
        deviceSignKey: signKey,
      }),
    );
    const renamed = unique("renamed");
    expectOk(
      await h.call("PUT", `${V}/user`, {
        jwt: refreshed.jwt,
        body: { user_identifier: renamed },
        deviceSignKey: signKey,
      }),
    );
    // A proof is bound to its body and path: the same header on another body fails.
    const proofFor = { jwt: refreshed.jwt, body: { user_identifier: unique("x") } };
    const signed = await import("../../src/protocol/device-proof.js");
    const header = signed.createDeviceProof(
      signKey,
      "PUT",
      `${V}/user`,
      Math.floor(Date.now() / 1000),
      new TextEncoder().encode(JSON.stringify({ user_identifier: "other" })),
    );
    expectError(
      await h.call("PUT", `${V}/user`, { ...proofFor, headers: { [signed.DEVICE_PROOF_HEADER]: header } }),
      401,
      119,
    );
    expectOk(
      await h.call("PUT", `${V}/user/reset_pw`, {
        jwt: refreshed.jwt,
        raw: prepareResetPassword("new pw", session.deviceKeys.privateKey, signKey),
        deviceSignKey: signKey,
      }),
    );
    await login(h, renamed, "new pw");
  });

  it("a rotation whose new public key is not signed by its new sign key is refused", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const rotation = JSON.parse(
      prepareKeyRotation({
        previousGroupKey: session.userKeys[0]!.groupKey,
        invokerPublicKey: session.deviceKeys.publicKey,
        starter: user.userId,
        userGroup: true,
      }).serverInput,
    );
    const other = JSON.parse(
      prepareKeyRotation({
        previousGroupKey: session.userKeys[0]!.groupKey,
        invokerPublicKey: session.deviceKeys.publicKey,
        starter: user.userId,
        userGroup: true,
      }).serverInput,
    );
    const body = { ...rotation, public_key_sig: other.public_key_sig };
    expectError(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: session.jwt,
        body,
        deviceSignKey: session.deviceKeys.signKey,
      }),
      400,
      120,
    );
  });

  it("apps that relax require_device_proof accept the reference client's refreshed JWT", async () => {
    const relaxed = makeApp({ require_device_proof: false } as never);
    const closed = makeApp({ options: defaultAppOptions("closed") });
    const disabled = makeApp({ disabled: true });
    const r = await startHarness({}, { apps: { main: relaxed, closed, disabled } });
    try {
      const user = await registerUser(r);
      const session = await login(r, user.identifier, user.password);
      const refreshed = expectOk(
        await r.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
      );
      expectOk(await r.call("PUT", `${V}/user`, { jwt: refreshed.jwt, body: { user_identifier: unique("renamed") } }));
      // The fresh-JWT rules stay.
      expectError(await r.call("PATCH", `${V}/user/register_otp`, { jwt: refreshed.jwt }), 401, 113);
    } finally {
      await r.close();
    }
  });
});

describe("device proof and the admin API", () => {
  it("changing an app's options through the admin API keeps its relaxed device proof", async () => {
    const adminToken = "admin-token-for-session-tests-0123";
    const relaxed = makeApp({ require_device_proof: false } as never);
    const closed = makeApp({ options: defaultAppOptions("closed") });
    const disabled = makeApp({ disabled: true });
    const r = await startHarness({}, { apps: { main: relaxed, closed, disabled }, server: { adminToken } });
    try {
      const changed = await r.call("PUT", `/admin/v1/apps/${r.app.id}/options`, {
        token: null,
        body: { user_register: 1 },
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(changed.body.status, JSON.stringify(changed.body)).toBe(true);
      const user = await registerUser(r);
      const session = await login(r, user.identifier, user.password);
      const refreshed = expectOk(
        await r.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
      );
      // Still relaxed: the reference client's refreshed JWT may change the identifier without a device proof.
      expectOk(await r.call("PUT", `${V}/user`, { jwt: refreshed.jwt, body: { user_identifier: unique("renamed") } }));
    } finally {
      await r.close();
    }
  });
});

describe("OTP", () => {
  it("register_otp needs a fresh JWT and is refused while OTP is on; a code is accepted once", async () => {
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const otp = expectOk(await h.call("PATCH", `${V}/user/register_otp`, { jwt: session.jwt }));
    expectError(await h.call("PATCH", `${V}/user/register_otp`, { jwt: session.jwt }), 400, 903);
    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } }));
    const start = prepareLogin(user.identifier, user.password, salt);
    expect(expectOk(await h.call("POST", `${V}/done_login`, { raw: start.doneLoginInput }))).toBe("Otp");
    const auth = JSON.parse(start.doneLoginInput);
    const code = currentTotp(otp.secret, Date.now());
    expectOk(await h.call("POST", `${V}/validate_mfa`, { body: { ...auth, token: code } }));
    expectError(await h.call("POST", `${V}/validate_mfa`, { body: { ...auth, token: code } }), 402, 902);
  });
});

describe("unknown identifiers at login", () => {
  it("answer 401/100 as the reference when the public token may call /exists, else the same 112 as a wrong password", async () => {
    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: unique("nobody") } }));
    const start = prepareLogin(unique("nobody"), "pw", salt);
    expectError(await h.call("POST", `${V}/done_login`, { raw: start.doneLoginInput }), 401, 100);
    // Every step that checks the auth key again answers the same (api.md §4.4).
    const auth = JSON.parse(start.doneLoginInput);
    for (const [path, extra] of [
      ["validate_mfa", { token: "123456" }],
      ["validate_recovery_otp", { token: "recovery" }],
      ["verify_login", { challenge: "challenge" }],
      ["verify_login_light", { challenge: "challenge" }],
    ] as const) {
      const answer = await h.call("POST", `${V}/${path}`, { body: { ...auth, ...extra } });
      expectError(answer, 401, 100);
      expect(answer.body.err_msg).toBe("No user found with this identifier");
    }
    const user = await registerUser(h);
    const wrong = prepareLogin(
      user.identifier,
      "wrong",
      expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } })),
    );
    expectError(await h.call("POST", `${V}/done_login`, { raw: wrong.doneLoginInput }), 401, 112);

    const hidden = makeApp({ options: { ...defaultAppOptions(), user_exists: 2 } });
    const r = await startHarness(
      {},
      {
        apps: {
          main: hidden,
          closed: makeApp({ options: defaultAppOptions("closed") }),
          disabled: makeApp({ disabled: true }),
        },
      },
    );
    try {
      const s = expectOk(await r.call("POST", `${V}/prepare_login`, { body: { user_identifier: unique("nobody") } }));
      expectError(
        await r.call("POST", `${V}/done_login`, { raw: prepareLogin(unique("nobody"), "pw", s).doneLoginInput }),
        401,
        112,
      );
    } finally {
      await r.close();
    }
  });
});
