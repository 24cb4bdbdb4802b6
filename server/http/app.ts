/**
 * The HTTP layer (fastify): routing under /api/v1, sentc's envelope on every answer (404s included),
 * the app-token and JWT checks, body limits and CORS (api.md §1). Every route table (routes.ts,
 * routes-files.ts) runs through `registerRoutes`.
 */
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import type { Readable } from "node:stream";
import { ApiError, E } from "../errors.js";
import {
  authenticateJwt,
  checkEndpoint,
  requireDeviceProof,
  requireFresh,
  resolveAppToken,
  type AuthenticatedApp,
} from "../services/apps.js";
import type { JwtUser, ServiceContext } from "../services/context.js";
import { requireAppUser, resolveGroupAccess, type GroupAccess } from "../services/group-access.js";
import { StoreBusyError } from "../store/types.js";
import { streamBody } from "./raw-body.js";
import { ROUTES, type RouteDef } from "./routes.js";
import { KT_ROUTES } from "./routes-kt.js";

export const API_PREFIX = "/api/v1";
export const BODY_LIMIT = 262_144;

const CORS_PREFLIGHT_HEADERS = {
  "access-control-allow-methods": "GET, POST, PUT, DELETE, OPTIONS, PATCH",
  "access-control-max-age": "86400",
  "access-control-allow-origin": "*",
  "access-control-allow-credentials": "true",
  "access-control-allow-headers":
    "x-sentc-app-token, x-sentc-group-access-id, Content-Type, Accept, Origin, Authorization, x-socket-id, x-sentc-device-signature, x-sentc-rotate-refresh-token",
};

declare module "fastify" {
  interface FastifyRequest {
    sentcApp?: AuthenticatedApp;
    sentcUser?: JwtUser;
    sentcGroup?: GroupAccess;
    /** The raw JSON body (device proofs sign its SHA-256). */
    sentcRawBody?: Buffer;
  }
}

function sendEnvelope(reply: FastifyReply, status: number, payload: Record<string, unknown>): FastifyReply {
  return reply
    .code(status)
    .header("content-type", "application/json")
    .send(Buffer.from(JSON.stringify(payload)));
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.httpStatus === 503) reply.header("retry-after", "1");
  return sendEnvelope(reply, error.httpStatus, { status: false, err_msg: error.message, err_code: error.code });
}

/** Maps anything thrown to an ApiError; unexpected errors become 500/10 and are logged. */
function toApiError(error: unknown, log: (error: unknown) => void): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof StoreBusyError) return E.busy();
  const code = (error as { code?: unknown }).code;
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return E.inputTooBig();
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500)
    return E.jsonParse(String((error as Error).message ?? "bad request"));
  log(error);
  return E.internal();
}

export interface HttpAppOptions {
  /** Called with unexpected errors (500s) and the request they happened in. */
  onInternalError?: (error: unknown, request: FastifyRequest) => void;
  /** More Fastify options (logger, request ids, connection closing: see server/logging.ts, http/ops.ts). */
  fastify?: Partial<FastifyServerOptions>;
  /** Called with requests no route sees (bad %-encoding, over-long parameters) before their 404 is sent. */
  onUnrouted?: (request: FastifyRequest, reply: FastifyReply) => void;
}

export async function buildHttpApp(ctx: ServiceContext, options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const logInternal =
    options.onInternalError ?? ((error: unknown) => console.error("sentc-server: internal error", error));
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: false,
    forceCloseConnections: true,
    // Paths the router cannot take apart (bad %-encoding, over-long parameters) match no route: 404.
    frameworkErrors: (_error, request, reply) => {
      options.onUnrouted?.(request, reply);
      sendError(reply, E.notFound());
    },
    ...options.fastify,
  });

  // The server ignores Content-Type (api.md §1.2): every body is JSON, parsed here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (request, body, done) => {
    const buffer = body as Buffer;
    request.sentcRawBody = buffer;
    if (buffer.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(buffer.toString("utf8")));
    } catch (error) {
      done(E.jsonParse((error as Error).message), undefined);
    }
  });

  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("access-control-allow-origin", "*");
    return payload;
  });

  app.setErrorHandler((error, request, reply) =>
    sendError(
      reply,
      toApiError(error, (e) => logInternal(e, request)),
    ),
  );
  app.setNotFoundHandler((_request, reply) => sendError(reply, E.notFound()));

  app.options("/*", (_request, reply) => reply.code(200).headers(CORS_PREFLIGHT_HEADERS).send(""));
  app.get("/", (_request, reply) => reply.code(301).header("location", "/dashboard").send(""));

  registerRoutes(app, ctx, ctx, ROUTES);
  registerRoutes(app, ctx, ctx, KT_ROUTES);
  return app;
}

