/**
 * The command line of `sentc-server`: one table of options, each also settable from the environment
 * (`SENTC_…`, twelve-factor style); a flag on the command line wins over the environment, the
 * environment over the default. `--help` is generated from the same table.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LOG_LEVELS, type LogLevel } from "./logging.js";

/** One option of the command line. */
export interface OptionSpec {
  /** The flag without its dashes. */
  name: string;
  /** The environment variable that sets it too. */
  env: string;
  /** A value (string) or a switch (boolean, with a `--no-…` form). */
  kind: "string" | "boolean";
  /** What the value looks like in `--help`. */
  placeholder?: string;
  /** The default as `--help` shows it. */
  defaultText: string;
  description: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: "port",
    env: "SENTC_PORT",
    kind: "string",
    placeholder: "N",
    defaultText: "3002",
    description: "port to listen on; 0 = any free port (the start line tells which)",
  },
  {
    name: "host",
    env: "SENTC_HOST",
    kind: "string",
    placeholder: "ADDRESS",
    defaultText: "127.0.0.1",
    description: "address to listen on (0.0.0.0 or :: for every interface)",
  },
  {
    name: "db",
    env: "SENTC_DB",
    kind: "string",
    placeholder: "PATH|URL",
    defaultText: "./data/sentc.sqlite",
    description: "SQLite file (created with its folder), :memory:, or postgres://USER:PASSWORD@HOST:PORT/DB",
  },
  {
    name: "config",
    env: "SENTC_CONFIG",
    kind: "string",
    placeholder: "FILE",
    defaultText: "none (a default app on a new database)",
    description: "apps and settings (JSON)",
  },
  {
    name: "files",
    env: "SENTC_FILES",
    kind: "string",
    placeholder: "DIR",
    defaultText: "files/ beside the SQLite file; ./data/files with PostgreSQL",
    description: "where uploaded file parts are kept (shared between processes)",
  },
  {
    name: "rotation-poll",
    env: "SENTC_ROTATION_POLL",
    kind: "string",
    placeholder: "SECONDS",
    defaultText: "30 with PostgreSQL, 0 (off) with SQLite",
    description: "how often the key rotation worker looks for rotations no worker of this process runs",
  },
  {
    name: "log-level",
    env: "SENTC_LOG_LEVEL",
    kind: "string",
    placeholder: "LEVEL",
    defaultText: "info",
    description: `request log level: ${LOG_LEVELS.join(", ")} (JSON lines on stdout)`,
  },
  {
    name: "metrics",
    env: "SENTC_METRICS",
    kind: "boolean",
    defaultText: "off",
    description: "serve Prometheus metrics at GET /metrics (env: 1/true/yes/on or 0/false/no/off)",
  },
  {
    name: "admin-token-file",
    env: "SENTC_ADMIN_TOKEN_FILE",
    kind: "string",
    placeholder: "FILE",
    defaultText: "none (SENTC_ADMIN_TOKEN, else the admin API is off)",
    description: "file with the admin token of /admin/v1 and /dashboard (or set SENTC_ADMIN_TOKEN)",
  },
  {
    name: "shutdown-timeout",
    env: "SENTC_SHUTDOWN_TIMEOUT",
    kind: "string",
    placeholder: "SECONDS",
    defaultText: "10",
    description: "on SIGTERM/SIGINT, how long requests in flight may take before their connections are closed",
  },
  {
    name: "trust-proxy",
    env: "SENTC_TRUST_PROXY",
    kind: "string",
    placeholder: "ADDRESSES",
    defaultText: "off (the socket's address)",
    description:
      "proxies whose X-Forwarded-For names the client (failed-login limit per client): addresses or CIDRs, comma-separated, or true for any",
  },
  {
    name: "request-timeout",
    env: "SENTC_REQUEST_TIMEOUT",
    kind: "string",
    placeholder: "SECONDS",
    defaultText: "120",
    description: "a request (headers and body) must have arrived within this time, else 408 and closed; 0 = off",
  },
  {
    name: "headers-timeout",
    env: "SENTC_HEADERS_TIMEOUT",
    kind: "string",
    placeholder: "SECONDS",
    defaultText: "30",
    description: "the request headers must have arrived within this time (at most the request timeout)",
  },
  {
    name: "keep-alive-timeout",
    env: "SENTC_KEEP_ALIVE_TIMEOUT",
    kind: "string",
    placeholder: "SECONDS",
    defaultText: "5",
    description: "an idle keep-alive connection is closed after this time",
  },
  {
    name: "idle-timeout",
    env: "SENTC_IDLE_TIMEOUT",
    kind: "string",
    placeholder: "SECONDS",
    defaultText: "60",
    description: "a connection on which nothing is sent or received for this time is closed; 0 = off",
  },
];

