/**
 * Shared internals of `Sentc` and `User`: the SDK context, converting protocol results into the stored
 * `UserData`, reading the answers an own backend forwards, and the login steps.
 */
import { isSentcError, invalidInput, invalidServerResponse } from "../errors.js";
import { type HttpClient, parseEnvelope, authApi, userApi, type RefreshStrategy } from "../api/index.js";
import { fromBase64, toBase64 } from "../protocol/encoding.js";
import { decryptHmacKey } from "../protocol/group-keys.js";
import { isRecord, nonEmptyString } from "../protocol/json.js";
import {
  decryptUserKey,
  doneLogin as protocolDoneLogin,
  doneVerifyLogin,
  prepareLogin as protocolPrepareLogin,
  prepareLoginStart as protocolPrepareLoginStart,
  prepareVerifyLogin,
  type DeviceKeys,
  type LoginStart,
  type UserKey,
} from "../protocol/login.js";
import {
  exportHmacKey,
  exportMasterKeyFormat,
  exportPrivateKey,
  exportPublicKey,
  exportSignKey,
  exportSymKey,
  exportVerifyKey,
  importMasterKeyFormat,
  type HmacKey,
} from "../protocol/keys.js";
import { serializeUserPublicKeyData, serializeUserVerifyKeyData } from "../protocol/public-keys.js";
import type { StorageInterface } from "./storage.js";
import { offload } from "./worker/client.js";
import type { ResolvedSentcOptions, UserData, UserDeviceKeyData, UserKeyData, UserMfaLogin } from "./types.js";

/** Everything a `User` needs from the initialised SDK. */
export interface SdkContext {
  options: ResolvedSentcOptions;
  http: HttpClient;
  strategy: RefreshStrategy;
  getStore(): Promise<StorageInterface>;
}

/** User keys come in pages of this size (`GET /user/user_keys/keys`, `verify_login`). */
export const KEY_PAGE = 50;

/** A key list is followed for at most this many pages (50 000 keys): a list that never ends is the server's fault. */
export const MAX_KEY_PAGES = 1000;

/**
 * A whole descending key list (api.md §1.7: newest first; user and group keys alike): `page`, answered for cursor
 * `start` (`null` for the first page), then, while a page is full, the next pages from `fetch`, each asked for with
 * the `time` and `group_key_id` of the last key before it. Every key must have a non-negative integer time and an
 * id, lie past its page's cursor (older, or as old with a greater id, as the server pages) and appear once, and the
 * list must end within `MAX_KEY_PAGES` pages: a server that ignores the cursor cannot keep the caller looping.
 * Keeps nothing; resolves to every key in order.
 * @throws SentcError `invalid_server_response` for a key without a usable time or id, a key not past its cursor or
 * seen before, and a list longer than `MAX_KEY_PAGES` pages; whatever `fetch` throws
 * @example
 * const keys = await keyPages(firstPage, null, (last) => userApi.getUserKeys(http, jwt, last), "user keys");
 */
export async function keyPages<T>(
  page: T[],
  start: { time: number; id: string } | null,
  fetch: (last: { time: number; id: string }) => Promise<T[]>,
  what: string,
): Promise<T[]> {
  const keys: T[] = [];
  const seen = new Set<string>();
  for (let pages = 1; ; pages++) {
    let last = start;
    for (const key of page) {
      const { time, group_key_id: id } = (isRecord(key) ? key : {}) as { time: number; group_key_id: string };
      if (!Number.isSafeInteger(time) || time < 0 || typeof id !== "string" || id === "")
        throw invalidServerResponse(`${what}: a key without a valid time or id`);
      const past = start === null || time < start.time || (time === start.time && id > start.id);
      if (!past || seen.has(id)) throw invalidServerResponse(`${what}: the key pages did not advance`);
      seen.add(id);
      keys.push(key);
      last = { time, id };
    }
    if (page.length < KEY_PAGE) return keys;
    if (pages >= MAX_KEY_PAGES) throw invalidServerResponse(`${what}: over ${MAX_KEY_PAGES} key pages`);
    start = last;
    page = await fetch(last!);
  }
}

// ---------- answers forwarded by an own backend ----------

/**
 * Reads what an own backend forwards from the sentc API: the envelope as JSON text (or parsed). A
 * `{status:false,…}` envelope becomes `SentcError("server")` with sentc's code; anything that is not the
 * envelope is `invalid_server_response`.
 */
