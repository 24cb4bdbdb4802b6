import { SignJWT, base64url } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importSignKey, newId } from "../../server/crypto.js";
import { toBase64 } from "../../src/protocol/encoding.js";
import { doneLogin, prepareLogin, prepareVerifyLogin } from "../../src/protocol/login.js";
import { expectError, expectOk, login, registerUser, startHarness, unique, type Harness } from "./harness.js";

const V = "/api/v1";
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ login_rate_limit: { max_failures: 3, window_seconds: 60 } });
});
afterAll(() => h.close());

async function sign(
  claims: Record<string, unknown>,
  options: { kid?: string; signKey?: string; alg?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ typ: "JWT", alg: options.alg ?? "ES384", kid: options.kid ?? h.app.jwtKeyId })
    .sign(importSignKey(options.signKey ?? h.app.signKey));
}

describe("app token and options", () => {
  it("401/200 without or with an unknown token, 401/201 when not base64, 401/204 for a disabled app", async () => {
    expectError(await h.call("POST", `${V}/exists`, { token: null, body: { user_identifier: "a" } }), 401, 200);
    expectError(
      await h.call("POST", `${V}/exists`, { token: toBase64(new Uint8Array(30)), body: { user_identifier: "a" } }),
      401,
      200,
    );
    expectError(await h.call("POST", `${V}/exists`, { token: "not*base64", body: { user_identifier: "a" } }), 401, 201);
    expectError(
      await h.call("POST", `${V}/exists`, { token: h.disabledApp.publicToken, body: { user_identifier: "a" } }),
      401,
      204,
    );
  });

  it("blocked endpoints (option 0) refuse even the secret token with 400/203", async () => {
    for (const token of [h.closedApp.publicToken, h.closedApp.secretToken]) {
      expectError(await h.call("POST", `${V}/exists`, { token, body: { user_identifier: "a" } }), 400, 203);
      expectError(await h.call("POST", `${V}/prepare_login`, { token, body: { user_identifier: "a" } }), 400, 203);
    }
    // Forced endpoints ignore the options: the secret token of a closed app still works.
    expectError(
      await h.call("POST", `${V}/user/forced/login`, {
        token: h.closedApp.secretToken,
        body: { user_identifier: "a" },
      }),
      401,
      112,
    );
  });

  it("users of one app are invisible to another", async () => {
    const user = await registerUser(h);
    expectError(
      await h.call("POST", `${V}/user/forced/login`, {
        token: h.closedApp.secretToken,
        body: { user_identifier: user.identifier },
      }),
      401,
      112,
    );
    const session = await login(h, user.identifier, user.password);
    expectError(await h.call("GET", `${V}/user/jwt`, { token: h.closedApp.secretToken, jwt: session.jwt }), 401, 35);
  });
});