/** The HTTP timeouts (ms); see `--help` and docs/server.md "Uploads and timeouts". */
export interface HttpTimeouts {
  /** Whole request (headers and body); 0 = off. */
  requestMs: number;
  /** Request headers; at most `requestMs` (unless that is 0). */
  headersMs: number;
  /** Idle keep-alive connections. */
  keepAliveMs: number;
  /** Socket inactivity; 0 = off. */
  idleMs: number;
}

/** The defaults of `HttpTimeouts` (the table above). */
export const DEFAULT_HTTP_TIMEOUTS: Readonly<HttpTimeouts> = {
  requestMs: 120_000,
  headersMs: 30_000,
  keepAliveMs: 5_000,
  idleMs: 60_000,
};

/** Thrown for a bad flag or environment value; the message names the flag or variable. */
export class OptionError extends Error {
  override readonly name = "OptionError";
}

/** The resolved command line. */
export interface CliOptions {
  port: number;
  host: string;
  db: string;
  config?: string;
  files?: string;
  /** The file holding the admin token (`SENTC_ADMIN_TOKEN` is read by server/admin/token.ts). */
  adminTokenFile?: string;
  /** undefined = the store's default. */
  rotationPollMs?: number;
  logLevel: LogLevel;
  metrics: boolean;
  shutdownTimeoutMs: number;
  /** Fastify's `trustProxy`: true, or the proxy addresses; undefined = off. */
  trustProxy?: boolean | string;
  timeouts: HttpTimeouts;
  help: boolean;
  version: boolean;
}

function parseSeconds(text: string, source: string): number {
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0)
    throw new OptionError(`${source} must be a number of seconds ≥ 0, not ${JSON.stringify(text)}`);
  return Math.round(seconds * 1000);
}

function parseSwitch(text: string, source: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new OptionError(`${source} must be one of 1, true, yes, on, 0, false, no, off, not ${JSON.stringify(text)}`);
}

/** `--trust-proxy`: `true` trusts any proxy; else a comma-separated list of addresses or CIDR ranges. */
function parseTrustProxy(value: { text: string; source: string } | undefined): boolean | string | undefined {
  if (!value) return undefined;
  const text = value.text.trim();
  if (/^true$/i.test(text)) return true;
  if (!/^[0-9A-Za-z.:/,\s]+$/.test(text))
    throw new OptionError(
      `${value.source} must be true or proxy addresses (comma-separated), not ${JSON.stringify(text)}`,
    );
  return text;
}

/**
 * Resolves the options from the arguments (without node and the script) and the environment.
 *
 * @throws OptionError for an unknown flag, a missing value or a value out of range.
 * @example
 * parseCliOptions(["--port", "0"], { SENTC_LOG_LEVEL: "warn" }); // { port: 0, logLevel: "warn", … }
 */
