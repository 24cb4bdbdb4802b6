/**
 * The routes of this server (paths under /api/v1, api.md §3.1–§3.6, §3.9) and the route definition
 * every route table uses (this one and routes-files.ts). Each route parses and validates its input, then
 * calls one service function; the HTTP layer (app.ts) does tokens, JWT, the group access check, raw
 * bodies and the envelope.
 */
import { E } from "../errors.js";
import type { EndpointAccess } from "../services/apps.js";
import * as auth from "../services/auth.js";
import type { JwtUser, ServiceContext } from "../services/context.js";
import type { PartBody } from "../services/files.js";
import type { GroupAccess } from "../services/group-access.js";
import * as rotation from "../services/group-key-rotation.js";
import * as members from "../services/group-members.js";
import * as groups from "../services/groups.js";
import * as keys from "../services/user-keys.js";
import * as users from "../services/users.js";
import type { AppRecord } from "../store/types.js";
import * as input from "./input.js";

/** "optional": a JWT is checked when one is sent (absent = anonymous). */
export type JwtMode = "none" | "required" | "fresh" | "expired_ok" | "optional";
export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

/** What a handler gets; `C` is the context its services take (`ServiceContext`, or the files' context). */
export interface RouteRequest<I, C = ServiceContext> {
  ctx: C;
  app: AppRecord;
  appId: string;
  input: I;
  params: Record<string, string>;
  /** Set on every route whose jwt mode is not "none" ("optional": only when a JWT was sent). */
  user: JwtUser | null;
  /** Set on every route with a `group` mode (the group middleware, api.md §3.5.0). */
  group: GroupAccess | null;
  /** Set on `rawBody` routes. */
  body: PartBody | null;
  /** The query parameters (absent values undefined; a repeated name is an array). */
  query?: Record<string, unknown>;
  /** The request headers (lower-case names). */
  headers?: Record<string, string | string[] | undefined>;
  /** The client address (Fastify's `request.ip`: the socket's, or the proxy header's with `trustProxy`). */
  clientAddress?: string;
}

export interface RouteDef<I = unknown, C = ServiceContext> {
  method: Method;
  path: string;
  access: EndpointAccess;
  jwt: JwtMode;
  /**
   * The group middleware: the caller's access to `:group_id` (400/1, 400/310) as the JWT user (true) or
   * as the forced route's `:user_id` ("forced"); honours `x-sentc-group-access-id`.
   */
  group?: true | "forced";
  /** `/group/forced/:user_id/…`: `:user_id` must be a user of the app (400/100), before anything else. */
  forcedUser?: boolean;
  /** Group handlers check the app option before they parse the body (api.md §1.3). */
  optionFirst?: boolean;
  /** A path the sentc SDKs call that the reference lacks (api.md §7.1); not in routes.json. */
  alias?: boolean;
  /**
   * The caller must prove it holds the JWT device's sign key (`x-sentc-device-signature`, docs/server.md
   * "Sessions"), unless the app relaxed it (`require_device_proof: false`).
   */
  deviceProof?: boolean;
  /** The body is not JSON: the handler reads it raw (`body`), after every check passed. */
  rawBody?: boolean;
  /** The result is raw bytes (`application/octet-stream`), not an envelope; errors stay envelopes. */
  rawResult?: boolean;
  /** Body and path validation (422/11, 400/13); runs before the option check, as in sentc's user handlers. */
  parse?: (body: unknown, params: Record<string, string>) => I;
  handle: (request: RouteRequest<I, C>) => Promise<unknown> | unknown;
}

/**
 * A route of a table: checks the handler against its parser's input type, then forgets it.
 * @example route({ method: "GET", path: "/user/jwt", access: "forced", jwt: "required", handle: (r) => users.jwtInfo(me(r)) })
 */
export function route<I, C = ServiceContext>(def: RouteDef<I, C>): RouteDef<unknown, C> {
  return def as unknown as RouteDef<unknown, C>;
}

/**
 * The JWT user of a request.
 * @throws ApiError 401/31 when there is none.
 * @example const user = me(r);
 */
