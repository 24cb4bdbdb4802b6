/**
 * What an operator needs from the HTTP layer, outside /api: `GET /health` (liveness), `GET /ready`
 * (database reachable, migrations applied, not shutting down), `GET /metrics` (Prometheus, when enabled);
 * the `x-request-id` header and the error code of every error envelope for the request log line; and the
 * graceful close (stop accepting, let requests in flight finish within a grace period).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { logRequestCompleted, REQUEST_ID_HEADER, requestOutcome, routeLabel } from "../logging.js";
import type { ServerMetrics } from "../metrics.js";
import { MigrationsPendingError } from "../store/health.js";
import type { Store } from "../store/types.js";

/** How long GET /ready waits for the database before it answers 503. */
export const DEFAULT_READY_TIMEOUT_MS = 3000;
/** Error envelopes larger than this are not read for their err_code (ours are a few hundred bytes). */
const MAX_ENVELOPE_SCAN = 16_384;

export interface OpsOptions {
  store: Store;
  /** The metrics to count into and serve at GET /metrics; null = no metrics (GET /metrics is a 404). */
  metrics: ServerMetrics | null;
  readyTimeoutMs?: number;
}

export interface OpsControl {
  /** True once `close` has begun: GET /ready answers 503 and answers carry `connection: close`. */
  readonly closing: boolean;
  /**
   * Stops accepting connections, closes idle keep-alive connections and waits for the requests in flight;
   * after `graceMs` the connections still open are closed. Resolves once the HTTP server is closed;
   * `forced` tells whether the grace period ran out.
   */
  close(graceMs: number): Promise<{ forced: boolean }>;
  /**
   * Logs and counts a request that no route and no hook sees (Fastify's `frameworkErrors`: bad
   * %-encoding, over-long parameters); call it before its answer is sent.
   */
  trackUnrouted(request: FastifyRequest, reply: FastifyReply): void;
}

/** The `err_code` of an error envelope, when the payload is one. */
function envelopeErrorCode(payload: unknown): number | undefined {
  let text: string;
  if (typeof payload === "string") text = payload;
  else if (Buffer.isBuffer(payload)) {
    if (payload.length > MAX_ENVELOPE_SCAN) return undefined;
    text = payload.toString("utf8");
  } else return undefined;
  if (text.length > MAX_ENVELOPE_SCAN || !text.startsWith("{")) return undefined;
  try {
    const code = (JSON.parse(text) as { err_code?: unknown }).err_code;
    return typeof code === "number" ? code : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  return reply
    .code(status)
    .header("content-type", "application/json")
    .header("cache-control", "no-store")
    .send(JSON.stringify(body));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Adds the operations routes and hooks to `app` (before it listens).
 *
 * @example
 * const ops = registerOps(http, { store, metrics: createServerMetrics(store) });
 * await ops.close(10_000); // on SIGTERM
 */
export function registerOps(app: FastifyInstance, options: OpsOptions): OpsControl {
  const { store, metrics } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  let closing = false;

  const beforeSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    reply.header("access-control-expose-headers", REQUEST_ID_HEADER);
    if (closing) reply.header("connection", "close");
    if (reply.statusCode >= 400) {
      const code = envelopeErrorCode(payload);
      if (code !== undefined) requestOutcome(request).errCode = code;
    }
  };
  app.addHook("onSend", async (request, reply, payload) => {
    beforeSend(request, reply, payload);
    return payload;
  });

  if (metrics) {
    app.addHook("onResponse", async (request, reply) => {
      metrics.observeRequest({
        method: request.method,
        route: routeLabel(request),
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
    });
  }

  // Probes: their successes are logged at debug, so that a probe every few seconds does not fill the log.
  const quiet = async (request: FastifyRequest) => {
    requestOutcome(request).quiet = true;
  };

  app.get("/health", { onRequest: quiet }, (_request, reply) => sendJson(reply, 200, { status: "ok" }));

  app.get("/ready", { onRequest: quiet }, async (request, reply) => {
    if (closing) return sendJson(reply, 503, { status: "unavailable", reason: "shutting down" });
    try {
      await withTimeout(store.checkReady(), readyTimeoutMs);
    } catch (error) {
      // The reason is kept short (the endpoint is public); the log has the database's own message.
      const reason = error instanceof MigrationsPendingError ? "migrations pending" : "database unavailable";
      request.log.warn({ err: error }, `not ready: ${reason}`);
      return sendJson(reply, 503, { status: "unavailable", reason });
    }
    return sendJson(reply, 200, { status: "ready" });
  });

  if (metrics) {
    app.get("/metrics", { onRequest: quiet }, async (_request, reply) =>
      reply
        .code(200)
        .header("content-type", metrics.contentType)
        .header("cache-control", "no-store")
        .send(await metrics.render()),
    );
  }

  return {
    get closing() {
      return closing;
    },
    async close(graceMs: number) {
      closing = true;
      let forced = false;
      app.log.info({ grace_ms: graceMs }, "shutting down: no new connections, finishing the requests in flight");
      const timer = setTimeout(() => {
        forced = true;
        app.log.warn({ grace_ms: graceMs }, "shutdown grace period over: closing the connections still open");
        app.server.closeAllConnections();
      }, graceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
      app.log.info({ forced }, "HTTP server closed");
      return { forced };
    },
    trackUnrouted(request, reply) {
      const started = process.hrtime.bigint();
      const send = reply.send.bind(reply);
      reply.send = (payload?: unknown) => {
        beforeSend(request, reply, payload);
        return send(payload);
      };
      reply.raw.once("finish", () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        metrics?.observeRequest({
          method: request.method,
          route: routeLabel(request),
          status: reply.statusCode,
          seconds: ms / 1000,
        });
        logRequestCompleted(null, request, reply, ms);
      });
    },
  };
}
