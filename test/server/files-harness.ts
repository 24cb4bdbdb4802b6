/**
 * Harness for the sym-key and file routes with settings of their own: the same start-up as `startServer`
 * (core, store, config apps, app.ts's fastify instance on 127.0.0.1:0) plus `registerFileRoutes` on the
 * same store with a temporary data folder, and apps with other file storage modes. It returns a `Harness`
 * so that harness.ts's helpers (registerUser, login, expectOk, expectError) work unchanged.
 */
import { SecretBox } from "../../server/secrets.js";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initCore } from "../../src/core/index.js";
import { DEFAULT_CHALLENGE_TTL_SECONDS, defaultAppOptions, parseServerConfig } from "../../server/config.js";
import { buildHttpApp } from "../../server/http/app.js";
import { registerFileRoutes } from "../../server/http/routes-files.js";
import { applyConfigApps } from "../../server/services/apps.js";
import type { ServiceContext } from "../../server/services/context.js";
import type { FilesContext } from "../../server/services/files.js";
import { JwtService } from "../../server/services/jwt.js";
import { LoginLimiter } from "../../server/services/rate-limit.js";
import { LocalBlobStore } from "../../server/store/file-blobs.js";
import { openPostgresStore } from "../../server/store/postgres.js";
import { openSqliteStore } from "../../server/store/sqlite.js";
import {
  createTestDatabase,
  makeApp,
  testStoreKind,
  type ApiAnswer,
  type CallOptions,
  type Harness,
  type TestApp,
} from "./harness.js";

export interface FilesHarness extends Harness {
  fx: FilesContext;
  /** The server's parts folder (`<filesDir>/parts`): where the part bytes are written. */
  dataDir: string;
  /** The `--files` directory itself. */
  filesDir: string;
  /** file_storage -1 (no files). */
  noStorageApp: TestApp;
  /** file_storage 1 (customer storage). */
  customerStorageApp: TestApp;
  /** A raw request: the answer's bytes (for part downloads). */
  callBytes(
    method: string,
    path: string,
    options?: CallOptions,
  ): Promise<{ status: number; bytes: Buffer; headers: Headers }>;
}

export async function startFilesHarness(): Promise<FilesHarness> {
  const main = makeApp();
  const closed = makeApp({ options: defaultAppOptions("closed") });
  const disabled = makeApp({ disabled: true });
  const none = makeApp({ file_options: { file_storage: -1, storage_url: null, auth_token: null } });
  const customer = makeApp({
    file_options: { file_storage: 1, storage_url: "https://storage.invalid/delete", auth_token: "t" },
  });
  const config = parseServerConfig({
    apps: [main.config, closed.config, disabled.config, none.config, customer.config],
    login_rate_limit: { max_failures: 0, window_seconds: 60 },
  });

  await initCore(await readFile(new URL("../../build/core.wasm", import.meta.url)));
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  // SENTC_TEST_STORE=postgres: the PostgreSQL store (in a fresh schema) serves both parts, as in main.ts.
  const pgDb = testStoreKind() === "postgres" ? await createTestDatabase() : null;
  const store = pgDb ? await openPostgresStore({ url: pgDb.url }) : openSqliteStore({ path: ":memory:" });
  const secrets = SecretBox.random();
  const ctx: ServiceContext = {
    store,
    jwt: new JwtService(store, () => Math.floor(now() / 1000), secrets),
    secrets,
    loginLimiter: new LoginLimiter(store, config.login_rate_limit, now),
    now,
    challengeTtlMs: DEFAULT_CHALLENGE_TTL_SECONDS * 1000,
    refreshTokenIdleMs: 30 * 86_400_000,
  };
  await applyConfigApps(ctx, config.apps);

  const filesDir = await mkdtemp(join(tmpdir(), "sentc-files-"));
  const blobs = new LocalBlobStore(filesDir);
  const dataDir = blobs.dir;
  const fx: FilesContext = { ctx, blobs };

  const http = await buildHttpApp(ctx);
  registerFileRoutes(http, fx);
  await http.listen({ port: 0, host: "127.0.0.1" });
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;

  const request = (method: string, path: string, options: CallOptions = {}) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    const token = options.token === undefined ? main.app.publicToken : options.token;
    if (token !== null) headers["x-sentc-app-token"] = token;
    if (options.jwt !== undefined) headers.authorization = `Bearer ${options.jwt}`;
    let body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (method === "GET" || method === "HEAD") body = undefined;
    return fetch(baseUrl + path, {
      method,
      headers,
      body: typeof body === "string" || body === undefined ? body : new Uint8Array(body),
    });
  };
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> => {
    const response = await request(method, path, options);
    const text = await response.text();
    return { status: response.status, body: text.length > 0 ? JSON.parse(text) : {}, headers: response.headers };
  };
  const callBytes = async (method: string, path: string, options: CallOptions = {}) => {
    const response = await request(method, path, options);
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
  };
  const close = async () => {
    await http.close();
    await store.close();
    await pgDb?.drop();
    await rm(filesDir, { recursive: true, force: true });
  };
  return {
    server: { baseUrl, port, store, ctx, http, defaultApp: null, close },
    app: main.app,
    closedApp: closed.app,
    disabledApp: disabled.app,
    noStorageApp: none.app,
    customerStorageApp: customer.app,
    clock,
    call,
    callBytes,
    close,
    fx,
    dataDir,
    filesDir,
  };
}
