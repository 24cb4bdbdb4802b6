import { describe, expect, it, vi } from "vitest";
import { getDevices } from "../../src/api/endpoints/user.js";
import { HttpClient } from "../../src/api/http.js";
import {
  JWT_REFRESH_MARGIN_SECONDS,
  JwtManager,
  REFRESH_ENDPOINT,
  jwtNeedsRefresh,
  refreshStrategyFromOptions,
  type RefreshStrategy,
} from "../../src/api/jwt.js";
import { SentcError, isSentcError } from "../../src/errors.js";
import {
  APP_TOKEN,
  BASE,
  fakeFetch,
  json,
  makeJwt,
  ok,
  rejection,
  serverError,
  text,
  type Handler,
} from "./fake-fetch.js";

const NOW_S = 1_700_000_000;
const clock = () => NOW_S * 1000;
const EXPIRED = makeJwt({ exp: NOW_S - 10 });
const VALID = makeJwt({ exp: NOW_S + 300 });
const NEW_JWT = makeJwt({ exp: NOW_S + 600, iat: NOW_S + 300 });
const COOKIE_URL = "https://app.example.test/auth/refresh";

function setup(
  respond: Handler | Handler[],
  options: {
    jwt?: string;
    strategy?: RefreshStrategy;
    refreshToken?: string;
    onRefresh?: () => void | Promise<void>;
  } = {},
) {
  const fake = fakeFetch(respond);
  const http = new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch });
  const manager = new JwtManager({
    http,
    jwt: options.jwt ?? EXPIRED,
    refreshToken:
      options.refreshToken ?? (options.strategy === undefined || options.strategy.kind === "api" ? "refresh-1" : ""),
    clock,
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(options.onRefresh ? { onRefresh: options.onRefresh } : {}),
  });
  return { http, manager, requests: fake.requests };
}

const refreshOk = (jwt = NEW_JWT): Handler => ok({ user_id: "user-1", jwt, device_id: "device-1" });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  return isSentcError(error) ? error.code : `not a SentcError: ${String(error)}`;
}

