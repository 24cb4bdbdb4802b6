/**
 * The operations endpoints outside /api: GET /health (liveness), GET /ready (the database answers and
 * every migration is applied; 503 otherwise) and GET /metrics (Prometheus text, only with the metrics
 * option): request counters and latency by route pattern, logins, refreshes, pending rotations read from
 * the store, database connection use. On the test store (SQLite or PostgreSQL).
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { prepareLogin } from "../../src/protocol/login.js";
import { MIGRATIONS } from "../../server/store/migrations.js";
import { createGroup, newUser, V } from "./group-helpers.js";
import {
  createTestDatabase,
  expectError,
  expectOk,
  login,
  registerUser,
  startHarness,
  testStoreKind,
  type Harness,
} from "./harness.js";

const onPostgres = testStoreKind() === "postgres";
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function started(options: Parameters<typeof startHarness>[1] = {}): Promise<Harness> {
  const h = await startHarness({}, options);
  cleanups.push(() => h.close());
  return h;
}

async function get(h: Harness, path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(h.server.baseUrl + path);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** A database of the test's own (a SQLite file or a PostgreSQL schema) whose migration table the test can change. */
async function ownDatabase(): Promise<{ dbPath: string; exec(sql: string): Promise<void> }> {
  if (onPostgres) {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    return {
      dbPath: db.url,
      async exec(sql) {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "sentc-ops-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, "sentc.sqlite");
  return {
    dbPath,
    async exec(sql) {
      const db = new Database(dbPath);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
  };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of one series (0 when it does not exist yet). */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value ?? 0;
}

async function scrape(h: Harness): Promise<Sample[]> {
  const answer = await get(h, "/metrics");
  expect(answer.status).toBe(200);
  expect(answer.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(answer.text);
}

describe("GET /health and GET /ready", () => {
  it("answer 200 while the store works; /ready 503 once it is closed, /health still 200", async () => {
    const h = await started();
    const health = await get(h, "/health");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: "ok" });
    expect(health.headers.get("content-type")).toMatch(/^application\/json/);
    const ready = await get(h, "/ready");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: "ready" });
    // Not under /api, not the envelope; HEAD works for probes too.
    expect((await fetch(`${h.server.baseUrl}/health`, { method: "HEAD" })).status).toBe(200);
    expectError(await h.call("GET", "/api/v1/health"), 404, 404);

    await h.server.store.close();
    const closed = await get(h, "/ready");
    expect(closed.status).toBe(503);
    expect(JSON.parse(closed.text)).toEqual({ status: "unavailable", reason: "database unavailable" });
    expect((await get(h, "/health")).status).toBe(200);
  });

  it("/ready answers 503 while a migration is missing, and 200 again once it is there", async () => {
    const db = await ownDatabase();
    const h = await started({ server: { dbPath: db.dbPath } });
    expect((await get(h, "/ready")).status).toBe(200);
    const last = MIGRATIONS[MIGRATIONS.length - 1]!;
    await db.exec(`DELETE FROM schema_migrations WHERE version = ${last.version}`);
    const missing = await get(h, "/ready");
    expect(missing.status).toBe(503);
    expect(JSON.parse(missing.text)).toEqual({ status: "unavailable", reason: "migrations pending" });
    await db.exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${last.version}, 'restored', 0)`);
    expect((await get(h, "/ready")).status).toBe(200);
  });

  it("/ready answers 503 once the server is shutting down, while a request is still in flight", async () => {
    const logged: string[] = [];
    const h = await startHarness(
      {},
      { server: { logging: { level: "debug", destination: { write: (line) => void logged.push(line) } } } },
    );
    let closed: Promise<void> | null = null;
    const socket = connect({ port: h.server.port, host: "127.0.0.1" });
    try {
      await new Promise<void>((done, fail) => socket.once("connect", () => done()).once("error", fail));
      const answer = new Promise<string>((done) => {
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString("utf8")));
        socket.once("close", () => done(text));
      });
      const body = JSON.stringify({ user_identifier: "in-flight" });
      socket.write(
        `POST /api/v1/exists HTTP/1.1\r\nHost: x\r\nx-sentc-app-token: ${h.app.publicToken}\r\nx-request-id: half-1\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      );
      // The server has routed the request (its headers are in) and waits for the rest of its body.
      while (
        !logged.some((line) => line.includes('"request_id":"half-1"') && line.includes('"msg":"request received"'))
      )
        await new Promise((r) => setTimeout(r, 20));
      closed = h.server.close();
      const ready = await h.server.http.inject({ method: "GET", url: "/ready" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: "unavailable", reason: "shutting down" });
      expect(ready.headers.connection).toBe("close");
      socket.write(body.slice(5));
      expect(await answer).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*"available":true/);
    } finally {
      socket.destroy();
      await closed;
      // Once more: the harness also drops its database (closing a closed server is harmless).
      await h.close();
    }
  });
});

