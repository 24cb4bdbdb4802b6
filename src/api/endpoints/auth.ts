/**
 * Registration, login and JWT refresh: the calls that need only the app token (api.md §3.1) plus the two
 * refresh calls that accept an expired JWT (§3.2). Bodies are the JSON strings produced by src/protocol;
 * results are the envelope's `result`, checked as far as this layer or the SDK reads them.
 */
import type { HttpClient, RequestOptions } from "../http.js";
import { expectBoolean, expectObject, expectObjectArray, expectString, type JsonObject } from "./result.js";

/** `UserIdentifierAvailableServerOutput`. */
export interface IdentifierAvailableResult {
  user_identifier: string;
  available: boolean;
}

/** `POST /exists` with `{user_identifier}`. */
export async function checkUserIdentifierAvailable(
  http: HttpClient,
  body: string,
  options?: RequestOptions,
): Promise<IdentifierAvailableResult> {
  const what = "POST /exists result";
  const result = expectObject(await http.requestJson("POST", "/exists", body, undefined, options), what);
  return {
    user_identifier: expectString(result, "user_identifier", what),
    available: expectBoolean(result, "available", what),
  };
}

/** `RegisterServerOutput`. */
export interface RegisterResult {
  user_id: string;
  device_id: string;
  device_identifier: string;
}

/** `POST /register` with `RegisterData` (needs the secret token with the default app options). */
export async function register(http: HttpClient, body: string, options?: RequestOptions): Promise<RegisterResult> {
  const what = "POST /register result";
  const result = expectObject(await http.requestJson("POST", "/register", body, undefined, options), what);
  return {
    user_id: expectString(result, "user_id", what),
    device_id: expectString(result, "device_id", what),
    device_identifier: expectString(result, "device_identifier", what),
  };
}

/** `POST /user/prepare_register_device` with `UserDeviceRegisterInput`, on the new device → `UserDeviceRegisterOutput`. */
export async function prepareRegisterDevice(
  http: HttpClient,
  body: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  return expectObject(
    await http.requestJson("POST", "/user/prepare_register_device", body, undefined, options),
    "POST /user/prepare_register_device result",
  );
}

/** `POST /prepare_login` with `{user_identifier}` → `PrepareLoginSaltServerOutput`. */
export async function prepareLogin(http: HttpClient, body: string, options?: RequestOptions): Promise<JsonObject> {
  return expectObject(
    await http.requestJson("POST", "/prepare_login", body, undefined, options),
    "POST /prepare_login result",
  );
}

/** `POST /done_login` with `{auth_key, device_identifier}` → `"Otp"` (MFA needed) or `{"Direct": …}`. */
export async function doneLogin(http: HttpClient, body: string, options?: RequestOptions): Promise<"Otp" | JsonObject> {
  const result = await http.requestJson("POST", "/done_login", body, undefined, options);
  return result === "Otp" ? "Otp" : expectObject(result, "POST /done_login result");
}

/** `POST /validate_mfa` with `{token, auth_key, device_identifier}` → `DoneLoginServerOutput`. */
export async function validateMfa(http: HttpClient, body: string, options?: RequestOptions): Promise<JsonObject> {
  return expectObject(
    await http.requestJson("POST", "/validate_mfa", body, undefined, options),
    "POST /validate_mfa result",
  );
}

/** `POST /validate_recovery_otp` with `{token: <recovery key>, auth_key, device_identifier}` → `DoneLoginServerOutput`. */
export async function validateRecoveryOtp(
  http: HttpClient,
  body: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  return expectObject(
    await http.requestJson("POST", "/validate_recovery_otp", body, undefined, options),
    "POST /validate_recovery_otp result",
  );
}

/** `POST /verify_login` with `{auth_key, device_identifier, challenge}` → `VerifyLoginOutput` (keys, fresh JWT, refresh token). */
export async function verifyLogin(http: HttpClient, body: string, options?: RequestOptions): Promise<JsonObject> {
  const what = "POST /verify_login result";
  const result = expectObject(await http.requestJson("POST", "/verify_login", body, undefined, options), what);
  expectString(result, "jwt", what);
  expectString(result, "refresh_token", what);
  return result;
}

/** `DoneLoginLightServerOutput`, the answer of `PUT /refresh`. */
export interface RefreshResult {
  user_id: string;
  jwt: string;
  device_id: string;
}

/** `PUT /refresh` with `{refresh_token}` and the old (possibly expired) JWT as Bearer → a new, non-fresh JWT. */
export async function refreshJwt(
  http: HttpClient,
  oldJwt: string,
  refreshToken: string,
  options?: RequestOptions,
): Promise<RefreshResult> {
  const what = "PUT /refresh result";
  const result = expectObject(
    await http.requestJson("PUT", "/refresh", { refresh_token: refreshToken }, oldJwt, options),
    what,
  );
  return {
    user_id: expectString(result, "user_id", what),
    jwt: expectString(result, "jwt", what),
    device_id: expectString(result, "device_id", what),
  };
}

/** `UserInitServerOutput`, the answer of `POST /init`. */
export interface InitResult {
  jwt: string;
  /** The first page of pending group invites (`GroupInviteReqList[]`). */
  invites: JsonObject[];
}

/** `POST /init` (page load, `api` refresh mode): like `PUT /refresh`, plus the pending group invites. */
export async function initUser(
  http: HttpClient,
  oldJwt: string,
  refreshToken: string,
  options?: RequestOptions,
): Promise<InitResult> {
  const what = "POST /init result";
  const result = expectObject(
    await http.requestJson("POST", "/init", { refresh_token: refreshToken }, oldJwt, options),
    what,
  );
  return { jwt: expectString(result, "jwt", what), invites: expectObjectArray(result.invites, `${what}.invites`) };
}
