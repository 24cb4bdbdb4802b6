/**
 * Test harness: the server in-process on 127.0.0.1 (port 0, an adjustable clock) and a small HTTP client
 * that speaks the envelope, with the project's protocol layer as the sentc client.
 *
 * The store: in-memory SQLite by default; with SENTC_TEST_STORE=postgres, PostgreSQL at SENTC_TEST_PG_URL
 * (`npm run test:server:pg`), each harness in a fresh schema of its own (dropped on close), so test files
 * run in parallel and independently on one database.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { defaultAppOptions, parseServerConfig, type AppConfig, type ServerConfig } from "../../server/config.js";
import { generateEs384KeyPair, newId } from "../../server/crypto.js";
import { startServer, type RunningServer, type StartOptions } from "../../server/main.js";
import {
  doneLogin,
  doneVerifyLogin,
  prepareLogin,
  prepareVerifyLogin,
  type DeviceKeys,
  type VerifyLoginResult,
} from "../../src/protocol/login.js";
import { prepareRegister } from "../../src/protocol/register.js";
import { createDeviceProof, DEVICE_PROOF_HEADER } from "../../src/protocol/device-proof.js";
import type { SignKey } from "../../src/protocol/keys.js";

export type TestStoreKind = "sqlite" | "postgres";

/** The store the server tests run on (SENTC_TEST_STORE). */
export function testStoreKind(): TestStoreKind {
  const kind = (process.env.SENTC_TEST_STORE ?? "sqlite").toLowerCase();
  if (kind === "sqlite") return "sqlite";
  if (kind === "postgres" || kind === "postgresql") return "postgres";
  throw new Error(`SENTC_TEST_STORE must be "sqlite" or "postgres", not ${JSON.stringify(kind)}`);
}

/** SENTC_TEST_PG_URL, or null when it is not set. */
export function testPgUrl(): string | null {
  return process.env.SENTC_TEST_PG_URL || null;
}

let adminPool: pg.Pool | null = null;
function admin(): pg.Pool {
  const url = testPgUrl();
  if (!url)
    throw new Error(
      "SENTC_TEST_STORE=postgres needs SENTC_TEST_PG_URL (postgres://user:password@127.0.0.1:5432/database)",
    );
  if (!adminPool) {
    adminPool = new pg.Pool({ connectionString: url, max: 2, allowExitOnIdle: true });
    adminPool.on("error", () => undefined);
  }
  return adminPool;
}

const SCHEMA_PREFIX = "sentc_test_";
let staleSchemasDropped = false;

