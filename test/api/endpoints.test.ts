import { describe, expect, it } from "vitest";
import * as auth from "../../src/api/endpoints/auth.js";
import * as user from "../../src/api/endpoints/user.js";
import { HttpClient } from "../../src/api/http.js";
import { isSentcError } from "../../src/errors.js";
import { readSpecRoutes, specRoutesAvailable, type SpecRoute } from "../helpers/routes.js";
import { APP_TOKEN, BASE, fakeFetch, ok, rejection, type RecordedRequest } from "./fake-fetch.js";

const JWT = "header.payload.signature";
const BODY = '{"some":"protocol json"}';

interface Case {
  name: string;
  call: (http: HttpClient) => Promise<unknown>;
  /** The scripted `result`. */
  result: unknown;
  method: string;
  path: string;
  /** Expected request body (`undefined`: none). */
  body?: string;
  /** Expected return value; defaults to `result`. */
  returns?: unknown;
}

const keyRow = { group_key_id: "k1", time: 1 };
const otp = { secret: "ABC", alg: "totp_sha256", recover: ["1", "2", "3", "4", "5", "6"] };

const CASES: Case[] = [
  // auth.ts: app token only
  {
    name: "exists",
    call: (h) => auth.checkUserIdentifierAvailable(h, BODY),
    result: { user_identifier: "a", available: true },
    method: "POST",
    path: "/exists",
    body: BODY,
  },
  {
    name: "register",
    call: (h) => auth.register(h, BODY),
    result: { user_id: "u", device_id: "d", device_identifier: "a" },
    method: "POST",
    path: "/register",
    body: BODY,
  },
  {
    name: "prepare_register_device",
    call: (h) => auth.prepareRegisterDevice(h, BODY),
    result: { device_id: "d", token: "t" },
    method: "POST",
    path: "/user/prepare_register_device",
    body: BODY,
  },
  {
    name: "prepare_login",
    call: (h) => auth.prepareLogin(h, BODY),
    result: { salt_string: "s", derived_encryption_key_alg: "ARGON-2-SHA256" },
    method: "POST",
    path: "/prepare_login",
    body: BODY,
  },
  {
    name: "done_login (direct)",
    call: (h) => auth.doneLogin(h, BODY),
    result: { Direct: { challenge: "c" } },
    method: "POST",
    path: "/done_login",
    body: BODY,
  },
  {
    name: "done_login (otp)",
    call: (h) => auth.doneLogin(h, BODY),
    result: "Otp",
    method: "POST",
    path: "/done_login",
    body: BODY,
  },
  {
    name: "validate_mfa",
    call: (h) => auth.validateMfa(h, BODY),
    result: { challenge: "c" },
    method: "POST",
    path: "/validate_mfa",
    body: BODY,
  },
  {
    name: "validate_recovery_otp",
    call: (h) => auth.validateRecoveryOtp(h, BODY),
    result: { challenge: "c" },
    method: "POST",
    path: "/validate_recovery_otp",
    body: BODY,
  },
  {
    name: "verify_login",
    call: (h) => auth.verifyLogin(h, BODY),
    result: { user_keys: [], hmac_keys: [], jwt: JWT, refresh_token: "r" },
    method: "POST",
    path: "/verify_login",
    body: BODY,
  },
  {
    name: "refresh",
    call: (h) => auth.refreshJwt(h, JWT, "r1"),
    result: { user_id: "u", jwt: "j2", device_id: "d" },
    method: "PUT",
    path: "/refresh",
    body: '{"refresh_token":"r1"}',
  },
  {
    name: "init",
    call: (h) => auth.initUser(h, JWT, "r1"),
    result: { jwt: "j2", invites: [{ group_id: "g", time: 1 }] },
    method: "POST",
    path: "/init",
    body: '{"refresh_token":"r1"}',
  },
  // user.ts: public lookups
  {
    name: "user public key",
    call: (h) => user.getUserPublicKey(h, "u1"),
    result: { public_key_id: "k" },
    method: "GET",
    path: "/user/u1/public_key",
  },
  {
    name: "user verify key",
    call: (h) => user.getUserVerifyKey(h, "u1", "k1"),
    result: { verify_key_id: "k1" },
    method: "GET",
    path: "/user/u1/verify_key/k1",
  },
  {
    name: "group public key",
    call: (h) => user.getGroupPublicKey(h, "g1"),
    result: { public_key_id: "k" },
    method: "GET",
    path: "/group/g1/public_key",
  },
  // user.ts: JWT
  {
    name: "update user",
    call: (h) => user.updateUser(h, JWT, BODY),
    result: "Success",
    method: "PUT",
    path: "/user",
    body: BODY,
    returns: undefined,
  },
  {
    name: "delete user",
    call: (h) => user.deleteUser(h, JWT),
    result: "Success",
    method: "DELETE",
    path: "/user",
    returns: undefined,
  },
  {
    name: "change password",
    call: (h) => user.changePassword(h, JWT, BODY),
    result: "Success",
    method: "PUT",
    path: "/user/update_pw",
    body: BODY,
    returns: undefined,
  },
  {
    name: "reset password",
    call: (h) => user.resetPassword(h, JWT, BODY),
    result: "Success",
    method: "PUT",
    path: "/user/reset_pw",
    body: BODY,
    returns: undefined,
  },
  {
    name: "devices (first page)",
    call: (h) => user.getDevices(h, JWT),
    result: [{ device_id: "d" }],
    method: "GET",
    path: "/user/device/0/none",
  },
  {
    name: "devices (next page)",
    call: (h) => user.getDevices(h, JWT, { time: 1700000000000, id: "d9" }),
    result: [],
    method: "GET",
    path: "/user/device/1700000000000/d9",
  },
  {
    name: "done register device",
    call: (h) => user.doneRegisterDevice(h, JWT, BODY),
    result: { session_id: "s1", message: "This device was added to the account." },
    method: "PUT",
    path: "/user/done_register_device",
    body: BODY,
  },
  {
    name: "device key session",
    call: (h) => user.uploadDeviceKeySession(h, JWT, "s1", BODY),
    result: "Success",
    method: "PUT",
    path: "/user/user_keys/session/s1",
    body: BODY,
    returns: undefined,
  },
  {
    name: "delete device",
    call: (h) => user.deleteDevice(h, JWT, "d2"),
    result: "Success",
    method: "DELETE",
    path: "/user/device/d2",
    returns: undefined,
  },
  {
    name: "register otp",
    call: (h) => user.registerOtp(h, JWT),
    result: otp,
    method: "PATCH",
    path: "/user/register_otp",
  },
  { name: "reset otp", call: (h) => user.resetOtp(h, JWT), result: otp, method: "PATCH", path: "/user/reset_otp" },
  {
    name: "disable otp",
    call: (h) => user.disableOtp(h, JWT),
    result: "Success",
    method: "PATCH",
    path: "/user/disable_otp",
    returns: undefined,
  },
  {
    name: "otp recovery keys",
    call: (h) => user.getOtpRecoveryKeys(h, JWT),
    result: { keys: ["a", "b"] },
    method: "GET",
    path: "/user/otp_recovery_keys",
    returns: ["a", "b"],
  },
  {
    name: "user keys (first page)",
    call: (h) => user.getUserKeys(h, JWT),
    result: [keyRow],
    method: "GET",
    path: "/user/user_keys/keys/0/none",
  },
  {
    name: "user keys (next page)",
    call: (h) => user.getUserKeys(h, JWT, { time: 5, id: "k1" }),
    result: [],
    method: "GET",
    path: "/user/user_keys/keys/5/k1",
  },
  {
    name: "user key",
    call: (h) => user.getUserKey(h, JWT, "k1"),
    result: keyRow,
    method: "GET",
    path: "/user/user_keys/key/k1",
  },
  {
    name: "start user key rotation",
    call: (h) => user.startUserKeyRotation(h, JWT, BODY),
    result: { group_id: "g", key_id: "k2" },
    method: "POST",
    path: "/user/user_keys/rotation",
    body: BODY,
  },
  {
    name: "pending user key rotations",
    call: (h) => user.getUserKeyRotations(h, JWT),
    result: [{ new_group_key_id: "k2" }],
    method: "GET",
    path: "/user/user_keys/rotation",
  },
  {
    name: "finish user key rotation",
    call: (h) => user.finishUserKeyRotation(h, JWT, "k2", BODY),
    result: "Success",
    method: "PUT",
    path: "/user/user_keys/rotation/k2",
    body: BODY,
    returns: undefined,
  },
];

