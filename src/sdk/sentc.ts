/**
 * `Sentc`: the SDK's static entry (sdk.md §1), API-compatible with the reference's default export.
 *
 * Differences from the reference, on purpose: every failure is a `SentcError` (never a JSON string or a plain
 * `Error`); `register`/`registerDeviceStart` reject instead of returning a synchronous `false` (Appendix B 15);
 * `init` restores the user with the resolved base URL (B 1); refresh de-duplication and persisted refresh tokens
 * come from `JwtManager` and `User` (B 2, 9, 10); the login can be split into prepare/done steps again for an own
 * backend, and `done*` functions check sentc's envelope.
 */
import { isRecord, nonEmptyString } from "../protocol/json.js";
import { REFERENCE_MESSAGES, SentcError, invalidInput, invalidServerResponse } from "../errors.js";
import {
  HttpClient,
  JwtManager,
  REFRESH_ENDPOINT,
  authApi,
  refreshStrategyFromOptions,
  type FetchFn,
  type RefreshOptions,
} from "../api/index.js";
import { checkRefreshedJwt } from "../api/jwt.js";
import { initCore } from "../core/index.js";
import { prepareLoginStart as protocolPrepareLoginStart } from "../protocol/login.js";
import { parseUserPublicKeyData } from "../protocol/public-keys.js";
import {
  generateUserRegisterData,
  prepareRegister as protocolPrepareRegister,
  prepareRegisterDeviceStart as protocolPrepareRegisterDeviceStart,
} from "../protocol/register.js";
import {
  loginDone,
  loginOverHttp,
  loginStart,
  loginVerified,
  mfaLoginData,
  readServerOutput,
  restoreUserData,
  resultObject,
  resultString,
  stateFromMfaLogin,
  validateMfaToken,
  type LoginResult,
  type LoginStartState,
  type LoginVerifyState,
  type SdkContext,
} from "./internal.js";
import {
  getGroupPublicKeyData,
  getUserPublicKeyData,
  getUserVerifyKeyData,
  verifyUsersPublicKey,
} from "./public-keys.js";
import { inviteItem } from "./group-internal.js";
import { createStorage, STORAGE_KEYS, type StorageInterface } from "./storage.js";
import type { ResolvedSentcOptions, SentcOptions, UserMfaLogin, UserPublicKeyData } from "./types.js";
import { User, type UserHooks } from "./user.js";
import { setStrictVerify, setTrustServerKeys } from "./verify-policy.js";
import { offload, startCryptoWorker, stopCryptoWorker } from "./worker/client.js";
import type { SignedTreeHead } from "../protocol/transparency.js";
import {
  type TransparencyStatus,
  compareTreeHead,
  setTransparencyOptions,
  transparencyOptions,
  transparencyStatus,
} from "./transparency.js";

/**
 * The sentc API the SDK talks to when `init` gets no `base_url`.
 */
export const DEFAULT_BASE_URL = "https://api.sentc.com";

/** `Sentc.login`'s result (sdk.md §2.2). */
export type LoginUser = { kind: "user"; u: User } | { kind: "mfa"; u: UserMfaLogin };

/** The result of `Sentc.doneLogin` (own-backend login). */
export type DoneLoginOutput =
  | { kind: "mfa"; u: UserMfaLogin }
  | { kind: "verify"; state: LoginVerifyState; input: string };

/** Not in the reference: options for tests and special runtimes. */
export interface SentcInternalOptions {
  /** The `fetch` every request uses (default: the global one). */
  fetch?: FetchFn;
}

/**
 * Checks an own-backend login state (`invalid_input` unless it is the previous step's: its key bytes in place and,
 * for `verifyLogin`, the device keys).
 */
function loginState(state: unknown, key: "masterKey" | "masterKeyEncryptionKey"): void {
  const value = state as Record<string, unknown> | null;
  if (
    !isRecord(value) ||
    typeof value.deviceIdentifier !== "string" ||
    !(value.authKey instanceof Uint8Array) ||
    !(value[key] instanceof Uint8Array) ||
    (key === "masterKey" && !isRecord(value.deviceKeys))
  )
    throw invalidInput("not the state of the previous login step");
}

/**
 * The SDK's entry point, as in sentc's JS SDK: `Sentc.init()` once, then register, log in and get the `User`.
 * Every member is static. Own backends use the synchronous `prepare*` / `done*` pairs around their own calls.
 */
export default class Sentc {
  /** The resolved options after `init` (`{}` before). */
  static options: ResolvedSentcOptions | Record<string, never> = {};

  static #ctx: SdkContext | undefined;
  static #initializing: Promise<User | undefined> | undefined;
  static #store: Promise<StorageInterface> | undefined;
  static #current: User | undefined;

  static readonly #hooks: UserHooks = {
    forget: (user) => {
      if (Sentc.#current === user) Sentc.#current = undefined;
    },
  };

