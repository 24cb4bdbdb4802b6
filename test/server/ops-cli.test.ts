/**
 * The compiled CLI as an operator runs it: `--help` (every option with its default and environment
 * variable), `--version`, options from the environment with flags winning, bad values refused, JSON
 * request logs on stdout after the start line, and the graceful shutdown: on SIGTERM a request whose
 * body is still arriving is answered, new connections are refused, the process exits 0; and the grace
 * period bounds how long it waits. On the test store (SQLite or PostgreSQL).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServerInto } from "../helpers/server-build.js";
import { OPTIONS } from "../../server/options.js";
import { createTestDatabase, testStoreKind, type TestDatabase } from "./harness.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
/** A build of its own (not dist/server), so that test files building the server at the same time do not meet. */
const outDir = join(root, "dist/ops-test");
const cli = join(outDir, "server/cli.js");
const onPostgres = testStoreKind() === "postgres";
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "sentc-ops-cli-"));
const databases: TestDatabase[] = [];

beforeAll(() => {
  buildServerInto(outDir);
}, 180_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const db of databases) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment of a child without any SENTC_ server option of the caller's. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!OPTIONS.some((o) => o.env === key)) env[key] = value;
  return { ...env, ...extra };
}

/** `--db` and `--files` for a fresh database of the test store. */
async function dbArgs(): Promise<string[]> {
  if (!onPostgres) return ["--db", ":memory:"];
  const db = await createTestDatabase();
  databases.push(db);
  return ["--db", db.url, "--files", mkdtempSync(join(dir, "files-"))];
}

interface StartLine {
  base_url: string;
  app_id: string;
  public_token: string;
}