export interface TestDatabase {
  /** SENTC_TEST_PG_URL with `search_path` set to the new schema: a database of its own for the server. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty schema on the test PostgreSQL. The name carries its creation time: schemas left over by
 * an interrupted run are dropped once they are an hour old.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const pool = admin();
  if (!staleSchemasDropped) {
    staleSchemasDropped = true;
    const cutoff = Math.floor(Date.now() / 1000) - 3600;
    const { rows } = await pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", [
      `${SCHEMA_PREFIX}%`,
    ]);
    for (const { nspname } of rows) {
      const created = Number(nspname.slice(SCHEMA_PREFIX.length).split("_")[0]);
      if (Number.isFinite(created) && created < cutoff)
        await pool.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`).catch(() => undefined);
    }
  }
  const schema = `${SCHEMA_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString("hex")}`;
  await pool.query(`CREATE SCHEMA "${schema}"`);
  const url = new URL(testPgUrl()!);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    drop: () => pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).then(() => undefined),
  };
}

/** PostgreSQL: one schema per `dbPath`, so that a restart on the "same file" finds its data. */
const schemasByPath = new Map<string, TestDatabase>();

const HARNESS_SECRET_KEY = randomBytes(32);

export interface TestApp {
  id: string;
  publicToken: string;
  secretToken: string;
  jwtKeyId: string;
  signKey: string;
  verifyKey: string;
}

export function makeApp(options: Partial<AppConfig> = {}): { config: Record<string, unknown>; app: TestApp } {
  const pair = generateEs384KeyPair();
  const app: TestApp = {
    id: newId(),
    publicToken: randomBytes(30).toString("base64"),
    secretToken: randomBytes(50).toString("base64"),
    jwtKeyId: newId(),
    signKey: pair.signKey,
    verifyKey: pair.verifyKey,
  };
  return {
    app,
    config: {
      id: app.id,
      identifier: "test",
      public_token: app.publicToken,
      secret_token: app.secretToken,
      options: defaultAppOptions(),
      jwt_keys: [{ id: app.jwtKeyId, sign_key: app.signKey, verify_key: app.verifyKey }],
      ...options,
    },
  };
}

export interface Harness {
  server: RunningServer;
  app: TestApp;
  /** All option values 0. */
  closedApp: TestApp;
  disabledApp: TestApp;
  clock: { offsetMs: number };
  call(method: string, path: string, options?: CallOptions): Promise<ApiAnswer>;
  close(): Promise<void>;
}

export interface CallOptions {
  token?: string | null;
  jwt?: string;
  body?: unknown;
  /** Sent as is (overrides body). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  /** Signs the request with this device sign key (`x-sentc-device-signature`, src/protocol/device-proof.ts). */
  deviceSignKey?: SignKey;
}

export interface ApiAnswer {
  status: number;
  body: { status: boolean; result?: any; err_code?: number; err_msg?: string };
  headers: Headers;
}

export interface HarnessOptions {
  /** A SQLite file instead of ":memory:" (restart tests); with PostgreSQL, a name for a schema kept for the restart. */
  dbPath?: string;
  /** The same apps again (a restart on the same file). */
  apps?: { main: ReturnType<typeof makeApp>; closed: ReturnType<typeof makeApp>; disabled: ReturnType<typeof makeApp> };
  /** More server options (logging, metrics, shutdown timeout). */
  server?: Partial<StartOptions>;
}

/**
 * The envelope-speaking client of a server at `baseUrl`; `defaultToken` is sent unless a call names another.
 * `clock` is the server's adjustable clock: device proofs are timed by it, as a client in sync with the server.
 */
export function apiCaller(baseUrl: string, defaultToken: string, clock?: { offsetMs: number }): Harness["call"] {
  return async (method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    const token = options.token === undefined ? defaultToken : options.token;
    if (token !== null) headers["x-sentc-app-token"] = token;
    if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
    let body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (method === "GET" || method === "HEAD") body = undefined;
    if (options.deviceSignKey) {
      const bytes =
        body === undefined
          ? new Uint8Array(0)
          : typeof body === "string"
            ? new TextEncoder().encode(body)
            : new Uint8Array(body);
      headers[DEVICE_PROOF_HEADER] = createDeviceProof(
        options.deviceSignKey,
        method,
        new URL(baseUrl + path).pathname,
        Math.floor((Date.now() + (clock?.offsetMs ?? 0)) / 1000),
        bytes,
      );
    }
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body: typeof body === "string" || body === undefined ? body : new Uint8Array(body),
    });
    const text = await response.text();
    return { status: response.status, body: text.length > 0 ? JSON.parse(text) : {}, headers: response.headers };
  };
}

