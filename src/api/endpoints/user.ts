/**
 * The user endpoints under `/user` that need a JWT (api.md §3.3) and the public key lookups that need none
 * (§3.1). `jwt` is a `JwtManager` (refreshed as needed) or a string; the endpoints marked "fresh" need the
 * fresh JWT of a login made just before (the server answers 401/113 otherwise).
 */
import type { HttpClient, JwtInput, PageCursor, RequestOptions } from "../http.js";
import { pagePath, pathSegment } from "../http.js";
import {
  expectObject,
  expectObjectArray,
  expectString,
  expectStringArray,
  optionalString,
  type JsonObject,
} from "./result.js";

// ---------- public key lookups (app token only) ----------

/** `GET /user/:user_id/public_key` → `UserPublicKeyDataEntity` of the newest user key. */
export async function getUserPublicKey(
  http: HttpClient,
  userId: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  const path = `/user/${pathSegment(userId, "the user id")}/public_key`;
  return expectObject(await http.requestJson("GET", path, undefined, undefined, options), `GET ${path} result`);
}

/** `GET /user/:user_id/verify_key/:key_id` → `UserVerifyKeyDataEntity`. */
export async function getUserVerifyKey(
  http: HttpClient,
  userId: string,
  keyId: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  const path = `/user/${pathSegment(userId, "the user id")}/verify_key/${pathSegment(keyId, "the key id")}`;
  return expectObject(await http.requestJson("GET", path, undefined, undefined, options), `GET ${path} result`);
}

/** `GET /group/:group_id/public_key` → the group's newest public key (`UserPublicKeyDataEntity` shape). */
export async function getGroupPublicKey(
  http: HttpClient,
  groupId: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  const path = `/group/${pathSegment(groupId, "the group id")}/public_key`;
  return expectObject(await http.requestJson("GET", path, undefined, undefined, options), `GET ${path} result`);
}

// ---------- account ----------

/** `PUT /user` with `{user_identifier}`: new identifier for the current device. */
export async function updateUser(
  http: HttpClient,
  jwt: JwtInput,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PUT", "/user", body, jwt, options);
}

/** `DELETE /user` (fresh JWT; secret token with the default app options). */
export async function deleteUser(http: HttpClient, freshJwt: JwtInput, options?: RequestOptions): Promise<void> {
  await http.requestJson("DELETE", "/user", undefined, freshJwt, options);
}

/** `PUT /user/update_pw` with `ChangePasswordData` (fresh JWT). */
export async function changePassword(
  http: HttpClient,
  freshJwt: JwtInput,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PUT", "/user/update_pw", body, freshJwt, options);
}

/** `PUT /user/reset_pw` with `ResetPasswordData`. */
export async function resetPassword(
  http: HttpClient,
  jwt: JwtInput,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PUT", "/user/reset_pw", body, jwt, options);
}

// ---------- devices ----------

/** `GET /user/device/:last_fetched_time/:last_id` → up to 50 `UserDeviceList` items after `last`. */
export async function getDevices(
  http: HttpClient,
  jwt: JwtInput,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  const path = `/user/device${pagePath(last)}`;
  return expectObjectArray(await http.requestJson("GET", path, undefined, jwt, options), "GET /user/device result");
}

/** `GroupAcceptJoinReqServerOutput`: a session id when more keys must follow. */
export interface KeySessionResult {
  session_id: string | undefined;
  message: string;
}

/** `PUT /user/done_register_device` with `UserDeviceDoneRegisterInput`, on an existing device. */
export async function doneRegisterDevice(
  http: HttpClient,
  jwt: JwtInput,
  body: string,
  options?: RequestOptions,
): Promise<KeySessionResult> {
  const what = "PUT /user/done_register_device result";
  const result = expectObject(await http.requestJson("PUT", "/user/done_register_device", body, jwt, options), what);
  return { session_id: optionalString(result, "session_id", what), message: expectString(result, "message", what) };
}

/** `PUT /user/user_keys/session/:key_session_id` with the next `GroupKeysForNewMember[]` for a new device. */
export async function uploadDeviceKeySession(
  http: HttpClient,
  jwt: JwtInput,
  sessionId: string,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "PUT",
    `/user/user_keys/session/${pathSegment(sessionId, "the key session id")}`,
    body,
    jwt,
    options,
  );
}

/** `DELETE /user/device/:device_id` (fresh JWT). */
export async function deleteDevice(
  http: HttpClient,
  freshJwt: JwtInput,
  deviceId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "DELETE",
    `/user/device/${pathSegment(deviceId, "the device id")}`,
    undefined,
    freshJwt,
    options,
  );
}

