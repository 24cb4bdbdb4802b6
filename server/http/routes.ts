/**
 * The routes of this server (paths under /api/v1, api.md §3.1–§3.4, §3.9). Each route parses and
 * validates its input, then calls one service function; the HTTP layer does tokens, JWT and envelope.
 */
import { E } from "../errors.js";
import type { EndpointAccess } from "../services/apps.js";
import * as auth from "../services/auth.js";
import type { JwtUser, ServiceContext } from "../services/context.js";
import * as keys from "../services/user-keys.js";
import * as users from "../services/users.js";
import * as input from "./input.js";

export type JwtMode = "none" | "required" | "fresh" | "expired_ok";
export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

export interface RouteRequest<I> {
  ctx: ServiceContext;
  appId: string;
  input: I;
  params: Record<string, string>;
  /** Set on every route whose jwt mode is not "none". */
  user: JwtUser | null;
}

export interface RouteDef<I = unknown> {
  method: Method;
  path: string;
  access: EndpointAccess;
  jwt: JwtMode;
  /** Body and path validation (422/11, 400/13); runs before the option check, as in sentc's user handlers. */
  parse?: (body: unknown, params: Record<string, string>) => I;
  handle: (request: RouteRequest<I>) => Promise<unknown> | unknown;
}

function route<I>(def: RouteDef<I>): RouteDef {
  return def as unknown as RouteDef;
}

function me(r: { user: JwtUser | null }): JwtUser {
  if (!r.user) throw E.jwtNotFound();
  return r.user;
}

const p = (params: Record<string, string>, name: string): string => params[name] ?? "";