describe("jwtNeedsRefresh: 30 s margin and clock", () => {
  it("refreshes when exp <= now + 30 s, not before", () => {
    const now = NOW_S * 1000;
    expect(JWT_REFRESH_MARGIN_SECONDS).toBe(30);
    expect(jwtNeedsRefresh(makeJwt({ exp: NOW_S + 31 }), now)).toBe(false);
    expect(jwtNeedsRefresh(makeJwt({ exp: NOW_S + 30 }), now)).toBe(true);
    expect(jwtNeedsRefresh(makeJwt({ exp: NOW_S + 30 }), now - 1)).toBe(false);
    expect(jwtNeedsRefresh(makeJwt({ exp: NOW_S - 1 }), now)).toBe(true);
  });

  it("takes the margin as a parameter and treats unreadable JWTs as needing refresh", () => {
    expect(jwtNeedsRefresh(makeJwt({ exp: NOW_S + 100 }), NOW_S * 1000, 120)).toBe(true);
    expect(jwtNeedsRefresh(makeJwt({ exp: NOW_S + 100 }), NOW_S * 1000, 0)).toBe(false);
    expect(jwtNeedsRefresh("not.a.jwt", NOW_S * 1000)).toBe(true);
  });

  it("the manager follows its injected clock", async () => {
    let now = NOW_S * 1000;
    const fake = fakeFetch(refreshOk());
    const http = new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fake.fetch });
    const manager = new JwtManager({ http, jwt: VALID, refreshToken: "r", clock: () => now });
    expect(await manager.getJwt()).toBe(VALID);
    now += 269_000; // exp - 31 s
    expect(await manager.getJwt()).toBe(VALID);
    now += 1_000; // exp - 30 s
    expect(await manager.getJwt()).toBe(NEW_JWT);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("JwtManager, api strategy", () => {
  it("does not refresh a valid JWT", async () => {
    const { manager, requests } = setup([], { jwt: VALID });
    expect(await manager.getJwt()).toBe(VALID);
    expect(requests).toHaveLength(0);
  });

  it("refreshes with PUT /api/v1/refresh, the old JWT as Bearer and {refresh_token}", async () => {
    const { manager, requests } = setup([refreshOk()]);
    expect(await manager.getJwt()).toBe(NEW_JWT);
    expect(manager.jwt).toBe(NEW_JWT);
    expect(manager.refreshToken).toBe("refresh-1");
    const request = requests[0];
    expect(`${request?.method} ${request?.path}`).toBe("PUT /api/v1/refresh");
    expect(request?.headers.authorization).toBe(`Bearer ${EXPIRED}`);
    expect(request?.headers["x-sentc-app-token"]).toBe(APP_TOKEN);
    expect(JSON.parse(String(request?.body))).toEqual({ refresh_token: "refresh-1" });
  });

  it("10 parallel calls with an expired JWT make exactly one PUT /refresh", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { http, manager, requests } = setup((request) => {
      if (request.path === "/api/v1/refresh")
        return gate.then(() =>
          json({ status: true, result: { user_id: "user-1", jwt: NEW_JWT, device_id: "device-1" } }),
        );
      return json({ status: true, result: [] });
    });
    const calls = Array.from({ length: 10 }, () => getDevices(http, manager));
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    expect(manager.refreshing).toBe(true);
    release();
    await Promise.all(calls);
    const refreshes = requests.filter((r) => r.path === "/api/v1/refresh");
    const deviceCalls = requests.filter((r) => r.path === "/api/v1/user/device/0/none");
    expect(refreshes).toHaveLength(1);
    expect(deviceCalls).toHaveLength(10);
    expect(deviceCalls.every((r) => r.headers.authorization === `Bearer ${NEW_JWT}`)).toBe(true);
    expect(manager.refreshing).toBe(false);
  });

  it("waiters get the very same promise", () => {
    const { manager } = setup([refreshOk()]);
    const first = manager.getJwt();
    expect(manager.getJwt()).toBe(first);
    expect(manager.refresh()).toBe(first);
    return first;
  });

  it("a failed refresh rejects all waiters, keeps both tokens, and the next call tries again", async () => {
    const { manager, requests } = setup([serverError(114, "Refresh token not found", 400), refreshOk()]);
    const waiters = Array.from({ length: 5 }, () => rejection(manager.getJwt()));
    const errors = await Promise.all(waiters);
    expect(errors.every((e) => isSentcError(e) && e.code === "server" && e.serverCode === 114)).toBe(true);
    expect(new Set(errors).size).toBe(1);
    expect(manager.jwt).toBe(EXPIRED);
    expect(manager.refreshToken).toBe("refresh-1");
    expect(manager.refreshing).toBe(false);

    expect(await manager.getJwt()).toBe(NEW_JWT);
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => JSON.parse(String(r.body)).refresh_token)).toEqual(["refresh-1", "refresh-1"]);
  });

  it("a network failure during refresh is a retryable network_error and does not poison the next attempt", async () => {
    const { manager } = setup([() => Promise.reject(new TypeError("offline")), refreshOk()]);
    const error = await rejection(manager.getJwt());
    expect(isSentcError(error) && [error.code, error.retryable]).toEqual(["network_error", true]);
    expect(await manager.getJwt()).toBe(NEW_JWT);
  });

  it("a caller retrying right inside its catch starts a new refresh", async () => {
    const { manager, requests } = setup([serverError(114, "Refresh token not found"), refreshOk()]);
    const retried = manager.getJwt().catch(() => manager.getJwt());
    expect(await retried).toBe(NEW_JWT);
    expect(requests).toHaveLength(2);
  });

  it("rejects a malformed refresh answer and a malformed new JWT", async () => {
    const missing = setup([ok({ user_id: "user-1", device_id: "device-1" })]);
    expect(await codeOf(missing.manager.getJwt())).toBe("invalid_server_response");
    expect(missing.manager.jwt).toBe(EXPIRED);

    const garbage = setup([refreshOk("not-a-jwt")]);
    expect(await codeOf(garbage.manager.getJwt())).toBe("invalid_server_response");
    expect(garbage.manager.jwt).toBe(EXPIRED);
  });

  it("refuses a new JWT for another user or device", async () => {
    const otherUser = setup([refreshOk(makeJwt({ exp: NOW_S + 600, aud: "user-2" }))]);
    expect(await codeOf(otherUser.manager.getJwt())).toBe("invalid_server_response");
    const otherDevice = setup([refreshOk(makeJwt({ exp: NOW_S + 600, sub: "device-2" }))]);
    expect(await codeOf(otherDevice.manager.getJwt())).toBe("invalid_server_response");
    expect(otherDevice.manager.jwt).toBe(EXPIRED);
  });

  it("awaits onRefresh with the new tokens", async () => {
    const seen: unknown[] = [];
    const { manager } = setup([refreshOk()], { onRefresh: async (...args: unknown[]) => void seen.push(...args) });
    await manager.getJwt();
    expect(seen).toEqual([{ jwt: NEW_JWT, refreshToken: "refresh-1" }]);
  });

  it("needs a refresh token and a well-formed JWT", async () => {
    const http = new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN, fetch: fakeFetch([]).fetch });
    const codes: string[] = [];
    for (const make of [
      () => new JwtManager({ http, jwt: VALID }),
      () => new JwtManager({ http, jwt: "x.y", refreshToken: "r" }),
    ]) {
      try {
        make();
      } catch (error) {
        codes.push(isSentcError(error) ? error.code : "other");
      }
    }
    expect(codes).toEqual(["invalid_input", "invalid_format"]);
  });

  it("a refresh that finishes after setTokens does not overwrite the new session", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { manager } = setup(() =>
      gate.then(() => json({ status: true, result: { user_id: "user-1", jwt: NEW_JWT, device_id: "device-1" } })),
    );
    const pending = manager.getJwt();
    const relogin = makeJwt({ exp: NOW_S + 300, fresh: true });
    manager.setTokens({ jwt: relogin, refreshToken: "refresh-2" });
    release();
    expect(await pending).toBe(relogin);
    expect([manager.jwt, manager.refreshToken]).toEqual([relogin, "refresh-2"]);
  });
});

