/**
 * The logged-in user (sdk.md §2.3, §4 asymmetric encryption and signing); the groups are in Group.ts.
 *
 * Differences from the reference, on purpose (Appendix B): refresh tokens are kept in memory in every mode and
 * persisted in `api` mode (2); `logOut` removes everything the SDK stored for the user (4); `updateUser` re-keys the
 * storage (5); `registerRawOtp` sets `mfa` only after success (6); a missing MFA token is `mfa_required` for every
 * fresh-JWT method (7); device key sessions send every page of keys (3); one refresh at a time (9, via JwtManager);
 * with the init option `strict_verify`, asking to verify unsigned data is `missing_signature` instead of a silent
 * skip. Own-backend group creation has a
 * `done` step that checks sentc's envelope.
 */
import { REFERENCE_MESSAGES, SentcError } from "../errors.js";
import { JwtManager, userApi, type SessionTokens } from "../api/index.js";
import * as groupApi from "../api/endpoints/group.js";
import { prepareRegisterDevice as protocolPrepareRegisterDevice } from "../protocol/device.js";
import { fromBase64 } from "../protocol/encoding.js";
import {
  decryptAsymmetric,
  decryptRawAsymmetric,
  decryptStringAsymmetric,
  encryptAsymmetric,
  encryptRawAsymmetric,
  encryptStringAsymmetric,
} from "../protocol/encrypt.js";
import { prepareCreateGroup } from "../protocol/group-create.js";
import { encryptGroupKeysForMember, KEY_SESSION_THRESHOLD } from "../protocol/group-member.js";
import { parseHead, splitHead, type EncryptedHead } from "../protocol/head.js";
import { isRecord } from "../protocol/json.js";
import { finishKeyRotation as protocolFinishKeyRotation, prepareKeyRotation } from "../protocol/key-rotation.js";
import { exportHmacKey, importPrivateKey, importPublicKey, importSignKey, importSymKey, importVerifyKey, type PrivateKey, type VerifyKey } from "../protocol/keys.js";
import { decryptHmacKey } from "../protocol/group-keys.js";
import { decryptUserKey } from "../protocol/login.js";
import { prepareChangePassword, prepareResetPassword } from "../protocol/password-change.js";
import { parseUserPublicKeyData } from "../protocol/public-keys.js";
import { createSafetyNumber as protocolCreateSafetyNumber } from "../protocol/safety-number.js";
import {
  KEY_PAGE,
  loginOverHttp,
  notFoundAsUndefined,
  readServerOutput,
  resultObject,
  userKeyData,
  wipeKey,
  wipeUserKey,
  type LoginResult,
  type SdkContext,
} from "./internal.js";
import { Group } from "./Group.js";
import { cursor, groupListItem, inviteItem } from "./group-internal.js";
import { hmacEntry } from "./group-internal.js";
import type { GroupList, GroupOutDataHmacKeys, GroupVerify } from "./group-types.js";
import { getUserPublicKeyData, getUserVerifyKeyData } from "./public-keys.js";
import { CACHE_PREFIXES, STORAGE_KEYS } from "./storage.js";
import { strictVerify } from "./verify-policy.js";
import type { CryptoRawOutput, GroupInviteListItem, OtpRegister, UserData, UserDeviceList, UserKeyData, UserPublicKeyData } from "./types.js";
import * as files from "./files/index.js";
import { takeCancelUpload } from "./files/Uploader.js";
import { generateNonRegisteredKeyByPublicKey, getNonRegisteredKeyByPrivateKey, symKeyContext, type SymKey } from "./SymKey.js";

/** How often `finishKeyRotation` goes over the pending rotations (a rotation may need the key of another one). */
const KEY_ROTATION_ROUNDS = 10;

/** The own-backend form of a device registration (`user.prepareRegisterDevice`). */
export interface PreRegisterDeviceData {
  /** `UserDeviceDoneRegisterInput` JSON for `PUT /api/v1/user/done_register_device`. */
  input: string;
  /** The new device's `UserPublicKeyData` JSON (to encrypt further key pages to). */
  public_key: string;
  get_input(): string;
  get_public_key(): string;
}

/** Hooks into `Sentc` that `User` needs without importing it (no import cycle). */
export interface UserHooks {
  /** Called after logout / delete so `Sentc.getActualUser` forgets this instance. */
  forget(user: User): void;
}

export class User {
  /** The decrypted keys and tokens of this device (the reference's `user_data`). */
  readonly user_data: UserData;
  /** Pending group invites delivered by `POST /init` (api refresh mode). */
  group_invites: GroupInviteListItem[];
  readonly #ctx: SdkContext;
  readonly #hooks: UserHooks;
  readonly #jwt: JwtManager;
  #identifier: string;
  #finishing: Promise<void> | null = null;