export function readServerOutput(serverOutput: unknown, what: string): unknown {
  let value: unknown = serverOutput;
  if (typeof serverOutput === "string") {
    return parseEnvelope(serverOutput, 200);
  }
  if (!isRecord(value) || typeof value.status !== "boolean") {
    throw invalidServerResponse(`${what}: expected sentc's envelope {"status":…}`);
  }
  value = parseEnvelope(JSON.stringify(value), 200);
  return value;
}

export function resultObject(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalidServerResponse(`${what}: expected an object`);
  return value;
}

export function resultString(object: Record<string, unknown>, field: string, what: string): string {
  const value = object[field];
  if (typeof value !== "string" || value.length === 0)
    throw invalidServerResponse(`${what}: "${field}" must be a non-empty string`);
  return value;
}

// ---------- UserData from protocol values ----------

export function deviceKeyData(keys: DeviceKeys): UserDeviceKeyData {
  return {
    private_key: exportPrivateKey(keys.privateKey),
    public_key: exportPublicKey(keys.publicKey),
    sign_key: exportSignKey(keys.signKey),
    verify_key: exportVerifyKey(keys.verifyKey),
    exported_public_key: serializeUserPublicKeyData({
      publicKey: keys.publicKey,
      signature: null,
      signatureKeyId: null,
    }),
    exported_verify_key: serializeUserVerifyKeyData(keys.verifyKey),
  };
}

export function userKeyData(key: UserKey): UserKeyData {
  const data: UserKeyData = {
    private_key: exportPrivateKey(key.privateGroupKey),
    public_key: exportPublicKey(key.publicGroupKey),
    group_key: exportSymKey(key.groupKey),
    time: key.time,
    group_key_id: key.groupKey.keyId,
    sign_key: exportSignKey(key.signKey),
    verify_key: exportVerifyKey(key.verifyKey),
    exported_public_key: serializeUserPublicKeyData({
      publicKey: key.publicGroupKey,
      signature: key.publicKeySignature,
      signatureKeyId: key.publicKeySignatureKeyId,
    }),
    exported_verify_key: serializeUserVerifyKeyData(key.verifyKey),
  };
  if (key.publicKeySignatureKeyId !== null) data.exported_public_key_sig_key_id = key.publicKeySignatureKeyId;
  return data;
}

export function wipeUserKey(key: UserKey): void {
  key.groupKey.key.fill(0);
  wipeKey(key.privateGroupKey);
  wipeKey(key.signKey);
}

export function wipeKey(key: { key?: Uint8Array; x?: Uint8Array; k?: Uint8Array }): void {
  key.key?.fill(0);
  key.x?.fill(0);
  key.k?.fill(0);
}

/** `key_map` as a `Map`, rebuilt from `user_keys` when a store did not keep the `Map` (JSON adapters). */
export function keyMapOf(userKeys: UserKeyData[]): Map<string, number> {
  return new Map(userKeys.map((key, index) => [key.group_key_id, index]));
}

/** Checks a value read from storage and restores `key_map`; `undefined` when it is not usable user data. */
export function restoreUserData(value: unknown): UserData | undefined {
  if (!isRecord(value)) return undefined;
  const data = value as unknown as UserData;
  if (
    !isRecord(data.device) ||
    !Array.isArray(data.user_keys) ||
    typeof data.jwt !== "string" ||
    typeof data.user_id !== "string"
  )
    return undefined;
  if (!(data.key_map instanceof Map) || data.key_map.size !== data.user_keys.length)
    data.key_map = keyMapOf(data.user_keys);
  if (!Array.isArray(data.hmac_keys)) data.hmac_keys = [];
  if (typeof data.refresh_token !== "string") data.refresh_token = "";
  data.mfa = data.mfa === true;
  return data;
}

// ---------- login ----------

/** The state between `prepareLogin` and `doneLogin` (own-backend login). Holds key material: keep it in memory. */
export interface LoginStartState {
  deviceIdentifier: string;
  masterKeyEncryptionKey: Uint8Array;
  authKey: Uint8Array;
  /** `DoneLoginServerInput` for `POST /api/v1/done_login`. */
  input: string;
}

/** The state between `doneLogin` and `verifyLogin`. */
export interface LoginVerifyState {
  deviceIdentifier: string;
  deviceKeys: DeviceKeys;
  masterKey: Uint8Array;
  authKey: Uint8Array;
  /** `VerifyLoginInput` for `POST /api/v1/verify_login`. */
  input: string;
}

