#!/usr/bin/env node
/**
 * `npm start [-- server flags]`: builds the core, the API server and the SDK's UMD build, then runs
 *   1. the API server (server/dist/server/cli.js; every flag given after `--` is passed to it), and
 *   2. the example backend (examples/own-backend) with the demo page (examples/demo), holding the app's secret token,
 * and prints one JSON line: {"base_url", "app_id", "public_token", "demo_url"[, "secret_token"]}.
 *
 * The backend needs the app's secret token and JWT verify keys, which the server never publishes. So unless you
 * pass `--config FILE` (then the first app of that file is used), this script writes a config with one app
 * (sentc's default options) next to the database — data/demo-apps.json for the default database, a temporary
 * file for `--db :memory:` — and starts the server with it. The secret token is printed on the start that
 * created the file.
 *
 * Environment: DEMO_PORT (default 3100; 0 when the server's --port is 0), ADMIN_KEY (default: random per start).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const serverArgs = process.argv.slice(2);

function fail(message) {
  process.stderr.write(`start: ${message}\n`);
  process.exit(1);
}

// ---------- builds ----------

function step(label, command, args) {
  process.stderr.write(`start: ${label}…\n`);
  // Build output goes to stderr: stdout carries only the JSON line.
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) fail(`${label} failed`);
}

// --help needs no build beyond the server's (which ships the core, so the core is built first).
const wantsHelp = serverArgs.includes("--help") || serverArgs.includes("-h");
step("building the core", process.execPath, ["scripts/build-core.mjs"]);
step("building the server (server/dist)", process.execPath, ["server/build.mjs"]);
if (wantsHelp) {
  spawnSync(process.execPath, ["server/dist/server/cli.js", ...serverArgs], { cwd: root, stdio: "inherit" });
  process.exit(0);
}
// The demo page needs the <script> build only (npm run build:lib builds everything the package ships).
step("building the SDK (dist/sentc.umd.js)", process.execPath, [
  join(root, "node_modules/vite/bin/vite.js"),
  "build",
  "--mode",
  "umd",
  "--logLevel",
  "warn",
]);

// ---------- the app the demo backend uses ----------

// The server's own parser checks the flags; here we only read the few the demo needs (same names, same defaults).
let flags;
try {
  ({ values: flags } = parseArgs({
    args: serverArgs,
    strict: false,
    options: {
      port: { type: "string", default: "3002" },
      host: { type: "string", default: "127.0.0.1" },
      db: { type: "string", default: "./data/sentc.sqlite" },
      config: { type: "string" },
    },
  }));
} catch (error) {
  fail(error.message);
}

let configPath = typeof flags.config === "string" ? resolve(flags.config) : undefined;
let tempDir;
let createdSecret = false;
const extraArgs = [];
if (configPath === undefined) {
  const db = String(flags.db);
  if (db === ":memory:") {
    tempDir = mkdtempSync(join(tmpdir(), "sentc-demo-"));
    configPath = join(tempDir, "apps.json");
  } else {
    configPath = resolve(/^postgres(ql)?:\/\//.test(db) ? "data" : dirname(db), "demo-apps.json");
  }
  if (!existsSync(configPath)) {
    const { generateEs384KeyPair, newId } = await import(
      pathToFileURL(join(root, "server/dist/server/crypto.js")).href
    );
    const pair = generateEs384KeyPair();
    const app = {
      id: newId(),
      identifier: "demo",
      public_token: randomBytes(30).toString("base64"),
      secret_token: randomBytes(50).toString("base64"),
      options: "default",
      jwt_keys: [{ id: newId(), sign_key: pair.signKey, verify_key: pair.verifyKey }],
    };
    mkdirSync(dirname(configPath), { recursive: true });
    writeFileSync(configPath, `${JSON.stringify({ apps: [app] }, null, 2)}\n`, { mode: 0o600 });
    createdSecret = true;
  }
  extraArgs.push("--config", configPath);
}

let app;
try {
  app = JSON.parse(readFileSync(configPath, "utf8")).apps?.[0];
} catch (error) {
  fail(`cannot read ${configPath}: ${error.message}`);
}
if (
  !app ||
  typeof app.public_token !== "string" ||
  typeof app.secret_token !== "string" ||
  !Array.isArray(app.jwt_keys) ||
  app.jwt_keys.length === 0
) {
  fail(`the demo backend needs the first app of ${configPath} with public_token, secret_token and jwt_keys`);
}

// ---------- the two processes ----------

const children = [];
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  let open = children.filter((child) => child.exitCode === null && child.signalCode === null);
  const done = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    process.exit(code);
  };
  if (open.length === 0) return done();
  for (const child of open) {
    child.once("exit", () => {
      open = open.filter((c) => c !== child);
      if (open.length === 0) done();
    });
    child.kill("SIGTERM");
  }
  setTimeout(done, 5000).unref();
}

/** Starts a process whose first stdout line is JSON; resolves to it. Later stdout lines are passed through. */
function startProcess(name, args, env, cwd) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolveLine, reject) => {
    let first = true;
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!first) return void process.stderr.write(`${name}: ${line}\n`);
      first = false;
      try {
        resolveLine(JSON.parse(line));
      } catch {
        reject(new Error(`${name} printed ${line}`));
      }
    });
    child.on("exit", (code, signal) => {
      if (first) reject(new Error(`${name} exited (${signal ?? code}) before it was ready`));
      else if (!stopping) {
        process.stderr.write(`start: ${name} exited (${signal ?? code})\n`);
        stop(code || 1);
      }
    });
  });
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
process.on("SIGHUP", () => stop(0));
// However this process ends, it takes both servers with it.
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
});

try {
  // The server runs where `npm start` was called, so relative --db/--config/--files paths mean what they say.
  const server = await startProcess(
    "sentc-server",
    [join(root, "server/dist/server/cli.js"), ...serverArgs, ...extraArgs],
    {},
    process.cwd(),
  );
  const demoPort = process.env.DEMO_PORT ?? (Number(flags.port) === 0 ? "0" : "3100");
  const demo = await startProcess(
    "demo",
    ["--import", "tsx", join(root, "examples/demo/main.ts")],
    {
      PORT: demoPort,
      HOST: String(flags.host),
      SENTC_BASE_URL: server.base_url,
      SENTC_PUBLIC_TOKEN: app.public_token,
      SENTC_SECRET_TOKEN: app.secret_token,
      SENTC_JWT_VERIFY_KEYS: JSON.stringify(app.jwt_keys.map(({ id, verify_key }) => ({ id, verify_key }))),
      ADMIN_KEY: process.env.ADMIN_KEY ?? randomBytes(24).toString("base64url"),
      SENTC_UMD: join(root, "dist/sentc.umd.js"),
    },
    root,
  );
  const line = { base_url: server.base_url, app_id: app.id, public_token: app.public_token, demo_url: demo.demo_url };
  if (createdSecret) line.secret_token = app.secret_token;
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.stderr.write(
    `start: the API server is on ${server.base_url}; open the demo at ${demo.demo_url} (Ctrl-C stops both)\n`,
  );
  if (!tempDir) process.stderr.write(`start: the app's tokens and JWT keys are in ${configPath} (keep it secret)\n`);
} catch (error) {
  process.stderr.write(`start: ${error.message}\n`);
  stop(1);
}
