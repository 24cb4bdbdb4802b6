#!/usr/bin/env node
/**
 * sentc-server [--port N] [--host H] [--db PATH | postgres://…] [--config FILE] [--files DIR] [--rotation-poll SECONDS]
 *              [--log-level LEVEL] [--metrics] [--shutdown-timeout SECONDS] [--request-timeout SECONDS]
 *              [--headers-timeout SECONDS] [--keep-alive-timeout SECONDS] [--idle-timeout SECONDS] [--help] [--version]
 * Every option also comes from the environment (SENTC_PORT, SENTC_DB, …; see `--help` and server/options.ts).
 * Subcommands: `sentc-server app …` (server/admin/cli.ts), `sentc-server audit …` (server/audit/cli.ts).
 *
 * Prints one JSON line on stdout once it serves: {"base_url", "app_id", "public_token"[, "secret_token"]};
 * the secret token only on the start that created the default app (it is stored hashed). The request log
 * (JSON lines) follows on stdout. SIGTERM/SIGINT: stop accepting, finish requests in flight, close, exit 0.
 */
import { resolveAdminToken } from "./admin/token.js";
import { readServerConfig } from "./config.js";
import type { LogDestination } from "./logging.js";
import { helpText, parseCliOptions, serverVersion } from "./options.js";

/** Log lines wait until the start line is out, so that it stays the first line on stdout. */
class StartLineFirst implements LogDestination {
  private held: string[] | null = [];
  write(line: string): void {
    if (this.held) this.held.push(line);
    else process.stdout.write(line);
  }
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const line of held) process.stdout.write(line);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "app") {
    // App management on the database (server/admin/cli.ts).
    const { runAppCommand } = await import("./admin/cli.js");
    process.exitCode = await runAppCommand(process.argv.slice(3), process.env);
    return;
  }
  if (process.argv[2] === "audit") {
    // Key transparency audit of a running server (server/audit/cli.ts).
    const { runAuditCommand } = await import("./audit/cli.js");
    process.exitCode = await runAuditCommand(process.argv.slice(3));
    return;
  }
  const options = parseCliOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(helpText());
    return;
  }
  if (options.version) {
    process.stdout.write(`${serverVersion()}\n`);
    return;
  }
  const config = options.config ? readServerConfig(options.config) : undefined;
  const adminToken = resolveAdminToken(process.env, options.adminTokenFile);
  // Loaded only to serve (--help and --version answer without Fastify, the stores and the core).
  const { startServer } = await import("./main.js");
  const logs = new StartLineFirst();
  const server = await startServer({
    port: options.port,
    host: options.host,
    dbPath: options.db,
    config,
    filesDir: options.files,
    rotationPollMs: options.rotationPollMs,
    logging: { level: options.logLevel, destination: logs },
    metrics: options.metrics,
    shutdownTimeoutMs: options.shutdownTimeoutMs,
    trustProxy: options.trustProxy,
    timeouts: options.timeouts,
    adminToken,
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
  process.stdout.write(`${JSON.stringify(line)}\n`);
  logs.release();
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      // A second signal does not wait for the grace period.
      server.http.log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    closing = true;
    server.http.log.info({ signal }, "signal received");
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sentc-server: close failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`sentc-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