export function loginStart(deviceIdentifier: string, password: string, saltResult: unknown): LoginStartState {
  const start = protocolPrepareLogin(deviceIdentifier, password, resultObject(saltResult, "prepare login output"));
  return startState(deviceIdentifier, start);
}

/** `loginStart` with the password derivation in the crypto worker when it runs (`Sentc.init({ worker: true })`). */
export async function loginStartOffloaded(
  deviceIdentifier: string,
  password: string,
  saltResult: unknown,
): Promise<LoginStartState> {
  const salt = resultObject(saltResult, "prepare login output");
  return startState(
    deviceIdentifier,
    await offload("prepareLogin", [deviceIdentifier, password, salt], protocolPrepareLogin),
  );
}

function startState(deviceIdentifier: string, start: LoginStart): LoginStartState {
  return {
    deviceIdentifier,
    masterKeyEncryptionKey: start.masterKeyEncryptionKey,
    authKey: start.authKey,
    input: start.doneLoginInput,
  };
}

export function mfaLoginData(state: LoginStartState): UserMfaLogin {
  return {
    deviceIdentifier: state.deviceIdentifier,
    mfa_master_key: exportMasterKeyFormat(state.masterKeyEncryptionKey),
    mfa_auth_key: toBase64(state.authKey),
  };
}

export function stateFromMfaLogin(data: UserMfaLogin): LoginStartState {
  if (
    !isRecord(data) ||
    typeof data.deviceIdentifier !== "string" ||
    typeof data.mfa_auth_key !== "string" ||
    typeof data.mfa_master_key !== "string"
  ) {
    throw invalidInput("login_data must be the UserMfaLogin of Sentc.login");
  }
  const authKey = fromBase64(data.mfa_auth_key);
  return {
    deviceIdentifier: data.deviceIdentifier,
    masterKeyEncryptionKey: importMasterKeyFormat(data.mfa_master_key),
    authKey,
    input: JSON.stringify({ auth_key: data.mfa_auth_key, device_identifier: data.deviceIdentifier }),
  };
}

/** `done_login` (or the MFA endpoints') result → `"mfa"` or the verify step. */
export function loginDone(state: LoginStartState, result: unknown): LoginDoneStep {
  return doneStep(state, protocolDoneLogin(state.masterKeyEncryptionKey, doneOutput(result)));
}

/** `loginDone` with the key unwrapping in the crypto worker when it runs. */
export async function loginDoneOffloaded(state: LoginStartState, result: unknown): Promise<LoginDoneStep> {
  const args: Parameters<typeof protocolDoneLogin> = [state.masterKeyEncryptionKey, doneOutput(result)];
  return doneStep(state, await offload("doneLogin", args, protocolDoneLogin));
}

type LoginDoneStep = { kind: "mfa" } | { kind: "verify"; state: LoginVerifyState };

const doneOutput = (result: unknown) => (result === "Otp" ? "Otp" : resultObject(result, "done login output"));

function doneStep(state: LoginStartState, done: ReturnType<typeof protocolDoneLogin>): LoginDoneStep {
  if (done.kind === "mfa") return { kind: "mfa" };
  return {
    kind: "verify",
    state: {
      deviceIdentifier: state.deviceIdentifier,
      deviceKeys: done.deviceKeys,
      masterKey: done.masterKey,
      authKey: state.authKey,
      input: prepareVerifyLogin(state.authKey, state.deviceIdentifier, done.challenge),
    },
  };
}

export interface LoginResult {
  data: UserData;
  masterKey: Uint8Array;
  authKey: Uint8Array;
}

/**
 * `verify_login`'s result → `UserData`. With more than 50 user keys the remaining pages are fetched with the new
 * JWT (`GET /user/user_keys/keys`, see `keyPages`) before the HMAC keys are opened, since they may be encrypted by
 * an old key.
 * @throws SentcError `invalid_server_response` when `user_keys` or `hmac_keys` is not an array, for key pages that do
 * not advance and an HMAC key wrapped by an unknown user key; `invalid_format`, `decryption_failed`, `server`,
 * `network`
 */