describe("JwtManager + HttpClient: a JWT refused by the server", () => {
  it("a burst of 401/30 answers causes one refresh; every request is retried with the new JWT", async () => {
    const { http, manager, requests } = setup(
      (request) => {
        if (request.path === "/api/v1/refresh")
          return json({ status: true, result: { user_id: "user-1", jwt: NEW_JWT, device_id: "device-1" } });
        if (request.headers.authorization === `Bearer ${VALID}`)
          return json({ status: false, err_code: 30, err_msg: "Wrong jwt" }, 401);
        return json({ status: true, result: [] });
      },
      { jwt: VALID },
    );
    await Promise.all(Array.from({ length: 5 }, () => getDevices(http, manager)));
    expect(requests.filter((r) => r.path === "/api/v1/refresh")).toHaveLength(1);
    expect(requests.filter((r) => r.headers.authorization === `Bearer ${NEW_JWT}`)).toHaveLength(5);
  });
});

describe("JwtManager, cookie strategy", () => {
  const strategy: RefreshStrategy = { kind: "cookie", url: COOKIE_URL };

  it("GETs the app's URL with the old JWT, credentials include and no app token; the text is the JWT", async () => {
    const { manager, requests } = setup([text(`${NEW_JWT}\n`)], { strategy });
    expect(await manager.getJwt()).toBe(NEW_JWT);
    const request = requests[0];
    expect(request?.url).toBe(COOKIE_URL);
    expect(request?.method).toBe("GET");
    expect(request?.credentials).toBe("include");
    expect(request?.headers).toEqual({ authorization: `Bearer ${EXPIRED}` });
    expect(request?.body).toBeUndefined();
    expect(manager.refreshToken).toBe("");
  });

  it("shares one request among concurrent callers", async () => {
    const { manager, requests } = setup(text(NEW_JWT), { strategy });
    const jwts = await Promise.all(Array.from({ length: 10 }, () => manager.getJwt()));
    expect(new Set(jwts)).toEqual(new Set([NEW_JWT]));
    expect(requests).toHaveLength(1);
  });

  it("an error status is refresh_failed with the status; a sentc error envelope keeps its code", async () => {
    const denied = setup([text("Unauthorized", 401)], { strategy });
    const error = await rejection(denied.manager.getJwt());
    expect(isSentcError(error) && [error.code, error.httpStatus]).toEqual(["refresh_failed", 401]);
    expect(denied.manager.jwt).toBe(EXPIRED);

    const passed = setup([serverError(114, "Refresh token not found")], { strategy });
    const server = await rejection(passed.manager.getJwt());
    expect(isSentcError(server) && [server.code, server.serverCode]).toEqual(["server", 114]);
  });

  it("refuses a body that is not a JWT (an HTML page, a JSON envelope) and recovers on the next call", async () => {
    const { manager } = setup(
      [text("<html>login</html>", 200, "text/html"), () => json({ status: true, result: NEW_JWT }), text(NEW_JWT)],
      { strategy },
    );
    expect(await codeOf(manager.getJwt())).toBe("invalid_server_response");
    expect(await codeOf(manager.getJwt())).toBe("invalid_server_response");
    expect(await manager.getJwt()).toBe(NEW_JWT);
  });

  it("a network failure is network_error", async () => {
    const { manager } = setup([() => Promise.reject(new TypeError("CORS"))], { strategy });
    expect(await codeOf(manager.getJwt())).toBe("network_error");
  });
});