export async function startHarness(
  extra: Partial<ServerConfig> & Record<string, unknown> = {},
  options: HarnessOptions = {},
): Promise<Harness & { apps: NonNullable<HarnessOptions["apps"]> }> {
  const main = options.apps?.main ?? makeApp();
  const closed = options.apps?.closed ?? makeApp({ options: defaultAppOptions("closed") });
  const disabled = options.apps?.disabled ?? makeApp({ disabled: true });
  const config = parseServerConfig({
    apps: [main.config, closed.config, disabled.config],
    login_rate_limit: { max_failures: 0, window_seconds: 60 },
    ...extra,
  });
  const clock = { offsetMs: 0 };
  let dbPath = options.dbPath ?? ":memory:";
  let filesDir: string | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  if (testStoreKind() === "postgres") {
    let db = options.dbPath === undefined ? undefined : schemasByPath.get(options.dbPath);
    if (!db) {
      db = await createTestDatabase();
      if (options.dbPath === undefined) cleanups.push(db.drop);
      else schemasByPath.set(options.dbPath, db);
    }
    dbPath = db.url;
    // File parts: a folder of this harness (the server's default for PostgreSQL is ./data/files).
    const dir = await mkdtemp(join(tmpdir(), "sentc-pg-files-"));
    filesDir = dir;
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  }
  const server = await startServer({
    port: 0,
    dbPath,
    config,
    coreWasm: await readFile(new URL("../../build/core.wasm", import.meta.url)),
    now: () => Date.now() + clock.offsetMs,
    filesDir,
    // PostgreSQL restarts get a new files folder: one server key for the whole test run instead of its key file.
    secretKeys: testStoreKind() === "postgres" ? [HARNESS_SECRET_KEY] : undefined,
    ...options.server,
  });
  const call = apiCaller(server.baseUrl, main.app.publicToken, clock);
  const close = async () => {
    await server.close();
    for (const cleanup of cleanups) await cleanup();
  };
  return {
    server,
    app: main.app,
    closedApp: closed.app,
    disabledApp: disabled.app,
    clock,
    call,
    close,
    apps: { main, closed, disabled },
  };
}

export function unique(prefix = "user"): string {
  return `${prefix}-${randomBytes(8).toString("hex")}`;
}

export interface RegisteredUser {
  identifier: string;
  password: string;
  userId: string;
  deviceId: string;
}

export async function registerUser(
  h: Harness,
  identifier = unique(),
  password = "correct horse",
): Promise<RegisteredUser> {
  const answer = await h.call("POST", "/api/v1/register", {
    token: h.app.secretToken,
    raw: prepareRegister(identifier, password),
  });
  if (answer.status !== 200 || !answer.body.status) throw new Error(`register failed: ${JSON.stringify(answer.body)}`);
  return { identifier, password, userId: answer.body.result.user_id, deviceId: answer.body.result.device_id };
}

export interface LoggedIn extends VerifyLoginResult {
  deviceKeys: DeviceKeys;
  masterKey: Uint8Array;
  authKey: Uint8Array;
}

/** The full login (prepare → done → verify) through the protocol layer. */
export async function login(h: Harness, identifier: string, password: string): Promise<LoggedIn> {
  const salt = await h.call("POST", "/api/v1/prepare_login", { body: { user_identifier: identifier } });
  const start = prepareLogin(identifier, password, salt.body.result);
  const done = await h.call("POST", "/api/v1/done_login", { raw: start.doneLoginInput });
  if (!done.body.status) throw new Error(`done_login failed: ${JSON.stringify(done.body)}`);
  const result = doneLogin(start.masterKeyEncryptionKey, done.body.result);
  if (result.kind !== "direct") throw new Error("unexpected MFA");
  const verify = await h.call("POST", "/api/v1/verify_login", {
    raw: prepareVerifyLogin(start.authKey, identifier, result.challenge),
  });
  if (!verify.body.status) throw new Error(`verify_login failed: ${JSON.stringify(verify.body)}`);
  return {
    ...doneVerifyLogin(result.deviceKeys.privateKey, verify.body.result),
    deviceKeys: result.deviceKeys,
    masterKey: result.masterKey,
    authKey: start.authKey,
  };
}

export function expectError(answer: ApiAnswer, httpStatus: number, code: number): void {
  if (
    answer.status !== httpStatus ||
    answer.body.status !== false ||
    answer.body.err_code !== code ||
    typeof answer.body.err_msg !== "string"
  ) {
    throw new Error(`expected ${httpStatus}/${code}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  if ("result" in answer.body) throw new Error("an error envelope must not carry result");
}

export function expectOk(answer: ApiAnswer): any {
  if (
    answer.status !== 200 ||
    answer.body.status !== true ||
    answer.body.result === undefined ||
    answer.body.result === null
  ) {
    throw new Error(`expected success, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body.result;
}
