/**
 * The shapes the endpoint functions share: a call is a method and a path (built from the ids the function takes,
 * each checked by `pathSegment`), an optional body and a reader that checks the envelope's `result`. The factories
 * here build the endpoint functions of one shape; their parameter order is the one every endpoint keeps:
 * `(http, jwt, ...ids, body?, options?)`.
 */
import type { HttpClient, HttpMethod, JwtInput, PageCursor, RequestOptions } from "../http.js";
import { pagePath } from "../http.js";
import { expectObjectArray, type JsonObject } from "./result.js";

/** Checks a call's result; `what` names the call in the error (`"GET /user/device result"`). */
export type Read<R> = (value: unknown, what: string) => R;

/** For calls whose result is not read (the envelope is still checked by `HttpClient`). */
export const noResult: Read<void> = () => undefined;

/** A call with the JWT only. */
export type JwtCall<R> = (http: HttpClient, jwt: JwtInput, options?: RequestOptions) => Promise<R>;
/** A call with the JWT and a body. */
export type BodyCall<R> = (http: HttpClient, jwt: JwtInput, body: string, options?: RequestOptions) => Promise<R>;
/** A call on one id. */
export type IdCall<R> = (http: HttpClient, jwt: JwtInput, id: string, options?: RequestOptions) => Promise<R>;
/** A call on one id with a body. */
export type IdBodyCall<R> = (
  http: HttpClient,
  jwt: JwtInput,
  id: string,
  body: string,
  options?: RequestOptions,
) => Promise<R>;
/** A page of a list (`/:last_time/:last_id` after the path, api.md §1.7). */
export type PageCall = (
  http: HttpClient,
  jwt: JwtInput,
  last?: PageCursor | null,
  options?: RequestOptions,
) => Promise<JsonObject[]>;

/**
 * `method path` with the JWT (and no body).
 * @example export const registerOtp = jwtCall("PATCH", "/user/register_otp", otpRegisterResult);
 */
export function jwtCall<R>(method: HttpMethod, path: string, read: Read<R>): JwtCall<R> {
  const what = `${method} ${path} result`;
  return async (http, jwt, options) => read(await http.requestJson(method, path, undefined, jwt, options), what);
}

/**
 * `method path` with the JWT and a body.
 * @example export const resetPassword = bodyCall("PUT", "/user/reset_pw", noResult);
 */
export function bodyCall<R>(method: HttpMethod, path: string, read: Read<R>): BodyCall<R> {
  const what = `${method} ${path} result`;
  return async (http, jwt, body, options) => read(await http.requestJson(method, path, body, jwt, options), what);
}

/**
 * `method path(id)`; `pattern` is the path with the id's placeholder, for errors.
 * @example export const getUserKey = idCall("GET", (id) => `/user/user_keys/key/${id}`, "/user/user_keys/key", expectObject);
 */
export function idCall<R>(method: HttpMethod, path: (id: string) => string, pattern: string, read: Read<R>): IdCall<R> {
  const what = `${method} ${pattern} result`;
  return async (http, jwt, id, options) =>
    read(await http.requestJson(method, path(id), undefined, jwt, options), what);
}

/**
 * `method path(id)` with a body; `pattern` as for `idCall`.
 * @example export const finishUserKeyRotation = idBodyCall("PUT", (id) => `/user/user_keys/rotation/${id}`, "", noResult);
 */
export function idBodyCall<R>(
  method: HttpMethod,
  path: (id: string) => string,
  pattern: string,
  read: Read<R>,
): IdBodyCall<R> {
  const what = `${method} ${pattern} result`;
  return async (http, jwt, id, body, options) =>
    read(await http.requestJson(method, path(id), body, jwt, options), what);
}

/**
 * `GET path/:last_time/:last_id` → the page's items.
 * @example export const getDevices = pageCall("/user/device");
 */
export function pageCall(path: string): PageCall {
  const what = `GET ${path} result`;
  return async (http, jwt, last, options) =>
    expectObjectArray(await http.requestJson("GET", `${path}${pagePath(last)}`, undefined, jwt, options), what);
}