export function parseCliOptions(argv: string[], env: Record<string, string | undefined>): CliOptions {
  const parseOptions: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
  };
  for (const spec of OPTIONS) {
    parseOptions[spec.name] = { type: spec.kind };
    if (spec.kind === "boolean") parseOptions[`no-${spec.name}`] = { type: "boolean" };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: parseOptions, strict: true, allowPositionals: false }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    throw new OptionError(`${(error as Error).message} (see --help)`);
  }
  /** The raw value and where it came from: the flag, else the environment, else undefined. */
  const raw = (name: string): { text: string; source: string } | undefined => {
    const spec = OPTIONS.find((o) => o.name === name)!;
    const flag = values[name];
    if (typeof flag === "string") return { text: flag, source: `--${name}` };
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== "") return { text: fromEnv, source: spec.env };
    return undefined;
  };
  const text = (name: string, fallback: string): string => raw(name)?.text ?? fallback;

  const portRaw = raw("port");
  let port = 3002;
  if (portRaw) {
    port = /^\d{1,5}$/.test(portRaw.text) ? Number(portRaw.text) : NaN;
    if (!(port >= 0 && port <= 65535))
      throw new OptionError(`${portRaw.source} must be a port number 0…65535, not ${JSON.stringify(portRaw.text)}`);
  }
  const level = raw("log-level");
  const logLevel = (level?.text.toLowerCase() ?? "info") as LogLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new OptionError(
      `${level!.source} must be one of ${LOG_LEVELS.join(", ")}, not ${JSON.stringify(level!.text)}`,
    );
  if (values.metrics === true && values["no-metrics"] === true)
    throw new OptionError("--metrics and --no-metrics contradict each other");
  let metrics = false;
  if (values.metrics === true) metrics = true;
  else if (values["no-metrics"] === true) metrics = false;
  else if (env.SENTC_METRICS !== undefined && env.SENTC_METRICS !== "")
    metrics = parseSwitch(env.SENTC_METRICS, "SENTC_METRICS");
  const poll = raw("rotation-poll");
  const shutdown = raw("shutdown-timeout");
  const seconds = (name: string, fallback: number): number => {
    const value = raw(name);
    return value ? parseSeconds(value.text, value.source) : fallback;
  };
  const timeouts: HttpTimeouts = {
    requestMs: seconds("request-timeout", DEFAULT_HTTP_TIMEOUTS.requestMs),
    headersMs: seconds("headers-timeout", DEFAULT_HTTP_TIMEOUTS.headersMs),
    keepAliveMs: seconds("keep-alive-timeout", DEFAULT_HTTP_TIMEOUTS.keepAliveMs),
    idleMs: seconds("idle-timeout", DEFAULT_HTTP_TIMEOUTS.idleMs),
  };
  if (timeouts.headersMs === 0) throw new OptionError("--headers-timeout must be more than 0 seconds");
  if (timeouts.requestMs > 0 && timeouts.headersMs > timeouts.requestMs)
    throw new OptionError("--headers-timeout must not be longer than --request-timeout");
  const host = text("host", "127.0.0.1");
  const db = text("db", "./data/sentc.sqlite");
  return {
    port,
    host,
    db,
    config: raw("config")?.text,
    files: raw("files")?.text,
    adminTokenFile: raw("admin-token-file")?.text,
    rotationPollMs: poll ? parseSeconds(poll.text, poll.source) : undefined,
    logLevel,
    metrics,
    shutdownTimeoutMs: shutdown ? parseSeconds(shutdown.text, shutdown.source) : 10_000,
    trustProxy: parseTrustProxy(raw("trust-proxy")),
    timeouts,
    help: values.help === true,
    version: values.version === true,
  };
}

/**
 * The version of the server: the `version` of the nearest package.json above this module.
 *
 * @throws Error when no package.json with a version is found.
 * @example
 * serverVersion(); // "0.1.0"
 */
export function serverVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: unknown }).version;
      if (typeof version === "string") return version;
    } catch {
      // none here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("sentc-server: no package.json with a version found");
    dir = parent;
  }
}

/**
 * The text of `--help`: every option with its default and its environment variable.
 *
 * @example
 * process.stdout.write(helpText());
 */
export function helpText(): string {
  const lines = [
    `sentc-server ${serverVersion()}: a sentc-compatible API server`,
    "",
    "usage: sentc-server [options]",
    "",
    "Every option can also be set with the environment variable shown beside it; a flag on the",
    "command line wins over the environment. Once it serves, the server prints one JSON line on stdout",
    "(base_url, app_id, tokens); request logs follow as JSON lines.",
    "",
    "options:",
  ];
  for (const spec of OPTIONS) {
    const flag =
      spec.kind === "boolean" ? `--${spec.name}, --no-${spec.name}` : `--${spec.name} ${spec.placeholder ?? "VALUE"}`;
    lines.push(
      `  ${flag}`,
      `      ${spec.description}`,
      `      default: ${spec.defaultText}; environment: ${spec.env}`,
    );
  }
  lines.push("  -h, --help", "      this text", "  -v, --version", "      the version", "");
  lines.push("app management: sentc-server app --help (works on the database of --db directly)", "");
  lines.push("key transparency audit: sentc-server audit --help (checks a running server's log over HTTP)", "");
  lines.push(
    "endpoints besides /api/v1: GET /health (liveness), GET /ready (database and migrations), GET /metrics (with --metrics)",
    "",
  );
  return lines.join("\n");
}