export async function loginVerified(
  http: HttpClient | null,
  state: LoginVerifyState,
  result: unknown,
  mfa: boolean,
): Promise<LoginResult> {
  const output = resultObject(result, "verify login output");
  const first = output.user_keys;
  const wrapped = output.hmac_keys;
  if (!Array.isArray(first) || !Array.isArray(wrapped))
    throw invalidServerResponse("verify login output: user_keys and hmac_keys must be arrays");
  const privateKey = state.deviceKeys.privateKey;
  // The protocol opens HMAC keys only with keys of the first page; open them here once every page is known.
  const verified = await offload("doneVerifyLogin", [privateKey, { ...output, hmac_keys: [] }], doneVerifyLogin);
  const userKeys = verified.userKeys;
  if (http !== null) {
    const fetch = (last: { time: number; id: string }) => userApi.getUserKeys(http, verified.jwt, last);
    const all = await keyPages(first, null, fetch, "user keys");
    for (const raw of all.slice(first.length)) userKeys.push(decryptUserKey(privateKey, raw));
  }
  const hmacKeys: HmacKey[] = wrapped.map((entry) => {
    const hmac = resultObject(entry, "verify login output: hmac key");
    const owner = userKeys.find((key) => key.groupKey.keyId === hmac.encrypted_hmac_encryption_key_id);
    if (!owner) throw invalidServerResponse("verify login output: an hmac key is encrypted by an unknown user key");
    return decryptHmacKey(owner.groupKey, hmac);
  });
  if (userKeys.length === 0) throw invalidServerResponse("verify login output: no user keys", { reference: 130 });
  const user_keys = userKeys.map(userKeyData);
  const data: UserData = {
    device: deviceKeyData(state.deviceKeys),
    user_keys,
    key_map: keyMapOf(user_keys),
    newest_key_id: user_keys[0]!.group_key_id,
    mfa,
    jwt: verified.jwt,
    refresh_token: verified.refreshToken,
    user_id: state.deviceKeys.userId,
    device_id: state.deviceKeys.deviceId,
    hmac_keys: hmacKeys.map(exportHmacKey),
  };
  userKeys.forEach(wipeUserKey);
  hmacKeys.forEach(wipeKey);
  wipeKey(state.deviceKeys.privateKey);
  wipeKey(state.deviceKeys.signKey);
  return { data, masterKey: state.masterKey, authKey: state.authKey };
}

export interface MfaToken {
  token: string;
  recovery: boolean;
}

/**
 * The whole login over HTTP (prepare_login → done_login → [validate_mfa | validate_recovery_otp] → verify_login).
 * Resolves to `{kind:"mfa"}` when the account needs a token and none was given.
 */
export async function loginOverHttp(
  http: HttpClient,
  deviceIdentifier: string,
  password: string,
  mfa?: MfaToken,
): Promise<{ kind: "mfa"; state: LoginStartState } | { kind: "user"; result: LoginResult }> {
  nonEmptyString(deviceIdentifier, "the identifier");
  nonEmptyString(password, "the password");
  const salt = await authApi.prepareLogin(http, protocolPrepareLoginStart(deviceIdentifier));
  const start = await loginStartOffloaded(deviceIdentifier, password, salt);
  let done = await loginDoneOffloaded(start, await authApi.doneLogin(http, start.input));
  let usedMfa = false;
  if (done.kind === "mfa") {
    if (mfa === undefined) return { kind: "mfa", state: start };
    done = await validateMfaToken(http, start, mfa);
    usedMfa = true;
  }
  if (done.kind !== "verify") throw invalidServerResponse("the MFA check answered OTP again");
  start.masterKeyEncryptionKey.fill(0);
  return {
    kind: "user",
    result: await loginVerified(http, done.state, await authApi.verifyLogin(http, done.state.input), usedMfa),
  };
}

export async function validateMfaToken(http: HttpClient, start: LoginStartState, mfa: MfaToken) {
  nonEmptyString(mfa.token, "the MFA token");
  const body = JSON.stringify({
    token: mfa.token,
    auth_key: toBase64(start.authKey),
    device_identifier: start.deviceIdentifier,
  });
  const output = mfa.recovery ? await authApi.validateRecoveryOtp(http, body) : await authApi.validateMfa(http, body);
  return loginDone(start, output);
}

/** Rethrows everything but "not found" server answers (sentc 100 / 304 / 400): `undefined` for those. */
export function notFoundAsUndefined(error: unknown): undefined {
  if (
    isSentcError(error) &&
    error.code === "server" &&
    (error.serverCode === 304 || error.serverCode === 400 || error.serverCode === 100)
  )
    return undefined;
  throw error;
}
