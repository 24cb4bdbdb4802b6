/**
 * `sentc-server app …` on the database (SQLite file, or a PostgreSQL schema with SENTC_TEST_STORE=postgres),
 * the admin token from the environment and from a file, the config import, and two running server
 * processes on one database that see changes made by the CLI and by each other's admin API at once.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServerInto } from "../helpers/server-build.js";
import { OPTIONS } from "../../server/options.js";
import { prepareRegister } from "../../src/protocol/register.js";
import { loadReleaseCore } from "../helpers/core.js";
import {
  apiCaller,
  createTestDatabase,
  makeApp,
  testStoreKind,
  unique,
  type ApiAnswer,
  type TestDatabase,
} from "./harness.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
/** A build of its own, so that test files building the server at the same time do not meet. */
const outDir = join(root, "dist/admin-test");
const cli = join(outDir, "server/cli.js");
const onPostgres = testStoreKind() === "postgres";
const ADMIN_TOKEN = "cli-admin-token-0123456789abcdef";
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "sentc-admin-cli-"));
const databases: TestDatabase[] = [];

/** Each CLI command is a process of its own (a second or more on a busy machine): generous limits. */
const SLOW = 240_000;

beforeAll(async () => {
  await loadReleaseCore();
  buildServerInto(outDir);
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const db of databases) await db.drop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

/** The environment of a child without any SENTC_ option of the caller's. */
/** One server key for every process of a test: processes on one database must share it (docs/server.md). */
const SERVER_KEY = randomBytes(32).toString("base64");

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (
      !OPTIONS.some((o) => o.env === key) &&
      !key.startsWith("SENTC_ADMIN_TOKEN") &&
      !key.startsWith("SENTC_SECRET_KEY")
    )
      env[key] = value;
  return { ...env, SENTC_SECRET_KEY: SERVER_KEY, ...extra };
}

/** A fresh database of the test store: a SQLite file or a PostgreSQL schema. */
async function newDb(): Promise<string> {
  if (!onPostgres) return join(mkdtempSync(join(dir, "db-")), "sentc.sqlite");
  const db = await createTestDatabase();
  databases.push(db);
  return db.url;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

function run(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { cwd: dir, env }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        // not JSON
      }
      done({ code: typeof code === "number" ? code : 1, stdout, stderr, json });
    });
  });
}

async function app(db: string, ...args: string[]): Promise<any> {
  const result = await run(["app", ...args, "--db", db]);
  if (result.code !== 0) throw new Error(`app ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
  return result.json;
}

interface Server {
  baseUrl: string;
  stdout: string[];
  stderr: string[];
}

async function startServer(args: string[], env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, [cli, "--port", "0", "--files", mkdtempSync(join(dir, "files-")), ...args], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const start = await new Promise<{ base_url: string }>((resolveStart, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${stderr.join("\n")}`)));
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (stdout.length === 0) resolveStart(JSON.parse(line));
      stdout.push(line);
    });
  });
  return { baseUrl: start.base_url, stdout, stderr };
}

function register(baseUrl: string, token: string): Promise<ApiAnswer> {
  return apiCaller(baseUrl, token)("POST", "/api/v1/register", { raw: prepareRegister(unique(), "correct horse") });
}

