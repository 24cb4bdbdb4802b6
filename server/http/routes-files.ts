/**
 * The sym-key (api.md §3.7) and file (§3.8) routes. Same pattern as routes.ts — each route parses and
 * validates its input and calls one service function — with what these routes need beyond it:
 *
 * - sentc's file handlers check the app option before parsing (§1.3), the key handlers after;
 * - group routes run the group middleware (`:group_id` format 400/1, access 400/310) after the JWT;
 * - `GET /file/:file_id` takes an optional JWT (absent = anonymous; present = must be valid);
 * - the part upload reads a raw body (≤ 5 MiB, 400/502) only after all checks, the part download answers
 *   raw bytes (`application/octet-stream`; errors stay JSON envelopes).
 *
 * `registerFileRoutes(app, fx)` adds them to the fastify instance built by app.ts (before it listens).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import { E } from "../errors.js";
import { authenticateJwt, checkEndpoint, resolveAppToken, type AuthenticatedApp, type EndpointAccess } from "../services/apps.js";
import type { JwtUser } from "../services/context.js";
import * as files from "../services/files.js";
import { FE, type FilesContext, type GroupAccess, type PartBody } from "../services/files.js";
import * as symKeys from "../services/sym-keys.js";
import type { AppRecord } from "../store/types.js";
import { cursorParams, obj, optStr, str } from "./input.js";
import type { JwtMode, Method } from "./routes.js";

export interface FileRouteRequest<I> {
  fx: FilesContext;
  app: AppRecord;
  appId: string;
  input: I;
  params: Record<string, string>;
  /** Set when the jwt mode is not "none" (for "optional" only when a JWT was sent). */
  user: JwtUser | null;
  /** Set on group routes: the caller's access to `:group_id`. */
  group: GroupAccess | null;
  /** Set on the raw-body route. */
  body: PartBody | null;
}

export interface FileRouteDef<I = unknown> {
  method: Method;
  path: string;
  access: EndpointAccess;
  jwt: JwtMode | "optional";
  /** The group middleware on `:group_id`. */
  group?: boolean;
  /** sentc's file handlers check the option before parsing (400/203 before 422/11). */
  optionFirst?: boolean;
  /** The body is the raw part (no JSON). */
  rawBody?: boolean;
  /** The result is raw bytes, not an envelope. */
  rawResult?: boolean;
  parse?: (body: unknown, params: Record<string, string>) => I;
  handle: (request: FileRouteRequest<I>) => Promise<unknown>;
}

function route<I>(def: FileRouteDef<I>): FileRouteDef {
  return def as unknown as FileRouteDef;
}

function me(r: { user: JwtUser | null }): JwtUser {
  if (!r.user) throw E.jwtNotFound();
  return r.user;
}

function groupOf(r: { group: GroupAccess | null }): GroupAccess {
  if (!r.group) throw FE.groupAccess();
  return r.group;
}

const p = (params: Record<string, string>, name: string): string => params[name] ?? "";

/** As app.ts's API_PREFIX (not imported: app.ts may import this module). */
const API_PREFIX = "/api/v1";

// ---- input

export function symKeyInput(body: unknown): symKeys.SymKeyInput {
  const o = obj(body);
  return { alg: str(o, "alg"), encryptedKeyString: str(o, "encrypted_key_string"), masterKeyId: str(o, "master_key_id") };
}

export function fileRegisterInput(body: unknown): files.FileRegisterInput {
  const o = obj(body);
  const type = o.belongs_to_type;
  if (type !== "None" && type !== "Group" && type !== "User") throw E.jsonParse('body.belongs_to_type: expected "None", "Group" or "User"');
  return {
    encryptedKey: str(o, "encrypted_key"),
    encryptedKeyAlg: str(o, "encrypted_key_alg"),
    masterKeyId: str(o, "master_key_id"),
    belongsToId: optStr(o, "belongs_to_id"),
    belongsToType: type,
    encryptedFileName: optStr(o, "encrypted_file_name"),
  };
}

export const fileNameInput = (body: unknown): string | null => optStr(obj(body), "encrypted_file_name");

/** `:seq`, `:last_sequence`: an i32 (else 400/12, the file API's code). */
export function sequenceParam(value: string | undefined): number {
  if (value === undefined || !/^[+-]?\d{1,10}$/.test(value)) throw FE.pathNumber();
  const number = Number(value);
  if (number < -(2 ** 31) || number > 2 ** 31 - 1) throw FE.pathNumber();
  return number;
}

/** `:end`: `true` or `false` (else 400/12). */
export function endParam(value: string | undefined): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw FE.pathNumber();
}

interface PartParams {
  sessionId: string;
  sequence: number;
  end: boolean;
}