export const ROUTES: RouteDef[] = [
  // ---- §3.1 user, app token only
  route({ method: "POST", path: "/exists", access: "user_exists", jwt: "none", parse: input.identifierBody, handle: (r) => users.identifierAvailable(r.ctx, r.appId, r.input) }),
  route({ method: "POST", path: "/register", access: "user_register", jwt: "none", parse: input.registerInput, handle: (r) => users.register(r.ctx, r.appId, r.input.device, r.input.group) }),
  route({ method: "POST", path: "/register_light", access: "user_register", jwt: "none", parse: (b) => input.deviceRegisterInput(b), handle: (r) => users.register(r.ctx, r.appId, r.input, null) }),
  route({ method: "POST", path: "/prepare_login", access: "user_prepare_login", jwt: "none", parse: input.identifierBody, handle: (r) => auth.prepareLogin(r.ctx, r.appId, r.input) }),
  route({ method: "POST", path: "/done_login", access: "user_done_login", jwt: "none", parse: input.authInput, handle: (r) => auth.doneLogin(r.ctx, r.appId, r.input) }),
  route({ method: "POST", path: "/validate_mfa", access: "user_done_login", jwt: "none", parse: input.otpInput, handle: (r) => auth.validateMfa(r.ctx, r.appId, r.input) }),
  route({ method: "POST", path: "/validate_recovery_otp", access: "user_done_login", jwt: "none", parse: input.otpInput, handle: (r) => auth.validateRecoveryOtp(r.ctx, r.appId, r.input) }),
  route({ method: "POST", path: "/verify_login", access: "user_done_login", jwt: "none", parse: input.verifyLoginInput, handle: (r) => auth.verifyLogin(r.ctx, r.appId, r.input, false) }),
  route({ method: "POST", path: "/verify_login_light", access: "user_done_login", jwt: "none", parse: input.verifyLoginInput, handle: (r) => auth.verifyLogin(r.ctx, r.appId, r.input, true) }),
  route({ method: "POST", path: "/user/prepare_register_device", access: "user_device_register", jwt: "none", parse: (b) => input.deviceRegisterInput(b), handle: (r) => users.prepareRegisterDevice(r.ctx, r.appId, r.input) }),
  route({ method: "PUT", path: "/user/reset_pw_light", access: "forced", jwt: "none", parse: (b) => input.deviceRegisterInput(b), handle: (r) => users.resetPasswordLight(r.ctx, r.appId, r.input) }),

  // ---- §3.1 public key lookups
  route({ method: "GET", path: "/user/:user_id/public_key", access: "user_public_data", jwt: "none", handle: (r) => keys.userPublicKey(r.ctx, r.appId, p(r.params, "user_id"), null) }),
  route({ method: "GET", path: "/user/:user_id/public_key/:key_id", access: "user_public_data", jwt: "none", handle: (r) => keys.userPublicKey(r.ctx, r.appId, p(r.params, "user_id"), p(r.params, "key_id")) }),
  route({ method: "GET", path: "/user/:user_id/verify_key/:key_id", access: "user_public_data", jwt: "none", handle: (r) => keys.userVerifyKey(r.ctx, r.appId, p(r.params, "user_id"), p(r.params, "key_id")) }),
  route({ method: "GET", path: "/group/:group_id/public_key", access: "user_public_data", jwt: "none", handle: (r) => keys.groupPublicKey(r.ctx, r.appId, p(r.params, "group_id")) }),

  // ---- §3.2 refresh / init (expired JWT accepted, signature still checked)
  route({ method: "PUT", path: "/refresh", access: "user_jwt_refresh", jwt: "expired_ok", parse: input.refreshTokenBody, handle: (r) => auth.refreshJwt(r.ctx, r.appId, me(r), r.input) }),
  route({ method: "POST", path: "/init", access: "user_jwt_refresh", jwt: "expired_ok", parse: input.refreshTokenBody, handle: (r) => auth.initUser(r.ctx, r.appId, me(r), r.input) }),

  // ---- §3.3 user with JWT
  route({ method: "GET", path: "/user/jwt", access: "forced", jwt: "required", handle: (r) => users.jwtInfo(me(r)) }),
  route({ method: "GET", path: "/user/device/:last_fetched_time/:last_id", access: "user_device_list", jwt: "required", parse: (_b, ps) => input.cursorParams(ps.last_fetched_time, ps.last_id), handle: (r) => users.listDevices(r.ctx, me(r), r.input) }),
  route({ method: "PUT", path: "/user", access: "user_update", jwt: "required", parse: input.identifierBody, handle: (r) => users.updateIdentifier(r.ctx, r.appId, me(r), r.input) }),
  route({ method: "PUT", path: "/user/done_register_device", access: "user_device_register", jwt: "required", parse: input.doneRegisterDeviceInput, handle: (r) => users.doneRegisterDevice(r.ctx, r.appId, me(r), r.input.token, r.input.keys, r.input.keys.rank) }),
  route({ method: "PUT", path: "/user/done_register_device_light", access: "user_device_register", jwt: "required", parse: input.doneRegisterDeviceLightInput, handle: (r) => users.doneRegisterDevice(r.ctx, r.appId, me(r), r.input.token, null, r.input.rank) }),
  route({ method: "PUT", path: "/user/user_keys/session/:key_session_id", access: null, jwt: "required", parse: (b) => input.newMemberKeyList(b), handle: (r) => users.uploadDeviceKeys(r.ctx, me(r), p(r.params, "key_session_id"), r.input) }),
  route({ method: "DELETE", path: "/user/device/:device_id", access: "user_device_delete", jwt: "fresh", handle: (r) => users.deleteDevice(r.ctx, r.appId, me(r), p(r.params, "device_id")) }),
  route({ method: "DELETE", path: "/user", access: "user_delete", jwt: "fresh", handle: (r) => users.deleteUser(r.ctx, r.appId, me(r).userId) }),
  route({ method: "PUT", path: "/user/update_pw", access: "user_change_password", jwt: "fresh", parse: input.changePasswordInput, handle: (r) => users.changePassword(r.ctx, r.appId, me(r), r.input) }),
  route({ method: "PUT", path: "/user/reset_pw", access: "user_reset_password", jwt: "required", parse: input.resetPasswordInput, handle: (r) => users.resetPassword(r.ctx, me(r), r.input) }),
  route({ method: "PATCH", path: "/user/register_otp", access: "user_register_otp", jwt: "required", handle: (r) => users.registerOtp(r.ctx, me(r)) }),
  route({ method: "PATCH", path: "/user/reset_otp", access: "user_reset_otp", jwt: "fresh", handle: (r) => users.registerOtp(r.ctx, me(r)) }),
  route({ method: "PATCH", path: "/user/disable_otp", access: "user_disable_otp", jwt: "fresh", handle: (r) => users.disableOtp(r.ctx, me(r).userId) }),
  route({ method: "GET", path: "/user/otp_recovery_keys", access: "user_get_otp_recovery_keys", jwt: "fresh", handle: (r) => users.otpRecoveryKeys(r.ctx, me(r)) }),
  route({ method: "GET", path: "/user/user_keys/keys/:last_fetched_time/:last_k_id", access: "user_done_login", jwt: "required", parse: (_b, ps) => input.cursorParams(ps.last_fetched_time, ps.last_k_id), handle: (r) => keys.userKeys(r.ctx, me(r), r.input) }),
  route({ method: "GET", path: "/user/user_keys/key/:key_id", access: "user_done_login", jwt: "required", handle: (r) => keys.userKey(r.ctx, me(r), p(r.params, "key_id")) }),
  route({ method: "POST", path: "/user/user_keys/rotation", access: "user_key_update", jwt: "required", parse: input.keyRotationInput, handle: (r) => keys.startUserKeyRotation(r.ctx, r.appId, me(r), r.input) }),
  route({ method: "GET", path: "/user/user_keys/rotation", access: "user_key_update", jwt: "required", handle: (r) => keys.pendingUserKeyRotations(r.ctx, me(r)) }),
  route({ method: "PUT", path: "/user/user_keys/rotation/:key_id", access: "user_key_update", jwt: "required", parse: input.doneKeyRotationInput, handle: (r) => keys.finishUserKeyRotation(r.ctx, me(r), p(r.params, "key_id"), r.input) }),

  // ---- §3.4 forced (secret token, no JWT; runs as with a fresh JWT)
  route({ method: "PUT", path: "/user/forced/delete", access: "forced", jwt: "none", parse: input.identifierBody, handle: (r) => users.deleteUserByIdentifier(r.ctx, r.appId, r.input) }),
  route({ method: "DELETE", path: "/user/forced/delete/:user_id", access: "forced", jwt: "none", handle: (r) => users.deleteUser(r.ctx, r.appId, p(r.params, "user_id")) }),
  route({ method: "PUT", path: "/user/forced/reset_user", access: "forced", jwt: "none", parse: input.registerInput, handle: (r) => users.resetUser(r.ctx, r.appId, r.input) }),
  route({ method: "PUT", path: "/user/forced/disable_otp", access: "forced", jwt: "none", parse: input.identifierBody, handle: (r) => users.disableOtpByIdentifier(r.ctx, r.appId, r.input) }),
  route({ method: "DELETE", path: "/user/forced/sessions", access: "forced", jwt: "none", parse: input.identifierBody, handle: (r) => users.deleteSessionsByIdentifier(r.ctx, r.appId, r.input) }),
  route({ method: "POST", path: "/user/forced/login", access: "forced", jwt: "none", parse: input.identifierBody, handle: (r) => auth.forcedLogin(r.ctx, r.appId, r.input, false) }),
  route({ method: "POST", path: "/user/forced/login_light", access: "forced", jwt: "none", parse: input.identifierBody, handle: (r) => auth.forcedLogin(r.ctx, r.appId, r.input, true) }),
];
