/**
 * Starting the server: load the crypto core, open the store, seed apps, listen.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { initCore } from "../src/core/index.js";
import {
  DEFAULT_CHALLENGE_TTL_SECONDS,
  DEFAULT_REFRESH_TOKEN_IDLE_DAYS,
  DEFAULT_LOGIN_LIMIT,
  type ServerConfig,
} from "./config.js";
import { registerAdmin } from "./admin/routes.js";
import { buildHttpApp } from "./http/app.js";
import { registerOps } from "./http/ops.js";
import { logInternalError, loggingServerOptions, type LoggingOptions } from "./logging.js";
import { createServerMetrics } from "./metrics.js";
import { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from "./options.js";
import { registerFileRoutes } from "./http/routes-files.js";
import { applyConfigApps, ensureDefaultApp, type DefaultAppInfo } from "./services/apps.js";
import type { ServiceContext } from "./services/context.js";
import { resealSecrets, resolveSecretBox, type SecretBox } from "./secrets.js";
import { logStoredKeys } from "./services/transparency.js";
import { startFileCleanup, type FilesContext } from "./services/files.js";
import { LocalBlobStore } from "./store/file-blobs.js";
import { KeyRotationWorker } from "./services/group-key-rotation.js";
import { JwtService } from "./services/jwt.js";
import { LoginLimiter } from "./services/rate-limit.js";
import { isPostgresUrl, openPostgresStore } from "./store/postgres.js";
import { openSqliteStore } from "./store/sqlite.js";
import type { Store } from "./store/types.js";

export interface StartOptions {
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** SQLite file or ":memory:", or a `postgres://` / `postgresql://` URL (the PostgreSQL store). */
  dbPath?: string;
  /** An opened store instead of `dbPath` (closed with the server). */
  store?: Store;
  /**
   * How often (ms) the key rotation worker looks for rotations in the store that no worker of this
   * process is running (started by another process, or left by one that stopped). Default: 30 s with
   * PostgreSQL, off with SQLite (one process; unfinished rotations resume at start). 0 = off.
   */
  rotationPollMs?: number;
  /** Operational log lines (e.g. finished key rotations); default: none. */
  log?: (line: string) => void;
  /** Apps and settings; without apps a default app is created on a new database. */
  config?: Partial<ServerConfig>;
  /** The bytes of the crypto core; when absent, read from the package (dist/core.wasm) or the repository's build/core.wasm. */
  coreWasm?: Uint8Array;
  /** Clock override (tests). */
  now?: () => number;
  /**
   * Where uploaded file parts are kept; default: `files/` beside a SQLite file, `./data/files` with
   * PostgreSQL, a temp folder for ":memory:". Several processes on one PostgreSQL need a shared folder.
   */
  filesDir?: string;
  /**
   * Server keys for secrets at rest (server/secrets.ts), the first encrypts. Default: SENTC_SECRET_KEY,
   * else the file SENTC_SECRET_KEY_FILE, else `.secret-key` in the files folder (created on first start),
   * a random key for ":memory:".
   */
  secretKeys?: Buffer[];
  /** Request logs (Fastify's pino): level and destination (default stdout). Default: none (silent). */
  logging?: LoggingOptions;
  /** Prometheus metrics at GET /metrics (default off: a 404). */
  metrics?: boolean;
  /** How long `close()` lets requests in flight finish before it closes their connections (default 10 000 ms). */
  shutdownTimeoutMs?: number;
  /** HTTP timeouts against slow clients (default `DEFAULT_HTTP_TIMEOUTS`: request 120 s, headers 30 s, keep-alive 5 s, idle 60 s). */
  timeouts?: Partial<HttpTimeouts>;
  /** The operator credential of the admin API (/admin/v1, the dashboard); absent: the admin API is off. */
  adminToken?: string;
  /**
   * Behind a reverse proxy: take the client address (the failed-login limit per client) from
   * `X-Forwarded-For` (Fastify's `trustProxy`: true, or the proxy addresses, comma-separated). Default off: the socket's.
   */
  trustProxy?: boolean | string;
}

/**
 * Fastify and Node server options for the HTTP timeouts: a slow-loris client (headers or body trickled)
 * is cut off once the request or headers timeout passes; Node checks them every `connectionsCheckingInterval`.
 */
function timeoutServerOptions(partial: Partial<HttpTimeouts> | undefined): Partial<FastifyServerOptions> {
  const t = { ...DEFAULT_HTTP_TIMEOUTS, ...partial };
  const shortest = t.requestMs > 0 ? Math.min(t.requestMs, t.headersMs) : t.headersMs;
  return {
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionTimeout: t.idleMs,
    http: {
      headersTimeout: t.headersMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(shortest / 4))),
    },
  } as Partial<FastifyServerOptions>;
}

/** The default of `StartOptions.shutdownTimeoutMs`. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface RunningServer {
  baseUrl: string;
  port: number;
  store: Store;
  ctx: ServiceContext;
  http: FastifyInstance;
  /** The default app when no config apps were given. */
  defaultApp: DefaultAppInfo | null;
  /** The group key rotation worker (tests wait for it with `whenIdle`). */
  rotations?: KeyRotationWorker;
  close(): Promise<void>;
}