// ---------- OTP (TOTP) ----------

/** `OtpRegister`. */
export interface OtpRegisterResult {
  secret: string;
  alg: string;
  recover: string[];
}

function otpRegisterResult(value: unknown, what: string): OtpRegisterResult {
  const result = expectObject(value, what);
  return {
    secret: expectString(result, "secret", what),
    alg: expectString(result, "alg", what),
    recover: expectStringArray(result, "recover", what),
  };
}

/** `PATCH /user/register_otp` (fresh JWT; refused while OTP is on) → secret and six recovery keys. */
export async function registerOtp(
  http: HttpClient,
  jwt: JwtInput,
  options?: RequestOptions,
): Promise<OtpRegisterResult> {
  return otpRegisterResult(
    await http.requestJson("PATCH", "/user/register_otp", undefined, jwt, options),
    "PATCH /user/register_otp result",
  );
}

/** `PATCH /user/reset_otp` (fresh JWT) → a new secret and new recovery keys. */
export async function resetOtp(
  http: HttpClient,
  freshJwt: JwtInput,
  options?: RequestOptions,
): Promise<OtpRegisterResult> {
  return otpRegisterResult(
    await http.requestJson("PATCH", "/user/reset_otp", undefined, freshJwt, options),
    "PATCH /user/reset_otp result",
  );
}

/** `PATCH /user/disable_otp` (fresh JWT). */
export async function disableOtp(http: HttpClient, freshJwt: JwtInput, options?: RequestOptions): Promise<void> {
  await http.requestJson("PATCH", "/user/disable_otp", undefined, freshJwt, options);
}

/** `GET /user/otp_recovery_keys` (fresh JWT) → the remaining recovery keys. */
export async function getOtpRecoveryKeys(
  http: HttpClient,
  freshJwt: JwtInput,
  options?: RequestOptions,
): Promise<string[]> {
  const what = "GET /user/otp_recovery_keys result";
  return expectStringArray(
    expectObject(await http.requestJson("GET", "/user/otp_recovery_keys", undefined, freshJwt, options), what),
    "keys",
    what,
  );
}

// ---------- user keys and rotation ----------

/** `GET /user/user_keys/keys/:last_fetched_time/:last_k_id` → up to 50 `GroupUserKeys` of this device, newest first. */
export async function getUserKeys(
  http: HttpClient,
  jwt: JwtInput,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  const path = `/user/user_keys/keys${pagePath(last)}`;
  return expectObjectArray(
    await http.requestJson("GET", path, undefined, jwt, options),
    "GET /user/user_keys/keys result",
  );
}

/** `GET /user/user_keys/key/:key_id` → one `GroupUserKeys` (unknown ids: `server` 304 with HTTP 200). */
export async function getUserKey(
  http: HttpClient,
  jwt: JwtInput,
  keyId: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  const path = `/user/user_keys/key/${pathSegment(keyId, "the key id")}`;
  return expectObject(await http.requestJson("GET", path, undefined, jwt, options), "GET /user/user_keys/key result");
}

/** `KeyRotationStartServerOutput`. */
export interface KeyRotationStartResult {
  group_id: string;
  key_id: string;
}

/** `POST /user/user_keys/rotation` with `KeyRotationData` → the new key id. */
export async function startUserKeyRotation(
  http: HttpClient,
  jwt: JwtInput,
  body: string,
  options?: RequestOptions,
): Promise<KeyRotationStartResult> {
  const what = "POST /user/user_keys/rotation result";
  const result = expectObject(await http.requestJson("POST", "/user/user_keys/rotation", body, jwt, options), what);
  return { group_id: expectString(result, "group_id", what), key_id: expectString(result, "key_id", what) };
}

/** `GET /user/user_keys/rotation` → the pending rotations (`GroupKeyUpdate[]`) for this device. */
export async function getUserKeyRotations(
  http: HttpClient,
  jwt: JwtInput,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", "/user/user_keys/rotation", undefined, jwt, options),
    "GET /user/user_keys/rotation result",
  );
}

/** `PUT /user/user_keys/rotation/:key_id` with `DoneKeyRotationData`: this device's copy of the new key. */
export async function finishUserKeyRotation(
  http: HttpClient,
  jwt: JwtInput,
  newKeyId: string,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "PUT",
    `/user/user_keys/rotation/${pathSegment(newKeyId, "the new key id")}`,
    body,
    jwt,
    options,
  );
}
