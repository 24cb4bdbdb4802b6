/**
 * examples/own-backend end to end: our API server in-process (sentc's default options: register and delete
 * need the secret token), the example backend in front of it, and the SDK as the browser.
 */
import type { FastifyInstance } from "fastify";
import { SignJWT, importPKCS8 } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBackend, REFRESH_COOKIE } from "../../examples/own-backend/server.js";
import { configFromEnv } from "../../examples/own-backend/config.js";
import { MemoryStorage, REFRESH_ENDPOINT, Sentc, SentcError, type User } from "../../src/index.js";
import { generateEs384KeyPair } from "../../server/crypto.js";
import { startHarness, unique, type Harness } from "../server/harness.js";

const ADMIN_KEY = `admin-${unique()}`;

let h: Harness;
let backend: FastifyInstance;
let backendUrl: string;
/** Every request the "browser" sent to the backend, as "METHOD /path". */
const hits: string[] = [];

/** The browser's fetch for the backend: a cookie jar for its origin (HttpOnly cookies included, as a browser). */
const jar = new Map<string, string>();
const setCookieLines: string[] = [];
async function browserFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input);
  const headers = new Headers(init.headers);
  const toBackend = url.origin === backendUrl;
  if (toBackend) {
    hits.push(`${init.method ?? "GET"} ${url.pathname}`);
    if (init.credentials === "include" && jar.size > 0)
      headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  }
  const response = await fetch(url, { ...init, headers });
  if (toBackend) {
    for (const line of response.headers.getSetCookie()) {
      setCookieLines.push(line);
      const pair = line.split(";")[0]!;
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      if (/;\s*Max-Age=0\b/i.test(line)) jar.delete(name);
      else jar.set(name, pair.slice(eq + 1));
    }
  }
  return response;
}