const partParams = (_body: unknown, ps: Record<string, string>): PartParams => ({
  sessionId: p(ps, "session_id"),
  sequence: sequenceParam(ps.seq),
  end: endParam(ps.end),
});

// ---- the routes (paths under /api/v1)

export const FILE_ROUTES: FileRouteDef[] = [
  // §3.7 sym keys
  route({ method: "POST", path: "/keys/sym_key", access: "key_register", jwt: "required", parse: symKeyInput, handle: (r) => symKeys.registerSymKey(r.fx, r.appId, me(r), r.input) }),
  route({ method: "DELETE", path: "/keys/sym_key/:key_id", access: "key_register", jwt: "required", handle: (r) => symKeys.deleteSymKey(r.fx, r.appId, me(r), p(r.params, "key_id")) }),
  route({ method: "GET", path: "/keys/sym_key/master_key/:master_key_id/:last_fetched_time/:last_key_id", access: "key_get", jwt: "none", parse: (_b, ps) => cursorParams(ps.last_fetched_time, ps.last_key_id), handle: (r) => symKeys.listSymKeysByMasterKey(r.fx, r.appId, p(r.params, "master_key_id"), r.input) }),
  route({ method: "GET", path: "/keys/sym_key/:key_id", access: "key_get", jwt: "none", handle: (r) => symKeys.getSymKey(r.fx, r.appId, p(r.params, "key_id")) }),

  // §3.8 files
  route({ method: "POST", path: "/file", access: "file_register", jwt: "required", optionFirst: true, parse: fileRegisterInput, handle: (r) => files.registerFile(r.fx, r.appId, me(r), r.input, null) }),
  route({ method: "POST", path: "/group/:group_id/file", access: "file_register", jwt: "required", group: true, optionFirst: true, parse: fileRegisterInput, handle: (r) => files.registerFile(r.fx, r.appId, me(r), r.input, p(r.params, "group_id")) }),
  route({ method: "POST", path: "/file/part/:session_id/:seq/:end", access: "file_part_upload", jwt: "expired_ok", optionFirst: true, rawBody: true, parse: partParams, handle: (r) => files.uploadPart(r.fx, r.app, me(r), r.input.sessionId, r.input.sequence, r.input.end, r.body!) }),
  route({ method: "PATCH", path: "/file/part/:session_id/:seq/:end/:user_id", access: "forced", jwt: "none", optionFirst: true, parse: partParams, handle: (r) => files.registerExternPart(r.fx, r.app, p(r.params, "user_id"), r.input.sessionId, r.input.sequence, r.input.end) }),
  route({ method: "DELETE", path: "/file/part/:part_id", access: "forced", jwt: "none", optionFirst: true, handle: (r) => files.deleteExternPart(r.fx, r.app, p(r.params, "part_id")) }),
  route({ method: "GET", path: "/file/part/:part_id", access: "file_part_download", jwt: "none", optionFirst: true, rawResult: true, handle: (r) => files.downloadPart(r.fx, r.appId, p(r.params, "part_id")) }),
  route({ method: "GET", path: "/file/:file_id", access: "file_get", jwt: "optional", optionFirst: true, handle: (r) => files.getFile(r.fx, r.appId, r.user, p(r.params, "file_id"), null) }),
  route({ method: "GET", path: "/group/:group_id/file/:file_id", access: "file_get", jwt: "required", group: true, optionFirst: true, handle: (r) => files.getFile(r.fx, r.appId, me(r), p(r.params, "file_id"), p(r.params, "group_id")) }),
  route({ method: "GET", path: "/file/:file_id/part_fetch/:last_sequence", access: "file_get", jwt: "none", optionFirst: true, parse: (_b, ps) => sequenceParam(ps.last_sequence), handle: (r) => files.listParts(r.fx, r.appId, p(r.params, "file_id"), r.input) }),
  route({ method: "PUT", path: "/file/:file_id", access: "file_register", jwt: "required", optionFirst: true, parse: fileNameInput, handle: (r) => files.renameFile(r.fx, r.appId, me(r), p(r.params, "file_id"), r.input) }),
  route({ method: "DELETE", path: "/file/:file_id", access: "file_delete", jwt: "required", optionFirst: true, handle: (r) => files.deleteFile(r.fx, r.appId, me(r), p(r.params, "file_id"), null) }),
  route({ method: "DELETE", path: "/group/:group_id/file/:file_id", access: "file_delete", jwt: "required", group: true, optionFirst: true, handle: (r) => files.deleteFile(r.fx, r.appId, me(r), p(r.params, "file_id"), { id: p(r.params, "group_id"), access: groupOf(r) }) }),
];

// ---- registration

/** Past this many bytes of a refused body the connection is cut instead of draining it. */
const DRAIN_CAP = 4 * files.MAX_PART_SIZE;

