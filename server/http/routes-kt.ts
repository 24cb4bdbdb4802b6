/**
 * The key transparency routes (docs/server.md "Key transparency log"): extras beside sentc's routes, read with the
 * app's token like the key lookups (option `user_public_data`), through the same pipeline (app.ts).
 */
import { E } from "../errors.js";
import * as kt from "../services/transparency.js";
import { p, route, type RouteDef } from "./routes.js";

/**
 * A query parameter as a non-negative safe integer; `null` when absent and optional.
 * @throws ApiError 400/13 when it is not a decimal number (or absent and required).
 * @example const first = count(r.query, "first", true);
 */
function count(query: Record<string, unknown> | undefined, name: string, required: true): number;
function count(query: Record<string, unknown> | undefined, name: string, required: false): number | null;
function count(query: Record<string, unknown> | undefined, name: string, required: boolean): number | null {
  const value = query?.[name];
  if (value === undefined && !required) return null;
  if (typeof value !== "string" || !/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw E.notANumber();
  return Number(value);
}

function subjectType(value: string): "user" | "group" {
  if (value !== "user" && value !== "group") throw E.jsonParse("the subject type must be user or group");
  return value;
}

export const KT_ROUTES: RouteDef[] = [
  route({
    method: "GET",
    path: "/kt/log_key",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => kt.logKey(r.ctx, r.appId),
  }),
  route({
    method: "GET",
    path: "/kt/sth",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => kt.treeHead(r.ctx, r.appId, count(r.query, "tree_size", false)),
  }),
  route({
    method: "GET",
    path: "/kt/consistency",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => kt.consistency(r.ctx, r.appId, count(r.query, "first", true), count(r.query, "second", true)),
  }),
  route({
    method: "GET",
    path: "/kt/entries",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => kt.entries(r.ctx, r.appId, count(r.query, "start", true), count(r.query, "end", true)),
  }),
  route({
    method: "GET",
    path: "/kt/subject/:subject_type/:subject_id",
    access: "user_public_data",
    jwt: "none",
    handle: (r) =>
      kt.subjectLeaves(r.ctx, r.appId, subjectType(p(r.params, "subject_type")), p(r.params, "subject_id")),
  }),
];
