/**
 * JWT refresh strategies (api, cookie with a small customer backend holding the refresh token in an HttpOnly
 * cookie, cookie_fn), restore after a reload, logout and custom storage adapters.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "../../src/protocol/jwt.js";
import { MemoryStorage, REFRESH_ENDPOINT, Sentc, type StorageInterface, type User } from "../../src/index.js";
import { unique } from "../server/harness.js";
import { recordingFetch, reinit, sentcError, startSdkHarness, type SdkHarness } from "./helpers.js";

let s: SdkHarness;
beforeAll(async () => {
  s = await startSdkHarness();
});
afterAll(() => s.h.close());
afterEach(() => {
  s.h.clock.offsetMs = 0;
});

/** Logs in while the server's clock lags, so the JWT expires in 15 s: inside the SDK's 30 s refresh margin. */
async function loginNearExpiry(identifier: string, password: string): Promise<User> {
  s.h.clock.offsetMs = -285_000;
  try {
    return await Sentc.login(identifier, password, true);
  } finally {
    s.h.clock.offsetMs = 0;
  }
}

async function registered(): Promise<{ identifier: string; password: string }> {
  const identifier = unique();
  await Sentc.register(identifier, "pw");
  return { identifier, password: "pw" };
}

describe("api refresh (default)", () => {
  it("refreshes once for concurrent callers, persists the JWT and restores the user after a reload via POST /init", async () => {
    const log: string[] = [];
    await reinit(s, { fetch: recordingFetch(log) });
    const { identifier, password } = await registered();
    const user = await loginNearExpiry(identifier, password);
    const oldJwt = user.user_data.jwt;
    log.length = 0;
    const jwts = await Promise.all([
      user.getJwt(),
      user.getJwt(),
      user.getJwt(),
      user.getDevices().then(() => user.user_data.jwt),
    ]);
    expect(log.filter((l) => l === "PUT /api/v1/refresh")).toHaveLength(1);
    expect(new Set(jwts).size).toBe(1);
    expect(jwts[0]).not.toBe(oldJwt);
    expect(decodeJwt(jwts[0]!).fresh).toBe(false);
    const store = await Sentc.getStore();
    const stored = await store.getItem<{ jwt: string; refresh_token: string }>(`user_data_id_${identifier}`);
    expect(stored?.jwt).toBe(jwts[0]);
    expect(stored?.refresh_token).toBe(user.user_data.refresh_token);
    // No refresh while the JWT is valid.
    await user.getJwt();
    expect(log.filter((l) => l === "PUT /api/v1/refresh")).toHaveLength(1);

    // Reload: same store (memory survives Sentc.reset only through the adapter), POST /init, same user.
    const restored = await reinit(s, { fetch: recordingFetch(log), storage: { getStorage: async () => store } });
    expect(restored?.user_data.user_id).toBe(user.user_data.user_id);
    // POST /init restores the session; then the key transparency monitoring reads the user's own log entries.
    expect(log.slice(-2)).toEqual(["POST /api/v1/init", `GET /api/v1/kt/subject/user/${user.user_data.user_id}`]);
    expect(restored?.group_invites).toEqual([]);
    expect(restored?.user_data.jwt).not.toBe(jwts[0]);
    expect(await restored!.getDevices()).toHaveLength(1);
    expect(await Sentc.getActualUser()).toBe(restored);
    // A second init returns the current user and ignores the new options.
    expect(await Sentc.init({ app_token: "ignored" })).toBe(restored);

    // Sentc.refreshJwt with the api strategy.
    const manual = await Sentc.refreshJwt(restored!.user_data.jwt, restored!.user_data.refresh_token);
    expect(decodeJwt(manual).aud).toBe(user.user_data.user_id);
    expect(await sentcError(Sentc.refreshJwt(restored!.user_data.jwt, "not the token"))).toMatchObject({
      code: "server",
      serverCode: 114,
    });
  });

  it("logout removes everything the SDK stored; init then finds no user", async () => {
    const store = new MemoryStorage();
    await reinit(s, { storage: { getStorage: async () => store } });
    const { identifier, password } = await registered();
    const other = await registered();
    const otherId = await Sentc.login(other.identifier, other.password, true);
    const user = await Sentc.login(identifier, password, true);
    await user.encryptString("x", otherId.user_data.user_id, true);
    await Sentc.getUserVerifyKey(otherId.user_data.user_id, otherId.user_data.newest_key_id);
    const before = await store.keys();
    expect(before).toContain("actual_user");
    expect(before).toContain(`user_public_key_id_${otherId.user_data.user_id}`);
    await user.logOut();
    const after = await store.keys();
    // Only the other login's data stays (a second account on this device) and the app's key transparency state
    // (its log key and newest signed head: the app's, no user's, kept so a later login cannot be shown a forked or
    // older log); no caches, no actual_user.
    expect(after.sort()).toEqual(["kt_state", `user_data_id_${other.identifier}`].sort());
    expect((await sentcError(Sentc.getActualUser())).code).toBe("not_logged_in");
    expect(await reinit(s, { storage: { getStorage: async () => store } })).toBeUndefined();
  });

  it("returns undefined from init when the stored refresh token is no longer valid", async () => {
    const store = new MemoryStorage();
    await reinit(s, { storage: { getStorage: async () => store } });
    const { identifier, password } = await registered();
    const user = await Sentc.login(identifier, password, true);
    await s.h.call("DELETE", "/api/v1/user/forced/sessions", {
      token: s.lax.secretToken,
      body: { user_identifier: identifier },
    });
    expect(await reinit(s, { storage: { getStorage: async () => store } })).toBeUndefined();
    expect(user.user_data.user_id).toBeTruthy();
  });
});