describe("JwtManager, cookie_fn strategy", () => {
  it("passes the old JWT to the app's function and uses its answer", async () => {
    const calls: string[] = [];
    const strategy: RefreshStrategy = { kind: "cookie_fn", refresh: async (old) => (calls.push(old), NEW_JWT) };
    const { manager, requests } = setup([], { strategy });
    const jwts = await Promise.all([manager.getJwt(), manager.getJwt(), manager.getJwt()]);
    expect(jwts).toEqual([NEW_JWT, NEW_JWT, NEW_JWT]);
    expect(calls).toEqual([EXPIRED]);
    expect(requests).toHaveLength(0);
  });

  it("a throwing function is refresh_failed with the cause; a SentcError passes through", async () => {
    const cause = new Error("backend down");
    const failing = setup([], { strategy: { kind: "cookie_fn", refresh: () => Promise.reject(cause) } });
    const error = await rejection(failing.manager.getJwt());
    expect(isSentcError(error) && error.code).toBe("refresh_failed");
    expect((error as Error).cause).toBe(cause);
    expect(failing.manager.jwt).toBe(EXPIRED);

    const timeout = setup([], {
      strategy: { kind: "cookie_fn", refresh: () => Promise.reject(new SentcError("timeout", "t")) },
    });
    expect(await codeOf(timeout.manager.getJwt())).toBe("timeout");
  });

  it("a non-string or malformed answer is refused", async () => {
    const notString = setup([], {
      strategy: { kind: "cookie_fn", refresh: async () => undefined as unknown as string },
    });
    expect(await codeOf(notString.manager.getJwt())).toBe("refresh_failed");
    const malformed = setup([], { strategy: { kind: "cookie_fn", refresh: async () => "abc" } });
    expect(await codeOf(malformed.manager.getJwt())).toBe("invalid_server_response");
  });

  it("a failed attempt does not poison the next one", async () => {
    let n = 0;
    const { manager } = setup([], {
      strategy: { kind: "cookie_fn", refresh: async () => (n++ === 0 ? Promise.reject(new Error("once")) : NEW_JWT) },
    });
    expect(await codeOf(manager.getJwt())).toBe("refresh_failed");
    expect(await manager.getJwt()).toBe(NEW_JWT);
  });
});

describe("refreshStrategyFromOptions", () => {
  it("maps sentc's RefreshOptions (default api)", () => {
    const fn = async () => NEW_JWT;
    expect(REFRESH_ENDPOINT).toEqual({ cookie: 0, cookie_fn: 1, api: 2 });
    expect(refreshStrategyFromOptions()).toEqual({ kind: "api" });
    expect(refreshStrategyFromOptions({ endpoint: 2, endpoint_url: "ignored" })).toEqual({ kind: "api" });
    expect(refreshStrategyFromOptions({ endpoint: REFRESH_ENDPOINT.cookie, endpoint_url: COOKIE_URL })).toEqual({
      kind: "cookie",
      url: COOKIE_URL,
    });
    expect(refreshStrategyFromOptions({ endpoint: REFRESH_ENDPOINT.cookie_fn, endpoint_fn: fn })).toEqual({
      kind: "cookie_fn",
      refresh: fn,
    });
  });

  it("refuses a mode without its URL or function, and unknown modes", () => {
    for (const options of [{ endpoint: 0 }, { endpoint: 0, endpoint_url: "" }, { endpoint: 1 }, { endpoint: 7 }]) {
      let code = "";
      try {
        refreshStrategyFromOptions(options as never);
      } catch (error) {
        code = isSentcError(error) ? error.code : "other";
      }
      expect(code, JSON.stringify(options)).toBe("invalid_input");
    }
  });
});