export function me(r: { user: JwtUser | null }): JwtUser {
  if (!r.user) throw E.jwtNotFound();
  return r.user;
}

/**
 * A path parameter ("" when absent).
 * @example p(r.params, "group_id")
 */
export const p = (params: Record<string, string>, name: string): string => params[name] ?? "";

/**
 * The group access of a group route.
 * @throws ApiError 400/310 when the route has none.
 * @example const access = g(r);
 */
export function g(r: { group: GroupAccess | null }): GroupAccess {
  if (!r.group) throw E.groupAccess();
  return r.group;
}

/** A group route: the option check comes first (api.md §1.3). */
function groupRoute<I>(def: RouteDef<I>): RouteDef {
  return { ...def, optionFirst: true } as unknown as RouteDef;
}

const cursor = (time: string, id: string) => (_b: unknown, ps: Record<string, string>) =>
  input.cursorParams(ps[time], ps[id]);

export const ROUTES: RouteDef[] = [
  // ---- §3.1 user, app token only
  route({
    method: "POST",
    path: "/exists",
    access: "user_exists",
    jwt: "none",
    parse: input.identifierBody,
    handle: (r) => users.identifierAvailable(r.ctx, r.appId, r.input),
  }),
  route({
    method: "POST",
    path: "/register",
    access: "user_register",
    jwt: "none",
    parse: input.registerInput,
    handle: (r) => users.register(r.ctx, r.appId, r.input.device, r.input.group),
  }),
  route({
    method: "POST",
    path: "/register_light",
    access: "user_register",
    jwt: "none",
    parse: (b) => input.deviceRegisterInput(b),
    handle: (r) => users.register(r.ctx, r.appId, r.input, null),
  }),
  route({
    method: "POST",
    path: "/prepare_login",
    access: "user_prepare_login",
    jwt: "none",
    parse: input.identifierBody,
    handle: (r) => auth.prepareLogin(r.ctx, r.appId, r.input),
  }),
  route({
    method: "POST",
    path: "/done_login",
    access: "user_done_login",
    jwt: "none",
    parse: input.authInput,
    handle: (r) => auth.doneLogin(r.ctx, r.appId, r.input, auth.revealsUnknownIdentifiers(r.app), r.clientAddress),
  }),
  route({
    method: "POST",
    path: "/validate_mfa",
    access: "user_done_login",
    jwt: "none",
    parse: input.otpInput,
    handle: (r) => auth.validateMfa(r.ctx, r.appId, r.input, auth.revealsUnknownIdentifiers(r.app), r.clientAddress),
  }),
  route({
    method: "POST",
    path: "/validate_recovery_otp",
    access: "user_done_login",
    jwt: "none",
    parse: input.otpInput,
    handle: (r) =>
      auth.validateRecoveryOtp(r.ctx, r.appId, r.input, auth.revealsUnknownIdentifiers(r.app), r.clientAddress),
  }),
  route({
    method: "POST",
    path: "/verify_login",
    access: "user_done_login",
    jwt: "none",
    parse: input.verifyLoginInput,
    handle: (r) =>
      auth.verifyLogin(r.ctx, r.appId, r.input, false, auth.revealsUnknownIdentifiers(r.app), r.clientAddress),
  }),
  route({
    method: "POST",
    path: "/verify_login_light",
    access: "user_done_login",
    jwt: "none",
    parse: input.verifyLoginInput,
    handle: (r) =>
      auth.verifyLogin(r.ctx, r.appId, r.input, true, auth.revealsUnknownIdentifiers(r.app), r.clientAddress),
  }),
  route({
    method: "POST",
    path: "/user/prepare_register_device",
    access: "user_device_register",
    jwt: "none",
    parse: (b) => input.deviceRegisterInput(b),
    handle: (r) => users.prepareRegisterDevice(r.ctx, r.appId, r.input),
  }),
  route({
    method: "PUT",
    path: "/user/reset_pw_light",
    access: "forced",
    jwt: "none",
    parse: (b) => input.deviceRegisterInput(b),
    handle: (r) => users.resetPasswordLight(r.ctx, r.appId, r.input),
  }),

  // ---- §3.1 public key lookups
  route({
    method: "GET",
    path: "/user/:user_id/public_key",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => keys.userPublicKey(r.ctx, r.appId, p(r.params, "user_id"), null),
  }),
  route({
    method: "GET",
    path: "/user/:user_id/public_key/:key_id",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => keys.userPublicKey(r.ctx, r.appId, p(r.params, "user_id"), p(r.params, "key_id")),
  }),
  route({
    method: "GET",
    path: "/user/:user_id/verify_key/:key_id",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => keys.userVerifyKey(r.ctx, r.appId, p(r.params, "user_id"), p(r.params, "key_id")),
  }),
  route({
    method: "GET",
    path: "/group/:group_id/public_key",
    access: "user_public_data",
    jwt: "none",
    handle: (r) => keys.groupPublicKey(r.ctx, r.appId, p(r.params, "group_id")),
  }),

  // ---- §3.2 refresh / init (expired JWT accepted, signature still checked)
  route({
    method: "PUT",
    path: "/refresh",
    access: "user_jwt_refresh",
    jwt: "expired_ok",
    parse: input.refreshTokenBody,
    handle: (r) => auth.refreshJwt(r.ctx, r.appId, me(r), r.input, r.headers?.["x-sentc-rotate-refresh-token"] === "1"),
  }),
  route({
    method: "POST",
    path: "/init",
    access: "user_jwt_refresh",
    jwt: "expired_ok",
    parse: input.refreshTokenBody,
    handle: (r) => auth.initUser(r.ctx, r.appId, me(r), r.input),
  }),

  // ---- §3.3 user with JWT
  route({ method: "GET", path: "/user/jwt", access: "forced", jwt: "required", handle: (r) => users.jwtInfo(me(r)) }),
  route({
    method: "GET",
    path: "/user/device/:last_fetched_time/:last_id",
    access: "user_device_list",
    jwt: "required",
    parse: (_b, ps) => input.cursorParams(ps.last_fetched_time, ps.last_id),
    handle: (r) => users.listDevices(r.ctx, me(r), r.input),
  }),
  route({
    method: "PUT",
    path: "/user",
    access: "user_update",
    jwt: "required",
    deviceProof: true,
    parse: input.identifierBody,
    handle: (r) => users.updateIdentifier(r.ctx, r.appId, me(r), r.input),
  }),
  route({
    method: "PUT",
    path: "/user/done_register_device",
    access: "user_device_register",
    jwt: "required",
    deviceProof: true,
    parse: input.doneRegisterDeviceInput,
    handle: (r) => users.doneRegisterDevice(r.ctx, r.appId, me(r), r.input.token, r.input.keys, r.input.keys.rank),
  }),
  route({
    method: "PUT",
    path: "/user/done_register_device_light",
    access: "user_device_register",
    jwt: "required",
    deviceProof: true,
    parse: input.doneRegisterDeviceLightInput,
    handle: (r) => users.doneRegisterDevice(r.ctx, r.appId, me(r), r.input.token, null, r.input.rank),
  }),
  route({
    method: "PUT",
    path: "/user/user_keys/session/:key_session_id",
    access: null,
    jwt: "required",
    parse: (b) => input.newMemberKeyList(b),
    handle: (r) => users.uploadDeviceKeys(r.ctx, me(r), p(r.params, "key_session_id"), r.input),
  }),
  route({
    method: "DELETE",
    path: "/user/device/:device_id",
    access: "user_device_delete",
    jwt: "fresh",
    handle: (r) => users.deleteDevice(r.ctx, r.appId, me(r), p(r.params, "device_id")),
  }),
  route({
    method: "DELETE",
    path: "/user",
    access: "user_delete",
    jwt: "fresh",
    handle: (r) => users.deleteUser(r.ctx, r.appId, me(r).userId),
  }),
  route({
    method: "PUT",
    path: "/user/update_pw",
    access: "user_change_password",
    jwt: "fresh",
    parse: input.changePasswordInput,
    handle: (r) => users.changePassword(r.ctx, r.appId, me(r), r.input, r.clientAddress),
  }),
  route({
    method: "PUT",
    path: "/user/reset_pw",
    access: "user_reset_password",
    jwt: "required",
    deviceProof: true,
    parse: input.resetPasswordInput,
    handle: (r) => users.resetPassword(r.ctx, me(r), r.input),
  }),
  route({
    method: "PATCH",
    path: "/user/register_otp",
    access: "user_register_otp",
    jwt: "fresh",
    handle: (r) => users.enableOtp(r.ctx, r.appId, me(r)),
  }),
  route({
    method: "PATCH",
    path: "/user/reset_otp",
    access: "user_reset_otp",
    jwt: "fresh",
    handle: (r) => users.registerOtp(r.ctx, me(r)),
  }),
  route({
    method: "PATCH",
    path: "/user/disable_otp",
    access: "user_disable_otp",
    jwt: "fresh",
    handle: (r) => users.disableOtp(r.ctx, me(r).userId),
  }),
  route({
    method: "GET",
    path: "/user/otp_recovery_keys",
    access: "user_get_otp_recovery_keys",
    jwt: "fresh",
    handle: (r) => users.otpRecoveryKeys(r.ctx, me(r)),
  }),
  route({
    method: "GET",
    path: "/user/user_keys/keys/:last_fetched_time/:last_k_id",
    access: "user_done_login",
    jwt: "required",
    parse: (_b, ps) => input.cursorParams(ps.last_fetched_time, ps.last_k_id),
    handle: (r) => keys.userKeys(r.ctx, me(r), r.input),
  }),
  route({
    method: "GET",
    path: "/user/user_keys/key/:key_id",
    access: "user_done_login",
    jwt: "required",
    handle: (r) => keys.userKey(r.ctx, me(r), p(r.params, "key_id")),
  }),
  route({
    method: "POST",
    path: "/user/user_keys/rotation",
    access: "user_key_update",
    jwt: "required",
    deviceProof: true,
    parse: input.keyRotationInput,
    handle: (r) => keys.startUserKeyRotation(r.ctx, r.appId, me(r), r.input),
  }),
  route({
    method: "GET",
    path: "/user/user_keys/rotation",
    access: "user_key_update",
    jwt: "required",
    handle: (r) => keys.pendingUserKeyRotations(r.ctx, me(r)),
  }),
  route({
    method: "PUT",
    path: "/user/user_keys/rotation/:key_id",
    access: "user_key_update",
    jwt: "required",
    parse: input.doneKeyRotationInput,
    handle: (r) => keys.finishUserKeyRotation(r.ctx, me(r), p(r.params, "key_id"), r.input),
  }),

  // ---- §3.4 forced (secret token, no JWT; runs as with a fresh JWT)
  route({
    method: "PUT",
    path: "/user/forced/delete",
    access: "forced",
    jwt: "none",
    parse: input.identifierBody,
    handle: (r) => users.deleteUserByIdentifier(r.ctx, r.appId, r.input),
  }),
  route({
    method: "DELETE",
    path: "/user/forced/delete/:user_id",
    access: "forced",
    jwt: "none",
    handle: (r) => users.deleteUser(r.ctx, r.appId, p(r.params, "user_id")),
  }),
  route({
    method: "PUT",
    path: "/user/forced/reset_user",
    access: "forced",
    jwt: "none",
    parse: input.registerInput,
    handle: (r) => users.resetUser(r.ctx, r.appId, r.input),
  }),
  route({
    method: "PUT",
    path: "/user/forced/disable_otp",
    access: "forced",
    jwt: "none",
    parse: input.identifierBody,
    handle: (r) => users.disableOtpByIdentifier(r.ctx, r.appId, r.input),
  }),
  route({
    method: "DELETE",
    path: "/user/forced/sessions",
    access: "forced",
    jwt: "none",
    parse: input.identifierBody,
    handle: (r) => users.deleteSessionsByIdentifier(r.ctx, r.appId, r.input),
  }),
  route({
    method: "POST",
    path: "/user/forced/login",
    access: "forced",
    jwt: "none",
    parse: input.identifierBody,
    handle: (r) => auth.forcedLogin(r.ctx, r.appId, r.input, false),
  }),
  route({
    method: "POST",
    path: "/user/forced/login_light",
    access: "forced",
    jwt: "none",
    parse: input.identifierBody,
    handle: (r) => auth.forcedLogin(r.ctx, r.appId, r.input, true),
  }),

  // ---- §3.5 groups (JWT), without the group middleware
  groupRoute({
    method: "POST",
    path: "/group",
    access: "group_create",
    jwt: "required",
    parse: input.createGroupBody,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "user", userId: me(r).userId }, r.input),
  }),
  groupRoute({
    method: "POST",
    path: "/group/light",
    access: "group_create",
    jwt: "required",
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "user", userId: me(r).userId }, null),
  }),
  groupRoute({
    method: "GET",
    path: "/group/all/:last_fetched_time/:last_group_id",
    access: "group_list",
    jwt: "required",
    parse: cursor("last_fetched_time", "last_group_id"),
    handle: (r) => groups.groupsOfMember(r.ctx, r.appId, me(r).userId, r.input),
  }),
  groupRoute({
    method: "GET",
    path: "/group/invite/:last_fetched_time/:last_group_id",
    access: "group_invite",
    jwt: "required",
    parse: cursor("last_fetched_time", "last_group_id"),
    handle: (r) => members.invitesForUser(r.ctx, r.appId, me(r).userId, r.input),
  }),
  groupRoute({
    method: "GET",
    path: "/group/joins/:last_fetched_time/:last_group_id",
    access: "group_join_req",
    jwt: "required",
    parse: cursor("last_fetched_time", "last_group_id"),
    handle: (r) => members.sentJoinRequests(r.ctx, r.appId, me(r).userId, r.input),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/joins/:join_req_id",
    access: "group_join_req",
    jwt: "required",
    handle: (r) => members.deleteSentJoinRequest(r.ctx, r.appId, p(r.params, "join_req_id"), me(r).userId),
  }),
  groupRoute({
    method: "PATCH",
    path: "/group/:group_id/invite",
    access: "group_accept_invite",
    jwt: "required",
    handle: (r) => members.acceptInvite(r.ctx, r.appId, p(r.params, "group_id"), me(r).userId),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id/invite",
    access: "group_reject_invite",
    jwt: "required",
    handle: (r) => members.rejectInvite(r.ctx, r.appId, p(r.params, "group_id"), me(r).userId),
  }),
  groupRoute({
    method: "PATCH",
    path: "/group/:group_id/join_req",
    access: "group_join_req",
    jwt: "required",
    handle: (r) => members.joinRequest(r.ctx, r.appId, p(r.params, "group_id"), me(r).userId),
  }),

  // ---- §3.5.1 group data and keys
  groupRoute({
    method: "GET",
    path: "/group/:group_id",
    access: "group_get",
    jwt: "required",
    group: true,
    handle: (r) => groups.groupData(r.ctx, g(r)),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/light",
    access: "group_get",
    jwt: "required",
    group: true,
    handle: (r) => groups.groupLightData(g(r)),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/update_check",
    access: "group_user_update_check",
    jwt: "required",
    group: true,
    handle: (r) => groups.updateCheck(r.ctx, g(r)),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/update_check_light",
    access: "group_user_update_check",
    jwt: "required",
    group: true,
    handle: (r) => groups.updateCheckLight(g(r)),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/keys/:last_fetched_time/:last_k_id",
    access: "group_user_keys",
    jwt: "required",
    group: true,
    parse: cursor("last_fetched_time", "last_k_id"),
    handle: (r) => groups.groupKeys(r.ctx, g(r), r.input),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/key/:key_id",
    access: "group_user_keys",
    jwt: "required",
    group: true,
    handle: (r) => groups.groupKey(r.ctx, g(r), p(r.params, "key_id")),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/member/:last_fetched_time/:last_user_id",
    access: null,
    jwt: "required",
    group: true,
    parse: cursor("last_fetched_time", "last_user_id"),
    handle: (r) => groups.members(r.ctx, g(r), r.input),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/children/:last_fetched_time/:last_id",
    access: "group_list",
    jwt: "required",
    group: true,
    parse: cursor("last_fetched_time", "last_id"),
    handle: (r) => groups.children(r.ctx, g(r), r.input),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/all/:last_fetched_time/:last_group_id",
    access: "group_list",
    jwt: "required",
    group: true,
    parse: cursor("last_fetched_time", "last_group_id"),
    handle: (r) => groups.groupsOfMember(r.ctx, r.appId, g(r).group.id, r.input),
  }),

  // ---- §3.5.2 create / delete
  groupRoute({
    method: "POST",
    path: "/group/:group_id/child",
    access: "group_create",
    jwt: "required",
    group: true,
    parse: input.createGroupBody,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "child", access: g(r) }, r.input),
  }),
  groupRoute({
    method: "POST",
    path: "/group/:group_id/child/light",
    access: "group_create",
    jwt: "required",
    group: true,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "child", access: g(r) }, null),
  }),
  groupRoute({
    method: "POST",
    path: "/group/:group_id/connected",
    access: "group_create",
    jwt: "required",
    group: true,
    parse: input.createGroupBody,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "connected", access: g(r) }, r.input),
  }),
  groupRoute({
    method: "POST",
    path: "/group/:group_id/connected/light",
    access: "group_create",
    jwt: "required",
    group: true,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "connected", access: g(r) }, null),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id",
    access: "group_delete",
    jwt: "required",
    group: true,
    handle: (r) => groups.deleteGroup(r.ctx, g(r)),
  }),

  // ---- §3.5.3 invites
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite/:invited_user",
    access: "group_invite",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_user"), r.input, members.INVITE_USER),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite/:invited_user/light",
    access: "group_invite",
    jwt: "required",
    group: true,
    parse: input.lightMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_user"), r.input, members.INVITE_USER),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_group/:invited_group",
    access: "group_invite",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.INVITE_GROUP),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_group/:invited_group/light",
    access: "group_invite",
    jwt: "required",
    group: true,
    parse: input.lightMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.INVITE_GROUP),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_auto/:invited_user",
    access: "group_auto_invite",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_user"), r.input, members.AUTO_USER),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_auto/:invited_user/light",
    access: "group_auto_invite",
    jwt: "required",
    group: true,
    parse: input.lightMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_user"), r.input, members.AUTO_USER),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_group_auto/:invited_group",
    access: "group_auto_invite",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.AUTO_GROUP),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_group_auto/:invited_group/light",
    access: "group_auto_invite",
    jwt: "required",
    group: true,
    parse: input.lightMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.AUTO_GROUP),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_group_auto_force/:invited_group",
    access: "forced",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) =>
      members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.AUTO_GROUP_FORCE),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite_group_auto_force/:invited_group/light",
    access: "forced",
    jwt: "required",
    group: true,
    parse: input.lightMemberInput,
    handle: (r) =>
      members.addMember(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.AUTO_GROUP_FORCE),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/re_invite/:invited_user",
    access: "group_auto_invite",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) => members.reInvite(r.ctx, r.appId, g(r), p(r.params, "invited_user"), r.input, members.RE_INVITE_USER),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/re_invite_group/:invited_group",
    access: "group_auto_invite",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) =>
      members.reInvite(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.RE_INVITE_GROUP),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/re_invite_group_force/:invited_group",
    access: "forced",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) =>
      members.reInvite(r.ctx, r.appId, g(r), p(r.params, "invited_group"), r.input, members.RE_INVITE_GROUP_FORCE),
  }),
  groupRoute({
    method: "PATCH",
    path: "/group/:group_id/change_invite",
    access: "group_invite_stop",
    jwt: "required",
    group: true,
    handle: (r) => groups.toggleInvites(r.ctx, g(r)),
  }),
  // the invitee's side, for a group as member
  groupRoute({
    method: "GET",
    path: "/group/:group_id/invite/:last_fetched_time/:last_group_id",
    access: "group_invite",
    jwt: "required",
    group: true,
    parse: cursor("last_fetched_time", "last_group_id"),
    handle: (r) => members.invitesForGroup(r.ctx, r.appId, g(r), r.input),
  }),
  groupRoute({
    method: "PATCH",
    path: "/group/:group_id/invite/:group_id_to_join",
    access: "group_accept_invite",
    jwt: "required",
    group: true,
    handle: (r) => members.acceptInviteAsGroup(r.ctx, r.appId, g(r), p(r.params, "group_id_to_join")),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id/invite/:group_id_to_reject",
    access: "group_reject_invite",
    jwt: "required",
    group: true,
    handle: (r) => members.rejectInviteAsGroup(r.ctx, r.appId, g(r), p(r.params, "group_id_to_reject")),
  }),
  // the path both sentc SDKs call (api.md §7.1)
  groupRoute({
    method: "PATCH",
    path: "/group/:group_id/:group_id_to_join/invite",
    access: "group_accept_invite",
    jwt: "required",
    group: true,
    alias: true,
    handle: (r) => members.acceptInviteAsGroup(r.ctx, r.appId, g(r), p(r.params, "group_id_to_join")),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id/:group_id_to_reject/invite",
    access: "group_reject_invite",
    jwt: "required",
    group: true,
    alias: true,
    handle: (r) => members.rejectInviteAsGroup(r.ctx, r.appId, g(r), p(r.params, "group_id_to_reject")),
  }),

  // ---- §3.5.4 join requests
  groupRoute({
    method: "PATCH",
    path: "/group/:group_id/join_req/:group_id_to_join",
    access: "group_join_req",
    jwt: "required",
    group: true,
    handle: (r) => members.joinRequestAsGroup(r.ctx, r.appId, g(r), p(r.params, "group_id_to_join")),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/joins/:last_fetched_time/:last_group_id",
    access: "group_join_req",
    jwt: "required",
    group: true,
    parse: cursor("last_fetched_time", "last_group_id"),
    handle: (r) => members.sentJoinRequestsOfGroup(r.ctx, r.appId, g(r), r.input),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id/joins/:join_req_id",
    access: "group_join_req",
    jwt: "required",
    group: true,
    handle: (r) => members.deleteSentJoinRequestOfGroup(r.ctx, r.appId, g(r), p(r.params, "join_req_id")),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/join_req/:last_fetched_time/:last_user_id",
    access: "group_join_req",
    jwt: "required",
    group: true,
    parse: cursor("last_fetched_time", "last_user_id"),
    handle: (r) => members.joinRequestsOfGroup(r.ctx, g(r), r.input),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/join_req/:join_user",
    access: "group_accept_join_req",
    jwt: "required",
    group: true,
    parse: input.newMemberInput,
    handle: (r) => members.acceptJoinRequest(r.ctx, g(r), p(r.params, "join_user"), r.input),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/join_req/:join_user/light",
    access: "group_accept_join_req",
    jwt: "required",
    group: true,
    parse: input.lightMemberInput,
    handle: (r) => members.acceptJoinRequest(r.ctx, g(r), p(r.params, "join_user"), r.input),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id/join_req/:join_user",
    access: "group_reject_join_req",
    jwt: "required",
    group: true,
    handle: (r) => members.rejectJoinRequest(r.ctx, g(r), p(r.params, "join_user")),
  }),

  // ---- §3.5.5 membership
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id/leave",
    access: "group_leave",
    jwt: "required",
    group: true,
    handle: (r) => members.leave(r.ctx, g(r)),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/:group_id/kick/:user_id",
    access: "group_user_delete",
    jwt: "required",
    group: true,
    handle: (r) => members.kick(r.ctx, g(r), p(r.params, "user_id")),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/change_rank",
    access: "group_change_rank",
    jwt: "required",
    group: true,
    parse: input.changeRankInput,
    handle: (r) => members.changeRank(r.ctx, g(r), r.input),
  }),

  // ---- §3.5.6 key-upload sessions (no option check)
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/invite/session/:key_session_id",
    access: null,
    jwt: "required",
    group: true,
    parse: (b) => input.newMemberKeyList(b),
    handle: (r) => members.uploadInviteSessionKeys(r.ctx, g(r), p(r.params, "key_session_id"), r.input),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/join_req/session/:key_session_id",
    access: null,
    jwt: "required",
    group: true,
    parse: (b) => input.newMemberKeyList(b),
    handle: (r) => members.uploadMemberSessionKeys(r.ctx, g(r), p(r.params, "key_session_id"), r.input),
  }),

  // ---- §3.5.7 key rotation
  groupRoute({
    method: "POST",
    path: "/group/:group_id/key_rotation",
    access: "group_key_rotation",
    jwt: "required",
    group: true,
    parse: input.keyRotationInput,
    handle: (r) => rotation.startKeyRotation(r.ctx, r.appId, g(r), r.input),
  }),
  groupRoute({
    method: "GET",
    path: "/group/:group_id/key_rotation",
    access: "group_get",
    jwt: "required",
    group: true,
    handle: (r) => rotation.pendingKeyRotations(r.ctx, g(r)),
  }),
  groupRoute({
    method: "PUT",
    path: "/group/:group_id/key_rotation/:key_id",
    access: "group_get",
    jwt: "required",
    group: true,
    parse: input.doneKeyRotationInput,
    handle: (r) => rotation.finishKeyRotation(r.ctx, g(r), p(r.params, "key_id"), r.input),
  }),

  // ---- §3.6 forced group routes (secret token, no JWT)
  groupRoute({
    method: "DELETE",
    path: "/group/forced/:group_id",
    access: "forced",
    jwt: "none",
    handle: (r) => groups.deleteGroupForced(r.ctx, r.appId, p(r.params, "group_id")),
  }),
  groupRoute({
    method: "GET",
    path: "/group/forced/:group_id/user/:user_id",
    access: "forced",
    jwt: "none",
    handle: (r) => groups.singleMemberForced(r.ctx, r.appId, p(r.params, "group_id"), p(r.params, "user_id")),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    parse: input.createGroupBody,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "user", userId: p(r.params, "user_id") }, r.input),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/light",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "user", userId: p(r.params, "user_id") }, null),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/child",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    parse: input.createGroupBody,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "child", access: g(r) }, r.input),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/child/light",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "child", access: g(r) }, null),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/connected",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    parse: input.createGroupBody,
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "connected", access: g(r) }, r.input),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/connected/light",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    handle: (r) => groups.createGroup(r.ctx, r.appId, { kind: "connected", access: g(r) }, null),
  }),
  groupRoute({
    method: "DELETE",
    path: "/group/forced/:user_id/:group_id/kick/:user_to_kick",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    handle: (r) => members.kick(r.ctx, g(r), p(r.params, "user_to_kick")),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/invite_auto/:to_invite",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    parse: input.newMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "to_invite"), r.input, members.FORCED_AUTO_USER),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/invite_auto/:to_invite/light",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    parse: input.lightMemberInput,
    handle: (r) => members.addMember(r.ctx, r.appId, g(r), p(r.params, "to_invite"), r.input, members.FORCED_AUTO_USER),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/invite_auto/:to_invite/group",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    parse: input.newMemberInput,
    handle: (r) =>
      members.addMember(r.ctx, r.appId, g(r), p(r.params, "to_invite"), r.input, members.FORCED_AUTO_GROUP),
  }),
  groupRoute({
    method: "POST",
    path: "/group/forced/:user_id/:group_id/invite_auto/:to_invite/group_light",
    access: "forced",
    jwt: "none",
    forcedUser: true,
    group: "forced",
    parse: input.lightMemberInput,
    handle: (r) =>
      members.addMember(r.ctx, r.appId, g(r), p(r.params, "to_invite"), r.input, members.FORCED_AUTO_GROUP),
  }),
];