describe("GET /metrics", () => {
  it("is not there without the metrics option", async () => {
    const h = await started();
    const answer = await h.call("GET", "/metrics");
    expectError(answer, 404, 404);
  });

  it("counts requests by route pattern and status, logins, refreshes; reads rotations and connections from the store", async () => {
    const h = await started({ server: { metrics: true } });
    const first = await scrape(h);
    const exists = { method: "POST", route: "/api/v1/exists", status: "200" };
    expect(sampleValue(first, "sentc_http_requests_total", exists)).toBe(0);
    expect(sampleValue(first, "sentc_logins_total", { result: "success" })).toBe(0);
    expect(first.some((s) => s.name === "sentc_logins_total" && s.labels.result === "failure")).toBe(true);
    expect(first.some((s) => s.name === "sentc_jwt_refreshes_total")).toBe(true);
    expect(first.some((s) => s.name === "process_cpu_user_seconds_total")).toBe(true);
    expect(sampleValue(first, "sentc_group_key_rotations_pending")).toBe(0);
    // The store's connections: SQLite has one; a PostgreSQL pool at least the one it migrated with.
    if (onPostgres) expect(sampleValue(first, "sentc_db_connections")).toBeGreaterThanOrEqual(1);
    else expect(sampleValue(first, "sentc_db_connections")).toBe(1);
    expect(sampleValue(first, "sentc_db_connections_idle")).toBeLessThanOrEqual(
      sampleValue(first, "sentc_db_connections"),
    );
    expect(sampleValue(first, "sentc_db_connection_waiters")).toBe(0);

    for (let i = 0; i < 3; i++)
      expectOk(await h.call("POST", "/api/v1/exists", { body: { user_identifier: `nobody-${i}` } }));
    // A successful login, a failed one (wrong password), a refresh and a failed refresh.
    const user = await registerUser(h);
    const session = await login(h, user.identifier, user.password);
    const salt = expectOk(
      await h.call("POST", "/api/v1/prepare_login", { body: { user_identifier: user.identifier } }),
    );
    expectError(
      await h.call("POST", "/api/v1/done_login", {
        raw: prepareLogin(user.identifier, "wrong password", salt).doneLoginInput,
      }),
      401,
      112,
    );
    expectOk(
      await h.call("PUT", "/api/v1/refresh", { jwt: session.jwt, body: { refresh_token: session.refreshToken } }),
    );
    expectError(
      await h.call("PUT", "/api/v1/refresh", { jwt: session.jwt, body: { refresh_token: "not-the-token" } }),
      400,
      114,
    );
    expectError(await h.call("GET", `/api/v1/user/${user.userId}/nothing-here`), 404, 404);
    expectError(
      await h.call("GET", `/api/v1/user/${user.userId}/public_key`, { token: "wrong-token-abcdefgh" }),
      401,
      201,
    );

    const second = await scrape(h);
    expect(sampleValue(second, "sentc_http_requests_total", exists)).toBe(3);
    expect(sampleValue(second, "sentc_http_request_duration_seconds_count", exists)).toBe(3);
    expect(sampleValue(second, "sentc_http_request_duration_seconds_bucket", { ...exists, le: "+Inf" })).toBe(3);
    expect(sampleValue(second, "sentc_http_request_duration_seconds_sum", exists)).toBeGreaterThan(0);
    expect(
      sampleValue(second, "sentc_http_requests_total", { method: "POST", route: "/api/v1/done_login", status: "401" }),
    ).toBe(1);
    expect(
      sampleValue(second, "sentc_http_requests_total", {
        method: "GET",
        route: "/api/v1/user/:user_id/public_key",
        status: "401",
      }),
    ).toBe(1);
    expect(sampleValue(second, "sentc_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(
      1,
    );
    expect(sampleValue(second, "sentc_http_requests_total", { method: "GET", route: "/metrics", status: "200" })).toBe(
      1,
    );
    expect(sampleValue(second, "sentc_logins_total", { result: "success" })).toBe(1);
    expect(sampleValue(second, "sentc_logins_total", { result: "failure" })).toBe(1);
    expect(sampleValue(second, "sentc_jwt_refreshes_total", { result: "success" })).toBe(1);
    expect(sampleValue(second, "sentc_jwt_refreshes_total", { result: "failure" })).toBe(1);
    // Route patterns only: no id a caller sent is a label.
    const labels = second.flatMap((s) => Object.values(s.labels)).join("\n");
    expect(labels).not.toContain(user.userId);
    expect(labels).not.toContain("nothing-here");

    // A rotation the (stopped) worker does not finish stays pending in the store.
    await h.server.rotations!.stop();
    const owner = await newUser(h);
    const group = await createGroup(h, owner);
    const { serverInput } = prepareKeyRotation({
      previousGroupKey: group.keys[0]!,
      invokerPublicKey: owner.publicKey,
      starter: owner.userId,
    });
    expectOk(await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: owner.jwt, raw: serverInput }));
    expect(sampleValue(await scrape(h), "sentc_group_key_rotations_pending")).toBe(1);
  });
});
