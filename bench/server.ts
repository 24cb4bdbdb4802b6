/**
 * Server benchmark (not a test): starts the compiled server (one process, SQLite file in WAL mode) and
 * measures with autocannon
 *   - done_login: the auth-key check plus a new login challenge encrypted to the device key,
 *   - forced login: a complete login on the server side (user keys, fresh JWT, new refresh token),
 *   - refresh: PUT /refresh with a refresh token and an (expired-ok) JWT.
 * Argon2 runs on clients and is not part of any number here.
 *
 *   npm run bench:server [-- --duration 10 --connections 32 --users 200]
 */
import autocannon from "autocannon";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initCore } from "../src/core/index.js";
import { benchApp, startBenchServer } from "./server-process.js";
import { prepareLogin } from "../src/protocol/login.js";
import { prepareRegister } from "../src/protocol/register.js";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    users: { type: "string", default: "200" },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const userCount = Number(values.users);

const root = resolve(fileURLToPath(import.meta.url), "../..");
await initCore(readFileSync(join(root, "build/core.wasm")));

const dir = mkdtempSync(join(tmpdir(), "sentc-bench-"));
const app = benchApp();
const { child, baseUrl: base } = await startBenchServer(root, dir, join(dir, "bench.sqlite"), app, {
  login_rate_limit: { max_failures: 0, window_seconds: 60 },
});

async function post(path: string, body: string, token = app.public_token, method = "POST", jwt?: string): Promise<any> {
  const headers: Record<string, string> = { "x-sentc-app-token": token };
  if (jwt) headers.authorization = `Bearer ${jwt}`;
  const json = (await (await fetch(base + path, { method, headers, body })).json()) as {
    status: boolean;
    result: any;
    err_msg?: string;
  };
  if (!json.status) throw new Error(`${path}: ${json.err_msg}`);
  return json.result;
}

console.log(`preparing ${userCount} users …`);
const users: Array<{ identifier: string; doneLoginInput: string; jwt: string; refreshToken: string }> = [];
for (let i = 0; i < userCount; i++) {
  const identifier = `bench-${i}-${randomBytes(4).toString("hex")}`;
  await post("/api/v1/register", prepareRegister(identifier, "password"), app.secret_token);
  const salt = await post("/api/v1/prepare_login", JSON.stringify({ user_identifier: identifier }));
  const start = prepareLogin(identifier, "password", salt);
  const forced = await post(
    "/api/v1/user/forced/login_light",
    JSON.stringify({ user_identifier: identifier }),
    app.secret_token,
  );
  users.push({
    identifier,
    doneLoginInput: start.doneLoginInput,
    jwt: forced.verify.jwt,
    refreshToken: forced.verify.refresh_token,
  });
}

let cursor = 0;
const nextUser = () => users[cursor++ % users.length]!;

async function run(
  title: string,
  request: autocannon.Request,
): Promise<{ title: string; rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url: base, connections, duration, requests: [request] });
  const errors = result.non2xx + result.errors + result.timeouts;
  return { title, rps: result.requests.average, p99: result.latency.p99, errors };
}

const results = [
  await run("done_login (auth check + challenge)", {
    method: "POST",
    path: "/api/v1/done_login",
    headers: { "x-sentc-app-token": app.public_token },
    setupRequest: (req) => ({ ...req, body: nextUser().doneLoginInput }),
  }),
  await run("logins (forced login: keys, JWT, refresh token)", {
    method: "POST",
    path: "/api/v1/user/forced/login",
    headers: { "x-sentc-app-token": app.secret_token },
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ user_identifier: nextUser().identifier }) }),
  }),
  await run("refreshes (PUT /refresh)", {
    method: "PUT",
    path: "/api/v1/refresh",
    setupRequest: (req) => {
      const user = nextUser();
      return {
        ...req,
        headers: { "x-sentc-app-token": app.public_token, authorization: `Bearer ${user.jwt}` },
        body: JSON.stringify({ refresh_token: user.refreshToken }),
      };
    },
  }),
];

child.kill("SIGTERM");
rmSync(dir, { recursive: true, force: true });
console.log(
  `\nsentc-server benchmark: 1 server process, store sqlite (file, WAL, synchronous=FULL), ${connections} connections, ${duration} s each, ${userCount} users\n`,
);
for (const r of results)
  console.log(
    `${r.title.padEnd(50)} ${r.rps.toFixed(0).padStart(7)} req/s   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors}`,
  );
