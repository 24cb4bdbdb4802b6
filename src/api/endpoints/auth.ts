/**
 * Registration, login and JWT refresh: the calls that need only the app token (api.md §3.1) plus the two
 * refresh calls that accept an expired JWT (§3.2). Bodies are the JSON strings produced by src/protocol;
 * results are the envelope's `result`, checked as far as this layer or the SDK reads them.
 */
import type { HttpClient, HttpMethod, RequestOptions } from "../http.js";
import type { Read } from "./calls.js";
import { expectBoolean, expectObject, expectObjectArray, expectString, type JsonObject } from "./result.js";

/** A call with the app token only and a body. */
type PublicCall<R> = (http: HttpClient, body: string, options?: RequestOptions) => Promise<R>;

/** `POST path` with the app token only and a body. */
function post<R>(path: string, read: Read<R>): PublicCall<R> {
  const what = `POST ${path} result`;
  return async (http, body, options) => read(await http.requestJson("POST", path, body, undefined, options), what);
}

/** A call with the refresh token, the old (possibly expired) JWT as Bearer. */
type RefreshCall<R> = (http: HttpClient, oldJwt: string, refreshToken: string, options?: RequestOptions) => Promise<R>;

/** `method path` with `{refresh_token}` and the old JWT → the result object, read by `read`. */
function withRefreshToken<R>(
  method: HttpMethod,
  path: string,
  read: (result: JsonObject, what: string) => R,
): RefreshCall<R> {
  const what = `${method} ${path} result`;
  return async (http, oldJwt, refreshToken, options) =>
    read(
      expectObject(await http.requestJson(method, path, { refresh_token: refreshToken }, oldJwt, options), what),
      what,
    );
}

/** `UserIdentifierAvailableServerOutput`. */
export interface IdentifierAvailableResult {
  user_identifier: string;
  available: boolean;
}

/** `POST /exists` with `{user_identifier}`. */
export const checkUserIdentifierAvailable = post("/exists", (value, what): IdentifierAvailableResult => {
  const result = expectObject(value, what);
  return {
    user_identifier: expectString(result, "user_identifier", what),
    available: expectBoolean(result, "available", what),
  };
});

/** `RegisterServerOutput`. */
export interface RegisterResult {
  user_id: string;
  device_id: string;
  device_identifier: string;
}

/** `POST /register` with `RegisterData` (needs the secret token with the default app options). */
export const register = post("/register", (value, what): RegisterResult => {
  const result = expectObject(value, what);
  return {
    user_id: expectString(result, "user_id", what),
    device_id: expectString(result, "device_id", what),
    device_identifier: expectString(result, "device_identifier", what),
  };
});

/** `POST /user/prepare_register_device` with `UserDeviceRegisterInput`, on the new device → `UserDeviceRegisterOutput`. */
export const prepareRegisterDevice = post("/user/prepare_register_device", expectObject);

/** `POST /prepare_login` with `{user_identifier}` → `PrepareLoginSaltServerOutput`. */
export const prepareLogin = post("/prepare_login", expectObject);

/** `POST /done_login` with `{auth_key, device_identifier}` → `"Otp"` (MFA needed) or `{"Direct": …}`. */
export const doneLogin = post("/done_login", (result, what): "Otp" | JsonObject =>
  result === "Otp" ? "Otp" : expectObject(result, what),
);

/** `POST /validate_mfa` with `{token, auth_key, device_identifier}` → `DoneLoginServerOutput`. */
export const validateMfa = post("/validate_mfa", expectObject);

/** `POST /validate_recovery_otp` with `{token: <recovery key>, auth_key, device_identifier}` → `DoneLoginServerOutput`. */
export const validateRecoveryOtp = post("/validate_recovery_otp", expectObject);

/** `POST /verify_login` with `{auth_key, device_identifier, challenge}` → `VerifyLoginOutput` (keys, fresh JWT, refresh token). */
export const verifyLogin = post("/verify_login", (value, what) => {
  const result = expectObject(value, what);
  expectString(result, "jwt", what);
  expectString(result, "refresh_token", what);
  return result;
});

/** `DoneLoginLightServerOutput`, the answer of `PUT /refresh`. */
export interface RefreshResult {
  user_id: string;
  jwt: string;
  device_id: string;
}

/** `PUT /refresh` with `{refresh_token}` and the old (possibly expired) JWT as Bearer → a new, non-fresh JWT. */
export const refreshJwt = withRefreshToken(
  "PUT",
  "/refresh",
  (result, what): RefreshResult => ({
    user_id: expectString(result, "user_id", what),
    jwt: expectString(result, "jwt", what),
    device_id: expectString(result, "device_id", what),
  }),
);

/** `UserInitServerOutput`, the answer of `POST /init`. */
export interface InitResult {
  jwt: string;
  /** The first page of pending group invites (`GroupInviteReqList[]`). */
  invites: JsonObject[];
}

/** `POST /init` (page load, `api` refresh mode): like `PUT /refresh`, plus the pending group invites. */
export const initUser = withRefreshToken(
  "POST",
  "/init",
  (result, what): InitResult => ({
    jwt: expectString(result, "jwt", what),
    invites: expectObjectArray(result.invites, `${what}.invites`),
  }),
);