/** A call from the page to the backend: `path` relative to the backend, JSON body, optional Bearer JWT. */
function call(
  method: string,
  path: string,
  options: { jwt?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  return browserFetch(`${backendUrl}${path}`, { method, headers, body, credentials: "include" });
}

async function init(options: Partial<Parameters<typeof Sentc.init>[0]> = {}): Promise<void> {
  Sentc.reset();
  await Sentc.init({
    base_url: h.server.baseUrl,
    app_token: h.app.publicToken,
    storage: { getStorage: async () => new MemoryStorage() },
    ...options,
  });
}

/** Registration the own-backend way: prepare in the browser, the backend posts it with the secret token. */
async function registerViaBackend(identifier: string, password: string): Promise<string> {
  const input = Sentc.prepareRegister(identifier, password);
  const answer = await call("POST", "/api/register", { body: input });
  return Sentc.doneRegister(await answer.text());
}

/** Logs in while the server's clock lags: the JWT expires in 15 s, inside the SDK's 30 s refresh margin. */
async function loginNearExpiry(identifier: string, password: string): Promise<User> {
  h.clock.offsetMs = -285_000;
  try {
    return await Sentc.login(identifier, password, true);
  } finally {
    h.clock.offsetMs = 0;
  }
}

beforeAll(async () => {
  h = await startHarness();
  // The backend's configuration as a deployment would give it (environment variables).
  const config = configFromEnv({
    SENTC_BASE_URL: h.server.baseUrl,
    SENTC_PUBLIC_TOKEN: h.app.publicToken,
    SENTC_SECRET_TOKEN: h.app.secretToken,
    SENTC_JWT_VERIFY_KEYS: JSON.stringify([{ id: h.app.jwtKeyId, verify_key: h.app.verifyKey }]),
    ADMIN_KEY,
  });
  backend = await buildBackend(config);
  backendUrl = new URL(await backend.listen({ port: 0, host: "127.0.0.1" })).origin;
  await init();
});

afterAll(async () => {
  Sentc.reset();
  await backend?.close();
  await h?.close();
});

describe("examples/own-backend", () => {
  const identifier = unique("alice");
  const password = "alice's password";
  let alice: User;
  let aliceId: string;

  it("registers through the backend with the secret token; the public token alone is refused", async () => {
    await expect(Sentc.register(unique(), "pw")).rejects.toMatchObject({ code: "server", serverCode: 203 });
    aliceId = await registerViaBackend(identifier, password);
    expect(aliceId).toMatch(/^[0-9a-f-]{36}$/);
    // sentc's error comes back unchanged: doneRegister reports the server's code.
    const again = await registerViaBackend(identifier, password).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(SentcError);
    expect(again).toMatchObject({ code: "server", serverCode: 101 });
    expect(await (await call("POST", "/api/register")).json()).toEqual({
      error: "the body must be the JSON from Sentc.prepareRegister",
    });
  });

  it("serves the user's own data only with a JWT signed by the app's key", async () => {
    alice = await Sentc.login(identifier, password, true);
    expect(alice.user_data.user_id).toBe(aliceId);
    const jwt = await alice.getJwt();
    const secret = await alice.encryptString("my diary", aliceId);
    expect((await call("POST", "/api/notes", { jwt, body: { note: secret } })).status).toBe(201);
    const { notes } = (await (await call("GET", "/api/notes", { jwt })).json()) as { notes: string[] };
    expect(notes).toEqual([secret]);
    expect(await alice.decryptString(notes[0]!)).toBe("my diary");

    // No JWT, garbage, a tampered one, and a well-formed JWT signed by a key that isn't the app's: 401.
    expect((await call("GET", "/api/notes")).status).toBe(401);
    expect((await call("GET", "/api/notes", { jwt: "not-a-jwt" })).status).toBe(401);
    const [head, payload, sig] = jwt.split(".");
    const otherUser = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), aud: "someone-else" }),
    ).toString("base64url");
    expect((await call("GET", "/api/notes", { jwt: `${head}.${otherUser}.${sig}` })).status).toBe(401);
    const foreign = generateEs384KeyPair();
    const forged = await new SignJWT({ fresh: true })
      .setProtectedHeader({ typ: "JWT", alg: "ES384", kid: h.app.jwtKeyId })
      .setAudience(aliceId)
      .setSubject(alice.user_data.device_id)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(await importPKCS8(`-----BEGIN PRIVATE KEY-----\n${foreign.signKey}\n-----END PRIVATE KEY-----`, "ES384"));
    expect((await call("GET", "/api/notes", { jwt: forged })).status).toBe(401);
    // The same claims signed with the app's real key pass: the check is the signature, not the shape.
    const genuine = await new SignJWT({ fresh: true })
      .setProtectedHeader({ typ: "JWT", alg: "ES384", kid: h.app.jwtKeyId })
      .setAudience(aliceId)
      .setSubject(alice.user_data.device_id)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(await importPKCS8(`-----BEGIN PRIVATE KEY-----\n${h.app.signKey}\n-----END PRIVATE KEY-----`, "ES384"));
    expect((await call("GET", "/api/notes", { jwt: genuine })).status).toBe(200);
  });

  it("asks sentc (GET /user/jwt, secret token) who a JWT belongs to", async () => {
    const me = await (await call("GET", "/api/me", { jwt: await alice.getJwt() })).json();
    expect(me).toEqual({ user_id: aliceId, device_id: alice.user_data.device_id });
    expect((await call("GET", "/api/me", { jwt: "x.y.z" })).status).toBe(401);
  });

  it("serves group data to members only (GET /group/:id/light with the user's JWT)", async () => {
    // The group and its members come from the SDK (sentc's group API); the backend only asks sentc who is in.
    const groupId = await alice.createGroup();
    const group = await alice.getGroup(groupId);
    const bobIdentifier = unique("bob");
    await registerViaBackend(bobIdentifier, "bob's password");
    const bob = await Sentc.login(bobIdentifier, "bob's password", true);

    const path = `/api/groups/${groupId}/notes`;
    expect(
      (await call("POST", path, { jwt: await alice.getJwt(), body: { note: "encrypted-for-the-group" } })).status,
    ).toBe(201);
    expect(await (await call("GET", path, { jwt: await alice.getJwt() })).json()).toEqual({
      rank: 0,
      notes: ["encrypted-for-the-group"],
    });

    const refused = await call("GET", path, { jwt: await bob.getJwt() });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "not a member of this group", err_code: 310 });
    expect((await call("POST", path, { jwt: await bob.getJwt(), body: { note: "x" } })).status).toBe(403);
    // Unknown groups and no JWT are refused as well.
    expect(
      (
        await call("GET", `/api/groups/${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}/notes`, {
          jwt: await bob.getJwt(),
        })
      ).status,
    ).toBe(403);
    expect((await call("GET", path)).status).toBe(401);

    // Once bob is a member, the same request passes with his rank.
    await group.inviteAuto(bob.user_data.user_id, 3);
    expect(await (await call("GET", path, { jwt: await bob.getJwt() })).json()).toEqual({
      rank: 3,
      notes: ["encrypted-for-the-group"],
    });
    await bob.logOut();
  });

  it("turns MFA off for a user through the admin action (PUT /user/forced/disable_otp)", async () => {
    alice = await Sentc.login(identifier, password, true);
    await alice.registerOtp("Example", identifier, password);
    expect((await Sentc.login(identifier, password)).kind).toBe("mfa");

    expect((await call("POST", "/admin/users/disable-mfa", { body: { user_identifier: identifier } })).status).toBe(
      401,
    );
    expect(
      (
        await call("POST", "/admin/users/disable-mfa", {
          body: { user_identifier: identifier },
          headers: { "x-admin-key": "wrong" },
        })
      ).status,
    ).toBe(401);
    const done = await call("POST", "/admin/users/disable-mfa", {
      body: { user_identifier: identifier },
      headers: { "x-admin-key": ADMIN_KEY },
    });
    expect(await done.json()).toMatchObject({ status: true });
    const unknown = await call("POST", "/admin/users/disable-mfa", {
      body: { user_identifier: unique("nobody") },
      headers: { "x-admin-key": ADMIN_KEY },
    });
    expect(await unknown.json()).toMatchObject({ status: false, err_code: 100 });

    const again = await Sentc.login(identifier, password);
    expect(again.kind).toBe("user");
    if (again.kind === "user") alice = again.u;
  });

  it("refreshes JWTs from an HttpOnly cookie (REFRESH_ENDPOINT.cookie) until an admin ends all sessions", async () => {
    await init({
      refresh: { endpoint: REFRESH_ENDPOINT.cookie, endpoint_url: `${backendUrl}/api/refresh` },
      fetch: browserFetch,
    });
    const user = await loginNearExpiry(identifier, password);
    const firstJwt = user.user_data.jwt;

    // No cookie yet: the backend refuses, the SDK reports refresh_failed.
    await expect(Sentc.refreshJwt(firstJwt, "")).rejects.toMatchObject({ code: "refresh_failed" });
    // A wrong refresh token is refused when it is handed over, and sets no cookie.
    const wrong = await call("POST", "/api/session", { jwt: firstJwt, body: { refresh_token: "wrong" } });
    expect(await wrong.json()).toMatchObject({ status: false, err_code: 114 });
    expect(jar.size).toBe(0);

    // Right after login the page hands the refresh token to the backend once; it comes back as an HttpOnly cookie.
    const session = await call("POST", "/api/session", {
      jwt: firstJwt,
      body: { refresh_token: user.user_data.refresh_token },
    });
    expect(session.status).toBe(204);
    const line = setCookieLines.at(-1)!;
    expect(line.startsWith(`${REFRESH_COOKIE}=`)).toBe(true);
    expect(line).toMatch(/;\s*HttpOnly/);
    expect(line).toMatch(/;\s*Secure/);
    expect(line).toMatch(/;\s*SameSite=Strict/);
    expect(line).toMatch(/;\s*Path=\/api/);
    // The SDK keeps no refresh token in its store in cookie mode.
    const stored = await (await Sentc.getStore()).getItem<{ refresh_token: string }>(`user_data_id_${identifier}`);
    expect(stored?.refresh_token).toBe("");

    // The JWT is about to expire: getJwt asks the backend (GET, Bearer old JWT, cookie) and gets plain text.
    hits.length = 0;
    const [a, b] = await Promise.all([user.getJwt(), user.getJwt()]);
    expect(a).toBe(b);
    expect(a).not.toBe(firstJwt);
    expect(hits).toEqual(["GET /api/refresh"]);
    expect((await call("GET", "/api/me", { jwt: a })).status).toBe(200);
    const direct = await browserFetch(`${backendUrl}/api/refresh`, {
      headers: { authorization: `Bearer ${a}` },
      credentials: "include",
    });
    expect(direct.headers.get("content-type")).toMatch(/^text\/plain/);
    expect((await direct.text()).split(".")).toHaveLength(3);

    // An admin logs the user out everywhere: the refresh token is gone, the cookie no longer refreshes.
    const ended = await call("POST", "/admin/users/end-sessions", {
      body: { user_identifier: identifier },
      headers: { "x-admin-key": ADMIN_KEY },
    });
    expect(await ended.json()).toMatchObject({ status: true });
    // The backend passes sentc's error envelope through: the SDK keeps its code (114, refresh token not found).
    await expect(Sentc.refreshJwt(a, "")).rejects.toMatchObject({ code: "server", serverCode: 114 });

    // Logging out clears the cookie.
    expect((await call("POST", "/api/logout")).status).toBe(204);
    expect(jar.has(REFRESH_COOKIE)).toBe(false);
    await user.logOut();
    await init();
  });

  it("deletes the user through the backend with a fresh JWT (DELETE /user, secret token)", async () => {
    alice = await Sentc.login(identifier, password, true);
    const oldJwt = await alice.getJwt();
    // The public token can't delete (option user_delete = 2): the SDK's one-call variant is refused.
    await expect(alice.deleteUser(password)).rejects.toMatchObject({ code: "server", serverCode: 203 });

    const fresh = await alice.getFreshJwt(password);
    const answer = await call("DELETE", "/api/user", { jwt: fresh });
    Sentc.doneDeleteUser(await answer.text());
    await alice.logOut();

    // The backend dropped its own data for the user; sentc refuses the old JWT and the login.
    expect(await (await call("GET", "/api/notes", { jwt: oldJwt })).json()).toEqual({ notes: [] });
    expect((await call("GET", "/api/me", { jwt: oldJwt })).status).toBe(401);
    await expect(Sentc.login(identifier, password, true)).rejects.toBeInstanceOf(SentcError);
    // Deleting again reports sentc's error through doneDeleteUser.
    const twice = await call("DELETE", "/api/user", { jwt: fresh });
    expect(twice.status).toBeGreaterThanOrEqual(400);
    const text = await twice.text();
    expect(() => Sentc.doneDeleteUser(text)).toThrow(SentcError);
  });
});