/** Routes of these areas that the browser SDK deliberately does not call (light SDK, backend-only, unused by sentc's SDKs). */
const NOT_CALLED = new Set([
  "POST /api/v1/register_light",
  "POST /api/v1/verify_login_light",
  "PUT /api/v1/user/reset_pw_light",
  "PUT /api/v1/user/done_register_device_light",
  "GET /api/v1/user/jwt",
  "GET /api/v1/user/:user_id/public_key/:key_id",
]);

function routeRegex(path: string): RegExp {
  return new RegExp(`^${path.replace(/:[a-z_]+/g, "[^/]+")}$`);
}

/** The one route of routes.json that matches the request; static segments win like the server's router. */
function matchRoute(routes: SpecRoute[], request: RecordedRequest): SpecRoute | undefined {
  const candidates = routes.filter(
    (route) => route.method === request.method && routeRegex(route.path).test(request.path),
  );
  candidates.sort(
    (a, b) => (b.path.match(/\/[^:/][^/]*/g)?.length ?? 0) - (a.path.match(/\/[^:/][^/]*/g)?.length ?? 0),
  );
  return candidates[0];
}

async function run(c: Case) {
  const fake = fakeFetch([ok(c.result)]);
  const http = new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch });
  const value = await c.call(http);
  return { value, request: fake.requests[0] as RecordedRequest, count: fake.requests.length };
}

