/**
 * Request logs: one JSON line per request with request id, route pattern, method, status, duration and
 * app id; err_code on error envelopes; the request id in the `x-request-id` header; and none of the
 * secrets of the requests made here (app tokens, JWTs, refresh tokens, passwords, auth keys) anywhere in
 * the log, also when something logs headers on purpose (redaction).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggingServerOptions } from "../../server/logging.js";
import { expectError, expectOk, login, registerUser, startHarness, unique, type Harness } from "./harness.js";

interface LogLine {
  level: number;
  msg: string;
  request_id?: string;
  method?: string;
  route?: string;
  status?: number;
  duration_ms?: number;
  app_id?: string;
  err_code?: number;
  [key: string]: unknown;
}

const INFO = 30;
const ERROR = 50;

function capture(): { write(line: string): void; text(): string; lines(): LogLine[] } {
  const chunks: string[] = [];
  return {
    write: (line) => void chunks.push(line),
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as LogLine),
  };
}

const requestLines = (lines: LogLine[]) => lines.filter((l) => l.msg === "request completed");

let h: Harness;
const logs = capture();

beforeAll(async () => {
  h = await startHarness({}, { server: { logging: { level: "info", destination: logs } } });
});
afterAll(async () => {
  await h?.close();
});

describe("request logs", () => {
  it("write one line per request with id, route pattern, method, status, duration and app, and no secret", async () => {
    const password = `pw-${unique("secret")}`;
    const user = await registerUser(h, unique("logged"), password);
    const session = await login(h, user.identifier, password);
    // A route with ids in its path, a refresh, a JWT route.
    expectOk(await h.call("GET", `/api/v1/user/${user.userId}/public_key`));
    const refreshed = expectOk(
      await h.call("PUT", "/api/v1/refresh", { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    );
    expectOk(await h.call("GET", "/api/v1/user/jwt", { jwt: session.jwt, token: h.app.secretToken }));
    const before = requestLines(logs.lines()).length;
    const answer = await h.call("GET", "/api/v1/user/jwt", {
      jwt: session.jwt,
      headers: { "x-request-id": "trace-0123.abc:9" },
      token: h.app.secretToken,
    });
    expectOk(answer);
    expect(answer.headers.get("x-request-id")).toBe("trace-0123.abc:9");

    const lines = requestLines(logs.lines());
    expect(lines.length).toBe(before + 1);
    // register, prepare/done/verify login, public key, refresh, jwt, jwt
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) {
      expect(line.level).toBe(INFO);
      expect(typeof line.request_id).toBe("string");
      expect(line.request_id!.length).toBeGreaterThan(0);
      expect(line.route).toMatch(/^\/api\/v1\//);
      expect(["GET", "POST", "PUT"]).toContain(line.method);
      expect(line.status).toBe(200);
      expect(typeof line.duration_ms).toBe("number");
      expect(line.duration_ms).toBeGreaterThanOrEqual(0);
      expect(line.app_id).toBe(h.app.id);
      expect(line.err_code).toBeUndefined();
      // Nothing of the request itself.
      expect(line).not.toHaveProperty("url");
      expect(line).not.toHaveProperty("req");
      expect(line).not.toHaveProperty("headers");
    }
    expect(new Set(lines.map((l) => l.request_id)).size).toBe(lines.length);
    expect(lines.map((l) => l.route)).toEqual(
      expect.arrayContaining([
        "/api/v1/register",
        "/api/v1/prepare_login",
        "/api/v1/done_login",
        "/api/v1/verify_login",
        "/api/v1/user/:user_id/public_key",
        "/api/v1/refresh",
        "/api/v1/user/jwt",
      ]),
    );
    expect(lines.at(-1)!.request_id).toBe("trace-0123.abc:9");

    const text = logs.text();
    const secrets = {
      publicToken: h.app.publicToken,
      secretToken: h.app.secretToken,
      jwt: session.jwt,
      refreshedJwt: refreshed.jwt as string,
      refreshToken: session.refreshToken,
      password,
      authKey: Buffer.from(session.authKey).toString("base64"),
      identifier: user.identifier,
      userId: user.userId,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect(typeof secret, name).toBe("string");
      expect(secret.length, name).toBeGreaterThan(8);
      expect(text.includes(secret), `${name} is in the log`).toBe(false);
      // Also not a piece of it (a JWT's signature, a token's middle).
      expect(text.includes(secret.slice(8, 40)), `part of ${name} is in the log`).toBe(false);
    }
  });

  it("have err_code and the request id of error envelopes; no app id when the token did not resolve", async () => {
    const bad = await h.call("GET", "/api/v1/user/jwt", { jwt: "not-a-jwt", token: h.app.secretToken });
    expectError(bad, 401, 32);
    const noApp = await h.call("POST", "/api/v1/exists", {
      token: "no-such-token-0123456789",
      body: { user_identifier: "x" },
    });
    expect(noApp.status).toBe(401);
    const missing = await h.call("GET", "/api/v1/no/such/route");
    expectError(missing, 404, 404);
    const badUrl = await h.call("GET", "/api/v1/user/%zz/public_key");
    expectError(badUrl, 404, 404);

    const lines = requestLines(logs.lines());
    const byId = (answer: { headers: Headers }) => {
      const id = answer.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const line = lines.find((l) => l.request_id === id);
      expect(line, `log line of ${id}`).toBeDefined();
      return line!;
    };
    expect(byId(bad)).toMatchObject({
      route: "/api/v1/user/jwt",
      method: "GET",
      status: 401,
      err_code: 32,
      app_id: h.app.id,
    });
    const noAppLine = byId(noApp);
    expect(noAppLine).toMatchObject({ route: "/api/v1/exists", status: 401, err_code: noApp.body.err_code });
    expect(noAppLine.app_id).toBeUndefined();
    // No route: "unmatched", never the path the caller typed.
    expect(byId(missing)).toMatchObject({ route: "unmatched", status: 404, err_code: 404 });
    expect(byId(badUrl)).toMatchObject({ route: "unmatched", status: 404, err_code: 404 });
    expect(logs.text()).not.toContain("no/such/route");
    expect(logs.text()).not.toContain("no-such-token-0123456789");
  });

  it("replace an incoming request id that is not sane", async () => {
    for (const incoming of ["has spaces in it", "x".repeat(200), 'quote"s', "-starts-with-dash"]) {
      const answer = await h.call("GET", "/health", { headers: { "x-request-id": incoming } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("x-request-id")).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });

  it("redact authorization, app token and cookies should anything log them", () => {
    const jwt = "eyJhbGciOiJFUzM4NCJ9.redaction-test-payload.signature-redaction";
    h.server.http.log.info(
      {
        req: {
          headers: {
            authorization: `Bearer ${jwt}`,
            "x-sentc-app-token": "app-token-redaction-test",
            cookie: "session=cookie-redaction-test",
          },
        },
        headers: {
          authorization: `Bearer ${jwt}`,
          "x-sentc-app-token": "app-token-redaction-test",
          cookie: "session=cookie-redaction-test",
          "set-cookie": "a=set-cookie-redaction",
        },
        body: { password: "password-redaction-test", refresh_token: "refresh-redaction-test" },
      },
      "redaction check",
    );
    const line = logs.lines().find((l) => l.msg === "redaction check");
    expect(line).toBeDefined();
    const text = JSON.stringify(line);
    for (const secret of [
      "redaction-test-payload",
      "app-token-redaction-test",
      "cookie-redaction-test",
      "set-cookie-redaction",
      "password-redaction-test",
      "refresh-redaction-test",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("[redacted]");
  });

  it("log an unexpected error at error level with its request id and err_code 10", async () => {
    const own = capture();
    const server = await startHarness({}, { server: { logging: { level: "info", destination: own } } });
    try {
      await server.server.store.close();
      const answer = await server.call("POST", "/api/v1/exists", { body: { user_identifier: "x" } });
      expectError(answer, 500, 10);
      const id = answer.headers.get("x-request-id");
      const lines = own.lines().filter((l) => l.request_id === id);
      const internal = lines.find((l) => l.msg === "internal error");
      expect(internal?.level).toBe(ERROR);
      const request = lines.find((l) => l.msg === "request completed");
      expect(request).toMatchObject({ level: ERROR, status: 500, err_code: 10, route: "/api/v1/exists" });
    } finally {
      await server.close();
    }
  });

  it("skip info lines below the level, and are off unless asked", async () => {
    const quiet = capture();
    const server = await startHarness({}, { server: { logging: { level: "warn", destination: quiet } } });
    try {
      expectOk(await server.call("POST", "/api/v1/exists", { body: { user_identifier: "x" } }));
      expectError(await server.call("GET", "/api/v1/nothing"), 404, 404);
      expect(requestLines(quiet.lines())).toEqual([]);
    } finally {
      await server.close();
    }
    // Tests and embedders get no logger unless they ask for one.
    expect(loggingServerOptions().logger).toBe(false);
    expect(loggingServerOptions({ level: "silent" }).logger).toBe(false);
  });
});
