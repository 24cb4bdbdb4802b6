/**
 * Structured logs: Fastify's own logger (pino) writing one JSON line per request, with the request id,
 * the route pattern, method, status, duration and the app, and nothing a caller sent (no headers, no
 * bodies, no raw URLs). Keys that could carry a secret are redacted anyway, should anything log them.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  LogController,
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";

/** The levels `--log-level` accepts (pino's), quietest last. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where log lines go: anything with `write(line)` (default: stdout). */
export interface LogDestination {
  write(line: string): void;
}

export interface LoggingOptions {
  level: LogLevel;
  /** Default: stdout. */
  destination?: LogDestination;
}

/** The response header that carries the request id (also accepted on the request). */
export const REQUEST_ID_HEADER = "x-request-id";
/** The log field of the request id. */
export const REQUEST_ID_LOG_LABEL = "request_id";
/** An incoming request id is kept when it looks like one (letters, digits, `.`, `_`, `:`, `-`; ≤ 128). */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Paths pino censors in anything logged. Request lines carry no headers or bodies at all; this is the
 * second line of defence for code that logs a request, a reply, headers or an input object.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-sentc-app-token"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["x-sentc-app-token"]',
  'headers["set-cookie"]',
  "authorization",
  "cookie",
  "password",
  "token",
  "jwt",
  "refresh_token",
  "secret_token",
  "public_token",
  "*.password",
  "*.token",
  "*.jwt",
  "*.refresh_token",
  "*.secret_token",
  "*.public_token",
  "*.sign_key",
  "*.auth_key",
];

/** Per-request facts the log line and the metrics share (set by the ops hooks, read when the response is done). */
export interface RequestOutcome {
  /** sentc's `err_code` of an error envelope. */
  errCode?: number;
  /** Probe routes (/health, /ready, /metrics) log their successes at debug. */
  quiet?: boolean;
}

const outcomes = new WeakMap<FastifyRequest, RequestOutcome>();

/**
 * The outcome record of a request (created on first use).
 *
 * @example
 * requestOutcome(request).errCode = 404;
 */
export function requestOutcome(request: FastifyRequest): RequestOutcome {
  let outcome = outcomes.get(request);
  if (!outcome) {
    outcome = {};
    outcomes.set(request, outcome);
  }
  return outcome;
}

/**
 * The route pattern of a request (`/api/v1/group/:group_id`), never the raw URL; "unmatched" when no
 * route matched (404s), so that neither logs nor metric labels see what a caller typed.
 *
 * @example
 * routeLabel(request); // "/api/v1/user/:user_id"
 */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions?.url ?? "unmatched";
}

/**
 * The request id: the caller's `x-request-id` when it is sane, otherwise a new UUID.
 *
 * @example
 * genRequestId(rawRequest); // "4f0c…" or the caller's id
 */
export function genRequestId(raw: IncomingMessage): string {
  const incoming = raw.headers[REQUEST_ID_HEADER];
  return typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Only what an operator needs of an error: its type, message, code and stack (no attached data). */
function serializeError(error: unknown): { type: string; message: string; stack: string; [key: string]: unknown } {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: "" };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    stack: error.stack ?? "",
  };
}

/**
 * Writes the one log line of a finished request: request id (the logger's binding), method, route
 * pattern, status, duration, app id and err_code when known. 5xx and failed responses at error,
 * successful probes at debug, everything else at info.
 *
 * @example
 * logRequestCompleted(null, request, reply, reply.elapsedTime);
 */
export function logRequestCompleted(
  error: Error | null | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  durationMs: number,
): void {
  const outcome = outcomes.get(request);
  const line: Record<string, unknown> = {
    method: request.method,
    route: routeLabel(request),
    status: reply.statusCode,
    duration_ms: Math.round(durationMs * 1000) / 1000,
  };
  const appId = request.sentcApp?.app.id;
  if (appId !== undefined) line.app_id = appId;
  if (outcome?.errCode !== undefined) line.err_code = outcome.errCode;
  if (error) {
    line.err = serializeError(error);
    reply.log.error(line, "request failed");
  } else if (reply.statusCode >= 500) reply.log.error(line, "request completed");
  else if (outcome?.quiet && reply.statusCode < 400) reply.log.debug(line, "request completed");
  else reply.log.info(line, "request completed");
}

/** One line per request, written when the response is finished. */
class RequestLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: REQUEST_ID_LOG_LABEL });
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, route: routeLabel(request) }, "request received");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    logRequestCompleted(error, request, reply, reply.elapsedTime);
  }
}

/**
 * The Fastify options for the request logs and request ids: pino at `level` (no logger at all when
 * silent and no destination is given), one line per request, `x-request-id` accepted or generated.
 *
 * @example
 * Fastify({ ...loggingServerOptions({ level: "info" }) });
 */
export function loggingServerOptions(options: LoggingOptions = { level: "silent" }): Partial<FastifyServerOptions> {
  const base: Partial<FastifyServerOptions> = {
    requestIdHeader: false,
    genReqId: genRequestId,
    logController: new RequestLogController(),
  };
  if (options.level === "silent" && !options.destination) return { ...base, logger: false };
  return {
    ...base,
    logger: {
      level: options.level,
      ...(options.destination ? { stream: options.destination } : {}),
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: {
        // Nothing of a request or reply beyond the line's own fields; no URL (ids), no headers (tokens).
        req: (request: { method?: string; routeOptions?: { url?: string } }) => ({
          method: request.method,
          route: request.routeOptions?.url ?? "unmatched",
        }),
        res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
        err: serializeError,
      },
    },
  };
}

/**
 * Logs an unexpected error (a 500) on the request's logger, so that the line carries the request id.
 *
 * @example
 * logInternalError(request.log, error);
 */
export function logInternalError(log: FastifyBaseLogger, error: unknown): void {
  log.error({ err: error }, "internal error");
}
