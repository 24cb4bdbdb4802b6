/**
 * The sym-key (api.md §3.7) and file (§3.8) routes: a route table like routes.ts, registered by app.ts's
 * pipeline. Their handlers take the files' context (`FilesContext`: the services' context plus where
 * part bytes live). What these routes use of the pipeline:
 *
 * - sentc's file handlers check the app option before parsing (§1.3), the key handlers after;
 * - group routes run the group middleware (`:group_id` format 400/1, access 400/310) after the JWT;
 * - `GET /file/:file_id` takes an optional JWT (absent = anonymous; present = must be valid);
 * - the part upload reads a raw body (≤ 5 MiB, 400/502) only after all checks, the part download answers
 *   raw bytes (`application/octet-stream`; errors stay JSON envelopes).
 */
import type { FastifyInstance } from "fastify";
import * as files from "../services/files.js";
import type { FilesContext } from "../services/files.js";
import * as symKeys from "../services/sym-keys.js";
import { registerRoutes } from "./app.js";
import { cursorParams, endParam, fileNameInput, fileRegisterInput, sequenceParam, symKeyInput } from "./input.js";
import { g, me, p, route, type RouteDef } from "./routes.js";

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

/** A route whose handler takes the files' context. */
const fileRoute = <I>(def: RouteDef<I, FilesContext>): RouteDef<unknown, FilesContext> => route(def);

export const FILE_ROUTES: Array<RouteDef<unknown, FilesContext>> = [
  // §3.7 sym keys
  fileRoute({
    method: "POST",
    path: "/keys/sym_key",
    access: "key_register",
    jwt: "required",
    parse: symKeyInput,
    handle: (r) => symKeys.registerSymKey(r.ctx, r.appId, me(r), r.input),
  }),
  fileRoute({
    method: "DELETE",
    path: "/keys/sym_key/:key_id",
    access: "key_register",
    jwt: "required",
    handle: (r) => symKeys.deleteSymKey(r.ctx, r.appId, me(r), p(r.params, "key_id")),
  }),
  fileRoute({
    method: "GET",
    path: "/keys/sym_key/master_key/:master_key_id/:last_fetched_time/:last_key_id",
    access: "key_get",
    jwt: "none",
    parse: (_b, ps) => cursorParams(ps.last_fetched_time, ps.last_key_id),
    handle: (r) => symKeys.listSymKeysByMasterKey(r.ctx, r.appId, p(r.params, "master_key_id"), r.input),
  }),
  fileRoute({
    method: "GET",
    path: "/keys/sym_key/:key_id",
    access: "key_get",
    jwt: "none",
    handle: (r) => symKeys.getSymKey(r.ctx, r.appId, p(r.params, "key_id")),
  }),

  // §3.8 files
  fileRoute({
    method: "POST",
    path: "/file",
    access: "file_register",
    jwt: "required",
    optionFirst: true,
    parse: fileRegisterInput,
    handle: (r) => files.registerFile(r.ctx, r.appId, me(r), r.input, null),
  }),
  fileRoute({
    method: "POST",
    path: "/group/:group_id/file",
    access: "file_register",
    jwt: "required",
    group: true,
    optionFirst: true,
    parse: fileRegisterInput,
    handle: (r) => files.registerFile(r.ctx, r.appId, me(r), r.input, p(r.params, "group_id")),
  }),
  fileRoute({
    method: "POST",
    path: "/file/part/:session_id/:seq/:end",
    access: "file_part_upload",
    jwt: "expired_ok",
    optionFirst: true,
    rawBody: true,
    parse: partParams,
    handle: (r) => files.uploadPart(r.ctx, r.app, me(r), r.input.sessionId, r.input.sequence, r.input.end, r.body!),
  }),
  fileRoute({
    method: "PATCH",
    path: "/file/part/:session_id/:seq/:end/:user_id",
    access: "forced",
    jwt: "none",
    optionFirst: true,
    parse: partParams,
    handle: (r) =>
      files.registerExternPart(r.ctx, r.app, p(r.params, "user_id"), r.input.sessionId, r.input.sequence, r.input.end),
  }),
  fileRoute({
    method: "DELETE",
    path: "/file/part/:part_id",
    access: "forced",
    jwt: "none",
    optionFirst: true,
    handle: (r) => files.deleteExternPart(r.ctx, r.app, p(r.params, "part_id")),
  }),
  fileRoute({
    method: "GET",
    path: "/file/part/:part_id",
    access: "file_part_download",
    jwt: "none",
    optionFirst: true,
    rawResult: true,
    handle: (r) => files.downloadPart(r.ctx, r.appId, p(r.params, "part_id")),
  }),
  fileRoute({
    method: "GET",
    path: "/file/:file_id",
    access: "file_get",
    jwt: "optional",
    optionFirst: true,
    handle: (r) => files.getFile(r.ctx, r.appId, r.user, p(r.params, "file_id"), null),
  }),
  fileRoute({
    method: "GET",
    path: "/group/:group_id/file/:file_id",
    access: "file_get",
    jwt: "required",
    group: true,
    optionFirst: true,
    handle: (r) => files.getFile(r.ctx, r.appId, me(r), p(r.params, "file_id"), p(r.params, "group_id")),
  }),
  fileRoute({
    method: "GET",
    path: "/file/:file_id/part_fetch/:last_sequence",
    access: "file_get",
    jwt: "none",
    optionFirst: true,
    parse: (_b, ps) => sequenceParam(ps.last_sequence),
    handle: (r) => files.listParts(r.ctx, r.appId, p(r.params, "file_id"), r.input),
  }),
  fileRoute({
    method: "PUT",
    path: "/file/:file_id",
    access: "file_register",
    jwt: "required",
    optionFirst: true,
    parse: fileNameInput,
    handle: (r) => files.renameFile(r.ctx, r.appId, me(r), p(r.params, "file_id"), r.input),
  }),
  fileRoute({
    method: "DELETE",
    path: "/file/:file_id",
    access: "file_delete",
    jwt: "required",
    optionFirst: true,
    handle: (r) => files.deleteFile(r.ctx, r.appId, me(r), p(r.params, "file_id"), null),
  }),
  fileRoute({
    method: "DELETE",
    path: "/group/:group_id/file/:file_id",
    access: "file_delete",
    jwt: "required",
    group: true,
    optionFirst: true,
    handle: (r) =>
      files.deleteFile(r.ctx, r.appId, me(r), p(r.params, "file_id"), { id: p(r.params, "group_id"), access: g(r) }),
  }),
];

/**
 * Adds the sym-key and file routes to the fastify instance of app.ts (call it before `listen`).
 * @example registerFileRoutes(http, { ctx, blobs: new LocalBlobStore("./data/files") });
 */
export function registerFileRoutes(app: FastifyInstance, fx: FilesContext): void {
  registerRoutes(app, fx.ctx, fx, FILE_ROUTES);
}
