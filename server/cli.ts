#!/usr/bin/env node
/**
 * sentc-server [--port N] [--host H] [--db PATH | postgres://…] [--config FILE] [--files DIR] [--rotation-poll SECONDS]
 *
 * Prints one JSON line on stdout once it serves: {"base_url", "app_id", "public_token"[, "secret_token"]};
 * the secret token only on the start that created the default app (it is stored hashed).
 */
import { parseArgs } from "node:util";
import { readServerConfig } from "./config.js";
import { startServer } from "./main.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "3002" },
      host: { type: "string", default: "127.0.0.1" },
      db: { type: "string", default: "./data/sentc.sqlite" },
      config: { type: "string" },
      files: { type: "string" },
      "rotation-poll": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      "usage: sentc-server [--port N (0 = any)] [--host ADDRESS] [--db PATH | :memory: | postgres://USER:PASSWORD@HOST:PORT/DB] [--config FILE]\n" +
        "                    [--files DIR (file parts; shared between processes)] [--rotation-poll SECONDS (0 = off)]\n",
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be 0…65535");
  let rotationPollMs: number | undefined;
  if (values["rotation-poll"] !== undefined) {
    const seconds = Number(values["rotation-poll"]);
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error("--rotation-poll must be a number of seconds ≥ 0");
    rotationPollMs = Math.round(seconds * 1000);
  }
  const config = values.config ? readServerConfig(values.config) : undefined;
  const server = await startServer({
    port,
    host: values.host,
    dbPath: values.db,
    config,
    filesDir: values.files,
    rotationPollMs,
    log: (line) => process.stderr.write(`sentc-server: ${line}\n`),
  });
  const line: Record<string, unknown> = { base_url: server.baseUrl };
  if (server.defaultApp) {
    line.app_id = server.defaultApp.appId;
    line.public_token = server.defaultApp.publicToken;
    if (server.defaultApp.secretToken) line.secret_token = server.defaultApp.secretToken;
  } else if (config) {
    line.app_ids = config.apps.map((a) => a.id);
  }
  process.stdout.write(JSON.stringify(line) + "\n");
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`sentc-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
