/**
 * The compiled server (server/dist) as a child process for the server benchmarks: one app with its JWT key in a
 * config file, the server on a SQLite file, port 0, its base URL read from the JSON line it prints.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { generateEs384KeyPair, newId } from "../server/crypto.js";

export interface BenchApp {
  id: string;
  public_token: string;
  secret_token: string;
}

/** New ids and tokens for the benchmark's app. */
export function benchApp(): BenchApp {
  return {
    id: newId(),
    public_token: randomBytes(30).toString("base64"),
    secret_token: randomBytes(50).toString("base64"),
  };
}

/**
 * Starts `server/dist/server/cli.js` on `dbPath` with `app` (default options, a fresh ES384 JWT key) and `extraConfig`
 * in a config file in `dir`; resolves with the child and its base URL once it listens.
 */
export async function startBenchServer(
  root: string,
  dir: string,
  dbPath: string,
  app: BenchApp,
  extraConfig: Record<string, unknown> = {},
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const pair = generateEs384KeyPair();
  const configPath = join(dir, "config.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      apps: [
        {
          ...app,
          identifier: "bench",
          options: "default",
          jwt_keys: [{ id: newId(), sign_key: pair.signKey, verify_key: pair.verifyKey }],
        },
      ],
      ...extraConfig,
    }),
  );
  const child = spawn(
    process.execPath,
    [
      join(root, "server/dist/server/cli.js"),
      "--port",
      "0",
      "--db",
      dbPath,
      "--config",
      configPath,
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise<{ base_url: string }>((ok) =>
    createInterface({ input: child.stdout! }).once("line", (text) => ok(JSON.parse(text))),
  );
  return { child, baseUrl: line.base_url };
}