describe("user and auth endpoints", () => {
  it.each(CASES)("$name: $method $path", async (c) => {
    const { value, request, count } = await run(c);
    expect(count).toBe(1);
    expect(request.method).toBe(c.method);
    expect(request.path).toBe(`/api/v1${c.path}`);
    expect(request.body).toBe(c.body);
    expect(request.headers["x-sentc-app-token"]).toBe(APP_TOKEN);
    expect(request.headers["content-type"]).toBe(c.body === undefined ? undefined : "application/json");
    expect(value).toEqual("returns" in c ? c.returns : c.result);
  });

  it.runIf(specRoutesAvailable())(
    "match routes.json in method, path and JWT use, and cover the user routes",
    async () => {
      const routes = readSpecRoutes();
      const used = new Set<string>();
      for (const c of CASES) {
        const { request } = await run(c);
        const route = matchRoute(routes, request);
        expect(route, `${c.name}: ${request.method} ${request.path}`).toBeDefined();
        if (route === undefined) continue;
        used.add(`${route.method} ${route.path}`);
        expect(request.headers.authorization !== undefined, `${c.name}: Authorization vs jwt=${route.jwt}`).toBe(
          route.jwt !== "none",
        );
        expect(request.body !== undefined, `${c.name}: body vs ${route.body}`).toBe(route.body !== null);
      }
      const userRoutes = routes
        .filter((r) => ["user", "other", "refresh", "jwt"].includes(r.area))
        .map((r) => `${r.method} ${r.path}`);
      const missing = userRoutes.filter((r) => !used.has(r) && !NOT_CALLED.has(r));
      expect(missing).toEqual([]);
    },
  );

  it("encodes path parameters", async () => {
    const fake = fakeFetch([ok({ public_key_id: "k" })]);
    await user.getUserPublicKey(new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch }), "../x y");
    expect(fake.requests[0]?.path).toBe("/api/v1/user/..%2Fx%20y/public_key");
  });

  it("sends a JwtManager-like provider's JWT", async () => {
    const fake = fakeFetch([ok([])]);
    await user.getDevices(new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch }), {
      getJwt: async () => "from-provider",
    });
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer from-provider");
  });
});

describe("result checks", () => {
  const BAD: Array<[string, (h: HttpClient) => Promise<unknown>, unknown]> = [
    ["exists without available", (h) => auth.checkUserIdentifierAvailable(h, BODY), { user_identifier: "a" }],
    [
      "exists with a string available",
      (h) => auth.checkUserIdentifierAvailable(h, BODY),
      { user_identifier: "a", available: "true" },
    ],
    ["register without user_id", (h) => auth.register(h, BODY), { device_id: "d", device_identifier: "a" }],
    ["prepare_login as a string", (h) => auth.prepareLogin(h, BODY), "salt"],
    ["done_login other string", (h) => auth.doneLogin(h, BODY), "Direct"],
    ["verify_login without refresh_token", (h) => auth.verifyLogin(h, BODY), { jwt: JWT }],
    ["refresh without jwt", (h) => auth.refreshJwt(h, JWT, "r"), { user_id: "u", device_id: "d" }],
    ["init with invites not an array", (h) => auth.initUser(h, JWT, "r"), { jwt: "j", invites: {} }],
    ["init with a non-object invite", (h) => auth.initUser(h, JWT, "r"), { jwt: "j", invites: ["g"] }],
    ["devices as an object", (h) => user.getDevices(h, JWT), { device_id: "d" }],
    ["user keys with a non-object item", (h) => user.getUserKeys(h, JWT), [keyRow, 5]],
    [
      "done register device with numeric session",
      (h) => user.doneRegisterDevice(h, JWT, BODY),
      { session_id: 5, message: "m" },
    ],
    ["otp with non-string recovery keys", (h) => user.registerOtp(h, JWT), { ...otp, recover: [1] }],
    ["recovery keys missing", (h) => user.getOtpRecoveryKeys(h, JWT), {}],
    ["rotation start without key_id", (h) => user.startUserKeyRotation(h, JWT, BODY), { group_id: "g" }],
  ];

  it.each(BAD)("%s is invalid_server_response", async (_, call, result) => {
    const fake = fakeFetch([ok(result)]);
    const error = await rejection(call(new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch })));
    expect(isSentcError(error) && error.code).toBe("invalid_server_response");
  });

  it("done_register_device without session_id is fine (serde omits it)", async () => {
    const fake = fakeFetch([ok({ message: "m" })]);
    expect(
      await user.doneRegisterDevice(
        new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch }),
        JWT,
        BODY,
      ),
    ).toEqual({ session_id: undefined, message: "m" });
  });

  it("refuses empty path parameters before sending", async () => {
    const fake = fakeFetch([]);
    const error = await rejection(
      user.deleteDevice(new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch }), JWT, ""),
    );
    expect(isSentcError(error) && error.code).toBe("invalid_input");
    expect(fake.requests).toHaveLength(0);
  });
});