interface Running {
  child: ChildProcess;
  start: StartLine;
  port: number;
  /** stdout lines after the start line. */
  lines: string[];
  stderr(): string;
  waitForLine(what: string, match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

async function startCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<Running> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const start = await new Promise<StartLine>((resolveStart, reject) => {
    let first = true;
    void exited.then((code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (text) => {
      if (first) {
        first = false;
        return resolveStart(JSON.parse(text) as StartLine);
      }
      lines.push(text);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  const waitForLine = async (what: string, match: (line: Record<string, unknown>) => boolean) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no log line: ${what}\n${lines.join("\n")}\n${stderr}`);
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  };
  return { child, start, port: Number(new URL(start.base_url).port), lines, stderr: () => stderr, waitForLine, exited };
}

/** Runs the CLI to its end (asynchronously: the test worker keeps answering its runner meanwhile). */
function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk) => (stdout += chunk));
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`sentc-server ${args.join(" ")} did not end: ${stderr}`));
    }, 30_000);
    child.once("close", (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

/** Connects; resolves to the socket, or to the error code when the connection fails. */
function tryConnect(port: number): Promise<Socket | string> {
  return new Promise((done) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => done(socket));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Everything the socket receives until it closes. */
function readAll(socket: Socket): Promise<string> {
  return new Promise((done) => {
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("utf8")));
    socket.once("close", () => done(text));
  });
}

describe("sentc-server --help, --version, bad options", () => {
  it("--help lists every option with its default and environment variable", async () => {
    const run = await runCli(["--help"]);
    expect(run.status).toBe(0);
    for (const name of [
      "port",
      "host",
      "db",
      "config",
      "files",
      "rotation-poll",
      "log-level",
      "metrics",
      "shutdown-timeout",
      "request-timeout",
      "headers-timeout",
      "keep-alive-timeout",
      "idle-timeout",
    ]) {
      const spec = OPTIONS.find((o) => o.name === name);
      expect(spec, name).toBeDefined();
      const at = run.stdout.indexOf(`--${name}`);
      expect(at, `--${name}`).toBeGreaterThanOrEqual(0);
      // Its default and variable are in its own entry (before the next option).
      const entry = run.stdout.slice(at, at + 400);
      expect(entry).toContain(`default: ${spec!.defaultText}`);
      expect(entry).toContain(spec!.env);
    }
    expect(run.stdout).toContain("--no-metrics");
    expect(run.stdout).toContain("--version");
    expect((await runCli(["-h"])).stdout).toBe(run.stdout);
  });

  it("--version prints the package version", async () => {
    const own = join(root, "server/package.json");
    const version = (
      JSON.parse(readFileSync(existsSync(own) ? own : join(root, "package.json"), "utf8")) as { version: string }
    ).version;
    const run = await runCli(["--version"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it("refuses bad values from flags and from the environment, naming where they came from", async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [["--port", "70000"], {}, /--port must be a port number/],
      [["--nope"], {}, /Unknown option '--nope'/],
      [[], { SENTC_SHUTDOWN_TIMEOUT: "soon" }, /SENTC_SHUTDOWN_TIMEOUT must be a number of seconds/],
      [
        [],
        { SENTC_LOG_LEVEL: "loud" },
        /SENTC_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
      ],
      [[], { SENTC_METRICS: "maybe" }, /SENTC_METRICS must be one of/],
      [["--metrics", "--no-metrics"], {}, /contradict/],
      [["--rotation-poll=-1"], {}, /--rotation-poll must be a number of seconds/],
    ];
    for (const [args, env, message] of cases) {
      const run = await runCli(args, cleanEnv(env));
      expect(run.status, `${args.join(" ")} ${JSON.stringify(env)}`).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
  });
});

describe("sentc-server from the environment", () => {
  it("takes every setting from SENTC_* variables; logs JSON lines on stdout after the start line", async () => {
    const db = await dbArgs();
    const env: Record<string, string> = {
      SENTC_PORT: "0",
      SENTC_HOST: "127.0.0.1",
      SENTC_DB: db[1]!,
      SENTC_METRICS: "true",
      SENTC_LOG_LEVEL: "info",
      SENTC_SHUTDOWN_TIMEOUT: "5",
    };
    if (db[3]) env.SENTC_FILES = db[3];
    const server = await startCli([], cleanEnv(env));
    expect(server.start.public_token).toEqual(expect.any(String));
    const metrics = await fetch(`${server.start.base_url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("sentc_http_requests_total");
    const exists = await fetch(`${server.start.base_url}/api/v1/exists`, {
      method: "POST",
      headers: { "x-sentc-app-token": server.start.public_token },
      body: JSON.stringify({ user_identifier: "someone" }),
    });
    expect(exists.status).toBe(200);
    const line = await server.waitForLine("request line", (l) => l.route === "/api/v1/exists");
    expect(line).toMatchObject({
      method: "POST",
      status: 200,
      app_id: server.start.app_id,
      request_id: exists.headers.get("x-request-id"),
      msg: "request completed",
    });
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    // Every stdout line after the start line is a JSON log line, none with the app token.
    for (const text of server.lines) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(text).not.toContain(server.start.public_token);
    }
  });

  it("lets flags win over the environment", async () => {
    const db = await dbArgs();
    const env = cleanEnv({
      SENTC_PORT: "not-a-port",
      SENTC_METRICS: "1",
      SENTC_LOG_LEVEL: "info",
      SENTC_DB: "/proc/sentc-cannot-be-here/sentc.sqlite",
    });
    const server = await startCli(["--port", "0", ...db, "--no-metrics", "--log-level", "silent"], env);
    const metrics = await fetch(`${server.start.base_url}/metrics`);
    expect(metrics.status).toBe(404);
    expect(((await metrics.json()) as { err_code: number }).err_code).toBe(404);
    expect((await fetch(`${server.start.base_url}/health`)).status).toBe(200);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.lines).toEqual([]);
  });
});

describe("graceful shutdown", () => {
  it("answers the request in flight after SIGTERM, refuses new connections, exits 0", async () => {
    const server = await startCli([
      "--port",
      "0",
      ...(await dbArgs()),
      "--log-level",
      "debug",
      "--shutdown-timeout",
      "60",
    ]);
    const body = JSON.stringify({ user_identifier: "in-flight" });
    const half = Math.floor(body.length / 2);
    const socket = (await tryConnect(server.port)) as Socket;
    expect(typeof socket).toBe("object");
    const response = readAll(socket);
    socket.write(
      `POST /api/v1/exists HTTP/1.1\r\nHost: 127.0.0.1\r\nx-sentc-app-token: ${server.start.public_token}\r\nx-request-id: in-flight-1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
    );
    // The server has the request (its headers routed) before the signal.
    await server.waitForLine("request received", (l) => l.msg === "request received" && l.request_id === "in-flight-1");
    server.child.kill("SIGTERM");
    await server.waitForLine("shutting down", (l) => typeof l.msg === "string" && l.msg.startsWith("shutting down"));

    // The listener closes: a new connection is refused. The first attempts may still race the close: accepted,
    // or reset when the kernel had queued them on the closing listener; those are tried again.
    let refused = "";
    const deadline = Date.now() + 20_000;
    while (!refused && Date.now() < deadline) {
      const attempt = await tryConnect(server.port);
      if (typeof attempt === "string" && attempt !== "ECONNRESET") refused = attempt;
      else {
        if (typeof attempt !== "string") attempt.destroy();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(refused).toBe("ECONNREFUSED");
    expect(server.child.exitCode).toBeNull();

    socket.write(body.slice(half));
    const text = await response;
    const [head, payload] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head!.toLowerCase()).toContain("connection: close");
    expect(head!.toLowerCase()).toContain("x-request-id: in-flight-1");
    expect(JSON.parse(payload!)).toEqual({ status: true, result: { user_identifier: "in-flight", available: true } });
    expect(await server.exited).toBe(0);
    expect(server.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          msg: "request completed",
          request_id: "in-flight-1",
          status: 200,
          route: "/api/v1/exists",
        }),
        expect.objectContaining({ msg: "HTTP server closed", forced: false }),
      ]),
    );
  });

  it("closes a request that does not finish within the grace period and still exits 0", async () => {
    const server = await startCli([
      "--port",
      "0",
      ...(await dbArgs()),
      "--log-level",
      "debug",
      "--shutdown-timeout",
      "0.5",
    ]);
    const socket = (await tryConnect(server.port)) as Socket;
    const response = readAll(socket);
    socket.write(
      `POST /api/v1/exists HTTP/1.1\r\nHost: 127.0.0.1\r\nx-sentc-app-token: ${server.start.public_token}\r\nx-request-id: stuck-1\r\ncontent-length: 1000\r\n\r\n{"user_identifier":`,
    );
    await server.waitForLine("request received", (l) => l.msg === "request received" && l.request_id === "stuck-1");
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(await response).toBe("");
    expect(server.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual(
      expect.arrayContaining([expect.objectContaining({ msg: "HTTP server closed", forced: true })]),
    );
  });
});
