/**
 * Prometheus metrics (prom-client), served at GET /metrics when the server is started with `--metrics`.
 * Each server has a registry of its own (several servers in one process do not mix). Requests are
 * labelled by route pattern, never by raw URL, so the number of series stays bounded.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Store } from "./store/types.js";

const API = "/api/v1";
/** Routes whose success completes a login (a JWT is issued). */
const LOGIN_COMPLETED = new Set([
  `${API}/verify_login`,
  `${API}/verify_login_light`,
  `${API}/user/forced/login`,
  `${API}/user/forced/login_light`,
]);
/** Every step of a login; an error answer on any of them counts as a failed login. */
const LOGIN_STEPS = new Set([
  ...LOGIN_COMPLETED,
  `${API}/done_login`,
  `${API}/validate_mfa`,
  `${API}/validate_recovery_otp`,
]);
/** Routes that exchange a refresh token for a new JWT. */
const REFRESH_ROUTES = new Set([`${API}/refresh`, `${API}/init`]);

/** One finished request, as the HTTP layer saw it. */
export interface ObservedRequest {
  method: string;
  /** The route pattern ("unmatched" for 404s). */
  route: string;
  status: number;
  seconds: number;
}

export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts a finished request (and a login or refresh when it was one). */
  observeRequest(request: ObservedRequest): void;
  /** The exposition text (reads the store for the gauges). */
  render(): Promise<string>;
  /** The Content-Type of `render()`'s text. */
  readonly contentType: string;
}

/**
 * The metrics of one server over `store`: request counts and latencies by route and status, logins and
 * refreshes by result, pending group key rotations and database connection use (read at scrape time),
 * and prom-client's process metrics (CPU, memory, event loop, GC).
 *
 * @example
 * const metrics = createServerMetrics(store);
 * metrics.observeRequest({ method: "GET", route: "/health", status: 200, seconds: 0.001 });
 * const text = await metrics.render();
 */
export function createServerMetrics(store: Store): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "sentc_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "sentc_http_request_duration_seconds",
    help: "Time from the request's arrival to its answer, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const logins = new Counter({
    name: "sentc_logins_total",
    help: "Logins: success when a JWT was issued (verify_login, forced login), failure when a login step answered an error.",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const refreshes = new Counter({
    name: "sentc_jwt_refreshes_total",
    help: "JWT refreshes (PUT /api/v1/refresh, POST /api/v1/init) by result.",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const result of ["success", "failure"]) {
    logins.inc({ result }, 0);
    refreshes.inc({ result }, 0);
  }
  // The store-backed gauges are set by render(), connections first: reading the rotations uses one.
  const rotationsPending = new Gauge({
    name: "sentc_group_key_rotations_pending",
    help: "Group key rotations the server-side worker has not finished (read from the store).",
    registers: [registry],
  });
  const connections = new Gauge({
    name: "sentc_db_connections",
    help: "Database connections open (PostgreSQL: the pool's totalCount; SQLite: its one connection).",
    registers: [registry],
  });
  const connectionsIdle = new Gauge({
    name: "sentc_db_connections_idle",
    help: "Open database connections not in use (PostgreSQL: idleCount).",
    registers: [registry],
  });
  const connectionWaiters = new Gauge({
    name: "sentc_db_connection_waiters",
    help: "Queries waiting for a connection (PostgreSQL: waitingCount; SQLite: calls queued on its connection).",
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    observeRequest({ method, route, status, seconds }) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
      if (LOGIN_STEPS.has(route)) {
        if (status >= 400) logins.inc({ result: "failure" });
        else if (status === 200 && LOGIN_COMPLETED.has(route)) logins.inc({ result: "success" });
      } else if (REFRESH_ROUTES.has(route)) {
        if (status === 200) refreshes.inc({ result: "success" });
        else if (status >= 400) refreshes.inc({ result: "failure" });
      }
    },
    async render() {
      const stats = store.connectionStats();
      connections.set(stats.total);
      connectionsIdle.set(stats.idle);
      connectionWaiters.set(stats.waiting);
      try {
        rotationsPending.set((await store.listUnfinishedRotations()).length);
      } catch {
        // The store is unreachable (GET /ready says so): the gauge keeps its last value.
      }
      return registry.metrics();
    },
  };
}