describe("custom storage", () => {
  it("restores from a JSON-only adapter (key_map rebuilt) and decrypts", async () => {
    const json = new Map<string, string>();
    const adapter: StorageInterface = {
      async getItem<T>(key: string) {
        const v = json.get(key);
        return v === undefined ? undefined : (JSON.parse(v) as T);
      },
      async set(key, value) {
        json.set(key, JSON.stringify(value));
      },
      async delete(key) {
        json.delete(key);
      },
    };
    await reinit(s, { storage: { getStorage: async () => adapter } });
    const { identifier, password } = await registered();
    const user = await Sentc.login(identifier, password, true);
    const text = await user.encryptString("kept", user.user_data.user_id);
    const restored = await reinit(s, { storage: { getStorage: async () => adapter } });
    expect(restored).toBeDefined();
    expect(restored!.user_data.key_map).toBeInstanceOf(Map);
    expect(restored!.user_data.key_map.get(user.user_data.newest_key_id)).toBe(0);
    expect(restored!.decryptStringSync(text)).toBe("kept");
    await restored!.logOut();
    expect(json.has(`user_data_id_${identifier}`)).toBe(false);
    expect(json.has("actual_user")).toBe(false);
  });

  it("rejects an adapter without the needed methods", async () => {
    await reinit(s, { storage: { getStorage: async () => ({}) as StorageInterface } });
    expect((await sentcError(Sentc.getStore())).code).toBe("invalid_input");
    await reinit(s);
  });
});