  static #context(): SdkContext {
    if (!Sentc.#ctx) throw new SentcError("not_initialized", "call and await Sentc.init() first");
    return Sentc.#ctx;
  }

  /**
   * The key store (created on first use: IndexedDB, memory or the app's adapter).
   * Used by the SDK itself; apps rarely need it (sdk.md §6).
   * @throws {SentcError} `storage_failed` when the app's `storage.getStorage` rejects (IndexedDB that cannot be
   * opened falls back to memory); `invalid_input` when it does not resolve to a storage adapter.
   * @example
   * import Sentc from "sentc-as";
   *
   * const store = await Sentc.getStore();
   * const identifier = await store.getItem<string>("actual_user");
   */
  static getStore(): Promise<StorageInterface> {
    if (!Sentc.#store) {
      const options = Sentc.#ctx?.options.storage;
      Sentc.#store = createStorage(options).catch((error: unknown) => {
        Sentc.#store = undefined;
        throw error;
      });
    }
    return Sentc.#store;
  }

  /**
   * Loads the crypto core, keeps the options and restores the logged-in user of the last session (or `undefined`).
   * A second call returns the current user and ignores its options, as the reference.
   * Call it once before anything else (sdk.md §1.2); restoring failures resolve to `undefined` (not logged in).
   * @throws {SentcError} `invalid_input` when the options are missing or `app_token` is empty (or a boolean option
   * is not a boolean); `core_load_failed` when the WebAssembly core cannot be loaded; `unsupported_environment` when
   * the runtime lacks WebAssembly SIMD or `crypto.getRandomValues`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const user = await Sentc.init({ app_token: "5zMb6zs3dEM62n+FxjBilFPp+j9e7YUFA+7pi6Hi" });
   * if (user === undefined) console.log("not logged in");
   */
  static init(options: SentcOptions & SentcInternalOptions): Promise<User | undefined> {
    if (Sentc.#ctx) return Sentc.getActualUser().catch(() => undefined);
    if (!Sentc.#initializing) {
      Sentc.#initializing = Sentc.#init(options).finally(() => {
        Sentc.#initializing = undefined;
      });
    }
    return Sentc.#initializing;
  }

  static async #init(options: SentcOptions & SentcInternalOptions): Promise<User | undefined> {
    if (typeof options !== "object" || options === null) throw invalidInput("Sentc.init needs the options object");
    const appToken = nonEmptyString(options.app_token, "app_token");
    // The client checks the URL (an http(s) URL string) and drops trailing slashes.
    const http = new HttpClient({
      baseUrl: options.base_url ?? DEFAULT_BASE_URL,
      appToken,
      fetch: options.fetch,
      timeoutMs: options.timeout_ms,
    });
    const baseUrl = http.baseUrl;
    const refresh: RefreshOptions = options.refresh ?? {
      endpoint: REFRESH_ENDPOINT.api,
      endpoint_url: `${baseUrl}/api/v1/refresh`,
    };
    const strategy = refreshStrategyFromOptions(refresh);
    await initCore(await options.wasm_path);
    // The reference's keys, `storage` and `file_part_url` also when undefined (sdk.md §1.1).
    const resolved: ResolvedSentcOptions = {
      base_url: baseUrl,
      app_token: appToken,
      storage: options.storage,
      refresh,
      file_part_url: options.file_part_url,
    };
    if (options.auto_finish_key_rotation !== undefined) {
      if (typeof options.auto_finish_key_rotation !== "boolean")
        throw invalidInput("auto_finish_key_rotation must be a boolean");
      resolved.auto_finish_key_rotation = options.auto_finish_key_rotation;
    }
    if (options.strict_verify !== undefined) {
      if (typeof options.strict_verify !== "boolean") throw invalidInput("strict_verify must be a boolean");
      resolved.strict_verify = options.strict_verify;
    }
    setStrictVerify(resolved.strict_verify === true);
    if (options.trust_server_keys !== undefined) {
      if (typeof options.trust_server_keys !== "boolean") throw invalidInput("trust_server_keys must be a boolean");
      resolved.trust_server_keys = options.trust_server_keys;
    }
    setTrustServerKeys(resolved.trust_server_keys === true);
    if (options.worker !== undefined) {
      if (typeof options.worker !== "boolean") throw invalidInput("worker must be a boolean");
      // false when the worker cannot start (it warns): the SDK then works on the main thread.
      resolved.worker = options.worker && (await startCryptoWorker());
    }
    transparencyOptions(options, resolved);
    Sentc.#ctx = { options: resolved, http, strategy, getStore: () => Sentc.getStore() };
    Sentc.options = resolved;
    try {
      return await Sentc.#restore();
    } catch {
      // As the reference: any failure while restoring means "not logged in".
      return undefined;
    }
  }

  /** Reads the stored login and renews its JWT: `POST /init` in api mode (plus invites), else the app's refresh. */
  static async #restore(): Promise<User | undefined> {
    const found = await Sentc.#readActualUser();
    if (!found) return undefined;
    const [user] = found;
    const ctx = Sentc.#context();
    if (ctx.strategy.kind === "api") {
      const init = await authApi.initUser(ctx.http, user.user_data.jwt, user.user_data.refresh_token);
      // Checked before anything is kept: a JWT of this user and device (as a refresh), well-formed invites.
      checkRefreshedJwt(user.user_data.jwt, init.jwt);
      const invites = init.invites.map(inviteItem);
      user.setJwt(init.jwt);
      user.group_invites = invites;
    } else {
      await user.getJwt();
    }
    await user.persist();
    Sentc.#current = user;
    await user.monitorKeysAtLogin();
    return user;
  }

  /**
   * Forgets the options, the store handle and the in-memory user (stored data stays). Not in the reference: lets
   * tests and apps re-run `init` with other options, like a page reload.
   * Never throws.
   * @example
   * import Sentc from "sentc-as";
   *
   * Sentc.reset();
   * await Sentc.init({ app_token: otherAppToken });
   */
  static reset(): void {
    Sentc.#ctx = undefined;
    Sentc.#store = undefined;
    Sentc.#current = undefined;
    Sentc.options = {};
    setStrictVerify(false);
    setTrustServerKeys(false);
    stopCryptoWorker();
    setTransparencyOptions(undefined, false);
  }

  /**
   * The key transparency guarantee (a sentc-as extra, docs/security.md): `{available: true, app_id, log_key, sth}`
   * once keys were checked against the app's key log (`sth` is the newest signed tree head held, to compare through
   * the app's own backend), else `{available: false, reason}` (e.g. a server without the log).
   * @throws {SentcError} `not_initialized` before `Sentc.init()`; `storage_failed`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const { available, reason, sth } = await Sentc.transparency();
   */
  static transparency(): Promise<TransparencyStatus> {
    return transparencyStatus(Sentc.#context());
  }

  /**
   * Gossip (docs/security.md): checks a signed tree head another client holds (its `Sentc.transparency().sth`,
   * passed through the app's own backend) against the newest head held here. Same size with another root, or no
   * valid consistency proof between them, is a fork: `log_fork`, and from then on every key use is `log_fork`.
   * @throws {SentcError} `log_fork`; `transparency_failed` for a head not signed by the pinned log key or before any
   * key was checked; `not_initialized`; `server` / `network_error`; `storage_failed`.
   * @example
   * import Sentc from "sentc-as";
   *
   * for (const sth of await myBackend.treeHeadsOfOtherClients()) await Sentc.compareTreeHead(sth);
   */
  static compareTreeHead(sth: SignedTreeHead): Promise<void> {
    return compareTreeHead(Sentc.#context(), sth);
  }

  // ---------- identifiers and registration ----------

  /**
   * `POST /api/v1/exists`: whether the identifier is still free to register; `false` for an empty identifier, as in the
   * reference (sdk.md §1.3).
   * @throws {SentcError} `not_initialized` before `Sentc.init()`; `server` (e.g. `server_200`) when the server refuses
   * the app token; `network_error` / `timeout` when the server cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const free = await Sentc.checkUserIdentifierAvailable("alice");
   */
  static async checkUserIdentifierAvailable(userIdentifier: string): Promise<boolean> {
    const body = Sentc.prepareCheckUserIdentifierAvailable(userIdentifier);
    if (body === false) return false;
    return (await authApi.checkUserIdentifierAvailable(Sentc.#context().http, body)).available;
  }

  /**
   * The body for `POST /api/v1/exists`, or `false` for an empty identifier.
   * Never throws.
   * @example
   * import Sentc from "sentc-as";
   *
   * const body = Sentc.prepareCheckUserIdentifierAvailable("alice");
   */
  static prepareCheckUserIdentifierAvailable(userIdentifier: string): string | false {
    if (typeof userIdentifier !== "string" || userIdentifier.length === 0) return false;
    return JSON.stringify({ user_identifier: userIdentifier });
  }

  /**
   * Reads the envelope of `POST /api/v1/exists`.
   * Resolves to `true` when the identifier is free.
   * @throws {SentcError} `server` (e.g. `server_200`) when the envelope carries the server's error;
   * `invalid_server_response` when the text is not sentc's envelope or lacks `available`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const free = Sentc.doneCheckUserIdentifierAvailable(await response.text());
   */
  static doneCheckUserIdentifierAvailable(serverOutput: string): boolean {
    const what = "POST /exists result";
    const result = resultObject(readServerOutput(serverOutput, what), what);
    if (typeof result.available !== "boolean") throw invalidServerResponse(`${what}: "available" must be a boolean`);
    return result.available;
  }

  /**
   * A random identifier and password (e.g. for a device that registers itself); nothing is stored.
   * @throws {SentcError} `core_not_initialized` when called before `Sentc.init()` loaded the crypto core.
   * @example
   * import Sentc from "sentc-as";
   *
   * const [identifier, password] = Sentc.generateRegisterData();
   */
  static generateRegisterData(): [string, string] {
    const { identifier, password } = generateUserRegisterData();
    return [identifier, password];
  }

  /**
   * The `RegisterData` JSON your backend posts to `POST /api/v1/register` with the secret token.
   * @throws {SentcError} `invalid_input` when the identifier or the password is empty; `core_not_initialized` before
   * `Sentc.init()`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const body = Sentc.prepareRegister("alice", "password");
   */
  static prepareRegister(userIdentifier: string, password: string): string {
    return protocolPrepareRegister(userIdentifier, password);
  }

  /**
   * Reads the envelope of `POST /api/v1/register` → the new user id.
   * @throws {SentcError} `server` (e.g. `server_101` when the identifier is taken) when the envelope carries the
   * server's error; `invalid_server_response` when the text is not sentc's envelope or lacks `user_id`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const userId = Sentc.doneRegister(await response.text());
   */
  static doneRegister(serverOutput: string): string {
    const what = "POST /register result";
    return resultString(resultObject(readServerOutput(serverOutput, what), what), "user_id", what);
  }

  /**
   * Registers from the client (needs the app option `user_register` = public). Resolves to the user id.
   * Unlike the reference, bad input rejects instead of returning `false` (Appendix B 15).
   * @throws {SentcError} `invalid_input` when the identifier or the password is empty; `not_initialized` before
   * `Sentc.init()`; `server` (e.g. `server_101`) when the identifier is taken or the server refuses the registration;
   * `network_error` / `timeout` when the server cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const userId = await Sentc.register("alice", "password");
   */
  static async register(userIdentifier: string, password: string): Promise<string> {
    nonEmptyString(userIdentifier, "the user identifier");
    nonEmptyString(password, "the password");
    const body = await offload("prepareRegister", [userIdentifier, password], protocolPrepareRegister);
    return (await authApi.register(Sentc.#context().http, body)).user_id;
  }

  /**
   * On the new device: the body for `POST /api/v1/user/prepare_register_device`.
   * @throws {SentcError} `invalid_input` when the identifier or the password is empty; `core_not_initialized` before
   * `Sentc.init()`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const body = Sentc.prepareRegisterDeviceStart("alice-phone", "device password");
   */
  static prepareRegisterDeviceStart(device_identifier: string, password: string): string {
    return protocolPrepareRegisterDeviceStart(device_identifier, password);
  }

  /**
   * Checks the envelope of `POST /api/v1/user/prepare_register_device`; throws its error.
   * @throws {SentcError} `server` (e.g. `server_101` for a taken identifier) when the envelope carries the server's
   * error; `invalid_server_response` when the text is not sentc's envelope or lacks `device_id` / `token`.
   * @example
   * import Sentc from "sentc-as";
   *
   * Sentc.doneRegisterDeviceStart(await response.text());
   */
  static doneRegisterDeviceStart(server_output: string): void {
    const what = "POST /user/prepare_register_device result";
    const result = resultObject(readServerOutput(server_output, what), what);
    resultString(result, "device_id", what);
    resultString(result, "token", what);
  }

  /**
   * On the new device: registers its keys and resolves to the text to hand to a logged-in device (e.g. as a QR
   * code), which calls `user.registerDevice(text)`.
   * @throws {SentcError} `invalid_input` when the identifier or the password is empty; `not_initialized` before
   * `Sentc.init()`; `server` (e.g. `server_101`) when the server refuses the device; `network_error` / `timeout` when
   * the server cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const text = await Sentc.registerDeviceStart("alice-phone", "device password");
   * // on the logged-in device: await user.registerDevice(text);
   */
  static async registerDeviceStart(device_identifier: string, password: string): Promise<string> {
    const body = await offload(
      "prepareRegisterDeviceStart",
      [nonEmptyString(device_identifier, "the device identifier"), nonEmptyString(password, "the password")],
      protocolPrepareRegisterDeviceStart,
    );
    const result = await authApi.prepareRegisterDevice(Sentc.#context().http, body);
    return JSON.stringify({ status: true, result });
  }

  // ---------- login ----------

  /**
   * Logs in. Resolves to `{kind: "user", u}` or, when the account has MFA, `{kind: "mfa", u}` for `mfaLogin` /
   * `mfaRecoveryLogin`. With `force = true` it resolves to the `User` and throws `mfa_required` for MFA accounts.
   * Follows the reference's login flow (sdk.md §2.2): `prepare_login`, `done_login`, `verify_login`; the login is stored
   * and becomes the actual user.
   * @throws {SentcError} `server` (e.g. `server_112` for a wrong password, `server_100` for an unknown identifier) when
   * the server refuses; `mfa_required` with `force` for an MFA account; `invalid_input` for an empty identifier or
   * password; `decryption_failed` when the user keys cannot be decrypted; `not_initialized` before `Sentc.init()`;
   * `network_error` / `timeout` when the server cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const login = await Sentc.login("alice", "password");
   * const user = login.kind === "user" ? login.u : await Sentc.mfaLogin(totpToken, login.u);
   */
  static login(deviceIdentifier: string, password: string): Promise<LoginUser>;
  static login(deviceIdentifier: string, password: string, force: true): Promise<User>;
  static login(deviceIdentifier: string, password: string, force?: boolean): Promise<LoginUser | User>;
  static async login(deviceIdentifier: string, password: string, force = false): Promise<LoginUser | User> {
    const outcome = await loginOverHttp(Sentc.#context().http, deviceIdentifier, password);
    if (outcome.kind === "mfa") {
      if (force) {
        outcome.state.masterKeyEncryptionKey.fill(0);
        throw new SentcError("mfa_required", "multi-factor authentication is on: use login without force and mfaLogin");
      }
      return { kind: "mfa", u: mfaLoginData(outcome.state) };
    }
    const user = await Sentc.#buildUser(deviceIdentifier, outcome.result);
    return force ? user : { kind: "user", u: user };
  }

  /**
   * Finishes an MFA login with the TOTP token.
   * `login_data` is the `u` of `Sentc.login`'s `{kind: "mfa"}` result (sdk.md §2.2).
   * @throws {SentcError} `server` (e.g. `server_902` for a wrong token) when the server refuses; `invalid_input` /
   * `invalid_format` for login data that is not from `login`; `not_initialized` before `Sentc.init()`;
   * `network_error` / `timeout` when the server cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const login = await Sentc.login("alice", "password");
   * if (login.kind === "mfa") await Sentc.mfaLogin("123456", login.u);
   */
  static mfaLogin(token: string, login_data: UserMfaLogin): Promise<User> {
    return Sentc.#mfaLogin(token, login_data, false);
  }

  /**
   * Finishes an MFA login with one of the recovery keys (each works once).
   * @throws {SentcError} `server` (e.g. `server_902` for an unknown or used key) when the server refuses;
   * `invalid_input` / `invalid_format` for login data that is not from `login`; `not_initialized` before `Sentc.init()`;
   * `network_error` / `timeout` when the server cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const login = await Sentc.login("alice", "password");
   * if (login.kind === "mfa") await Sentc.mfaRecoveryLogin(recoveryKey, login.u);
   */
  static mfaRecoveryLogin(recovery_token: string, login_data: UserMfaLogin): Promise<User> {
    return Sentc.#mfaLogin(recovery_token, login_data, true);
  }

  static async #mfaLogin(token: string, loginData: UserMfaLogin, recovery: boolean): Promise<User> {
    const http = Sentc.#context().http;
    const start = stateFromMfaLogin(loginData);
    const done = await validateMfaToken(http, start, { token, recovery });
    start.masterKeyEncryptionKey.fill(0);
    if (done.kind !== "verify") throw invalidServerResponse("the MFA check answered OTP again");
    const result = await loginVerified(http, done.state, await authApi.verifyLogin(http, done.state.input), true);
    return Sentc.#buildUser(loginData.deviceIdentifier, result);
  }

  /**
   * Own backend, step 1: the body for `POST /api/v1/prepare_login`.
   * @throws {SentcError} `invalid_input` when the identifier is empty.
   * @example
   * import Sentc from "sentc-as";
   *
   * const body = Sentc.prepareLoginStart("alice");
   */
  static prepareLoginStart(deviceIdentifier: string): string {
    return protocolPrepareLoginStart(deviceIdentifier);
  }

  /**
   * Own backend, step 2: from the envelope of `prepare_login`, derives the keys (Argon2id) and returns the state;
   * `state.input` is the body for `POST /api/v1/done_login`.
   * @throws {SentcError} `invalid_input` for an empty identifier or password; `server` (e.g. `server_100`) when the
   * envelope carries the server's error; `invalid_server_response` / `invalid_format` when it is not a
   * `prepare_login` answer; `core_not_initialized` before `Sentc.init()`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const state = Sentc.prepareLogin("alice", "password", await prepareResponse.text());
   * // POST state.input to /api/v1/done_login
   */
  static prepareLogin(deviceIdentifier: string, password: string, server_output: string): LoginStartState {
    nonEmptyString(password, "the password");
    return loginStart(
      nonEmptyString(deviceIdentifier, "the identifier"),
      password,
      readServerOutput(server_output, "POST /prepare_login result"),
    );
  }

  /**
   * Own backend, step 3: reads the envelope of `done_login` (or of `validate_mfa` / `validate_recovery_otp`, whose body
   * is `{token, auth_key: u.mfa_auth_key, device_identifier}`). `kind: "verify"` gives the body for
   * `POST /api/v1/verify_login` as `input`.
   * @throws {SentcError} `invalid_input` for a `state` that is not `prepareLogin`'s; `server` (e.g. `server_112` for a
   * wrong password) when the envelope carries the server's error; `invalid_server_response` / `invalid_format` when it
   * is not a `done_login` answer.
   * @example
   * import Sentc from "sentc-as";
   *
   * const done = Sentc.doneLogin(state, await doneResponse.text());
   * if (done.kind === "verify") {
   *   // POST done.input to /api/v1/verify_login, then Sentc.verifyLogin(done.state, text)
   * }
   */
  static doneLogin(state: LoginStartState, server_output: string): DoneLoginOutput {
    loginState(state, "masterKeyEncryptionKey");
    const done = loginDone(state, readServerOutput(server_output, "POST /done_login result"));
    if (done.kind === "mfa") return { kind: "mfa", u: mfaLoginData(state) };
    state.masterKeyEncryptionKey.fill(0);
    return { kind: "verify", state: done.state, input: done.state.input };
  }

  /**
   * Own backend, step 4: reads the envelope of `verify_login` and logs the user in on this device (stored like
   * `login`). More than 50 user keys are fetched with the new JWT.
   * @throws {SentcError} `invalid_input` for a `state` that is not `doneLogin`'s; `server` when the envelope carries
   * the server's error; `invalid_server_response` / `invalid_format` when it is not a `verify_login` answer;
   * `decryption_failed` when the user keys cannot be decrypted; `storage_failed` when the login cannot be stored;
   * `not_initialized` before `Sentc.init()`.
   * @example
   * import Sentc from "sentc-as";
   *
   * const user = await Sentc.verifyLogin(done.state, await verifyResponse.text());
   */
  static async verifyLogin(state: LoginVerifyState, server_output: string, mfa = false): Promise<User> {
    loginState(state, "masterKey");
    const result = await loginVerified(
      Sentc.#context().http,
      state,
      readServerOutput(server_output, "POST /verify_login result"),
      mfa,
    );
    return Sentc.#buildUser(state.deviceIdentifier, result);
  }

  /** Stores a new login (`user_data_id_<id>`, `actual_user`, own public and verify key) and makes it current. */
  static async #buildUser(identifier: string, result: LoginResult): Promise<User> {
    result.masterKey.fill(0);
    result.authKey.fill(0);
    const ctx = Sentc.#context();
    const user = new User(ctx, result.data, identifier, Sentc.#hooks);
    const store = await Sentc.getStore();
    const newest = result.data.user_keys[0]!;
    const ownPublicKey: UserPublicKeyData & { fetched_at: number } = {
      public_key: newest.public_key,
      public_key_id: newest.group_key_id,
      verified: false,
      fetched_at: Date.now(),
    };
    if (newest.exported_public_key_sig_key_id !== undefined)
      ownPublicKey.public_key_sig_key_id = newest.exported_public_key_sig_key_id;
    const signature = parseUserPublicKeyData(newest.exported_public_key).signature;
    if (signature !== null) ownPublicKey.public_key_sig = signature;
    await Promise.all([
      user.persist(),
      store.set(STORAGE_KEYS.actualUser, identifier),
      store.set(STORAGE_KEYS.userPublicKey(result.data.user_id), ownPublicKey),
      store.set(STORAGE_KEYS.userVerifyKey(result.data.user_id, newest.group_key_id), newest.verify_key),
    ]);
    Sentc.#current = user;
    await user.monitorKeysAtLogin();
    return user;
  }

  /**
   * Reads the envelope of `DELETE /api/v1/user` (or `/user/forced/delete…`) sent by an own backend; throws its error.
   * @throws {SentcError} `server` (e.g. `server_113` when the JWT is not fresh) when the envelope carries the server's
   * error; `invalid_server_response` when the text is not sentc's envelope.
   * @example
   * import Sentc from "sentc-as";
   *
   * Sentc.doneDeleteUser(await response.text());
   */
  static doneDeleteUser(server_output: string): void {
    readServerOutput(server_output, "DELETE /user result");
  }

  // ---------- JWT ----------

  /**
   * A new JWT for `old_jwt` with the configured strategy: `PUT /api/v1/refresh` (api), the app's endpoint (cookie)
   * or function (cookie_fn); `refresh_token` is used by api only.
   * @throws {SentcError} `not_initialized` before `Sentc.init()`; `server` (e.g. `server_114` for an invalid refresh
   * token) when the server refuses; `refresh_failed` when the app's endpoint or function delivers no JWT;
   * `network_error` / `timeout` when the server cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const jwt = await Sentc.refreshJwt(user.user_data.jwt, user.user_data.refresh_token);
   */
  static refreshJwt(old_jwt: string, refresh_token: string): Promise<string> {
    const ctx = Sentc.#context();
    const manager = new JwtManager({
      http: ctx.http,
      strategy: ctx.strategy,
      jwt: old_jwt,
      refreshToken: refresh_token,
    });
    return manager.refresh();
  }

  // ---------- stored users ----------

  static async #readActualUser(): Promise<[User, string] | undefined> {
    const store = await Sentc.getStore();
    const identifier = await store.getItem<string>(STORAGE_KEYS.actualUser);
    if (typeof identifier !== "string" || identifier.length === 0) return undefined;
    if (Sentc.#current && Sentc.#current.userIdentifier === identifier) return [Sentc.#current, identifier];
    const data = restoreUserData(await store.getItem(STORAGE_KEYS.userData(identifier)));
    if (!data) return undefined;
    return [new User(Sentc.#context(), data, identifier, Sentc.#hooks), identifier];
  }

  /**
   * The logged-in user from storage (no network unless `jwt` is true, which renews the JWT if needed). Throws
   * `not_logged_in` when there is none.
   * With `username` it resolves to `[user, identifier]` (sdk.md §1.3).
   * @throws {SentcError} `not_logged_in` when no user is stored; `not_initialized` before `Sentc.init()`;
   * `storage_failed` when the store cannot be read; with `jwt`, `server` (e.g. `server_114`) or `refresh_failed` when
   * the JWT cannot be renewed.
   * @example
   * import Sentc from "sentc-as";
   *
   * const user = await Sentc.getActualUser();
   * const [sameUser, identifier] = await Sentc.getActualUser(false, true);
   */
  static getActualUser(): Promise<User>;
  static getActualUser(jwt: boolean): Promise<User>;
  static getActualUser(jwt: false, username: true): Promise<[User, string]>;
  static getActualUser(jwt: boolean, username: boolean): Promise<User | [User, string]>;
  static async getActualUser(jwt = false, username = false): Promise<User | [User, string]> {
    Sentc.#context();
    const found = await Sentc.#readActualUser();
    if (!found) throw new SentcError("not_logged_in", REFERENCE_MESSAGES.noActualUser);
    const [user, identifier] = found;
    Sentc.#current = user;
    if (jwt) {
      // As the reference: with `jwt` the result is the user alone, whatever `username` says.
      await user.getJwt();
      return user;
    }
    return username ? [user, identifier] : user;
  }

  /**
   * A stored login by identifier (no network), or `false`.
   * @throws {SentcError} `not_initialized` before `Sentc.init()`; `storage_failed` when the store cannot be read.
   * @example
   * import Sentc from "sentc-as";
   *
   * const user = await Sentc.getUser("alice");
   * if (user !== false) console.log(user.user_data.user_id);
   */
  static async getUser(userIdentifier: string): Promise<User | false> {
    const ctx = Sentc.#context();
    if (Sentc.#current && Sentc.#current.userIdentifier === userIdentifier) return Sentc.#current;
    const store = await Sentc.getStore();
    const data = restoreUserData(await store.getItem(STORAGE_KEYS.userData(userIdentifier)));
    return data ? new User(ctx, data, userIdentifier, Sentc.#hooks) : false;
  }

  // ---------- public keys ----------

  /**
   * The newest public key of a user (`GET /api/v1/user/<id>/public_key`), cached in the store (sdk.md §1.3).
   * @throws {SentcError} `invalid_input` for an empty user id; `not_initialized` before `Sentc.init()`; `server`
   * (e.g. `server_100`) when the server refuses; `network_error` / `timeout` when it cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const { public_key, public_key_id } = await Sentc.getUserPublicKey(userId);
   */
  static async getUserPublicKey(user_id: string): Promise<UserPublicKeyData> {
    return getUserPublicKeyData(Sentc.#context(), nonEmptyString(user_id, "the user id"));
  }

  /**
   * A user's exported verify key with this id (`GET /api/v1/user/<id>/verify_key/<key_id>`), cached in the store.
   * @throws {SentcError} `invalid_input` for an empty user or key id; `not_initialized` before `Sentc.init()`;
   * `server` (e.g. `server_100`) when the server refuses; `invalid_server_response` when it answers another key;
   * `network_error` / `timeout` when it cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const verifyKey = await Sentc.getUserVerifyKey(userId, verifyKeyId);
   */
  static async getUserVerifyKey(user_id: string, key_id: string): Promise<string> {
    return getUserVerifyKeyData(
      Sentc.#context(),
      nonEmptyString(user_id, "the user id"),
      nonEmptyString(key_id, "the key id"),
    );
  }

  /**
   * The newest public key of a group (`GET /api/v1/group/<id>/public_key`) as `{key, id}`, cached in the store.
   * @throws {SentcError} `invalid_input` for an empty group id; `not_initialized` before `Sentc.init()`; `server`
   * (e.g. `server_300`) when the server refuses; `network_error` / `timeout` when it cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const { key, id } = await Sentc.getGroupPublicKey(groupId);
   */
  static async getGroupPublicKey(group_id: string): Promise<{ key: string; id: string }> {
    return getGroupPublicKeyData(Sentc.#context(), nonEmptyString(group_id, "the group id"));
  }

  /**
   * True when the public key is signed by the user's sign key (the result is cached; `force` checks again).
   * @throws {SentcError} `invalid_input` for an empty user id or a `public_key` that is not a `UserPublicKeyData`;
   * `not_initialized` before `Sentc.init()`; `server` when the server refuses the verify key; `network_error` /
   * `timeout` when it cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const ok = await Sentc.verifyUserPublicKey(userId, await Sentc.getUserPublicKey(userId));
   */
  static async verifyUserPublicKey(user_id: string, public_key: UserPublicKeyData, force = false): Promise<boolean> {
    return verifyUsersPublicKey(Sentc.#context(), nonEmptyString(user_id, "the user id"), public_key, force);
  }

  /**
   * The reference's variants with explicit URL and token (they must match `init`'s).
   * Like `getUserPublicKey`.
   * @throws {SentcError} `invalid_input` for an empty user id or a `base_url` that is not an http(s) URL;
   * `not_initialized` before `Sentc.init()`; `server` (e.g. `server_100`) when the server refuses; `network_error` /
   * `timeout` when it cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const key = await Sentc.getUserPublicKeyData(baseUrl, appToken, userId);
   */
  static async getUserPublicKeyData(base_url: string, app_token: string, user_id: string): Promise<UserPublicKeyData> {
    return getUserPublicKeyData(Sentc.#contextFor(base_url, app_token), nonEmptyString(user_id, "the user id"));
  }

  /**
   * The reference's variant of `getUserVerifyKey` with explicit URL and token (they must match `init`'s).
   * @throws {SentcError} `invalid_input` for an empty user or key id or a bad `base_url`; `not_initialized` before
   * `Sentc.init()`; `server` (e.g. `server_100`) when the server refuses; `network_error` / `timeout` when it cannot be
   * reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const verifyKey = await Sentc.getUserVerifyKeyData(baseUrl, appToken, userId, verifyKeyId);
   */
  static async getUserVerifyKeyData(
    base_url: string,
    app_token: string,
    user_id: string,
    verify_key_id: string,
  ): Promise<string> {
    return getUserVerifyKeyData(
      Sentc.#contextFor(base_url, app_token),
      nonEmptyString(user_id, "the user id"),
      nonEmptyString(verify_key_id, "the key id"),
    );
  }

  /**
   * The reference's variant of `getGroupPublicKey` with explicit URL and token (they must match `init`'s).
   * @throws {SentcError} `invalid_input` for an empty group id or a bad `base_url`; `not_initialized` before
   * `Sentc.init()`; `server` (e.g. `server_300`) when the server refuses; `network_error` / `timeout` when it cannot be
   * reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const { key, id } = await Sentc.getGroupPublicKeyData(baseUrl, appToken, groupId);
   */
  static async getGroupPublicKeyData(
    base_url: string,
    app_token: string,
    group_id: string,
  ): Promise<{ key: string; id: string }> {
    return getGroupPublicKeyData(Sentc.#contextFor(base_url, app_token), nonEmptyString(group_id, "the group id"));
  }

  /**
   * The reference's variant of `verifyUserPublicKey` with explicit URL and token (they must match `init`'s).
   * @throws {SentcError} `invalid_input` for an empty user id, a bad `base_url` or a `public_key` that is not a
   * `UserPublicKeyData`; `not_initialized` before `Sentc.init()`; `server` when the server refuses the verify key;
   * `network_error` / `timeout` when it cannot be reached.
   * @example
   * import Sentc from "sentc-as";
   *
   * const ok = await Sentc.verifyUsersPublicKey(baseUrl, appToken, userId, publicKey);
   */
  static async verifyUsersPublicKey(
    base_url: string,
    app_token: string,
    user_id: string,
    public_key: UserPublicKeyData,
    force = false,
  ): Promise<boolean> {
    return verifyUsersPublicKey(
      Sentc.#contextFor(base_url, app_token),
      nonEmptyString(user_id, "the user id"),
      public_key,
      force,
    );
  }

  /** `init`'s context, or one on another origin or app token; the client checks both (`invalid_input`). */
  static #contextFor(baseUrl: string, appToken: string): SdkContext {
    const ctx = Sentc.#context();
    const http = new HttpClient({ baseUrl, appToken });
    return http.baseUrl === ctx.http.baseUrl && appToken === ctx.http.appToken ? ctx : { ...ctx, http };
  }
}