  /** @internal Use `Sentc.login` / `Sentc.init` / `Sentc.getActualUser`. */
  constructor(ctx: SdkContext, userData: UserData, userIdentifier: string, hooks: UserHooks, groupInvites: GroupInviteListItem[] = []) {
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.user_data = userData;
    this.#identifier = userIdentifier;
    this.group_invites = groupInvites;
    this.#jwt = new JwtManager({
      http: ctx.http,
      strategy: ctx.strategy,
      jwt: userData.jwt,
      refreshToken: userData.refresh_token,
      onRefresh: (tokens) => this.#onRefresh(tokens),
    });
  }

  /** The identifier this device logs in with. */
  get userIdentifier(): string {
    return this.#identifier;
  }

  async #onRefresh(tokens: SessionTokens): Promise<void> {
    this.user_data.jwt = tokens.jwt;
    await this.persist();
  }

  /** @internal Replaces the JWT after `POST /init`. */
  setJwt(jwt: string): void {
    this.#jwt.setTokens({ jwt });
    this.user_data.jwt = jwt;
  }

  /**
   * @internal Writes `user_data_id_<identifier>`. The refresh token is stored only in `api` mode; in the cookie modes
   * the app's backend holds it (the in-memory copy stays, unlike the reference, Appendix B 2).
   */
  async persist(): Promise<void> {
    const store = await this.#ctx.getStore();
    const stored: UserData = {
      ...this.user_data,
      key_map: new Map(this.user_data.key_map),
      refresh_token: this.#ctx.strategy.kind === "api" ? this.user_data.refresh_token : "",
    };
    await store.set(STORAGE_KEYS.userData(this.#identifier), stored);
  }

  // ---------- session and keys ----------

  /** A JWT valid for at least 30 s, refreshed (once, shared by concurrent callers) and persisted when needed. */
  getJwt(): Promise<string> {
    return this.#jwt.getJwt();
  }

  enabledMfa(): boolean {
    return this.user_data.mfa;
  }

  #keyData(keyId: string): UserKeyData | undefined {
    const index = this.user_data.key_map.get(keyId);
    return index === undefined ? undefined : this.user_data.user_keys[index];
  }

  #newestKey(): UserKeyData {
    const key = this.#keyData(this.user_data.newest_key_id) ?? this.user_data.user_keys[0];
    if (!key) throw new SentcError("key_not_found", REFERENCE_MESSAGES.keyNotFound);
    return key;
  }

  /**
   * `GET /user/user_keys/key/<key_id>`: fetches one user key, keeps and persists it; `first` makes it the newest.
   */
  async fetchUserKey(key_id: string, first = false): Promise<void> {
    const result = await userApi.getUserKey(this.#ctx.http, this.#jwt, key_id);
    const key = decryptUserKey(importPrivateKey(this.user_data.device.private_key), result);
    if (key.groupKey.keyId !== key_id) {
      wipeUserKey(key);
      throw new SentcError("invalid_server_response", "the server answered another user key than asked for");
    }
    const data = userKeyData(key);
    wipeUserKey(key);
    const index = this.user_data.key_map.get(key_id);
    if (index === undefined) {
      this.user_data.key_map.set(key_id, this.user_data.user_keys.length);
      this.user_data.user_keys.push(data);
    } else {
      this.user_data.user_keys[index] = data;
    }
    if (first) this.user_data.newest_key_id = key_id;
    await this.persist();
  }

  /**
   * The key with this id: held locally, else fetched. When the server does not have it for this device yet (a
   * rotation started on another device) the server's error stands until the app calls `finishKeyRotation()`, as in
   * the reference; with the init option `auto_finish_key_rotation` pending rotations are finished first.
   */
  async #getKeyData(keyId: string): Promise<UserKeyData> {
    const held = this.#keyData(keyId);
    if (held) return held;
    try {
      await this.fetchUserKey(keyId);
    } catch (error) {
      if (this.#ctx.options.auto_finish_key_rotation !== true) throw error;
      notFoundAsUndefined(error);
      await this.finishKeyRotation();
      // Still missing: the server's own answer (e.g. server_304) is the error, as in the reference (sdk.md §7.3).
      if (!this.#keyData(keyId)) throw error;
    }
    const key = this.#keyData(keyId);
    if (!key) throw new SentcError("key_not_found", REFERENCE_MESSAGES.keyNotFound);
    return key;
  }

  /** The exported symmetric user-group key with this id (fetched when unknown). */
  async getUserSymKey(key_id: string): Promise<string> {
    return (await this.#getKeyData(key_id)).group_key;
  }

  async getPrivateKey(key_id: string): Promise<string> {
    return (await this.#getKeyData(key_id)).private_key;
  }

  getPrivateKeySync(key_id: string): string {
    const key = this.#keyData(key_id);
    if (!key) throw new SentcError("key_not_found", REFERENCE_MESSAGES.keyNotFound);
    return key.private_key;
  }

  /** The newest public key of user `reply_id` (cached, see `Sentc.getUserPublicKey`). */
  getPublicKey(reply_id: string): Promise<UserPublicKeyData> {
    return getUserPublicKeyData(this.#ctx, reply_id);
  }

  getNewestHmacKey(): string {
    const key = this.user_data.hmac_keys[0];
    if (key === undefined) throw new SentcError("key_not_found", "the user has no hmac key");
    return key;
  }

  getNewestPublicKey(): string {
    return this.#newestKey().public_key;
  }

  getNewestSignKey(): string {
    return this.#newestKey().sign_key;
  }

  async getSignKey(): Promise<string> {
    return this.getSignKeySync();
  }

  getSignKeySync(): string {
    return this.#newestKey().sign_key;
  }

  /**
   * The newest user key with all its parts (private in the reference's types, reachable there at runtime).
   * @throws SentcError `key_not_found` when the user has no keys
   * @example
   * const { group_key_id } = user.getNewestKey();
   */
  getNewestKey(): UserKeyData {
    return this.#newestKey();
  }

  /**
   * Decrypts HMAC keys (`{group_key_id, key_data}`, as the reference's `GroupOutDataHmacKeys`, or the server's hmac
   * key objects) with the user keys that wrap them (fetched when unknown); resolves to the exported keys.
   * @throws SentcError `invalid_input` for a malformed entry, `key_not_found`, `decryption_failed`
   * @example
   * const keys = await user.decryptHmacKeys(fetched);
   */
  async decryptHmacKeys(fetchedKeys: GroupOutDataHmacKeys[]): Promise<string[]> {
    if (!Array.isArray(fetchedKeys)) throw new SentcError("invalid_input", "fetchedKeys must be an array");
    const out: string[] = [];
    for (const fetched of fetchedKeys) {
      const [keyId, keyData] = hmacEntry(fetched);
      const key = importSymKey(await this.getUserSymKey(keyId));
      try {
        const hmac = decryptHmacKey(key, keyData);
        out.push(exportHmacKey(hmac));
        wipeKey(hmac);
      } finally {
        wipeKey(key);
      }
    }
    return out;
  }

  // ---------- account ----------

  /**
   * A fresh JWT from a full login with the password (needed for delete, password change and OTP management, and
   * by an own backend that deletes the user with `DELETE /api/v1/user`). Throws `mfa_required` when the account
   * has MFA and no token is given.
   */
  async getFreshJwt(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<string> {
    const login = await this.#freshLogin(password, mfa_token, mfa_recovery);
    login.masterKey.fill(0);
    login.authKey.fill(0);
    return login.data.jwt;
  }

  async #freshLogin(password: string, mfaToken?: string, mfaRecovery?: boolean): Promise<LoginResult> {
    const mfa = mfaToken === undefined || mfaToken === "" ? undefined : { token: mfaToken, recovery: mfaRecovery === true };
    const outcome = await loginOverHttp(this.#ctx.http, this.#identifier, password, mfa);
    if (outcome.kind === "mfa") {
      outcome.state.masterKeyEncryptionKey.fill(0);
      throw new SentcError("mfa_required", "multi-factor authentication is on: pass the TOTP token (or a recovery key with mfa_recovery = true)");
    }
    return outcome.result;
  }

  /** `PUT /api/v1/user`: a new identifier for this device; the stored login moves with it (Appendix B 5 fixed). */
  async updateUser(newIdentifier: string): Promise<void> {
    if (typeof newIdentifier !== "string" || newIdentifier.length === 0) throw new SentcError("invalid_input", "the new identifier must be a non-empty string");
    await userApi.updateUser(this.#ctx.http, this.#jwt, JSON.stringify({ user_identifier: newIdentifier }), this.#deviceProof());
    const store = await this.#ctx.getStore();
    const old = this.#identifier;
    this.#identifier = newIdentifier;
    await this.persist();
    await store.delete(STORAGE_KEYS.userData(old));
    if ((await store.getItem(STORAGE_KEYS.actualUser)) === old) await store.set(STORAGE_KEYS.actualUser, newIdentifier);
  }

  /**
   * Re-wraps the master key for the new password (fresh login with the old one, then `PUT /user/update_pw`). As in
   * the reference, an account with MFA and no `mfa_token` throws `mfa_required` synchronously (not a rejection).
   */
  changePassword(oldPassword: string, newPassword: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    this.#requireMfaToken(mfa_token, "change the password");
    return this.#changePassword(oldPassword, newPassword, mfa_token, mfa_recovery);
  }

  /** The reference's `client_10000` check: an MFA account needs the token for fresh-JWT actions. */
  #requireMfaToken(mfaToken: string | undefined, what: string): void {
    if (this.user_data.mfa && !mfaToken) throw new SentcError("mfa_required", `multi-factor authentication is on: pass the TOTP token (or a recovery key with mfa_recovery = true) to ${what}`);
  }

  async #changePassword(oldPassword: string, newPassword: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    if (typeof newPassword !== "string" || newPassword.length === 0) throw new SentcError("invalid_input", "the new password must be a non-empty string");
    const login = await this.#freshLogin(oldPassword, mfa_token, mfa_recovery);
    try {
      const body = prepareChangePassword(newPassword, login.masterKey, login.authKey);
      await userApi.changePassword(this.#ctx.http, login.data.jwt, body);
    } finally {
      login.masterKey.fill(0);
      login.authKey.fill(0);
    }
  }

  /** `PUT /user/reset_pw`: a new password for this device without the old one (new master key). */
  async resetPassword(newPassword: string): Promise<void> {
    const privateKey = importPrivateKey(this.user_data.device.private_key);
    const signKey = importSignKey(this.user_data.device.sign_key);
    try {
      const body = prepareResetPassword(newPassword, privateKey, signKey);
      await userApi.resetPassword(this.#ctx.http, this.#jwt, body, { deviceSignKey: signKey });
    } finally {
      wipeKey(privateKey);
      wipeKey(signKey);
    }
  }

  /**
   * Removes everything the SDK stored for this user: the login (`user_data_id_<identifier>`), `actual_user` when it
   * names this user, the user's group data and the public/verify key caches (Appendix B 4 fixed).
   */
  async logOut(): Promise<void> {
    const store = await this.#ctx.getStore();
    await store.delete(STORAGE_KEYS.userData(this.#identifier));
    if ((await store.getItem(STORAGE_KEYS.actualUser)) === this.#identifier) await store.delete(STORAGE_KEYS.actualUser);
    if (store.keys) {
      const keys = await store.keys();
      // The user's groups, and the groups it reached as one of them (stored under that group's id).
      const members = [this.user_data.user_id];
      const groupPrefixes: string[] = [];
      for (let i = 0; i < members.length; i++) {
        const prefix = STORAGE_KEYS.groupDataPrefix(members[i]!);
        groupPrefixes.push(prefix);
        for (const key of keys) if (key.startsWith(prefix) && !members.includes(key.slice(prefix.length))) members.push(key.slice(prefix.length));
      }
      for (const key of keys) {
        if (groupPrefixes.some((prefix) => key.startsWith(prefix)) || CACHE_PREFIXES.some((prefix) => key.startsWith(prefix))) await store.delete(key);
      }
    } else {
      // An adapter that cannot list its keys: remove the ones this user is known to have written.
      await store.delete(STORAGE_KEYS.userPublicKey(this.user_data.user_id));
      for (const key of this.user_data.user_keys) await store.delete(STORAGE_KEYS.userVerifyKey(this.user_data.user_id, key.group_key_id));
      await store.clear?.();
    }
    this.#hooks.forget(this);
  }

  /** `DELETE /user` with a fresh JWT (the app option `user_delete` must allow the public token), then logout. */
  async deleteUser(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    this.#requireMfaToken(mfa_token, "delete the user");
    const jwt = await this.getFreshJwt(password, mfa_token, mfa_recovery);
    await userApi.deleteUser(this.#ctx.http, jwt);
    await this.logOut();
  }

  /** `DELETE /user/device/<id>` with a fresh JWT; logs out when it is this device. */
  async deleteDevice(password: string, device_id: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    this.#requireMfaToken(mfa_token, "delete a device");
    const jwt = await this.getFreshJwt(password, mfa_token, mfa_recovery);
    await userApi.deleteDevice(this.#ctx.http, jwt, device_id);
    if (device_id === this.user_data.device_id) await this.logOut();
  }

  // ---------- MFA (TOTP) ----------

  /** `PATCH /user/register_otp`: turns TOTP on; `mfa` is set only once the server accepted (Appendix B 6 fixed). */
  async registerRawOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<OtpRegister> {
    const jwt = await this.getFreshJwt(password, mfa_token, mfa_recovery);
    const out = await userApi.registerOtp(this.#ctx.http, jwt);
    this.user_data.mfa = true;
    await this.persist();
    return out;
  }

  /** Like `registerRawOtp`, as an `otpauth://` URL for authenticator apps plus the recovery keys. */
  async registerOtp(issuer: string, audience: string, password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<[string, string[]]> {
    const out = await this.registerRawOtp(password, mfa_token, mfa_recovery);
    return [otpUrl(issuer, audience, out.secret), out.recover];
  }

  /** `GET /user/otp_recovery_keys`: the recovery keys not used yet. */
  async getOtpRecoverKeys(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<string[]> {
    return userApi.getOtpRecoveryKeys(this.#ctx.http, await this.getFreshJwt(password, mfa_token, mfa_recovery));
  }

  /** `PATCH /user/reset_otp`: a new secret and new recovery keys. */
  async resetRawOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<OtpRegister> {
    return userApi.resetOtp(this.#ctx.http, await this.getFreshJwt(password, mfa_token, mfa_recovery));
  }

  async resetOtp(issuer: string, audience: string, password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<[string, string[]]> {
    const out = await this.resetRawOtp(password, mfa_token, mfa_recovery);
    return [otpUrl(issuer, audience, out.secret), out.recover];
  }

  /** `PATCH /user/disable_otp`. */
  async disableOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    await userApi.disableOtp(this.#ctx.http, await this.getFreshJwt(password, mfa_token, mfa_recovery));
    this.user_data.mfa = false;
    await this.persist();
  }

  // ---------- devices ----------

  #allUserSymKeys() {
    return this.user_data.user_keys.map((key) => importSymKey(key.group_key));
  }

  /**
   * Own backend: the body for `PUT /api/v1/user/done_register_device` for the answer of `Sentc.registerDeviceStart`
   * (or the backend's `POST /user/prepare_register_device` envelope), with key page `page` (50 keys a page).
   */
  prepareRegisterDevice(server_output: string | Record<string, unknown>, page = 0): PreRegisterDeviceData {
    if (!Number.isInteger(page) || page < 0) throw new SentcError("invalid_input", "page must be a non-negative integer");
    const output = deviceStartOutput(server_output);
    const keys = this.#allUserSymKeys();
    const pageKeys = keys.slice(page * KEY_PAGE, (page + 1) * KEY_PAGE);
    try {
      if (pageKeys.length === 0) throw new SentcError("invalid_input", `there is no key page ${page}`);
      const { serverInput, publicKey } = protocolPrepareRegisterDevice(output, pageKeys, keys.length);
      return { input: serverInput, public_key: publicKey, get_input: () => serverInput, get_public_key: () => publicKey };
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /**
   * Accepts a new device: encrypts every user key to it (`PUT /user/done_register_device` with the first 50; the
   * rest through the key session, each page once — Appendix B 3 fixed). Resolves to the session uploads' settled
   * results (a failed page is a `rejected` entry, as the reference's `Promise.allSettled`) or `undefined` when there
   * was no session.
   */
  async registerDevice(server_output: string | Record<string, unknown>): Promise<PromiseSettledResult<void>[] | undefined> {
    const output = deviceStartOutput(server_output);
    const keys = this.#allUserSymKeys();
    try {
      const { serverInput, publicKey } = protocolPrepareRegisterDevice(output, keys.slice(0, KEY_PAGE), keys.length);
      const answer = await userApi.doneRegisterDevice(this.#ctx.http, this.#jwt, serverInput, this.#deviceProof());
      if (keys.length <= KEY_SESSION_THRESHOLD) return undefined;
      const sessionId = answer.session_id;
      if (sessionId === undefined) throw new SentcError("invalid_server_response", "the server opened no key session for more than 50 keys");
      const devicePublicKey = parseUserPublicKeyData(publicKey).publicKey;
      const results: PromiseSettledResult<void>[] = [];
      for (let start = KEY_PAGE; start < keys.length; start += KEY_PAGE) {
        const body = JSON.stringify(encryptGroupKeysForMember(devicePublicKey, keys.slice(start, start + KEY_PAGE)));
        // As the reference's Promise.allSettled: a failed page is a rejected entry, not a rejection of the call.
        try {
          await userApi.uploadDeviceKeySession(this.#ctx.http, this.#jwt, sessionId, body);
          results.push({ status: "fulfilled", value: undefined });
        } catch (reason) {
          results.push({ status: "rejected", reason });
        }
      }
      return results;
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /** `GET /user/device/<time>/<id>`: 50 devices after `last_fetched_item`. */
  async getDevices(last_fetched_item: UserDeviceList | null = null): Promise<UserDeviceList[]> {
    const cursor = last_fetched_item === null ? null : { time: last_fetched_item.time, id: last_fetched_item.device_id };
    const list = await userApi.getDevices(this.#ctx.http, this.#jwt, cursor);
    return list.map((item) => {
      if (typeof item.device_id !== "string" || typeof item.time !== "number" || typeof item.device_identifier !== "string") {
        throw new SentcError("invalid_server_response", "GET /user/device result: expected {device_id, time, device_identifier}");
      }
      return { device_id: item.device_id, time: item.time, device_identifier: item.device_identifier };
    });
  }

  // ---------- key rotation ----------

  /**
   * A new user key (`POST /user/user_keys/rotation`), which becomes the newest. The other devices receive it with
   * `finishKeyRotation` (by itself with the init option `auto_finish_key_rotation` when they meet data encrypted
   * with a key they lack).
   */
  async keyRotation(): Promise<void> {
    const previous = importSymKey(this.#newestKey().group_key);
    const invoker = importPublicKey(this.user_data.device.public_key);
    const { serverInput, keys } = prepareKeyRotation({ previousGroupKey: previous, invokerPublicKey: invoker, starter: this.user_data.user_id, userGroup: true });
    wipeKey(previous);
    keys.groupKey.key.fill(0);
    wipeKey(keys.privateKey);
    if (keys.signKey) wipeKey(keys.signKey);
    const { key_id } = await userApi.startUserKeyRotation(this.#ctx.http, this.#jwt, serverInput, this.#deviceProof());
    await this.fetchUserKey(key_id, true);
  }

  /** Finishes the rotations other devices started (`GET` / `PUT /user/user_keys/rotation`). */
  finishKeyRotation(): Promise<void> {
    // Concurrent decrypts that miss a key share one run.
    if (this.#finishing === null) {
      this.#finishing = this.#finishKeyRotation().finally(() => {
        this.#finishing = null;
      });
    }
    return this.#finishing;
  }

  async #finishKeyRotation(): Promise<void> {
    let pending = await userApi.getUserKeyRotations(this.#ctx.http, this.#jwt);
    for (let round = 0; round < KEY_ROTATION_ROUNDS && pending.length > 0; round++) {
      const left: typeof pending = [];
      for (const entry of pending) {
        const previousId = entry.previous_group_key_id;
        const newId = entry.new_group_key_id;
        if (typeof previousId !== "string" || typeof newId !== "string") throw new SentcError("invalid_server_response", "GET /user/user_keys/rotation: missing key ids");
        if (!this.#keyData(previousId)) await this.fetchUserKey(previousId).catch(notFoundAsUndefined);
        const previous = this.#keyData(previousId);
        if (!previous) {
          left.push(entry);
          continue;
        }
        const previousKey = importSymKey(previous.group_key);
        const privateKey = importPrivateKey(this.user_data.device.private_key);
        try {
          const { newGroupKey, serverInput } = protocolFinishKeyRotation(entry, previousKey, importPublicKey(this.user_data.device.public_key), privateKey);
          newGroupKey.key.fill(0);
          await userApi.finishUserKeyRotation(this.#ctx.http, this.#jwt, newId, serverInput);
        } finally {
          wipeKey(previousKey);
          wipeKey(privateKey);
        }
        await this.fetchUserKey(newId, true);
      }
      if (left.length === pending.length) break;
      pending = left;
    }
  }

  // ---------- groups (sdk.md §2.3 "Groups from the user side") ----------

  /** Own backend: the `CreateData` for `POST /api/v1/group` (the first key is encrypted to the newest user key). */
  prepareGroupCreate(sign = false): string {
    const signKey = sign ? importSignKey(this.getSignKeySync()) : null;
    const { serverInput, keys } = prepareCreateGroup({ creatorPublicKey: importPublicKey(this.getNewestPublicKey()), signKey, starter: this.user_data.user_id });
    keys.groupKey.key.fill(0);
    wipeKey(keys.privateKey);
    keys.hmacKey?.key.fill(0);
    keys.sortableKey?.key.fill(0);
    if (signKey) wipeKey(signKey);
    return serverInput;
  }

  /** Own backend: reads the envelope of `POST /api/v1/group` (or `/group/forced/<user_id>`) → the new group id. */
  doneGroupCreate(server_output: string): string {
    const what = "POST /group result";
    const result = resultObject(readServerOutput(server_output, what), what);
    const id = result.group_id;
    if (typeof id !== "string" || id.length === 0) throw new SentcError("invalid_server_response", `${what}: "group_id" must be a non-empty string`);
    return id;
  }

  /** `POST /group`: a new group with this user as creator (rank 0); `sign` signs the group key. Resolves to its id. */
  async createGroup(sign = false): Promise<string> {
    return groupApi.createGroup(this.#ctx.http, this.#jwt, this.prepareGroupCreate(sign));
  }

  /**
   * Loads a group (from the store, revalidated every 5 minutes, or from the server with all its keys), acting as
   * the connected group `group_as_member` when given. `verify` 1 checks signed group keys (ignoring failures to
   * fetch the signer's key), 2 checks and throws on every failure.
   */
  getGroup(group_id: string, group_as_member?: string, verify: GroupVerify = 0): Promise<Group> {
    return Group.load({ ctx: this.#ctx, jwt: this.#jwt, user: this }, group_id, { groupAsMember: group_as_member, verify });
  }

  /** `GET /group/all/…`: 50 of the user's groups after `last`. */
  async getGroups(last: GroupList | null = null): Promise<GroupList[]> {
    return (await groupApi.getGroupsForUser(this.#ctx.http, this.#jwt, cursor(last?.time, last?.group_id))).map(groupListItem);
  }

  /** `GET /group/invite/…`: the user's pending group invites. */
  async getGroupInvites(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    return (await groupApi.getInvitesForUser(this.#ctx.http, this.#jwt, cursor(last?.time, last?.group_id))).map(inviteItem);
  }

  /** `PATCH /group/<id>/invite`. */
  async acceptGroupInvite(group_id: string): Promise<void> {
    await groupApi.acceptInvite(this.#ctx.http, this.#jwt, group_id);
    this.group_invites = this.group_invites.filter((invite) => invite.group_id !== group_id);
  }

  /** `DELETE /group/<id>/invite`. */
  async rejectGroupInvite(group_id: string): Promise<void> {
    await groupApi.rejectInvite(this.#ctx.http, this.#jwt, group_id);
    this.group_invites = this.group_invites.filter((invite) => invite.group_id !== group_id);
  }

  /** `PATCH /group/<id>/join_req`: asks to join the group. */
  async groupJoinRequest(group_id: string): Promise<void> {
    await groupApi.joinRequest(this.#ctx.http, this.#jwt, group_id);
  }

  /** `GET /group/joins/…`: the join requests this user sent. */
  async sentJoinReq(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    return (await groupApi.getSentJoinRequestsForUser(this.#ctx.http, this.#jwt, cursor(last?.time, last?.group_id))).map(inviteItem);
  }

  /** `DELETE /group/joins/<group_id>`: withdraws the join request to that group. */
  async deleteJoinReq(id: string): Promise<void> {
    await groupApi.deleteSentJoinRequestForUser(this.#ctx.http, this.#jwt, id);
  }

  // ---------- verification ----------

  /**
   * A safety number over this user's newest verify key, or over both users' when `user_to_compare` is given; both
   * users get the same number.
   */
  async createSafetyNumber(user_to_compare?: { user_id: string; verify_key_id: string }): Promise<string> {
    const own = importVerifyKey(this.#newestKey().verify_key);
    if (!user_to_compare) return protocolCreateSafetyNumber(own, this.user_data.user_id);
    const other = importVerifyKey(await getUserVerifyKeyData(this.#ctx, user_to_compare.user_id, user_to_compare.verify_key_id));
    return protocolCreateSafetyNumber(own, this.user_data.user_id, other, user_to_compare.user_id);
  }

  // ---------- asymmetric encryption (sdk.md §4.1, §4.2) ----------

  /** Signs a sensitive request with this device's sign key (the server's device proof, src/protocol/device-proof.ts). */
  #deviceProof() {
    return { deviceSignKey: importSignKey(this.user_data.device.sign_key) };
  }

  #signKeyFor(sign: boolean) {
    return sign ? importSignKey(this.getSignKeySync()) : null;
  }

  async #replyKey(replyId: string) {
    if (typeof replyId !== "string" || replyId.length === 0) throw new SentcError("invalid_input", "reply_id must be a user id");
    return importPublicKey((await this.getPublicKey(replyId)).public_key);
  }

  async #privateKeyFor(head: EncryptedHead): Promise<PrivateKey> {
    return importPrivateKey((await this.#getKeyData(head.id)).private_key);
  }

  #privateKeyForSync(head: EncryptedHead): PrivateKey {
    return importPrivateKey(this.getPrivateKeySync(head.id));
  }

  /**
   * The sender's verify key for a signed head. Unsigned data needs none: it is decrypted unchecked, as the
   * reference does, or refused (`missing_signature`) with the init option `strict_verify`.
   */
  async #verifyKeyFor(head: EncryptedHead, userId: string | undefined): Promise<VerifyKey | null> {
    if (head.sign === null) {
      if (strictVerify()) throw new SentcError("missing_signature", "the data is not signed");
      return null;
    }
    if (typeof userId !== "string" || userId.length === 0) throw new SentcError("invalid_input", "verifying needs the sender's user id");
    return importVerifyKey(await getUserVerifyKeyData(this.#ctx, userId, head.sign.id));
  }

  async encryptRaw(data: Uint8Array, reply_id: string, sign = false): Promise<CryptoRawOutput> {
    return encryptRawAsymmetric(await this.#replyKey(reply_id), data, this.#signKeyFor(sign));
  }

  encryptRawSync(data: Uint8Array, reply_public_key: string, sign = false): CryptoRawOutput {
    return encryptRawAsymmetric(importPublicKey(reply_public_key), data, this.#signKeyFor(sign));
  }

  async decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Promise<Uint8Array> {
    const parsed = parseHead(head);
    return decryptRawAsymmetric(await this.#privateKeyFor(parsed), head, encrypted_data, explicitVerifyKey(parsed, verify_key));
  }

  decryptRawSync(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array {
    const parsed = parseHead(head);
    return decryptRawAsymmetric(this.#privateKeyForSync(parsed), head, encrypted_data, explicitVerifyKey(parsed, verify_key));
  }

  async encrypt(data: Uint8Array, reply_id: string, sign = false): Promise<Uint8Array> {
    return encryptAsymmetric(await this.#replyKey(reply_id), data, this.#signKeyFor(sign));
  }

  encryptSync(data: Uint8Array, reply_public_key: string, sign = false): Uint8Array {
    return encryptAsymmetric(importPublicKey(reply_public_key), data, this.#signKeyFor(sign));
  }

  /** Decrypts with the own key the head names; `verify` checks the signature with user `user_id`'s verify key. */
  async decrypt(data: Uint8Array, verify = false, user_id?: string): Promise<Uint8Array> {
    const { head } = splitHead(data);
    const verifyKey = verify ? await this.#verifyKeyFor(head, user_id) : null;
    return decryptAsymmetric(await this.#privateKeyFor(head), data, verifyKey);
  }

  decryptSync(data: Uint8Array, verify_key?: string): Uint8Array {
    const { head } = splitHead(data);
    return decryptAsymmetric(this.#privateKeyForSync(head), data, explicitVerifyKey(head, verify_key));
  }

  async encryptString(data: string, reply_id: string, sign = false): Promise<string> {
    return encryptStringAsymmetric(await this.#replyKey(reply_id), data, this.#signKeyFor(sign));
  }

  encryptStringSync(data: string, reply_public_key: string, sign = false): string {
    return encryptStringAsymmetric(importPublicKey(reply_public_key), data, this.#signKeyFor(sign));
  }

  async decryptString(data: string, verify = false, user_id?: string): Promise<string> {
    const { head } = splitHead(fromBase64(data));
    const verifyKey = verify ? await this.#verifyKeyFor(head, user_id) : null;
    return decryptStringAsymmetric(await this.#privateKeyFor(head), data, verifyKey);
  }

  decryptStringSync(data: string, verify_key?: string): string {
    const { head } = splitHead(fromBase64(data));
    return decryptStringAsymmetric(this.#privateKeyForSync(head), data, explicitVerifyKey(head, verify_key));
  }

  // ---------- content keys and files (sdk.md §4.3, §4.4) ----------

  #fileTransport(): files.FileTransport {
    const transport: files.FileTransport = { http: this.#ctx.http, jwt: this.#jwt };
    if (this.#ctx.options.file_part_url !== undefined) transport.file_part_url = this.#ctx.options.file_part_url;
    return transport;
  }

  /**
   * @internal How `Uploader` / `Downloader` reach the file routes as this user (a group's with `group_id`).
   */
  fileTransport(group_id?: string, group_as_member?: string): files.FileTransport {
    const transport = this.#fileTransport();
    if (group_id !== undefined) transport.group_id = group_id;
    if (group_as_member !== undefined) transport.group_as_member = group_as_member;
    return transport;
  }

  #downloadContext(): files.FileDownloadContext {
    return { ...this.#fileTransport(), getKey: (masterKeyId, encryptedKey) => this.getNonRegisteredKey(masterKeyId, encryptedKey) };
  }

  /**
   * A new content key wrapped for `reply_id` (`""`: this user): the key and its encrypted form for the server.
   * @throws SentcError `server` when `reply_id` is unknown, `network`
   * @example
   * const [key, encryptedKey] = await user.generateNonRegisteredKey(otherUserId);
   */
  async generateNonRegisteredKey(reply_id: string): Promise<[SymKey, string]> {
    const publicKey = (await this.getPublicKey(reply_id || this.user_data.user_id)).public_key;
    return generateNonRegisteredKeyByPublicKey(publicKey, symKeyContext(this.#ctx.http, this.getSignKeySync()));
  }

  /** Opens a content key wrapped for one of this user's keys (`master_key_id`). */
  async getNonRegisteredKey(master_key_id: string, encrypted_key: string | Record<string, unknown>): Promise<SymKey> {
    return getNonRegisteredKeyByPrivateKey(await this.getPrivateKey(master_key_id), encrypted_key, symKeyContext(this.#ctx.http, this.getSignKeySync()));
  }

  /**
   * Own backend, step 1: a content key for the file (wrapped for `reply_id`, else for this user) and the body your
   * backend posts to `POST /api/v1/file`. The file name (of a `File`) is encrypted with the key.
   * @throws SentcError `server` when `reply_id` is unknown, `invalid_input` for a file that is neither Blob nor bytes
   * @example
   * const { server_input, key } = await user.prepareRegisterFile(file);
   */
  async prepareRegisterFile(file: files.FileInput, reply_id?: string): Promise<files.FilePrepareCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey(reply_id || this.user_data.user_id);
    const uploader = new files.Uploader(this.#ctx.http.baseUrl, this.#ctx.http.appToken, this, undefined, reply_id || undefined);
    const [server_input, encrypted_file_name] = uploader.prepareFileRegister(file, key.key, encrypted_key, key.master_key_id);
    return { server_input, encrypted_file_name, key, master_key_id: key.master_key_id };
  }

  /**
   * Own backend, step 2: reads the envelope of the file register call your backend forwards → `[file_id, session_id]`.
   * @throws SentcError `server` with the server's code, `invalid_server_response`
   * @example
   * const [fileId, sessionId] = user.doneFileRegister(responseText);
   */
  doneFileRegister(server_output: string): [string, string] {
    return files.doneFileRegister(server_output);
  }

  /**
   * Own backend, step 3: encrypts and uploads the registered file in 4 MiB parts (signed with `sign`); progress
   * through `upload_callback`, `Uploader.cancel_upload` stops after the current part.
   * @throws SentcError `server`, `network`, `invalid_input`
   * @example
   * await user.uploadFile(file, prepared.key, sessionId, false, (p) => console.log(p));
   */
  uploadFile(file: files.FileInput, content_key: SymKey, session_id: string, sign = false, upload_callback?: (progress?: number) => void): Promise<void> {
    const uploader = new files.Uploader(this.#ctx.http.baseUrl, this.#ctx.http.appToken, this, undefined, undefined, upload_callback);
    return uploader.checkFileUpload(file, content_key.key, session_id, sign);
  }

  /**
   * Encrypts and uploads a file for `reply_id` (or only for this user). `Uploader.cancel_upload = true` stops after
   * the current part (and it resolves, as the reference); `options.signal` cancels with an `aborted` error and
   * removes the file.
   * @throws SentcError `server`, `network`, `invalid_input`, `aborted` (signal only)
   * @example
   * const { file_id } = await user.createFile(file, true, otherUserId, (p) => console.log(p));
   */
  async createFile(file: files.FileInput, sign = false, reply_id?: string, upload_callback?: files.FileProgressCallback, options: files.FileUploadOptions = {}): Promise<files.FileCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey(reply_id || this.user_data.user_id);
    const context: files.FileUploadContext = { ...this.#fileTransport(), key, encrypted_key, belongs_to_type: reply_id ? "User" : "None" };
    if (reply_id) context.belongs_to_id = reply_id;
    files.Uploader.cancel_upload = false;
    return files.uploadFile(context, file, {
      stop: takeCancelUpload,
      ...options,
      sign,
      sign_key: sign ? this.getSignKeySync() : undefined,
      upload_callback: upload_callback ?? options.upload_callback,
    });
  }

  /**
   * The file's meta data (name decrypted) and its content key, without the content.
   * @throws SentcError `server` (512 not found, 521 no access), `key_not_found` when the key is not for this user
   * @example
   * const [meta, key] = await user.downloadFileMetaInfo(fileId);
   */
  downloadFileMetaInfo(file_id: string, verify_key?: string): Promise<[files.FileMetaInformation, SymKey]> {
    void verify_key; // File names are encrypted unsigned by every SDK: there is nothing to verify.
    return files.downloadFileMetaInfo(this.#downloadContext(), file_id);
  }

  /**
   * The content of a file whose meta data and key `downloadFileMetaInfo` gave, as an object URL (`""` when
   * `Downloader.cancel_download` stopped it); `verify_key` checks every part's signature.
   * @throws SentcError `decryption_failed`, `verification_failed`, `server`, `network`
   * @example
   * const url = await user.downloadFileWithMetaInfo(key, meta);
   */
  downloadFileWithMetaInfo(key: SymKey, file_meta: files.FileMetaInformation, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<string> {
    const downloader = new files.Downloader(this.#ctx.http.baseUrl, this.#ctx.http.appToken, this);
    return downloader.downloadFileParts(file_meta.part_list, key.key, updateProgressCb, verify_key);
  }

  /**
   * Downloads and decrypts a file as the reference does: `[objectUrl, meta, key]` (`objectUrl` is `""` when
   * `Downloader.cancel_download` stopped it). For the bytes (e.g. in Node) use `downloadFileData`.
   * @throws SentcError `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `unsupported_environment` (no `URL.createObjectURL`)
   * @example
   * const [url, meta] = await user.downloadFile(fileId);
   */
  async downloadFile(file_id: string, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<[string, files.FileMetaInformation, SymKey]> {
    const [meta, key] = await this.downloadFileMetaInfo(file_id, verify_key);
    return [await this.downloadFileWithMetaInfo(key, meta, verify_key, updateProgressCb), meta, key];
  }

  /**
   * Not in the reference: downloads and decrypts a file into bytes (`{data, file_name, meta, key}`), with
   * cancellation (`options.signal`), streaming (`on_part`) and `resume`.
   * @throws SentcError `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `aborted`
   * @example
   * const { data, file_name } = await user.downloadFileData(fileId);
   */
  async downloadFileData(file_id: string, verify_key?: string, download_callback?: files.FileProgressCallback, options: files.FileDownloadOptions = {}): Promise<files.FileDownloadOutput> {
    return files.downloadFile(this.#downloadContext(), file_id, { ...options, verify_key: verify_key ?? options.verify_key, download_callback: download_callback ?? options.download_callback });
  }

  updateFileName(file_id: string, content_key: SymKey, file_name?: string | null): Promise<void> {
    return files.updateFileName(this.#fileTransport(), file_id, content_key, file_name);
  }

  deleteFile(file_id: string): Promise<void> {
    return files.deleteFile(this.#fileTransport(), file_id);
  }

}

/**
 * An explicit verify key (exported string) for a head. Unsigned data is decrypted unchecked, as the reference does,
 * or refused (`missing_signature`) with the init option `strict_verify`.
 */
function explicitVerifyKey(head: EncryptedHead, verifyKey: string | undefined): VerifyKey | null {
  if (verifyKey === undefined || verifyKey === "") return null;
  if (head.sign === null) {
    if (strictVerify()) throw new SentcError("missing_signature", "the data is not signed");
    return null;
  }
  return importVerifyKey(verifyKey);
}

/** The answer of `POST /user/prepare_register_device`: its envelope (text or object) or the bare result object. */
function deviceStartOutput(serverOutput: string | Record<string, unknown>): Record<string, unknown> {
  const what = "device register output";
  if (typeof serverOutput === "string") {
    let value: unknown;
    try {
      value = JSON.parse(serverOutput);
    } catch (cause) {
      throw new SentcError("invalid_input", `${what}: not JSON`, { cause, reference: 101 });
    }
    return deviceStartOutput(value as Record<string, unknown>);
  }
  if (isRecord(serverOutput) && typeof serverOutput.status === "boolean") return resultObject(readServerOutput(serverOutput, what), what);
  return resultObject(serverOutput, what);
}

/** As the reference builds it: issuer and audience as given (encode them first if they hold reserved characters). */
function otpUrl(issuer: string, audience: string, secret: string): string {
  return `otpauth://totp/${issuer}:${audience}?secret=${secret}&algorithm=SHA256&issuer=${issuer}`;
}