/** A tiny customer backend: keeps the refresh token in an HttpOnly cookie and refreshes with PUT /api/v1/refresh. */
async function customerBackend(): Promise<{
  url: string;
  hits: string[];
  close(): Promise<void>;
  fail: { on: boolean };
}> {
  const hits: string[] = [];
  const fail = { on: false };
  const server: Server = createServer(async (req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === "POST" && req.url === "/session") {
      const { refresh_token } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(204, {
        "Set-Cookie": `rt=${encodeURIComponent(refresh_token)}; HttpOnly; Path=/; SameSite=Strict`,
      });
      res.end();
      return;
    }
    if (req.method === "GET" && req.url === "/refresh") {
      const cookie = /(?:^|;\s*)rt=([^;]+)/.exec(req.headers.cookie ?? "");
      if (!cookie || fail.on) {
        res.writeHead(401, { "content-type": "text/plain" });
        res.end("no session");
        return;
      }
      const answer = await fetch(`${s.baseUrl}/api/v1/refresh`, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          "x-sentc-app-token": s.lax.publicToken,
          authorization: req.headers.authorization ?? "",
        },
        body: JSON.stringify({ refresh_token: decodeURIComponent(cookie[1]!) }),
      });
      const body = (await answer.json()) as { status: boolean; result?: { jwt: string } };
      if (!body.status) {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(body.result!.jwt);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, fail, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A browser-like cookie jar for one origin: keeps Set-Cookie and sends it with `credentials: "include"`. */
function cookieJarFetch(origin: string) {
  const jar = new Map<string, string>();
  return async (input: string, init: RequestInit = {}) => {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    if (url.origin === origin && init.credentials === "include" && jar.size > 0) {
      headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const response = await fetch(input, { ...init, headers });
    if (url.origin === origin) {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const eq = pair!.indexOf("=");
        jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
      }
    }
    return response;
  };
}

describe("cookie refresh", () => {
  it("refreshes through the app's backend, never stores the refresh token, and restores after a reload", async () => {
    const backend = await customerBackend();
    try {
      const jarFetch = cookieJarFetch(backend.url);
      const store = new MemoryStorage();
      const options = {
        refresh: { endpoint: REFRESH_ENDPOINT.cookie, endpoint_url: `${backend.url}/refresh` },
        fetch: jarFetch,
        storage: { getStorage: async () => store },
      };
      await reinit(s, options);
      const { identifier, password } = await registered();
      const user = await loginNearExpiry(identifier, password);
      // Appendix B 2: the app can read the refresh token after login to hand it to its backend…
      expect(user.user_data.refresh_token.length).toBeGreaterThan(20);
      // …but the SDK does not store it.
      expect((await store.getItem<{ refresh_token: string }>(`user_data_id_${identifier}`))?.refresh_token).toBe("");
      await jarFetch(`${backend.url}/session`, {
        method: "POST",
        credentials: "include",
        body: JSON.stringify({ refresh_token: user.user_data.refresh_token }),
      });

      const old = user.user_data.jwt;
      const [a, b] = await Promise.all([user.getJwt(), user.getJwt()]);
      expect(a).toBe(b);
      expect(a).not.toBe(old);
      expect(backend.hits.filter((h) => h === "GET /refresh")).toHaveLength(1);
      expect((await store.getItem<{ jwt: string }>(`user_data_id_${identifier}`))?.jwt).toBe(a);
      expect(await user.getDevices()).toHaveLength(1);

      // Reload: cookie modes renew with getJwt (only when near expiry); the user comes back.
      const restored = await reinit(s, options);
      expect(restored?.user_data.user_id).toBe(user.user_data.user_id);
      expect(await Sentc.refreshJwt(restored!.user_data.jwt, "")).toMatch(/^ey/);
      expect(backend.hits.filter((h) => h === "GET /refresh")).toHaveLength(2);

      // The backend refusing is a typed error; the old JWT stays.
      backend.fail.on = true;
      expect((await sentcError(Sentc.refreshJwt(restored!.user_data.jwt, ""))).code).toBe("refresh_failed");
    } finally {
      await backend.close();
    }
  });

  it("needs endpoint_url", async () => {
    Sentc.reset();
    expect(
      (
        await sentcError(
          Sentc.init({
            base_url: s.baseUrl,
            app_token: s.lax.publicToken,
            refresh: { endpoint: REFRESH_ENDPOINT.cookie },
          }),
        )
      ).code,
    ).toBe("invalid_input");
  });
});

describe("cookie_fn refresh", () => {
  it("refreshes through the app's function and reports its failure", async () => {
    let refreshToken = "";
    const calls: string[] = [];
    let failNext = false;
    const endpoint_fn = async (oldJwt: string) => {
      calls.push(oldJwt);
      if (failNext) throw new Error("backend down");
      const answer = await fetch(`${s.baseUrl}/api/v1/refresh`, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          "x-sentc-app-token": s.lax.publicToken,
          authorization: `Bearer ${oldJwt}`,
        },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      return ((await answer.json()) as { result: { jwt: string } }).result.jwt;
    };
    const store = new MemoryStorage();
    await reinit(s, {
      refresh: { endpoint: REFRESH_ENDPOINT.cookie_fn, endpoint_fn },
      storage: { getStorage: async () => store },
    });
    const { identifier, password } = await registered();
    const user = await loginNearExpiry(identifier, password);
    refreshToken = user.user_data.refresh_token;
    const old = user.user_data.jwt;
    const jwt = await user.getJwt();
    expect(calls).toEqual([old]);
    expect(jwt).not.toBe(old);
    expect(await store.getItem<{ refresh_token: string; jwt: string }>(`user_data_id_${identifier}`)).toMatchObject({
      refresh_token: "",
      jwt,
    });
    failNext = true;
    const error = await sentcError(Sentc.refreshJwt(jwt, ""));
    expect(error.code).toBe("refresh_failed");
    expect(user.user_data.jwt).toBe(jwt);
  });
});