/**
 * Reads a raw body stream up to a limit. A refused body (too large, or not read at all because a check
 * failed) is drained so that the answer reaches the client; past DRAIN_CAP the connection is cut.
 */
function streamBody(stream: Readable | undefined): PartBody & { discard(): void } {
  let used = false;
  return {
    read(maxBytes: number): Promise<Uint8Array | null> {
      used = true;
      if (!stream || stream.readableEnded) return Promise.resolve(new Uint8Array(0));
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) {
            chunks.push(chunk);
            return;
          }
          settled = true;
          cleanup();
          drain(stream, size);
          resolve(null);
        };
        const onEnd = () => {
          if (settled) return;
          settled = true;
          cleanup();
          resolve(Buffer.concat(chunks, size));
        };
        const onError = (error: Error) => {
          if (settled) return;
          settled = true;
          cleanup();
          reject(error);
        };
        const cleanup = () => {
          stream.off("data", onData);
          stream.off("end", onEnd);
          stream.off("error", onError);
        };
        stream.on("data", onData);
        stream.on("end", onEnd);
        stream.on("error", onError);
        stream.resume();
      });
    },
    discard() {
      if (stream && !used) drain(stream, 0);
    },
  };
}

function drain(stream: Readable, alreadyRead: number): void {
  if (stream.readableEnded || stream.destroyed) return;
  let total = alreadyRead;
  stream.on("data", (chunk: Buffer) => {
    total += chunk.length;
    if (total > DRAIN_CAP) stream.destroy();
  });
  stream.on("error", () => undefined);
  stream.resume();
}

const groupAccessOf = new WeakMap<FastifyRequest, GroupAccess>();

function addRoute(app: FastifyInstance, fx: FilesContext, def: FileRouteDef): void {
  app.route({
    method: def.method,
    url: API_PREFIX + def.path,
    // Before the body is read (api.md §1.6): app token, JWT, group middleware. app.ts's onRequest sets
    // `sentcApp` for its own routes only, so this one runs the same checks.
    onRequest: async (request: FastifyRequest) => {
      const token = request.headers["x-sentc-app-token"];
      const auth = await resolveAppToken(fx.ctx, typeof token === "string" ? token : undefined);
      request.sentcApp = auth;
      const authorization = request.headers.authorization;
      if (def.jwt === "required" || def.jwt === "fresh" || def.jwt === "expired_ok" || (def.jwt === "optional" && authorization !== undefined)) {
        request.sentcUser = await authenticateJwt(fx.ctx, auth.app.id, authorization, def.jwt === "expired_ok");
      }
      if (def.group) {
        if (!request.sentcUser) throw E.jwtNotFound();
        const params = (request.params ?? {}) as Record<string, string>;
        const header = request.headers["x-sentc-group-access-id"];
        const accessGroupId = typeof header === "string" ? header : null;
        groupAccessOf.set(request, await files.groupAccess(fx, auth.app.id, p(params, "group_id"), request.sentcUser, accessGroupId));
      }
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const body = def.rawBody ? streamBody(request.body as Readable | undefined) : null;
      try {
        const auth: AuthenticatedApp | undefined = request.sentcApp;
        if (!auth) throw E.appTokenNotFound();
        const params = (request.params ?? {}) as Record<string, string>;
        const parse = (): unknown => (def.parse ? def.parse(def.rawBody ? undefined : request.body, params) : undefined);
        let input = def.optionFirst ? undefined : parse();
        checkEndpoint(auth, def.access);
        if (def.optionFirst) input = parse();
        const user = request.sentcUser ?? null;
        if (def.jwt === "fresh") {
          if (!user) throw E.jwtNotFound();
          if (!user.fresh) throw E.notFresh();
        }
        const result = await def.handle({ fx, app: auth.app, appId: auth.app.id, input, params, user, group: groupAccessOf.get(request) ?? null, body });
        if (def.rawResult) return reply.code(200).header("content-type", "application/octet-stream").send(result as Buffer);
        if (result === undefined || result === null || result === "" || result === false || result === 0) throw E.internal();
        return reply.code(200).header("content-type", "application/json").send(Buffer.from(JSON.stringify({ status: true, result })));
      } finally {
        body?.discard();
      }
    },
  });
}

/**
 * Adds the sym-key and file routes to the fastify instance of app.ts (call it before `listen`). JSON routes
 * use app.ts's body parser and limits; the part upload sits in its own context whose parser hands the raw
 * stream to the route. Errors go through app.ts's error handler (the envelope).
 */
export function registerFileRoutes(app: FastifyInstance, fx: FilesContext): void {
  for (const def of FILE_ROUTES) if (!def.rawBody) addRoute(app, fx, def);
  void app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_request, payload, done) => done(null, payload));
    for (const def of FILE_ROUTES) if (def.rawBody) addRoute(raw, fx, def);
  });
}