/**
 * Registers route definitions on the fastify instance through the one pipeline of this server: app
 * token, forced user, JWT (required, fresh, expired-ok or optional), group middleware, option check,
 * input validation, the handler with `handlerContext`, and the envelope (or raw bytes). `rawBody` routes
 * sit in a context of their own whose parser hands the body stream to the route; the others use the
 * JSON parser, limits and error handler of `buildHttpApp`.
 * @example registerRoutes(app, ctx, ctx, ROUTES);
 */
export function registerRoutes<C>(
  app: FastifyInstance,
  ctx: ServiceContext,
  handlerContext: C,
  defs: ReadonlyArray<RouteDef<unknown, C>>,
): void {
  for (const def of defs) if (!def.rawBody) registerRoute(app, ctx, handlerContext, def);
  const rawDefs = defs.filter((def) => def.rawBody);
  if (rawDefs.length === 0) return;
  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    for (const def of rawDefs) registerRoute(raw, ctx, handlerContext, def);
  });
}

function registerRoute<C>(
  app: FastifyInstance,
  ctx: ServiceContext,
  handlerContext: C,
  def: RouteDef<unknown, C>,
): void {
  app.route({
    method: def.method,
    url: API_PREFIX + def.path,
    // Before the body is read: app token (§1.6 step 1), forced user (step 2), JWT (step 3), group (step 4).
    onRequest: async (request: FastifyRequest) => {
      const token = request.headers["x-sentc-app-token"];
      request.sentcApp = await resolveAppToken(ctx, typeof token === "string" ? token : undefined);
      const appId = request.sentcApp.app.id;
      const params = (request.params ?? {}) as Record<string, string>;
      // Backend-only routes check the token kind before anything they look up, so that the public token
      // learns nothing about users or memberships (always 400/203).
      if (def.access === "forced") checkEndpoint(request.sentcApp, def.access);
      if (def.forcedUser) await requireAppUser(ctx, appId, params.user_id ?? "");
      const authorization = request.headers.authorization;
      if (def.jwt !== "none" && (def.jwt !== "optional" || authorization !== undefined)) {
        request.sentcUser = await authenticateJwt(ctx, appId, authorization, def.jwt === "expired_ok");
      }
      if (def.group) {
        const member = def.group === "forced" ? (params.user_id ?? "") : request.sentcUser?.userId;
        if (member === undefined) throw E.jwtNotFound();
        const header = request.headers["x-sentc-group-access-id"];
        const accessGroupId = Array.isArray(header) ? header[0] : header;
        request.sentcGroup = await resolveGroupAccess(ctx, appId, params.group_id ?? "", member, accessGroupId);
      }
    },
    handler: async (request, reply) => {
      const body = def.rawBody ? streamBody(request.body as Readable | undefined) : null;
      try {
        const auth = request.sentcApp;
        if (!auth) throw E.appTokenNotFound();
        const params = (request.params ?? {}) as Record<string, string>;
        // Group and file handlers check the option before the body (api.md §1.3); the others parse first.
        if (def.optionFirst) checkEndpoint(auth, def.access);
        const input = def.parse ? def.parse(def.rawBody ? undefined : request.body, params) : undefined;
        if (!def.optionFirst) checkEndpoint(auth, def.access);
        const user = request.sentcUser ?? null;
        if (def.jwt === "fresh") {
          if (!user) throw E.jwtNotFound();
          requireFresh(user);
        }
        if (def.deviceProof && auth.requireDeviceProof) {
          if (!user) throw E.jwtNotFound();
          const header = request.headers["x-sentc-device-signature"];
          const path = request.url.split("?")[0] ?? request.url;
          await requireDeviceProof(ctx, auth.app.id, user, {
            header: typeof header === "string" ? header : undefined,
            method: request.method,
            path,
            body: request.sentcRawBody ?? Buffer.alloc(0),
          });
        }
        const result = await def.handle({
          ctx: handlerContext,
          app: auth.app,
          appId: auth.app.id,
          input,
          params,
          user,
          group: request.sentcGroup ?? null,
          body,
          query: (request.query ?? {}) as Record<string, unknown>,
          headers: request.headers,
          clientAddress: request.ip,
        });
        if (def.rawResult)
          return reply
            .code(200)
            .header("content-type", "application/octet-stream")
            .send(result as Buffer);
        if (result === undefined || result === null || result === "" || result === false || result === 0)
          throw E.internal();
        return sendEnvelope(reply, 200, { status: true, result });
      } finally {
        body?.discard();
      }
    },
  });
}