describe("HTTP robustness", () => {
  it("malformed JSON is 422/11, an empty body where one is needed too", async () => {
    expectError(await h.call("POST", `${V}/prepare_login`, { raw: "{not json" }), 422, 11);
    expectError(await h.call("POST", `${V}/prepare_login`, { raw: "" }), 422, 11);
    expectError(await h.call("POST", `${V}/prepare_login`, { raw: "[]" }), 422, 11);
    expectError(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: 5 } }), 422, 11);
    // Content-Type is ignored.
    expectOk(
      await h.call("POST", `${V}/prepare_login`, {
        raw: '{"user_identifier":"a"}',
        headers: { "content-type": "text/plain" },
      }),
    );
  });

  it("bodies over 256 KiB are 413/12", async () => {
    const big = JSON.stringify({ user_identifier: "x".repeat(262_144) });
    expectError(await h.call("POST", `${V}/prepare_login`, { raw: big }), 413, 12);
    expectError(await h.call("PUT", `${V}/refresh`, { raw: big, jwt: "x.y.z" }), 401, 32);
  });

  it("unknown paths and wrong methods answer the 404 envelope; CORS headers everywhere", async () => {
    const missing = await h.call("GET", `${V}/nothing/here`);
    expectError(missing, 404, 404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("*");
    expect(missing.headers.get("content-type")).toBe("application/json");
    expectError(await h.call("GET", `${V}/register`), 404, 404);
    const preflight = await fetch(`${h.server.baseUrl}${V}/register`, { method: "OPTIONS" });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, DELETE, OPTIONS, PATCH");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-sentc-app-token");
    const ok = await h.call("POST", `${V}/exists`, { body: { user_identifier: "a" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("JWT", () => {
  let user: Awaited<ReturnType<typeof registerUser>>;
  let session: Awaited<ReturnType<typeof login>>;
  const now = () => Math.floor(Date.now() / 1000);
  beforeAll(async () => {
    user = await registerUser(h);
    session = await login(h, user.identifier, user.password);
  });
  const claims = (extra: Record<string, unknown> = {}) => ({
    aud: user.userId,
    sub: user.deviceId,
    exp: now() + 300,
    iat: now(),
    fresh: true,
    ...extra,
  });

  it("accepts a correctly signed token and rejects missing or non-Bearer headers (401/31)", async () => {
    expectOk(await h.call("GET", `${V}/user/device/0/none`, { jwt: await sign(claims()) }));
    expectError(await h.call("GET", `${V}/user/device/0/none`), 401, 31);
    expectError(
      await h.call("GET", `${V}/user/device/0/none`, { headers: { authorization: `Token ${session.jwt}` } }),
      401,
      31,
    );
    expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt: "garbage" }), 401, 32);
  });

  it("alg none, HS256 with the public key, a wrong kid and a modified payload are rejected", async () => {
    const [header, payload] = session.jwt.split(".");
    const noneHeader = base64url.encode(JSON.stringify({ typ: "JWT", alg: "none", kid: h.app.jwtKeyId }));
    expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt: `${noneHeader}.${payload}.` }), 401, 30);
    const verifyKeyBytes = Buffer.from(h.app.verifyKey, "base64");
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ typ: "JWT", alg: "HS256", kid: h.app.jwtKeyId })
      .sign(verifyKeyBytes);
    expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt: hs }), 401, 30);
    const hsSpki = await new SignJWT(claims())
      .setProtectedHeader({ typ: "JWT", alg: "HS256", kid: h.app.jwtKeyId })
      .sign(new TextEncoder().encode(h.app.verifyKey));
    expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt: hsSpki }), 401, 30);
    expectError(
      await h.call("GET", `${V}/user/device/0/none`, { jwt: await sign(claims(), { kid: newId() }) }),
      401,
      35,
    );
    expectError(
      await h.call("GET", `${V}/user/device/0/none`, {
        jwt: await sign(claims(), { kid: h.closedApp.jwtKeyId, signKey: h.closedApp.signKey }),
      }),
      401,
      35,
    );
    // Signed with another app's key but naming this app's kid.
    expectError(
      await h.call("GET", `${V}/user/device/0/none`, { jwt: await sign(claims(), { signKey: h.closedApp.signKey }) }),
      401,
      30,
    );
    const other = await registerUser(h);
    const tampered = base64url.encode(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), aud: other.userId }),
    );
    expectError(
      await h.call("GET", `${V}/user/device/0/none`, { jwt: `${header}.${tampered}.${session.jwt.split(".")[2]}` }),
      401,
      30,
    );
    // A non-fresh token turned fresh by editing the payload fails too.
    const refreshed = expectOk(
      await h.call("PUT", `${V}/refresh`, { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    ).jwt as string;
    const [rh, rp, rs] = refreshed.split(".");
    const freshPayload = base64url.encode(
      JSON.stringify({ ...JSON.parse(Buffer.from(rp!, "base64url").toString()), fresh: true }),
    );
    expectError(await h.call("GET", `${V}/user/otp_recovery_keys`, { jwt: `${rh}.${freshPayload}.${rs}` }), 401, 30);
  });

  it("claims: ids must be UUIDs (400/1), the user must exist (400/100), exp is required", async () => {
    expectError(
      await h.call("GET", `${V}/user/device/0/none`, { jwt: await sign(claims({ aud: "not-a-uuid" })) }),
      400,
      1,
    );
    expectError(
      await h.call("GET", `${V}/user/device/0/none`, { jwt: await sign(claims({ aud: newId() })) }),
      400,
      100,
    );
    const { exp: _exp, ...noExp } = claims();
    expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt: await sign(noExp) }), 401, 30);
  });

  it("expired tokens are rejected everywhere except refresh/init, which still check the signature", async () => {
    const expired = await sign(claims({ iat: now() - 400, exp: now() - 100 }));
    expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt: expired }), 401, 30);
    expectError(await h.call("GET", `${V}/user/jwt`, { token: h.app.secretToken, jwt: expired }), 401, 30);
    expectOk(await h.call("PUT", `${V}/refresh`, { jwt: expired, body: { refresh_token: session.refreshToken } }));
    expectOk(await h.call("POST", `${V}/init`, { jwt: expired, body: { refresh_token: session.refreshToken } }));
    const forged = await sign(claims({ iat: now() - 400, exp: now() - 100 }), { signKey: h.closedApp.signKey });
    expectError(
      await h.call("PUT", `${V}/refresh`, { jwt: forged, body: { refresh_token: session.refreshToken } }),
      401,
      30,
    );
    const [eh, ep, es] = expired.split(".");
    const otherDevice = base64url.encode(
      JSON.stringify({ ...JSON.parse(Buffer.from(ep!, "base64url").toString()), sub: newId() }),
    );
    expectError(
      await h.call("PUT", `${V}/refresh`, {
        jwt: `${eh}.${otherDevice}.${es}`,
        body: { refresh_token: session.refreshToken },
      }),
      401,
      30,
    );
  });

  it("no validation cache: a valid token expires with the clock (5 minutes)", async () => {
    const jwt = (await login(h, user.identifier, user.password)).jwt;
    expectOk(await h.call("GET", `${V}/user/device/0/none`, { jwt }));
    h.clock.offsetMs = 301_000;
    try {
      expectError(await h.call("GET", `${V}/user/device/0/none`, { jwt }), 401, 30);
    } finally {
      h.clock.offsetMs = 0;
    }
    expectOk(await h.call("GET", `${V}/user/device/0/none`, { jwt }));
  });
});