/**
 * The crypto core's bytes: dist/core.wasm of the installed server package (the compiled server runs in
 * dist/server/) or the repository's build/core.wasm (the sources, in server/).
 * @throws Error when neither exists.
 * @example await initCore(findCoreWasm());
 */
export function findCoreWasm(): Uint8Array {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of ["../core.wasm", "../build/core.wasm"]) {
    try {
      return readFileSync(resolve(here, candidate));
    } catch {
      // try the next place
    }
  }
  throw new Error("the crypto core (core.wasm) was not found: in the repository run `npm run build:core`");
}

/** Beside a SQLite file; `./data/files` with PostgreSQL (share it between processes); a temp folder for ":memory:". */
export function defaultFilesDir(dbPath: string, postgres: boolean, fileDb: boolean): string {
  if (fileDb) return join(dirname(resolve(dbPath)), "files");
  if (postgres) return resolve("data/files");
  return mkdtempSync(join(tmpdir(), "sentc-files-"));
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  await initCore(options.coreWasm ?? findCoreWasm());
  const dbPath = options.dbPath ?? "./data/sentc.sqlite";
  const postgres = options.store === undefined && isPostgresUrl(dbPath);
  const fileDb = options.store === undefined && !postgres && dbPath !== ":memory:";
  if (fileDb) mkdirSync(dirname(resolve(dbPath)), { recursive: true });
  const store =
    options.store ?? (postgres ? await openPostgresStore({ url: dbPath }) : openSqliteStore({ path: dbPath }));
  const now = options.now ?? Date.now;
  const config = options.config ?? {};
  const log = options.log;
  const rotations = new KeyRotationWorker(store, {
    onFinished: log ? (key) => log(`key rotation finished: group ${key.groupId}, key ${key.id}`) : undefined,
  });
  const filesDir = options.filesDir ?? defaultFilesDir(dbPath, postgres, fileDb);
  let secrets: SecretBox;
  try {
    secrets = resolveSecretBox(options.secretKeys, !postgres && !fileDb, filesDir);
  } catch (error) {
    await store.close();
    throw error;
  }
  const ctx: ServiceContext = {
    store,
    secrets,
    jwt: new JwtService(store, () => Math.floor(now() / 1000), secrets),
    loginLimiter: new LoginLimiter(store, config.login_rate_limit ?? DEFAULT_LOGIN_LIMIT, now),
    now,
    challengeTtlMs: (config.challenge_ttl_seconds ?? DEFAULT_CHALLENGE_TTL_SECONDS) * 1000,
    refreshTokenIdleMs: (config.refresh_token_idle_days ?? DEFAULT_REFRESH_TOKEN_IDLE_DAYS) * 86_400_000,
    rotations,
  };
  let defaultApp: DefaultAppInfo | null = null;
  try {
    const resealed = await resealSecrets(store, secrets);
    if (resealed > 0) log?.(`secrets at rest: ${resealed} values re-encrypted with the current server key`);
    const logged = await logStoredKeys(store, 500, log);
    if (logged > 0) log?.(`key transparency log: ${logged} keys stored before the log appended`);
    if (config.apps && config.apps.length > 0) await applyConfigApps(ctx, config.apps);
    else defaultApp = await ensureDefaultApp(ctx);
  } catch (error) {
    await store.close();
    throw error;
  }
  // Group key rotations a previous run did not finish continue in the background.
  await rotations.resume();
  // Several processes on one database: rotations started elsewhere (or left by a stopped process) are
  // picked up too. Two workers never process the same batch (the store's `lockUnfinishedRotation`).
  const pollMs = options.rotationPollMs ?? (postgres ? 30_000 : 0);
  const rotationPoll =
    pollMs > 0
      ? setInterval(() => {
          rotations
            .resume()
            .catch((error: unknown) =>
              log?.(`key rotation poll failed: ${error instanceof Error ? error.message : String(error)}`),
            );
        }, pollMs)
      : null;
  rotationPoll?.unref();
  const files: FilesContext = {
    ctx,
    blobs: new LocalBlobStore(filesDir),
  };
  const logging = options.logging ?? { level: "silent" };
  const http = await buildHttpApp(ctx, {
    // Forced closing only after the grace period (ops.close); idle keep-alive connections close at once.
    fastify: {
      ...loggingServerOptions(logging),
      ...timeoutServerOptions(options.timeouts),
      forceCloseConnections: "idle",
      trustProxy: options.trustProxy ?? false,
    },
    onInternalError: logging.level === "silent" ? undefined : (error, request) => logInternalError(request.log, error),
    onUnrouted: (request, reply) => ops.trackUnrouted(request, reply),
  });
  registerFileRoutes(http, files);
  registerAdmin(http, { store, adminToken: options.adminToken, now, secrets });
  const ops = registerOps(http, { store, metrics: options.metrics ? createServerMetrics(store) : null });
  const fileCleanup = startFileCleanup(files);
  const host = options.host ?? "127.0.0.1";
  await http.listen({ port: options.port ?? 3002, host });
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 3002);
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    baseUrl: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`,
    port,
    store,
    ctx,
    http,
    defaultApp,
    rotations,
    async close() {
      if (rotationPoll) clearInterval(rotationPoll);
      await ops.close(options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
      await fileCleanup.stop();
      await rotations.stop();
      await store.close();
    },
  };
}
