/**
 * The user endpoints under `/user` that need a JWT (api.md §3.3) and the public key lookups that need none
 * (§3.1). `jwt` is a `JwtManager` (refreshed as needed) or a string; the endpoints marked "fresh" need the
 * fresh JWT of a login made just before (the server answers 401/113 otherwise).
 */
import type { HttpClient, RequestOptions } from "../http.js";
import { pathSegment } from "../http.js";
import { bodyCall, idBodyCall, idCall, jwtCall, noResult, pageCall } from "./calls.js";
import {
  expectObject,
  expectObjectArray,
  expectString,
  expectStringArray,
  optionalString,
  type JsonObject,
} from "./result.js";

// ---------- public key lookups (app token only) ----------

/** `GET path` with the app token only → the result object. */
async function getPublic(http: HttpClient, path: string, options?: RequestOptions): Promise<JsonObject> {
  return expectObject(await http.requestJson("GET", path, undefined, undefined, options), `GET ${path} result`);
}

/** `GET /user/:user_id/public_key` → `UserPublicKeyDataEntity` of the newest user key. */
export async function getUserPublicKey(http: HttpClient, userId: string, options?: RequestOptions) {
  return getPublic(http, `/user/${pathSegment(userId, "the user id")}/public_key`, options);
}

/** `GET /user/:user_id/verify_key/:key_id` → `UserVerifyKeyDataEntity`. */
export async function getUserVerifyKey(http: HttpClient, userId: string, keyId: string, options?: RequestOptions) {
  const path = `/user/${pathSegment(userId, "the user id")}/verify_key/${pathSegment(keyId, "the key id")}`;
  return getPublic(http, path, options);
}

/** `GET /group/:group_id/public_key` → the group's newest public key (`UserPublicKeyDataEntity` shape). */
export async function getGroupPublicKey(http: HttpClient, groupId: string, options?: RequestOptions) {
  return getPublic(http, `/group/${pathSegment(groupId, "the group id")}/public_key`, options);
}

// ---------- account ----------

/** `PUT /user` with `{user_identifier}`: new identifier for the current device. */
export const updateUser = bodyCall("PUT", "/user", noResult);

/** `DELETE /user` (fresh JWT; secret token with the default app options). */
export const deleteUser = jwtCall("DELETE", "/user", noResult);

/** `PUT /user/update_pw` with `ChangePasswordData` (fresh JWT). */
export const changePassword = bodyCall("PUT", "/user/update_pw", noResult);

/** `PUT /user/reset_pw` with `ResetPasswordData`. */
export const resetPassword = bodyCall("PUT", "/user/reset_pw", noResult);

// ---------- devices ----------

/** `GET /user/device/:last_fetched_time/:last_id` → up to 50 `UserDeviceList` items after `last`. */
export const getDevices = pageCall("/user/device");

/** `GroupAcceptJoinReqServerOutput`: a session id when more keys must follow. */
export interface KeySessionResult {
  session_id: string | undefined;
  message: string;
}

/** `PUT /user/done_register_device` with `UserDeviceDoneRegisterInput`, on an existing device. */
export const doneRegisterDevice = bodyCall("PUT", "/user/done_register_device", (value, what): KeySessionResult => {
  const result = expectObject(value, what);
  return { session_id: optionalString(result, "session_id", what), message: expectString(result, "message", what) };
});

/** `PUT /user/user_keys/session/:key_session_id` with the next `GroupKeysForNewMember[]` for a new device. */
export const uploadDeviceKeySession = idBodyCall(
  "PUT",
  (sessionId) => `/user/user_keys/session/${pathSegment(sessionId, "the key session id")}`,
  "/user/user_keys/session/:id",
  noResult,
);

/** `DELETE /user/device/:device_id` (fresh JWT). */
export const deleteDevice = idCall(
  "DELETE",
  (deviceId) => `/user/device/${pathSegment(deviceId, "the device id")}`,
  "/user/device/:id",
  noResult,
);

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
export const registerOtp = jwtCall("PATCH", "/user/register_otp", otpRegisterResult);

/** `PATCH /user/reset_otp` (fresh JWT) → a new secret and new recovery keys. */
export const resetOtp = jwtCall("PATCH", "/user/reset_otp", otpRegisterResult);

/** `PATCH /user/disable_otp` (fresh JWT). */
export const disableOtp = jwtCall("PATCH", "/user/disable_otp", noResult);

/** `GET /user/otp_recovery_keys` (fresh JWT) → the remaining recovery keys. */
export const getOtpRecoveryKeys = jwtCall("GET", "/user/otp_recovery_keys", (value, what) =>
  expectStringArray(expectObject(value, what), "keys", what),
);

// ---------- user keys and rotation ----------

/** `GET /user/user_keys/keys/:last_fetched_time/:last_k_id` → up to 50 `GroupUserKeys` of this device, newest first. */
export const getUserKeys = pageCall("/user/user_keys/keys");

/** `GET /user/user_keys/key/:key_id` → one `GroupUserKeys` (unknown ids: `server` 304 with HTTP 200). */
export const getUserKey = idCall(
  "GET",
  (keyId) => `/user/user_keys/key/${pathSegment(keyId, "the key id")}`,
  "/user/user_keys/key",
  expectObject,
);

/** `KeyRotationStartServerOutput`. */
export interface KeyRotationStartResult {
  group_id: string;
  key_id: string;
}

/** `POST /user/user_keys/rotation` with `KeyRotationData` → the new key id. */
export const startUserKeyRotation = bodyCall(
  "POST",
  "/user/user_keys/rotation",
  (value, what): KeyRotationStartResult => {
    const result = expectObject(value, what);
    return { group_id: expectString(result, "group_id", what), key_id: expectString(result, "key_id", what) };
  },
);

/** `GET /user/user_keys/rotation` → the pending rotations (`GroupKeyUpdate[]`) for this device. */
export const getUserKeyRotations = jwtCall("GET", "/user/user_keys/rotation", expectObjectArray);

/** `PUT /user/user_keys/rotation/:key_id` with `DoneKeyRotationData`: this device's copy of the new key. */
export const finishUserKeyRotation = idBodyCall(
  "PUT",
  (newKeyId) => `/user/user_keys/rotation/${pathSegment(newKeyId, "the new key id")}`,
  "/user/user_keys/rotation/:id",
  noResult,
);
