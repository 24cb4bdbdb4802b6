/**
 * Test harness: the server in-process on 127.0.0.1 (port 0, in-memory SQLite, an adjustable clock) and a
 * small HTTP client that speaks the envelope, with the project's protocol layer as the sentc client.
 */
import { readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { defaultAppOptions, parseServerConfig, type AppConfig, type ServerConfig } from "../../server/config.js";
import { generateEs384KeyPair, newId } from "../../server/crypto.js";
import { startServer, type RunningServer } from "../../server/main.js";
import { doneLogin, doneVerifyLogin, prepareLogin, prepareVerifyLogin, type DeviceKeys, type VerifyLoginResult } from "../../src/protocol/login.js";
import { prepareRegister } from "../../src/protocol/register.js";

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
}

export interface ApiAnswer {
  status: number;
  body: { status: boolean; result?: any; err_code?: number; err_msg?: string };
  headers: Headers;
}

export interface HarnessOptions {
  /** A SQLite file instead of ":memory:" (restart tests). */
  dbPath?: string;
  /** The same apps again (a restart on the same file). */
  apps?: { main: ReturnType<typeof makeApp>; closed: ReturnType<typeof makeApp>; disabled: ReturnType<typeof makeApp> };
}

export async function startHarness(extra: Partial<ServerConfig> & Record<string, unknown> = {}, options: HarnessOptions = {}): Promise<Harness & { apps: NonNullable<HarnessOptions["apps"]> }> {
  const main = options.apps?.main ?? makeApp();
  const closed = options.apps?.closed ?? makeApp({ options: defaultAppOptions("closed") });
  const disabled = options.apps?.disabled ?? makeApp({ disabled: true });
  const config = parseServerConfig({ apps: [main.config, closed.config, disabled.config], login_rate_limit: { max_failures: 0, window_seconds: 60 }, ...extra });
  const clock = { offsetMs: 0 };
  const server = await startServer({
    port: 0,
    dbPath: options.dbPath ?? ":memory:",
    config,
    coreWasm: await readFile(new URL("../../build/core.wasm", import.meta.url)),
    now: () => Date.now() + clock.offsetMs,
  });
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    const token = options.token === undefined ? main.app.publicToken : options.token;
    if (token !== null) headers["x-sentc-app-token"] = token;
    if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
    let body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (method === "GET" || method === "HEAD") body = undefined;
    const response = await fetch(server.baseUrl + path, { method, headers, body: typeof body === "string" || body === undefined ? body : new Uint8Array(body) });
    const text = await response.text();
    return { status: response.status, body: text.length > 0 ? JSON.parse(text) : {}, headers: response.headers };
  };
  return { server, app: main.app, closedApp: closed.app, disabledApp: disabled.app, clock, call, close: () => server.close(), apps: { main, closed, disabled } };
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

export async function registerUser(h: Harness, identifier = unique(), password = "correct horse"): Promise<RegisteredUser> {
  const answer = await h.call("POST", "/api/v1/register", { token: h.app.secretToken, raw: prepareRegister(identifier, password) });
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
  const verify = await h.call("POST", "/api/v1/verify_login", { raw: prepareVerifyLogin(start.authKey, identifier, result.challenge) });
  if (!verify.body.status) throw new Error(`verify_login failed: ${JSON.stringify(verify.body)}`);
  return { ...doneVerifyLogin(result.deviceKeys.privateKey, verify.body.result), deviceKeys: result.deviceKeys, masterKey: result.masterKey, authKey: start.authKey };
}

export function expectError(answer: ApiAnswer, httpStatus: number, code: number): void {
  if (answer.status !== httpStatus || answer.body.status !== false || answer.body.err_code !== code || typeof answer.body.err_msg !== "string") {
    throw new Error(`expected ${httpStatus}/${code}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  if ("result" in answer.body) throw new Error("an error envelope must not carry result");
}

export function expectOk(answer: ApiAnswer): any {
  if (answer.status !== 200 || answer.body.status !== true || answer.body.result === undefined || answer.body.result === null) {
    throw new Error(`expected success, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body.result;
}