describe("examples/own-backend configuration", () => {
  const env = () => ({
    SENTC_PUBLIC_TOKEN: "p",
    SENTC_SECRET_TOKEN: "s",
    ADMIN_KEY: "a",
    SENTC_JWT_VERIFY_KEYS: JSON.stringify([{ id: "k", verify_key: generateEs384KeyPair().verifyKey }]),
  });

  it("reads the environment, defaulting to sentc's API and a Secure cookie", () => {
    expect(configFromEnv(env())).toMatchObject({
      sentcBaseUrl: "https://api.sentc.com",
      secureCookie: true,
      jwtVerifyKeys: [{ id: "k" }],
    });
    expect(configFromEnv({ ...env(), INSECURE_COOKIE: "1" }).secureCookie).toBe(false);
    expect(() => configFromEnv({ ...env(), SENTC_SECRET_TOKEN: "" })).toThrow("SENTC_SECRET_TOKEN is not set");
    expect(() => configFromEnv({ ...env(), SENTC_JWT_VERIFY_KEYS: "[]" })).toThrow("non-empty");
    expect(() => configFromEnv({ ...env(), SENTC_JWT_VERIFY_KEYS: '[{"id":"k"}]' })).toThrow(
      'needs "id" and "verify_key"',
    );
  });

  it("refuses verify keys that are not P-384 points at start", async () => {
    const config = configFromEnv({
      ...env(),
      SENTC_JWT_VERIFY_KEYS: JSON.stringify([{ id: "bad", verify_key: Buffer.alloc(97, 4).toString("base64") }]),
    });
    await expect(buildBackend(config)).rejects.toThrow(/JWT verify key bad/);
    const short = configFromEnv({
      ...env(),
      SENTC_JWT_VERIFY_KEYS: JSON.stringify([{ id: "short", verify_key: "AAAA" }]),
    });
    await expect(buildBackend(short)).rejects.toThrow(/JWT verify key short: not a raw uncompressed P-384 point/);
  });
});