describe("login hardening", () => {
  it("login challenges expire after the configured time (5 minutes)", async () => {
    const user = await registerUser(h);
    const salt = expectOk(await h.call("POST", `${V}/prepare_login`, { body: { user_identifier: user.identifier } }));
    const start = prepareLogin(user.identifier, user.password, salt);
    const done = doneLogin(
      start.masterKeyEncryptionKey,
      expectOk(await h.call("POST", `${V}/done_login`, { raw: start.doneLoginInput })),
    );
    if (done.kind !== "direct") throw new Error("mfa");
    h.clock.offsetMs = 301_000;
    try {
      expectError(
        await h.call("POST", `${V}/verify_login`, {
          raw: prepareVerifyLogin(start.authKey, user.identifier, done.challenge),
        }),
        401,
        112,
      );
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it("rate-limits failed attempts per identifier with 429/118, the same for unknown identifiers", async () => {
    const user = await registerUser(h);
    const wrong = { auth_key: toBase64(new Uint8Array(32).fill(9)), device_identifier: user.identifier };
    for (let i = 0; i < 3; i++) expectError(await h.call("POST", `${V}/done_login`, { body: wrong }), 401, 112);
    expectError(await h.call("POST", `${V}/done_login`, { body: wrong }), 429, 118);
    await expect(login(h, user.identifier, user.password)).rejects.toThrow(/118/);
    // Other identifiers are not affected; unknown ones (401/100 here: the public token may call /exists) are limited the same way.
    const nobody = { ...wrong, device_identifier: unique("nobody") };
    for (let i = 0; i < 3; i++) expectError(await h.call("POST", `${V}/done_login`, { body: nobody }), 401, 100);
    expectError(await h.call("POST", `${V}/done_login`, { body: nobody }), 429, 118);
    h.clock.offsetMs = 61_000;
    try {
      await login(h, user.identifier, user.password);
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it("unknown identifiers and wrong passwords take similar time (same hash work)", async () => {
    const user = await registerUser(h);
    const time = async (identifier: string) => {
      const t = process.hrtime.bigint();
      await h.call("POST", `${V}/done_login`, {
        body: { auth_key: toBase64(new Uint8Array(32).fill(3)), device_identifier: identifier },
      });
      return Number(process.hrtime.bigint() - t);
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 40; i++) {
      // Fresh identifiers so the rate limit never kicks in.
      const other = i % 2 === 0 ? user.identifier : unique("nobody");
      if (i % 6 === 0 && i > 0) h.clock.offsetMs += 61_000;
      (other === user.identifier ? known : unknown).push(await time(other));
    }
    h.clock.offsetMs = 0;
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(known) / median(unknown);
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(5);
  });
});
