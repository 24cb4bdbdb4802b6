import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpClient, exchange, pagePath, pathSegment, type JwtProvider } from "../../src/api/http.js";
import { isSentcError } from "../../src/errors.js";
import {
  APP_TOKEN,
  BASE,
  fakeFetch,
  hangForever,
  hangUntilAborted,
  json,
  ok,
  rejection,
  serverError,
  text,
  type Handler,
} from "./fake-fetch.js";

function client(respond: Handler | Handler[], timeoutMs?: number) {
  const fake = fakeFetch(respond);
  const http = new HttpClient({
    baseUrl: BASE,
    appToken: APP_TOKEN,
    fetch: fake.fetch,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { http, requests: fake.requests };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  return isSentcError(error) ? error.code : `not a SentcError: ${String(error)}`;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("HttpClient: requests", () => {
  it("sends a JSON body to /api/v1<path> with the app token and Content-Type, and returns result", async () => {
    const { http, requests } = client(ok({ available: true }));
    const result = await http.requestJson("POST", "/exists", '{"user_identifier":"alice"}');
    expect(result).toEqual({ available: true });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe(`${BASE}/api/v1/exists`);
    expect(request?.method).toBe("POST");
    expect(request?.body).toBe('{"user_identifier":"alice"}');
    expect(request?.headers).toEqual({ "x-sentc-app-token": APP_TOKEN, "content-type": "application/json" });
  });

  it("stringifies object bodies", async () => {
    const { http, requests } = client(ok("Success"));
    await http.requestJson("PUT", "/refresh", { refresh_token: "r" }, "jwt-1");
    expect(requests[0]?.body).toBe('{"refresh_token":"r"}');
  });

  it("adds the Bearer JWT and the group access id when given; no Content-Type without a body", async () => {
    const { http, requests } = client(ok([]));
    await http.requestJson("GET", "/group/g1/member/0/none", undefined, "the-jwt", { groupAccessId: "connected-1" });
    expect(requests[0]?.headers).toEqual({
      "x-sentc-app-token": APP_TOKEN,
      authorization: "Bearer the-jwt",
      "x-sentc-group-access-id": "connected-1",
    });
    expect(requests[0]?.body).toBeUndefined();
  });

  it("takes the JWT from a provider", async () => {
    const { http, requests } = client(ok([]));
    const provider: JwtProvider = { getJwt: async () => "provided" };
    await http.requestJson("GET", "/user/device/0/none", undefined, provider);
    expect(requests[0]?.headers.authorization).toBe("Bearer provided");
  });

  it("drops trailing slashes of the base URL and validates its options", () => {
    const http = new HttpClient({ baseUrl: `${BASE}//`, appToken: APP_TOKEN });
    expect(http.apiUrl("/exists")).toBe(`${BASE}/api/v1/exists`);
    expect(() => http.apiUrl("exists")).toThrow(/start with/);
    for (const bad of [
      { baseUrl: "api.sentc.com", appToken: "t" },
      { baseUrl: BASE, appToken: "" },
      { baseUrl: BASE, appToken: "t", timeoutMs: 0 },
    ]) {
      let code = "";
      try {
        new HttpClient(bad);
      } catch (error) {
        code = isSentcError(error) ? error.code : "other";
      }
      expect(code).toBe("invalid_input");
    }
  });

  it("uses globalThis.fetch when none is injected", async () => {
    const fake = fakeFetch(ok("Success"));
    vi.stubGlobal("fetch", fake.fetch);
    try {
      await new HttpClient({ baseUrl: BASE, appToken: APP_TOKEN }).requestJson(
        "PATCH",
        "/user/disable_otp",
        undefined,
        "j",
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["PATCH /api/v1/user/disable_otp"]);
  });
});

describe("HttpClient: envelope outcomes", () => {
  it("turns an error envelope into a server SentcError", async () => {
    const { http } = client(serverError(101, "User already exists", 400));
    const error = await rejection(http.requestJson("POST", "/register", "{}"));
    expect(isSentcError(error) && [error.code, error.serverCode, error.httpStatus, error.message]).toEqual([
      "server",
      101,
      400,
      "User already exists",
    ]);
  });

  it("turns a proxy's HTML page into invalid_server_response (retryable for 502-504)", async () => {
    const { http } = client(text("<html><h1>503 Service Unavailable</h1></html>", 503, "text/html"));
    const error = await rejection(http.requestJson("GET", "/user/device/0/none", undefined, "j"));
    expect(isSentcError(error) && [error.code, error.httpStatus, error.retryable]).toEqual([
      "invalid_server_response",
      503,
      true,
    ]);
  });

  it("rejects a success envelope without result", async () => {
    const { http } = client(() => json({ status: true }));
    expect(await codeOf(http.requestJson("GET", "/x"))).toBe("invalid_server_response");
  });
});

describe("HttpClient: network failures, timeouts, cancellation", () => {
  it("maps a rejected fetch to a retryable network_error with the cause", async () => {
    const cause = new TypeError("fetch failed");
    const { http } = client(() => Promise.reject(cause));
    const error = await rejection(http.requestJson("POST", "/prepare_login", "{}"));
    expect(isSentcError(error) && [error.code, error.retryable]).toEqual(["network_error", true]);
    expect((error as Error).cause).toBe(cause);
  });

  it("maps a body that cannot be read to network_error", async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const { http } = client(() => new Response(broken, { status: 200 }));
    expect(await codeOf(http.requestJson("GET", "/x"))).toBe("network_error");
  });

  it("times out with a retryable timeout error and aborts the fetch", async () => {
    vi.useFakeTimers();
    const { http, requests } = client(hangUntilAborted, 5000);
    const pending = rejection(http.requestJson("GET", "/user/device/0/none", undefined, "j"));
    await vi.advanceTimersByTimeAsync(4999);
    expect(requests[0]?.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await pending;
    expect(isSentcError(error) && [error.code, error.retryable]).toEqual(["timeout", true]);
    expect(requests[0]?.signal?.aborted).toBe(true);
  });

  it("times out even when fetch ignores its signal", async () => {
    vi.useFakeTimers();
    const { http } = client(hangForever);
    const pending = codeOf(http.requestJson("GET", "/x", undefined, undefined, { timeoutMs: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(await pending).toBe("timeout");
  });

  it("covers reading the body with the timeout", async () => {
    vi.useFakeTimers();
    const stalled = new ReadableStream<Uint8Array>({ start() {} });
    const { http } = client(() => new Response(stalled, { status: 200 }), 1000);
    const pending = codeOf(http.requestJson("GET", "/x"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(await pending).toBe("timeout");
  });

  it("a per-request timeout overrides the client default", async () => {
    vi.useFakeTimers();
    const { http } = client(hangUntilAborted, 60_000);
    const pending = codeOf(http.requestJson("GET", "/x", undefined, undefined, { timeoutMs: 10 }));
    await vi.advanceTimersByTimeAsync(10);
    expect(await pending).toBe("timeout");
  });

  it("no timeout unless configured: a slow answer still arrives", async () => {
    vi.useFakeTimers();
    const { http } = client(
      () => new Promise((resolve) => setTimeout(() => resolve(json({ status: true, result: 1 })), 600_000)),
    );
    const pending = http.requestJson("GET", "/x");
    await vi.advanceTimersByTimeAsync(600_000);
    expect(await pending).toBe(1);
  });

  it("maps the caller's abort to aborted (not retryable), before and during the request", async () => {
    const before = new AbortController();
    before.abort();
    const first = client(ok(1));
    const error = await rejection(first.http.requestJson("GET", "/x", undefined, undefined, { signal: before.signal }));
    expect(isSentcError(error) && [error.code, error.retryable]).toEqual(["aborted", false]);
    expect(first.requests).toHaveLength(0);

    const during = new AbortController();
    const second = client(hangUntilAborted);
    const pending = codeOf(second.http.requestJson("GET", "/x", undefined, undefined, { signal: during.signal }));
    await Promise.resolve();
    during.abort();
    expect(await pending).toBe("aborted");
  });

  it("clears its timer once the answer is read", async () => {
    vi.useFakeTimers();
    const { http } = client(ok(1), 1000);
    await http.requestJson("GET", "/x");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("exchange rejects a non-positive timeout", async () => {
    const fake = fakeFetch(ok(1));
    expect(await codeOf(exchange(fake.fetch, `${BASE}/x`, {}, { timeoutMs: -1 }))).toBe("invalid_input");
  });
});

describe("HttpClient: binary file parts", () => {
  it("uploads raw bytes with the JWT to a full URL", async () => {
    const { http, requests } = client(ok("Success"));
    const part = Uint8Array.of(1, 2, 3, 0, 255);
    await http.uploadBytes("POST", `${BASE}/api/v1/file/part/s1/0/true`, part, "j");
    const request = requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.body).toEqual(part);
    expect(request?.headers["content-type"]).toBe("application/octet-stream");
    expect(request?.headers.authorization).toBe("Bearer j");
    expect(request?.headers["x-sentc-app-token"]).toBe(APP_TOKEN);
  });

  it("downloads raw bytes", async () => {
    const { http, requests } = client(() => new Response(Uint8Array.of(9, 8, 7), { status: 200 }));
    expect(await http.downloadBytes(`${BASE}/api/v1/file/part/p1`)).toEqual(Uint8Array.of(9, 8, 7));
    expect(requests[0]?.headers.authorization).toBeUndefined();
  });

  it("reads a failed download's body as an error envelope", async () => {
    const { http } = client(serverError(521, "No access to this file", 400));
    const error = await rejection(http.downloadBytes(`${BASE}/api/v1/file/part/p1`));
    expect(isSentcError(error) && [error.code, error.serverCode]).toEqual(["server", 521]);
  });

  it("a failed download without an envelope is invalid_server_response", async () => {
    const { http } = client(text("Not Found", 404));
    const error = await rejection(http.downloadBytes(`${BASE}/api/v1/file/part/p1`));
    expect(isSentcError(error) && [error.code, error.httpStatus]).toEqual(["invalid_server_response", 404]);
  });
});

describe("HttpClient: JWT refused by the server", () => {
  it("asks the provider once for a new JWT after 401/30 and retries", async () => {
    const { http, requests } = client([serverError(30, "Wrong jwt", 401), ok("Success")]);
    const seen: string[] = [];
    const provider: JwtProvider = {
      getJwt: async () => "old",
      refreshAfterRejection: async (rejected) => {
        seen.push(rejected);
        return "new";
      },
    };
    expect(await http.requestJson("PUT", "/user", '{"user_identifier":"b"}', provider)).toBe("Success");
    expect(seen).toEqual(["old"]);
    expect(requests.map((r) => r.headers.authorization)).toEqual(["Bearer old", "Bearer new"]);
    expect(requests[1]?.body).toBe('{"user_identifier":"b"}');
  });

  it("does not retry a second time, nor for other codes, nor for string JWTs", async () => {
    const twice = client([serverError(30, "Wrong jwt", 401), serverError(30, "Wrong jwt", 401)]);
    let refreshes = 0;
    const provider: JwtProvider = { getJwt: async () => "a", refreshAfterRejection: async () => (refreshes++, "b") };
    expect(await codeOf(twice.http.requestJson("GET", "/x", undefined, provider))).toBe("server");
    expect([twice.requests.length, refreshes]).toEqual([2, 1]);

    const notFresh = client([serverError(113, "The jwt is not valid for this action", 401)]);
    expect(await codeOf(notFresh.http.requestJson("DELETE", "/user", undefined, provider))).toBe("server");
    expect(notFresh.requests).toHaveLength(1);

    const plain = client([serverError(30, "Wrong jwt", 401)]);
    expect(await codeOf(plain.http.requestJson("GET", "/x", undefined, "fresh-jwt"))).toBe("server");
    expect(plain.requests).toHaveLength(1);
  });
});

describe("path helpers", () => {
  it("encodes path segments and refuses empty ones", () => {
    expect(pathSegment("a/b?c", "id")).toBe("a%2Fb%3Fc");
    expect(() => pathSegment("", "the id")).toThrow(/the id/);
  });

  it("builds page cursors like sentc (first page 0/none)", () => {
    expect(pagePath(undefined)).toBe("/0/none");
    expect(pagePath(null)).toBe("/0/none");
    expect(pagePath({ time: 1700000000123, id: "k-1" })).toBe("/1700000000123/k-1");
    expect(pagePath({ time: "340282366920938463463374607431768211455", id: "x" })).toBe(
      "/340282366920938463463374607431768211455/x",
    );
    for (const time of [-1, 1.5, Number.NaN, "12a", ""]) expect(() => pagePath({ time, id: "x" })).toThrow(/cursor/);
  });
});