function adminCall(baseUrl: string, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return apiCaller(baseUrl, "")(
    "POST" === method || "PUT" === method || "PATCH" === method || "DELETE" === method || "GET" === method
      ? method
      : "GET",
    `/admin/v1${path}`,
    { token: null, body, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
  );
}

describe("sentc-server app", () => {
  it(
    "create, list, get, rename, disable/enable, options, tokens renew, jwt add/list/delete, reset, delete",
    async () => {
      const db = await newDb();
      const created = await app(
        db,
        "create",
        "--identifier",
        "shop",
        "--options",
        "lax",
        "--group-options",
        '{"max_key_rotation_month":7}',
      );
      expect(created.public_token).toMatch(/^[A-Za-z0-9+/]{40}$/);
      expect(created.secret_token).toHaveLength(68);
      expect(created.jwt_data.jwt_alg).toBe("ES384");
      const id = created.app_id as string;
      const list = await app(db, "list");
      expect(list.map((a: { app_id: string }) => a.app_id)).toEqual([id]);
      expect(list[0].options.user_register).toBe(1);
      expect(list[0].group_options.max_key_rotation_month).toBe(7);
      expect((await app(db, "rename", id, "store")).identifier).toBe("store");
      expect((await app(db, "get", id)).identifier).toBe("store");
      expect((await app(db, "disable", id)).disabled).toBe(true);
      expect((await app(db, "enable", id)).disabled).toBe(false);

      const set = await app(
        db,
        "options",
        "set",
        id,
        "user_register=2",
        "group_create=0",
        "--file-options",
        '{"file_storage":-1}',
      );
      expect(set.options.user_register).toBe(2);
      expect(set.options.group_create).toBe(0);
      expect(set.options.user_exists).toBe(1);
      expect(set.file_options.file_storage).toBe(-1);
      expect((await app(db, "options", "set", id, "closed")).options.user_exists).toBe(0);
      expect((await app(db, "options", "get", id)).options.user_prepare_login).toBe(0);
      expect((await app(db, "options", "set", id, "default")).options.user_register).toBe(2);

      const renewed = await app(db, "tokens", "renew", id);
      expect(renewed.app_id).toBe(id);
      expect(renewed.public_token).not.toBe(created.public_token);
      expect((await app(db, "get", id)).public_token).toBe(renewed.public_token);

      const key = await app(db, "jwt", "add", id);
      const keys = await app(db, "jwt", "list", id);
      expect(keys.map((k: { jwt_key_id: string }) => k.jwt_key_id)).toEqual([created.jwt_data.jwt_id, key.jwt_id]);
      expect(JSON.stringify(keys)).not.toContain(key.jwt_sign_key);
      expect((await app(db, "jwt", "delete", id, created.jwt_data.jwt_id)).deleted).toBe(created.jwt_data.jwt_id);
      const last = await run(["app", "jwt", "delete", id, key.jwt_id, "--db", db]);
      expect(last.code).toBe(1);
      expect(last.stderr).toContain("at least one JWT key");

      expect((await app(db, "reset", id)).reset).toBe(id);
      expect((await app(db, "delete", id)).deleted).toBe(id);
      expect(await app(db, "list")).toEqual([]);
    },
    SLOW,
  );

  it(
    "bad command lines exit 2 with the usage, errors exit 1 with a message, --help exits 0",
    async () => {
      const db = await newDb();
      for (const args of [
        ["app"],
        ["app", "frobnicate"],
        ["app", "get"],
        ["app", "tokens", "reset", "x"],
        ["app", "list", "--nope"],
        ["app", "options", "set", "x", "user_register:1"],
        ["app", "create", "--options", "{bad"],
      ]) {
        const result = await run([...args, "--db", db]);
        expect(`${args.join(" ")}: ${result.code}`).toBe(`${args.join(" ")}: 2`);
        expect(result.stderr + result.stdout).toContain("usage: sentc-server app");
      }
      const missing = await run(["app", "get", "00000000-0000-4000-8000-000000000000", "--db", db]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("App not found");
      const created = await app(db, "create");
      const bad = await run(["app", "options", "set", created.app_id, "user_register=5", "--db", db]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("user_register must be 0, 1 or 2");
      expect((await app(db, "get", created.app_id)).options.user_register).toBe(2);
      const help = await run(["app", "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("tokens renew APP_ID");
      expect((await run(["--help"])).stdout).toContain("--admin-token-file");
    },
    SLOW,
  );

  it(
    "import FILE creates or updates the apps of a config file; the server imports its --config at start too",
    async () => {
      const db = await newDb();
      const configured = makeApp({ identifier: "from-config" } as never);
      const configPath = join(dir, `config-${unique()}.json`);
      writeFileSync(configPath, JSON.stringify({ apps: [{ ...configured.config, identifier: "from-config" }] }));
      expect((await app(db, "import", configPath)).imported).toEqual([configured.app.id]);
      const listed = await app(db, "get", configured.app.id);
      expect(listed.identifier).toBe("from-config");
      expect(listed.public_token).toBe(configured.app.publicToken);
      expect((await app(db, "jwt", "list", configured.app.id))[0].jwt_key_id).toBe(configured.app.jwtKeyId);

      const other = makeApp();
      const otherPath = join(dir, `config-${unique()}.json`);
      writeFileSync(otherPath, JSON.stringify({ apps: [other.config] }));
      const server = await startServer(
        ["--db", db, "--config", otherPath],
        cleanEnv({ SENTC_ADMIN_TOKEN: ADMIN_TOKEN }),
      );
      const apps = (await adminCall(server.baseUrl, "GET", "/apps")).body.result as Array<{ app_id: string }>;
      expect(apps.map((a) => a.app_id).sort()).toEqual([configured.app.id, other.app.id].sort());
      expect(server.stdout.join("\n") + server.stderr.join("\n")).not.toContain(ADMIN_TOKEN);
    },
    SLOW,
  );

  it(
    "the admin token from --admin-token-file; a short token stops the start",
    async () => {
      const db = await newDb();
      const tokenFile = join(dir, "admin-token");
      writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`);
      const server = await startServer(
        ["--db", db, "--admin-token-file", tokenFile, "--log-level", "info"],
        cleanEnv(),
      );
      // The compiled server finds the dashboard files beside its admin/ folder, as in the package.
      for (const [file, type] of [
        ["", "text/html"],
        ["/dashboard.js", "text/javascript"],
        ["/dashboard.css", "text/css"],
      ]) {
        const response = await fetch(`${server.baseUrl}/dashboard${file}`);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toContain(type);
        expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
        expect((await response.text()).length).toBeGreaterThan(100);
      }
      const answer = await adminCall(server.baseUrl, "GET", "/apps");
      expect(answer.status).toBe(200);
      expect(answer.body.result).toHaveLength(1);
      const refused = await apiCaller(server.baseUrl, "")("GET", "/admin/v1/apps", {
        token: null,
        headers: { authorization: "Bearer not-the-admin-token" },
      });
      expect(refused.status).toBe(401);
      // The request log lines of both requests, and no admin token in them.
      await new Promise((r) => setTimeout(r, 200));
      expect(server.stdout.filter((l) => l.includes("/admin/v1/apps")).length).toBeGreaterThanOrEqual(2);
      expect(server.stdout.join("\n")).not.toContain(ADMIN_TOKEN);
      writeFileSync(tokenFile, "short\n");
      const failed = await run(["--port", "0", "--db", db, "--admin-token-file", tokenFile]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("at least 16 characters");
    },
    SLOW,
  );
});

describe("two server processes on one database", () => {
  it(
    "see changes of the CLI and of each other's admin API at once: options, renewed tokens, deleted apps",
    async () => {
      const db = await newDb();
      const created = await app(db, "create", "--identifier", "shared");
      const env = cleanEnv({ SENTC_ADMIN_TOKEN: ADMIN_TOKEN });
      const a = await startServer(["--db", db], env);
      const b = await startServer(["--db", db], env);
      // Default options: register needs the secret token, on both.
      for (const s of [a, b]) expect((await register(s.baseUrl, created.public_token)).body.err_code).toBe(203);
      // Switched on A's admin API: B lets the public token register at once.
      expect((await adminCall(a.baseUrl, "PUT", `/apps/${created.app_id}/options`, { user_register: 1 })).status).toBe(
        200,
      );
      expect((await register(b.baseUrl, created.public_token)).body.status).toBe(true);
      // Renewed on B: A refuses the old token at once and takes the new one.
      const renewed = (await adminCall(b.baseUrl, "PATCH", `/apps/${created.app_id}/token_renew`)).body.result;
      expect((await register(a.baseUrl, created.public_token)).body.err_code).toBe(200);
      expect((await register(a.baseUrl, renewed.public_token)).body.status).toBe(true);
      // Changed by the CLI while both run.
      await app(db, "options", "set", created.app_id, "user_register=0");
      for (const s of [a, b]) expect((await register(s.baseUrl, renewed.secret_token)).body.err_code).toBe(203);
      await app(db, "delete", created.app_id);
      for (const s of [a, b]) expect((await register(s.baseUrl, renewed.secret_token)).body.err_code).toBe(200);
    },
    SLOW,
  );
});
