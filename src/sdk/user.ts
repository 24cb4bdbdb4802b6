/**
 * The logged-in user (sdk.md §2.3, §4 asymmetric encryption and signing); the groups are in group.ts.
 *
 * Differences from the reference, on purpose (Appendix B): refresh tokens are kept in memory in every mode and
 * persisted in `api` mode (2); `logOut` removes everything the SDK stored for the user (4); `updateUser` re-keys the
 * storage (5); `registerRawOtp` sets `mfa` only after success (6); a missing MFA token is `mfa_required` for every
 * fresh-JWT method (7); device key sessions send every page of keys (3); one refresh at a time (9, via JwtManager);
 * with the init option `strict_verify`, asking to verify unsigned data is `missing_signature` instead of a silent
 * skip. Own-backend group creation has a
 * `done` step that checks sentc's envelope.
 */
import { SentcError, isSentcError, invalidInput, invalidServerResponse } from "../errors.js";
import { JwtManager, userApi, type SessionTokens } from "../api/index.js";
import * as groupApi from "../api/endpoints/group.js";
import { prepareRegisterDevice as protocolPrepareRegisterDevice } from "../protocol/device.js";
import { encryptAsymmetric, encryptRawAsymmetric, encryptStringAsymmetric } from "../protocol/encrypt.js";
import { prepareCreateGroup } from "../protocol/group-create.js";
import { encryptGroupKeysForMember, KEY_SESSION_THRESHOLD } from "../protocol/group-member.js";
import { isRecord, nonEmptyString } from "../protocol/json.js";
import { prepareKeyRotation } from "../protocol/key-rotation.js";
import {
  importPrivateKey,
  importPublicKey,
  importSignKey,
  importSymKey,
  importVerifyKey,
  type PrivateKey,
  type SignKey,
} from "../protocol/keys.js";
import { prepareChangePassword, prepareResetPassword } from "../protocol/password-change.js";
import { parseUserPublicKeyData } from "../protocol/public-keys.js";
import { createSafetyNumber as protocolCreateSafetyNumber } from "../protocol/safety-number.js";
import {
  KEY_PAGE,
  loginOverHttp,
  readServerOutput,
  resultObject,
  wipeKey,
  type LoginResult,
  type SdkContext,
} from "./internal.js";
import { Group } from "./group.js";
import {
  cursor,
  groupAsMemberArg,
  groupListItem,
  inviteItem,
  makeGroupKey,
  wipeCreatedKeys,
} from "./group-internal.js";
import { openHmacKey, openWrappedKeys, type GroupEnv } from "./group-keyring.js";
import type { GroupList, GroupOutDataHmacKeys, GroupVerify } from "./group-types.js";
import { FileMethods, type NewFileTarget } from "./file-methods.js";
import { FileOwnerApi } from "./file-owner-api.js";
import { ASYMMETRIC, HeadDecryptor, signKeyIf } from "./head-crypto.js";
import { SharedRun } from "./key-rotation.js";
import { fetchUserVerifyKeyAnswer, repinGroup, repinUser } from "./key-pins.js";
import { getUserPublicKeyData, getUserVerifyKeyData } from "./public-keys.js";
import { pinKeys } from "./verify-policy.js";
import {
  type KtFinding,
  type TransparencyStatus,
  foreignKeyError,
  monitorOwnKeys,
  requireTransparency,
  transparencyStatus,
} from "./transparency.js";
import { CACHE_PREFIXES, STORAGE_KEYS } from "./storage.js";
import type {
  CryptoRawOutput,
  GroupInviteListItem,
  OtpRegister,
  PinnedGroupKey,
  UserData,
  UserDeviceList,
  UserKeyData,
  UserPublicKeyData,
} from "./types.js";
import { UserKeyring } from "./user-keyring.js";
import * as files from "./files/index.js";
import {
  generateNonRegisteredKeyByPublicKey,
  getNonRegisteredKeyByPrivateKey,
  symKeyContext,
  type SymKey,
} from "./sym-key.js";
import { offload } from "./worker/client.js";

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

/**
 * A logged-in user on this device (sdk.md §2): its keys and tokens (`user_data`), account, MFA and device management,
 * key rotation, groups, asymmetric encryption to other users (§4.1) and files (§4.4). Get it from `Sentc.login`,
 * `Sentc.init` or `Sentc.getActualUser`.
 * @example
 * import Sentc from "sentc-as";
 *
 * const user = await Sentc.login("alice", "password", true);
 * const group = await user.getGroup(await user.createGroup());
 * const text = await group.encryptString("hello");
 */
export class User extends FileOwnerApi {
  /** The decrypted keys and tokens of this device (the reference's `user_data`). */
  readonly user_data: UserData;
  /** Pending group invites delivered by `POST /init` (api refresh mode). */
  group_invites: GroupInviteListItem[];
  readonly #ctx: SdkContext;
  readonly #hooks: UserHooks;
  readonly #jwt: JwtManager;
  readonly #keys: UserKeyring;
  readonly #decryptor: HeadDecryptor<PrivateKey>;
  readonly #rotations = new SharedRun();
  readonly #files: FileMethods;
  #identifier: string;

  /** @internal Use `Sentc.login` / `Sentc.init` / `Sentc.getActualUser`. */
  constructor(
    ctx: SdkContext,
    userData: UserData,
    userIdentifier: string,
    hooks: UserHooks,
    groupInvites: GroupInviteListItem[] = [],
  ) {
    super();
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
    this.#keys = new UserKeyring(this, ctx, this.#jwt, () => this.finishKeyRotation());
    this.#decryptor = new HeadDecryptor(
      {
        ctx,
        keyFor: async (head) => importPrivateKey((await this.#keys.get(head.id)).private_key),
        keyForSync: (head) => importPrivateKey(this.getPrivateKeySync(head.id)),
      },
      ASYMMETRIC,
    );
    this.#files = new FileMethods({
      transport: () => this.#fileTransport(),
      uploader: (uploadCallback, otherUserId) =>
        new files.Uploader(ctx.http.baseUrl, ctx.http.appToken, this, undefined, otherUserId, uploadCallback),
      downloader: () => new files.Downloader(ctx.http.baseUrl, ctx.http.appToken, this),
      contentKey: (masterKeyId, encryptedKey) => this.getNonRegisteredKey(masterKeyId, encryptedKey),
      signKey: () => this.getSignKeySync(),
    });
  }

  /**
   * The file methods of this user (the base class `FileOwnerApi` serves the shared ones through it).
   * @internal
   */
  protected override fileMethods(): FileMethods {
    return this.#files;
  }

  /**
   * The identifier this device logs in with.
   * @example
   * const identifier = user.userIdentifier;
   */
  get userIdentifier(): string {
    return this.#identifier;
  }

  async #onRefresh(tokens: SessionTokens): Promise<void> {
    this.user_data.jwt = tokens.jwt;
    await this.persist();
  }

  /**
   * Replaces the JWT this device uses (the SDK calls it after `POST /init`); apps get JWTs with `getJwt`. Never throws.
   * @internal
   * @example
   * user.setJwt(jwtFromInit);
   */
  setJwt(jwt: string): void {
    this.#jwt.setTokens({ jwt });
    this.user_data.jwt = jwt;
  }

  /**
   * Writes this login to the key store (`user_data_id_<identifier>`); the SDK calls it after every change. The refresh
   * token is stored only in `api` mode; in the cookie modes the app's backend holds it (the in-memory copy stays,
   * unlike the reference, Appendix B 2).
   * @internal
   * @throws {SentcError} `storage_failed` when the store cannot be written.
   * @example
   * await user.persist();
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

  /**
   * A JWT valid for at least 30 s, refreshed (once, shared by concurrent callers) and persisted when needed.
   * @throws {SentcError} `server` (e.g. `server_114` for an expired refresh token) when the server refuses the refresh;
   * `refresh_failed` when the app's refresh endpoint or function delivers no JWT; `network_error` / `timeout` when it
   * cannot be reached; `storage_failed` when the new JWT cannot be stored (it is still used in memory).
   * @example
   * const jwt = await user.getJwt();
   * await fetch("/my-backend", { headers: { Authorization: `Bearer ${jwt}` } });
   */
  getJwt(): Promise<string> {
    return this.#jwt.getJwt();
  }

  /**
   * Whether the account has multi-factor authentication (TOTP) on. Never throws.
   * @example
   * if (user.enabledMfa()) console.log("a TOTP token is needed for password changes");
   */
  enabledMfa(): boolean {
    return this.user_data.mfa;
  }

  /**
   * `GET /user/user_keys/key/<key_id>`: fetches one user key, keeps and persists it; `first` makes it the newest.
   * @throws {SentcError} `server` (e.g. `server_304`) when the server has no such key for this device (a key rotation
   * not finished yet); `decryption_failed` when the key cannot be decrypted with the device key;
   * `invalid_server_response` when the server answers another key; `network_error` / `timeout`; `storage_failed` when
   * the store cannot be written.
   * @example
   * await user.fetchUserKey(keyId);
   */
  async fetchUserKey(key_id: string, first = false): Promise<void> {
    return this.#keys.fetch(key_id, first);
  }

  /**
   * The exported symmetric user-group key with this id (fetched when unknown).
   * With `auto_finish_key_rotation`, pending rotations are finished first when the key is unknown.
   * @throws {SentcError} `server` (e.g. `server_304`) when the server has no such key for this device;
   * `decryption_failed` when it cannot be decrypted; `network_error` / `timeout` when it cannot be fetched.
   * @example
   * const symKey = await user.getUserSymKey(keyId);
   */
  async getUserSymKey(key_id: string): Promise<string> {
    return (await this.#keys.get(key_id)).group_key;
  }

  /**
   * The exported private user key with this id, fetched when this device does not hold it.
   * @throws {SentcError} `server` (e.g. `server_304`) when the server has no such key for this device;
   * `decryption_failed` when it cannot be decrypted; `network_error` / `timeout` when it cannot be fetched.
   * @example
   * const privateKey = await user.getPrivateKey(keyId);
   */
  async getPrivateKey(key_id: string): Promise<string> {
    return (await this.#keys.get(key_id)).private_key;
  }

  /**
   * The exported private user key with this id, from the keys held on this device only.
   * @throws {SentcError} `key_not_found` when this device does not hold the key ("Key not found").
   * @example
   * const privateKey = user.getPrivateKeySync(user.getNewestKey().group_key_id);
   */
  getPrivateKeySync(key_id: string): string {
    return this.#keys.requireHeld(key_id).private_key;
  }

  /**
   * The newest public key of user `reply_id` (cached, see `Sentc.getUserPublicKey`).
   * @throws {SentcError} `server` (e.g. `server_100`) when the server refuses; `invalid_server_response` when the
   * answer is not a public key; `network_error` / `timeout` when it cannot be reached.
   * @example
   * const { public_key, public_key_id } = await user.getPublicKey(otherUserId);
   */
  getPublicKey(reply_id: string): Promise<UserPublicKeyData> {
    return getUserPublicKeyData(this.#ctx, reply_id);
  }

  /**
   * The user's newest exported HMAC key (for searchable values of the user).
   * @throws {SentcError} `key_not_found` when the user has no HMAC key.
   * @example
   * const hmacKey = user.getNewestHmacKey();
   */
  getNewestHmacKey(): string {
    const key = this.user_data.hmac_keys[0];
    if (key === undefined) throw new SentcError("key_not_found", "the user has no hmac key");
    return key;
  }

  /**
   * The exported public key of the newest user key (what other users encrypt to).
   * @throws {SentcError} `key_not_found` when the user has no keys.
   * @example
   * const publicKey = user.getNewestPublicKey();
   */
  getNewestPublicKey(): string {
    return this.#keys.newest().public_key;
  }

  /**
   * The exported sign key of the newest user key (what `sign = true` signs with).
   * @throws {SentcError} `key_not_found` when the user has no keys.
   * @example
   * const signKey = user.getNewestSignKey();
   */
  getNewestSignKey(): string {
    return this.#keys.newest().sign_key;
  }

  /**
   * The reference's async variant of `getSignKeySync`: the exported sign key of the newest user key.
   * @throws {SentcError} `key_not_found` when the user has no keys.
   * @example
   * const signKey = await user.getSignKey();
   */
  async getSignKey(): Promise<string> {
    return this.getSignKeySync();
  }

  /**
   * The exported sign key of the newest user key (what `sign = true` signs with).
   * @throws {SentcError} `key_not_found` when the user has no keys.
   * @example
   * const signKey = user.getSignKeySync();
   */
  getSignKeySync(): string {
    return this.#keys.newest().sign_key;
  }

  /**
   * The newest user key with all its parts (private in the reference's types, reachable there at runtime).
   * @throws {SentcError} `key_not_found` when the user has no keys
   * @example
   * const { group_key_id } = user.getNewestKey();
   */
  getNewestKey(): UserKeyData {
    return this.#keys.newest();
  }

  /**
   * Decrypts HMAC keys (`{group_key_id, key_data}`, as the reference's `GroupOutDataHmacKeys`, or the server's hmac
   * key objects) with the user keys that wrap them (fetched when unknown); resolves to the exported keys.
   * @throws {SentcError} `invalid_input` for a malformed entry, `key_not_found`, `decryption_failed`
   * @example
   * const keys = await user.decryptHmacKeys(fetched);
   */
  async decryptHmacKeys(fetchedKeys: GroupOutDataHmacKeys[]): Promise<string[]> {
    return openWrappedKeys(fetchedKeys, "fetchedKeys", (keyId) => this.getUserSymKey(keyId), openHmacKey);
  }

  // ---------- account ----------

  /**
   * A fresh JWT from a full login with the password (needed for delete, password change and OTP management, and
   * by an own backend that deletes the user with `DELETE /api/v1/user`). Throws `mfa_required` when the account
   * has MFA and no token is given.
   * @throws {SentcError} `invalid_input` for an empty password; `mfa_required` when the account has MFA and no token
   * is given; `server` (e.g. `server_112` for a wrong password, `server_902` for a wrong token) when the server
   * refuses; `network_error` / `timeout` when it cannot be reached.
   * @example
   * const freshJwt = await user.getFreshJwt("password");
   */
  async getFreshJwt(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<string> {
    const login = await this.#freshLogin(password, mfa_token, mfa_recovery);
    login.masterKey.fill(0);
    login.authKey.fill(0);
    return login.data.jwt;
  }

  async #freshLogin(password: string, mfaToken?: string, mfaRecovery?: boolean): Promise<LoginResult> {
    const mfa =
      mfaToken === undefined || mfaToken === "" ? undefined : { token: mfaToken, recovery: mfaRecovery === true };
    const outcome = await loginOverHttp(this.#ctx.http, this.#identifier, password, mfa);
    if (outcome.kind === "mfa") {
      outcome.state.masterKeyEncryptionKey.fill(0);
      throw new SentcError(
        "mfa_required",
        "multi-factor authentication is on: pass the TOTP token (or a recovery key with mfa_recovery = true)",
      );
    }
    return outcome.result;
  }

  /**
   * `PUT /api/v1/user`: a new identifier for this device; the stored login moves with it (Appendix B 5 fixed).
   * @throws {SentcError} `invalid_input` for an empty identifier; `server` (e.g. `server_101` when the identifier is
   * taken) when the server refuses; `network_error` / `timeout`; `storage_failed` when the store cannot be written.
   * @example
   * await user.updateUser("alice@example.com");
   */
  async updateUser(newIdentifier: string): Promise<void> {
    nonEmptyString(newIdentifier, "the new identifier");
    await userApi.updateUser(
      this.#ctx.http,
      this.#jwt,
      JSON.stringify({ user_identifier: newIdentifier }),
      this.#deviceProof(),
    );
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
   * @throws {SentcError} `mfa_required` (synchronously) when the account has MFA and no token is given; rejects with
   * `invalid_input` for an empty new password, `server` (e.g. `server_112` for a wrong old password) when the server
   * refuses, `network_error` / `timeout` when it cannot be reached.
   * @example
   * await user.changePassword("old password", "new password");
   */
  changePassword(oldPassword: string, newPassword: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    this.#requireMfaToken(mfa_token, "change the password");
    return this.#changePassword(oldPassword, newPassword, mfa_token, mfa_recovery);
  }

  /** The reference's `client_10000` check: an MFA account needs the token for fresh-JWT actions. */
  #requireMfaToken(mfaToken: string | undefined, what: string): void {
    if (this.user_data.mfa && !mfaToken)
      throw new SentcError(
        "mfa_required",
        `multi-factor authentication is on: pass the TOTP token (or a recovery key with mfa_recovery = true) to ${what}`,
      );
  }

  async #changePassword(
    oldPassword: string,
    newPassword: string,
    mfa_token?: string,
    mfa_recovery?: boolean,
  ): Promise<void> {
    nonEmptyString(newPassword, "the new password");
    const login = await this.#freshLogin(oldPassword, mfa_token, mfa_recovery);
    try {
      const body = await offload(
        "prepareChangePassword",
        [newPassword, login.masterKey, login.authKey],
        prepareChangePassword,
      );
      await userApi.changePassword(this.#ctx.http, login.data.jwt, body);
    } finally {
      login.masterKey.fill(0);
      login.authKey.fill(0);
    }
  }

  /**
   * `PUT /user/reset_pw`: a new password for this device without the old one (new master key).
   * @throws {SentcError} `invalid_input` when the password is not a string; `server` (e.g. `server_113` when the JWT
   * is not fresh) when the server refuses; `network_error` / `timeout` when it cannot be reached.
   * @example
   * await user.resetPassword("new password");
   */
  async resetPassword(newPassword: string): Promise<void> {
    const privateKey = importPrivateKey(this.user_data.device.private_key);
    const signKey = importSignKey(this.user_data.device.sign_key);
    try {
      const body = await offload("prepareResetPassword", [newPassword, privateKey, signKey], prepareResetPassword);
      await userApi.resetPassword(this.#ctx.http, this.#jwt, body, { deviceSignKey: signKey });
    } finally {
      wipeKey(privateKey);
      wipeKey(signKey);
    }
  }

  /**
   * Removes everything the SDK stored for this user: the login (`user_data_id_<identifier>`), `actual_user` when it
   * names this user, the user's group data and the public/verify key caches (Appendix B 4 fixed).
   * @throws {SentcError} `storage_failed` when the store cannot be read or written.
   * @example
   * await user.logOut();
   */
  async logOut(): Promise<void> {
    const store = await this.#ctx.getStore();
    await store.delete(STORAGE_KEYS.userData(this.#identifier));
    if ((await store.getItem(STORAGE_KEYS.actualUser)) === this.#identifier)
      await store.delete(STORAGE_KEYS.actualUser);
    if (store.keys) {
      const keys = await store.keys();
      // The user's groups, and the groups it reached as one of them (stored under that group's id).
      const members = [this.user_data.user_id];
      const groupPrefixes: string[] = [];
      for (let i = 0; i < members.length; i++) {
        const prefix = STORAGE_KEYS.groupDataPrefix(members[i]!);
        groupPrefixes.push(prefix);
        for (const key of keys)
          if (key.startsWith(prefix) && !members.includes(key.slice(prefix.length)))
            members.push(key.slice(prefix.length));
      }
      for (const key of keys) {
        if (
          groupPrefixes.some((prefix) => key.startsWith(prefix)) ||
          CACHE_PREFIXES.some((prefix) => key.startsWith(prefix))
        )
          await store.delete(key);
      }
    } else {
      // An adapter that cannot list its keys: remove the ones this user is known to have written.
      await store.delete(STORAGE_KEYS.userPublicKey(this.user_data.user_id));
      for (const key of this.user_data.user_keys)
        await store.delete(STORAGE_KEYS.userVerifyKey(this.user_data.user_id, key.group_key_id));
      await store.clear?.();
    }
    this.#hooks.forget(this);
  }

  /**
   * `DELETE /user` with a fresh JWT (the app option `user_delete` must allow the public token), then logout.
   * @throws {SentcError} `mfa_required` when the account has MFA and no token is given; `server` (e.g. `server_112`
   * for a wrong password) when the server refuses; `network_error` / `timeout`; `storage_failed` when the logout
   * cannot clear the store.
   * @example
   * await user.deleteUser("password");
   */
  async deleteUser(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    this.#requireMfaToken(mfa_token, "delete the user");
    const jwt = await this.getFreshJwt(password, mfa_token, mfa_recovery);
    await userApi.deleteUser(this.#ctx.http, jwt);
    await this.logOut();
  }

  /**
   * `DELETE /user/device/<id>` with a fresh JWT; logs out when it is this device.
   * @throws {SentcError} `mfa_required` when the account has MFA and no token is given; `server` (e.g. `server_116`
   * for an unknown device, `server_112` for a wrong password) when the server refuses; `network_error` / `timeout`.
   * @example
   * const [device] = await user.getDevices();
   * if (device) await user.deleteDevice("password", device.device_id);
   */
  async deleteDevice(password: string, device_id: string, mfa_token?: string, mfa_recovery?: boolean): Promise<void> {
    this.#requireMfaToken(mfa_token, "delete a device");
    const jwt = await this.getFreshJwt(password, mfa_token, mfa_recovery);
    await userApi.deleteDevice(this.#ctx.http, jwt, device_id);
    if (device_id === this.user_data.device_id) await this.logOut();
  }

  // ---------- MFA (TOTP) ----------

  /**
   * `PATCH /user/register_otp`: turns TOTP on; `mfa` is set only once the server accepted (Appendix B 6 fixed).
   * Resolves to `{secret, recover}` (the TOTP secret and the recovery keys).
   * @throws {SentcError} `server` (e.g. `server_112` for a wrong password) when the server refuses; `mfa_required`
   * when MFA is on already and no token is given; `network_error` / `timeout`; `storage_failed`.
   * @example
   * const { secret, recover } = await user.registerRawOtp("password");
   */
  async registerRawOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<OtpRegister> {
    const jwt = await this.getFreshJwt(password, mfa_token, mfa_recovery);
    const out = await userApi.registerOtp(this.#ctx.http, jwt);
    this.user_data.mfa = true;
    await this.persist();
    return out;
  }

  /**
   * Like `registerRawOtp`, as an `otpauth://` URL for authenticator apps plus the recovery keys.
   * @throws {SentcError} `server` (e.g. `server_112` for a wrong password) when the server refuses; `mfa_required`
   * when MFA is on already and no token is given; `network_error` / `timeout`; `storage_failed`.
   * @example
   * const [url, recoveryKeys] = await user.registerOtp("My App", "alice", "password");
   */
  async registerOtp(
    issuer: string,
    audience: string,
    password: string,
    mfa_token?: string,
    mfa_recovery?: boolean,
  ): Promise<[string, string[]]> {
    const out = await this.registerRawOtp(password, mfa_token, mfa_recovery);
    return [otpUrl(issuer, audience, out.secret), out.recover];
  }

  /**
   * `GET /user/otp_recovery_keys`: the recovery keys not used yet.
   * @throws {SentcError} `mfa_required` when no token is given for an MFA account; `server` (e.g. `server_902` for a
   * wrong token) when the server refuses; `network_error` / `timeout`.
   * @example
   * const keys = await user.getOtpRecoverKeys("password", "123456");
   */
  async getOtpRecoverKeys(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<string[]> {
    return userApi.getOtpRecoveryKeys(this.#ctx.http, await this.getFreshJwt(password, mfa_token, mfa_recovery));
  }

  /**
   * `PATCH /user/reset_otp`: a new secret and new recovery keys.
   * @throws {SentcError} `mfa_required` when no token is given for an MFA account; `server` (e.g. `server_902` for a
   * wrong token) when the server refuses; `network_error` / `timeout`.
   * @example
   * const { secret, recover } = await user.resetRawOtp("password", "123456");
   */
  async resetRawOtp(password: string, mfa_token?: string, mfa_recovery?: boolean): Promise<OtpRegister> {
    return userApi.resetOtp(this.#ctx.http, await this.getFreshJwt(password, mfa_token, mfa_recovery));
  }

  /**
   * Like `resetRawOtp`, as an `otpauth://` URL for authenticator apps plus the new recovery keys.
   * @throws {SentcError} `mfa_required` when no token is given for an MFA account; `server` (e.g. `server_902` for a
   * wrong token) when the server refuses; `network_error` / `timeout`.
   * @example
   * const [url, recoveryKeys] = await user.resetOtp("My App", "alice", "password", "123456");
   */
  async resetOtp(
    issuer: string,
    audience: string,
    password: string,
    mfa_token?: string,
    mfa_recovery?: boolean,
  ): Promise<[string, string[]]> {
    const out = await this.resetRawOtp(password, mfa_token, mfa_recovery);
    return [otpUrl(issuer, audience, out.secret), out.recover];
  }

  /**
   * `PATCH /user/disable_otp`.
   * @throws {SentcError} `mfa_required` when no token is given for an MFA account; `server` (e.g. `server_902` for a
   * wrong token) when the server refuses; `network_error` / `timeout`; `storage_failed`.
   * @example
   * await user.disableOtp("password", "123456");
   */
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
   * @throws {SentcError} `invalid_input` for a negative or empty key page or text that is not JSON; `server` when the
   * envelope carries the server's error; `invalid_server_response` when it is not a device start answer.
   * @example
   * const { input } = user.prepareRegisterDevice(textFromNewDevice);
   */
  prepareRegisterDevice(server_output: string | Record<string, unknown>, page = 0): PreRegisterDeviceData {
    if (!Number.isInteger(page) || page < 0) throw invalidInput("page must be a non-negative integer");
    const output = deviceStartOutput(server_output);
    const keys = this.#allUserSymKeys();
    const pageKeys = keys.slice(page * KEY_PAGE, (page + 1) * KEY_PAGE);
    try {
      if (pageKeys.length === 0) throw invalidInput(`there is no key page ${page}`);
      const { serverInput, publicKey } = protocolPrepareRegisterDevice(output, pageKeys, keys.length);
      return {
        input: serverInput,
        public_key: publicKey,
        get_input: () => serverInput,
        get_public_key: () => publicKey,
      };
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /**
   * Accepts a new device: encrypts every user key to it (`PUT /user/done_register_device` with the first 50; the
   * rest through the key session, each page once — Appendix B 3 fixed). Resolves to the session uploads' settled
   * results (a failed page is a `rejected` entry, as the reference's `Promise.allSettled`) or `undefined` when there
   * was no session.
   * @throws {SentcError} `server` (e.g. `server_116`) when the envelope or the server refuses;
   * `invalid_server_response` (`client_101`) for text that is not JSON or an answer that lacks a needed field (an
   * empty `session_id` counts as none); `network_error` / `timeout`.
   * @example
   * await user.registerDevice(textFromNewDevice);
   */
  async registerDevice(
    server_output: string | Record<string, unknown>,
  ): Promise<PromiseSettledResult<void>[] | undefined> {
    const output = deviceStartOutput(server_output);
    const keys = this.#allUserSymKeys();
    try {
      const { serverInput, publicKey } = protocolPrepareRegisterDevice(output, keys.slice(0, KEY_PAGE), keys.length);
      const answer = await userApi.doneRegisterDevice(this.#ctx.http, this.#jwt, serverInput, this.#deviceProof());
      if (keys.length <= KEY_SESSION_THRESHOLD) return undefined;
      const sessionId = answer.session_id;
      // "" is no session, as sentc's invite answers say it.
      if (!sessionId) throw invalidServerResponse("the server opened no key session for more than 50 keys");
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

  /**
   * `GET /user/device/<time>/<id>`: 50 devices after `last_fetched_item`.
   * @throws {SentcError} `server` when the server refuses; `invalid_server_response` for a malformed list;
   * `network_error` / `timeout`.
   * @example
   * const devices = await user.getDevices();
   * const more = await user.getDevices(devices[devices.length - 1] ?? null);
   */
  async getDevices(last_fetched_item: UserDeviceList | null = null): Promise<UserDeviceList[]> {
    const cursor =
      last_fetched_item === null ? null : { time: last_fetched_item.time, id: last_fetched_item.device_id };
    const list = await userApi.getDevices(this.#ctx.http, this.#jwt, cursor);
    return list.map((item) => {
      if (
        typeof item.device_id !== "string" ||
        typeof item.time !== "number" ||
        typeof item.device_identifier !== "string"
      ) {
        throw invalidServerResponse("GET /user/device result: expected {device_id, time, device_identifier}");
      }
      return { device_id: item.device_id, time: item.time, device_identifier: item.device_identifier };
    });
  }

  // ---------- key rotation ----------

  /**
   * A new user key (`POST /user/user_keys/rotation`), which becomes the newest. The other devices receive it with
   * `finishKeyRotation` (by itself with the init option `auto_finish_key_rotation` when they meet data encrypted
   * with a key they lack). The new verify key is signed with the previous sign key (`verify_key_cross_sig`), so
   * other users' SDKs that pinned an earlier key of this user accept the new one.
   * @throws {SentcError} `key_not_found` when the user has no keys; `server` (e.g. `server_321` for too many rotations)
   * when the server refuses; `invalid_server_response` for an answer without the new key id; `network_error` /
   * `timeout`; `storage_failed`.
   * @example
   * await user.keyRotation();
   */
  async keyRotation(): Promise<void> {
    const invoker = importPublicKey(this.user_data.device.public_key);
    const previous = importSymKey(this.#keys.newest().group_key);
    let crossSignKey: SignKey | null = null;
    let serverInput: string;
    try {
      // The previous sign key signs the new verify key, so pinned copies of this user's key follow the rotation.
      crossSignKey = importSignKey(this.#keys.newest().sign_key);
      const prepared = prepareKeyRotation({
        previousGroupKey: previous,
        invokerPublicKey: invoker,
        starter: this.user_data.user_id,
        userGroup: true,
        crossSignKey,
      });
      wipeCreatedKeys(prepared.keys);
      serverInput = prepared.serverInput;
    } finally {
      wipeKey(previous);
      if (crossSignKey !== null) wipeKey(crossSignKey);
    }
    const { key_id } = await userApi.startUserKeyRotation(this.#ctx.http, this.#jwt, serverInput, this.#deviceProof());
    if (!key_id) throw invalidServerResponse("the rotation answered an empty key_id");
    await this.fetchUserKey(key_id, true);
  }

  /**
   * Finishes the rotations other devices started (`GET` / `PUT /user/user_keys/rotation`).
   * Concurrent calls share one run.
   * @throws {SentcError} `server` when the server refuses; `invalid_server_response` when a rotation lacks its key ids;
   * `decryption_failed` when the rotated key cannot be decrypted; `network_error` / `timeout`; `storage_failed`.
   * @example
   * await user.finishKeyRotation();
   */
  finishKeyRotation(): Promise<void> {
    // Concurrent decrypts that miss a key share one run.
    return this.#rotations.run(() => this.#keys.finishRotations());
  }

  // ---------- groups (sdk.md §2.3 "Groups from the user side") ----------

  /**
   * Own backend: the `CreateData` for `POST /api/v1/group` (the first key is encrypted to the newest user key).
   * @throws {SentcError} `key_not_found` when the user has no keys.
   * @example
   * const body = user.prepareGroupCreate();
   */
  prepareGroupCreate(sign = false): string {
    const creatorPublicKey = importPublicKey(this.getNewestPublicKey());
    return makeGroupKey(this.getSignKeySync(), this.user_data.user_id, sign, (maker) =>
      prepareCreateGroup({ creatorPublicKey, ...maker }),
    );
  }

  /**
   * Own backend: reads the envelope of `POST /api/v1/group` (or `/group/forced/<user_id>`) → the new group id.
   * @throws {SentcError} `server` when the envelope carries the server's error; `invalid_server_response` when it is
   * not sentc's envelope or lacks `group_id`.
   * @example
   * const groupId = user.doneGroupCreate(await response.text());
   */
  doneGroupCreate(server_output: string): string {
    const what = "POST /group result";
    const result = resultObject(readServerOutput(server_output, what), what);
    const id = result.group_id;
    if (typeof id !== "string" || id.length === 0)
      throw invalidServerResponse(`${what}: "group_id" must be a non-empty string`);
    return id;
  }

  /**
   * `POST /group`: a new group with this user as creator (rank 0); `sign` signs the group key. Resolves to its id.
   * The user's sign key always signs the group's public key (`public_group_key_sig`, for groups' pins).
   * @throws {SentcError} `key_not_found` when the user has no keys; `server` when the server refuses; `network_error`
   * / `timeout`.
   * @example
   * const groupId = await user.createGroup();
   * const group = await user.getGroup(groupId);
   */
  async createGroup(sign = false): Promise<string> {
    return groupApi.createGroup(this.#ctx.http, this.#jwt, this.prepareGroupCreate(sign));
  }

  /**
   * Loads a group (from the store, revalidated every 5 minutes, or from the server with all its keys), acting as
   * the connected group `group_as_member` when given. `verify` 1 checks signed group keys (ignoring failures to
   * fetch the signer's key), 2 checks and throws on every failure.
   * @throws {SentcError} `invalid_input` for an empty id, a `group_as_member` that is not a group id or a `verify`
   * other than 0, 1 or 2; `server` (e.g. `server_310` for no access, `server_300` when the user is no member) when
   * the server refuses; `decryption_failed` when a group key cannot be decrypted; `verification_failed` when a signed
   * key does not verify (`verify` 1 or 2); `network_error` / `timeout`; `storage_failed`.
   * @example
   * const group = await user.getGroup(groupId);
   * const text = await group.encryptString("hello");
   */
  getGroup(group_id: string, group_as_member?: string, verify: GroupVerify = 0): Promise<Group<User>> {
    return Group.load(this.#groupEnv(), group_id, { groupAsMember: group_as_member, verify });
  }

  /** What the groups of this user work with (`Group` reaches the user only through these). */
  #groupEnv(): GroupEnv<User> {
    const http = this.#ctx.http;
    return {
      ctx: this.#ctx,
      jwt: this.#jwt,
      user: this,
      uploader: (groupId, uploadCallback, groupAsMember) =>
        new files.Uploader(http.baseUrl, http.appToken, this, groupId, undefined, uploadCallback, groupAsMember),
      downloader: (groupId, groupAsMember) =>
        new files.Downloader(http.baseUrl, http.appToken, this, groupId, groupAsMember),
    };
  }

  /**
   * `GET /group/all/…`: 50 of the user's groups after `last`.
   * @throws {SentcError} `server` when the server refuses; `invalid_server_response` for a malformed list;
   * `network_error` / `timeout`.
   * @example
   * const groups = await user.getGroups();
   */
  async getGroups(last: GroupList | null = null): Promise<GroupList[]> {
    return (await groupApi.getGroupsForUser(this.#ctx.http, this.#jwt, cursor(last?.time, last?.group_id))).map(
      groupListItem,
    );
  }

  /**
   * `GET /group/invite/…`: the user's pending group invites.
   * @throws {SentcError} `server` when the server refuses; `invalid_server_response` for a malformed list;
   * `network_error` / `timeout`.
   * @example
   * const invites = await user.getGroupInvites();
   */
  async getGroupInvites(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    return (await groupApi.getInvitesForUser(this.#ctx.http, this.#jwt, cursor(last?.time, last?.group_id))).map(
      inviteItem,
    );
  }

  /**
   * `PATCH /group/<id>/invite`.
   * @throws {SentcError} `server` (e.g. `server_307` when there is no such invite) when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * await user.acceptGroupInvite(groupId);
   */
  async acceptGroupInvite(group_id: string): Promise<void> {
    await groupApi.acceptInvite(this.#ctx.http, this.#jwt, group_id);
    this.group_invites = this.group_invites.filter((invite) => invite.group_id !== group_id);
  }

  /**
   * `DELETE /group/<id>/invite`.
   * @throws {SentcError} `server` (e.g. `server_307` when there is no such invite) when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * await user.rejectGroupInvite(groupId);
   */
  async rejectGroupInvite(group_id: string): Promise<void> {
    await groupApi.rejectInvite(this.#ctx.http, this.#jwt, group_id);
    this.group_invites = this.group_invites.filter((invite) => invite.group_id !== group_id);
  }

  /**
   * `PATCH /group/<id>/join_req`: asks to join the group.
   * @throws {SentcError} `server` (e.g. `server_317` when the group takes no requests, `server_302` for a member)
   * when the server refuses; `network_error` / `timeout`.
   * @example
   * await user.groupJoinRequest(groupId);
   */
  async groupJoinRequest(group_id: string): Promise<void> {
    await groupApi.joinRequest(this.#ctx.http, this.#jwt, group_id);
  }

  /**
   * `GET /group/joins/…`: the join requests this user sent.
   * @throws {SentcError} `server` when the server refuses; `invalid_server_response` for a malformed list;
   * `network_error` / `timeout`.
   * @example
   * const requests = await user.sentJoinReq();
   */
  async sentJoinReq(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    return (
      await groupApi.getSentJoinRequestsForUser(this.#ctx.http, this.#jwt, cursor(last?.time, last?.group_id))
    ).map(inviteItem);
  }

  /**
   * `DELETE /group/joins/<group_id>`: withdraws the join request to that group.
   * @throws {SentcError} `server` (e.g. `server_309` when there is no such request) when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * await user.deleteJoinReq(groupId);
   */
  async deleteJoinReq(id: string): Promise<void> {
    await groupApi.deleteSentJoinRequestForUser(this.#ctx.http, this.#jwt, id);
  }

  // ---------- verification ----------

  /**
   * A safety number over this user's newest verify key, or over both users' when `user_to_compare` is given; both
   * users get the same number.
   * @throws {SentcError} `key_not_found` when the user has no keys; `server` (e.g. `server_100`) when the other user's
   * verify key is refused; `network_error` / `timeout`.
   * @example
   * const number = await user.createSafetyNumber({ user_id: otherUserId, verify_key_id: otherVerifyKeyId });
   */
  async createSafetyNumber(user_to_compare?: { user_id: string; verify_key_id: string }): Promise<string> {
    const own = importVerifyKey(this.#keys.newest().verify_key);
    if (!user_to_compare) return protocolCreateSafetyNumber(own, this.user_data.user_id);
    // A safety number is how a changed key gets checked, so it is made also for a key the pin does not accept.
    const other = importVerifyKey(
      pinKeys()
        ? (await fetchUserVerifyKeyAnswer(this.#ctx, user_to_compare.user_id, user_to_compare.verify_key_id)).key
        : await getUserVerifyKeyData(this.#ctx, user_to_compare.user_id, user_to_compare.verify_key_id),
    );
    return protocolCreateSafetyNumber(own, this.user_data.user_id, other, user_to_compare.user_id);
  }

  /**
   * Pins user `user_id`'s newest identity key again, after the app's user checked that person (sentc-as extra): call
   * it when a `key_changed` error named that user and the person confirmed the new safety number. The safety number
   * is the one `createSafetyNumber({user_id, verify_key_id})` gives for the user's newest verify key; with
   * `safety_number` the key is pinned only when it matches. Resolves to the safety number of the pinned key.
   * @throws {SentcError} `verification_failed` when `safety_number` does not match or the user's newest public key is
   * not signed by its verify key; `invalid_input` for an empty user id; `server` (e.g. `server_100`) when the server
   * refuses; `network_error` / `timeout`; `storage_failed`.
   * @example
   * try {
   *   await user.encryptString(text, otherUserId);
   * } catch (e) {
   *   if (isSentcError(e) && e.code === "key_changed") {
   *     const number = await user.createSafetyNumber({ user_id: otherUserId, verify_key_id: e.keyChange!.offered_key_id });
   *     if (await askTheUserToCompare(number)) await user.verifyUserAgain(otherUserId, number);
   *   }
   * }
   */
  async verifyUserAgain(user_id: string, safety_number?: string): Promise<string> {
    nonEmptyString(user_id, "the user id");
    if (safety_number !== undefined && (typeof safety_number !== "string" || safety_number.length === 0))
      throw invalidInput("the safety number must be a non-empty string");
    const own = importVerifyKey(this.#keys.newest().verify_key);
    const { safetyNumber } = await repinUser(
      this.#ctx,
      user_id,
      (verifyKey) => protocolCreateSafetyNumber(own, this.user_data.user_id, importVerifyKey(verifyKey), user_id),
      safety_number,
    );
    return safetyNumber;
  }

  /**
   * Pins group `group_id`'s newest public key again (sentc-as extra): call it when a `key_changed` error named that
   * group (`keyChange.kind === "group"`) and the app's user confirmed the change with the group's members (e.g. a
   * key rotation made by a member who did not sign the first key, or by a client without signed group keys). The
   * key's signer, if it is signed, is added to the users whose new keys of the group are accepted; its signature
   * must verify with a verify key that passes that user's own pin; a key whose signer no longer exists (a deleted
   * account) is pinned as an unsigned one (`signed_by_user_id: null`). Resolves to the pinned key id and its signer.
   * @throws {SentcError} `verification_failed` when the key's signature does not verify; `key_changed` naming the
   * signer when the signer's identity key fails its pin (verify that user again first); `invalid_input` for an empty
   * group id; `server` (e.g. `server_304`) when the server refuses; `transparency_failed` when the key fails the key
   * log; `network_error` / `timeout`; `storage_failed`.
   * @example
   * try {
   *   await group.inviteGroupAuto(otherGroupId);
   * } catch (e) {
   *   if (isSentcError(e) && e.code === "key_changed" && e.keyChange?.kind === "group") {
   *     if (await askTheUserToConfirm(e.keyChange.id)) await user.verifyGroupAgain(e.keyChange.id);
   *   }
   * }
   */
  async verifyGroupAgain(group_id: string): Promise<PinnedGroupKey> {
    nonEmptyString(group_id, "the group id");
    return repinGroup(this.#ctx, group_id);
  }

  // ---------- key transparency (a sentc-as extra, docs/security.md) ----------

  /** What the last check of the own keys against the key log found (login or `checkKeyTransparency`). */
  #ktFindings: KtFinding[] = [];
  /** The error of the last check of the own keys (login or `checkKeyTransparency`), if it failed. */
  #ktError: { code: string; message: string } | undefined;

  /**
   * The key transparency guarantee for this user: `Sentc.transparency()` plus `findings`, what the last check of the
   * own keys against the key log found (at login or by `checkKeyTransparency`). `{available: false, reason}` against
   * a server without the log.
   * @throws {SentcError} `storage_failed`.
   * @example
   * const { available, findings } = await user.transparencyStatus();
   * if (findings?.length) warnTheUser(findings);
   */
  async transparencyStatus(): Promise<TransparencyStatus> {
    const status: TransparencyStatus = { ...(await transparencyStatus(this.#ctx)), findings: [...this.#ktFindings] };
    if (this.#ktError !== undefined) status.error = { ...this.#ktError };
    return status;
  }

  /**
   * Monitoring: fetches the key log's entries for this user and checks that they are exactly the user keys it made
   * (public and verify key by id and value). A key the server publishes in this user's name (and could serve to
   * others) is `foreign_key_in_log`. Resolves to the status (`available: false` against a server without the log).
   * @throws {SentcError} `foreign_key_in_log` with the findings in the message; `transparency_failed` for an unproven
   * answer; `log_fork`; `transparency_unavailable` with `require_transparency`; `server` / `network_error`.
   * @example
   * try {
   *   await user.checkKeyTransparency();
   * } catch (e) {
   *   if (isSentcError(e) && e.code === "foreign_key_in_log") alertTheUser(e.message);
   * }
   */
  async checkKeyTransparency(): Promise<TransparencyStatus> {
    const own = async () => {
      const keys = this.user_data.user_keys.map((key) => ({
        id: key.group_key_id,
        publicKey: key.public_key,
        verifyKey: key.verify_key,
      }));
      return { userId: this.user_data.user_id, keys };
    };
    this.#ktError = undefined;
    let report = await monitorOwnKeys(this.#ctx, await own());
    // A key id this device did not load yet (older keys are fetched on use) is fetched once and compared again.
    const unknown = (report.findings ?? []).filter((finding) => finding.kind === "unknown_key");
    if (unknown.length > 0) {
      let fetched = false;
      for (const finding of new Set(unknown.map((f) => f.key_id))) {
        try {
          await this.#keys.get(finding);
          fetched = true;
        } catch {
          // Not a key of this user: it stays a finding.
        }
      }
      if (fetched) report = await monitorOwnKeys(this.#ctx, await own());
    }
    this.#ktFindings = report.findings ?? [];
    if (this.#ktFindings.length > 0) {
      const error = foreignKeyError(this.user_data.user_id, this.#ktFindings);
      this.#ktError = { code: error.code, message: error.message };
      throw error;
    }
    return report;
  }

  /**
   * Runs `checkKeyTransparency` at login (called by `Sentc`'s logins). A finding or a failed check does not fail the
   * login (it is in `transparencyStatus()`), except with `require_transparency`.
   * @throws {SentcError} `foreign_key_in_log`, `transparency_failed`, `log_fork`, `transparency_unavailable`,
   * `server` / `network_error`: only with `require_transparency`.
   * @example
   * await user.monitorKeysAtLogin();
   */
  async monitorKeysAtLogin(): Promise<void> {
    try {
      await this.checkKeyTransparency();
    } catch (error) {
      if (requireTransparency()) throw error;
      this.#ktError = isSentcError(error)
        ? { code: error.code, message: error.message }
        : { code: "unknown", message: String(error) };
    }
  }

  // ---------- asymmetric encryption (sdk.md §4.1, §4.2) ----------

  /** Signs a sensitive request with this device's sign key (the server's device proof, src/protocol/device-proof.ts). */
  #deviceProof() {
    return { deviceSignKey: importSignKey(this.user_data.device.sign_key) };
  }

  #signKeyFor(sign: boolean) {
    return signKeyIf(sign, () => this.getSignKeySync());
  }

  async #replyKey(replyId: string) {
    if (typeof replyId !== "string" || replyId.length === 0) throw invalidInput("reply_id must be a user id");
    return importPublicKey((await this.getPublicKey(replyId)).public_key);
  }

  /**
   * Encrypts bytes for user `reply_id` with their newest public key (fetched and cached), head (a JSON string) and
   * ciphertext kept apart (sdk.md §4.1); with `sign` this user's newest sign key signs it (§4.2).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array` or `reply_id` is empty; `server` (e.g.
   * `server_100`) when the server refuses the public key of `reply_id`; `network_error` when it cannot be fetched;
   * `key_not_found` when, with `sign`, this user has no sign key.
   * @example
   * const { head, data } = await user.encryptRaw(new TextEncoder().encode("hello"), otherUserId);
   */
  async encryptRaw(data: Uint8Array, reply_id: string, sign = false): Promise<CryptoRawOutput> {
    return encryptRawAsymmetric(await this.#replyKey(reply_id), data, this.#signKeyFor(sign));
  }

  /**
   * Synchronous `encryptRaw` with the receiver's exported public key given directly (sdk.md §4.1).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array`; `invalid_format` / `invalid_encoding` when
   * `reply_public_key` is not an exported public key; `key_not_found` when, with `sign`, this user has no sign key.
   * @example
   * const { public_key } = await user.getPublicKey(otherUserId);
   * const { head, data } = user.encryptRawSync(new Uint8Array([1, 2, 3]), public_key);
   */
  encryptRawSync(data: Uint8Array, reply_public_key: string, sign = false): CryptoRawOutput {
    return encryptRawAsymmetric(importPublicKey(reply_public_key), data, this.#signKeyFor(sign));
  }

  /**
   * Decrypts the output of `encryptRaw` with this user's private key the head names, fetched when this device does not
   * hold it (sdk.md §4.1). With `verify_key` (an exported verify key) a signed head is verified; unsigned data is
   * decrypted unchecked, unless the init option `strict_verify` is set.
   * @throws {SentcError} `invalid_format` when the head is not a sentc head; `decryption_failed` for a wrong key or
   * tampered data; `verification_failed` / `wrong_verify_key` when the signature does not verify with `verify_key`;
   * `missing_signature` (with `strict_verify` only); `server` (e.g. `server_304`) when the server refuses the user key
   * (a key rotation this device has not finished); `network_error` when the key cannot be fetched.
   * @example
   * const bytes = await user.decryptRaw(head, data);
   */
  async decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Promise<Uint8Array> {
    return this.#decryptor.raw(head, encrypted_data, verify_key);
  }

  /**
   * Synchronous `decryptRaw`: only the user keys held on this device are used (sdk.md §4.1).
   * @throws {SentcError} `key_not_found` when the key the head names is not held ("Key not found"); `invalid_format`
   * for a bad head; `decryption_failed` for a wrong key or tampered data; `verification_failed` / `wrong_verify_key`
   * when the signature does not verify with `verify_key`.
   * @example
   * const bytes = user.decryptRawSync(head, data);
   */
  decryptRawSync(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array {
    return this.#decryptor.rawSync(head, encrypted_data, verify_key);
  }

  /**
   * Encrypts bytes for user `reply_id` with their newest public key (fetched and cached) into one buffer, head and
   * ciphertext together (sdk.md §4.1); with `sign` this user's newest sign key signs it (§4.2).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array` or `reply_id` is empty; `server` (e.g.
   * `server_100`) when the server refuses the public key of `reply_id`; `network_error` when it cannot be fetched;
   * `key_not_found` when, with `sign`, this user has no sign key.
   * @example
   * const encrypted = await user.encrypt(new TextEncoder().encode("hello"), otherUserId, true);
   */
  async encrypt(data: Uint8Array, reply_id: string, sign = false): Promise<Uint8Array> {
    return encryptAsymmetric(await this.#replyKey(reply_id), data, this.#signKeyFor(sign));
  }

  /**
   * Synchronous `encrypt` with the receiver's exported public key given directly (sdk.md §4.1).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array`; `invalid_format` / `invalid_encoding` when
   * `reply_public_key` is not an exported public key; `key_not_found` when, with `sign`, this user has no sign key.
   * @example
   * const encrypted = user.encryptSync(new Uint8Array([1, 2, 3]), otherPublicKey);
   */
  encryptSync(data: Uint8Array, reply_public_key: string, sign = false): Uint8Array {
    return encryptAsymmetric(importPublicKey(reply_public_key), data, this.#signKeyFor(sign));
  }

  /**
   * Decrypts with the own key the head names; `verify` checks the signature with user `user_id`'s verify key.
   * The key is fetched when this device does not hold it. As in the reference (§4.2), unsigned data is decrypted
   * unchecked even with `verify`, unless the init option `strict_verify` is set.
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array` or `verify` is set without `user_id`;
   * `invalid_format` when it carries no sentc head; `decryption_failed` for a wrong key or tampered data;
   * `verification_failed` / `wrong_verify_key` when the signature does not verify; `missing_signature` (with
   * `strict_verify` only); `server` (e.g. `server_304`) when the server refuses the key or the sender's verify key;
   * `network_error` when a key cannot be fetched.
   * @example
   * const bytes = await user.decrypt(encrypted, true, senderUserId);
   */
  async decrypt(data: Uint8Array, verify = false, user_id?: string): Promise<Uint8Array> {
    return this.#decryptor.bytes(data, verify, user_id);
  }

  /**
   * Synchronous `decrypt`: uses only the user keys held on this device; `verify_key` (an exported verify key) checks a
   * signed head (sdk.md §4.1).
   * @throws {SentcError} `key_not_found` when the key the head names is not held; `invalid_input` / `invalid_format`
   * for data that is not sentc's format; `decryption_failed` for a wrong key or tampered data; `verification_failed` /
   * `wrong_verify_key` when the signature does not verify with `verify_key`.
   * @example
   * const bytes = user.decryptSync(encrypted);
   */
  decryptSync(data: Uint8Array, verify_key?: string): Uint8Array {
    return this.#decryptor.bytesSync(data, verify_key);
  }

  /**
   * Encrypts a string for user `reply_id` with their newest public key (fetched and cached) and returns base64 text
   * (sdk.md §4.1); with `sign` this user's newest sign key signs it (§4.2).
   * @throws {SentcError} `invalid_input` when `data` is not a string or `reply_id` is empty; `server` (e.g.
   * `server_100`) when the server refuses the public key of `reply_id`; `network_error` when it cannot be fetched;
   * `key_not_found` when, with `sign`, this user has no sign key.
   * @example
   * import Sentc from "sentc-as";
   *
   * const user = await Sentc.login("alice", "password", true);
   * const text = await user.encryptString("hello", bobUserId, true);
   */
  async encryptString(data: string, reply_id: string, sign = false): Promise<string> {
    return encryptStringAsymmetric(await this.#replyKey(reply_id), data, this.#signKeyFor(sign));
  }

  /**
   * Synchronous `encryptString` with the receiver's exported public key given directly (sdk.md §4.1).
   * @throws {SentcError} `invalid_input` when `data` is not a string; `invalid_format` / `invalid_encoding` when
   * `reply_public_key` is not an exported public key; `key_not_found` when, with `sign`, this user has no sign key.
   * @example
   * const { public_key } = await user.getPublicKey(bobUserId);
   * const text = user.encryptStringSync("hello", public_key);
   */
  encryptStringSync(data: string, reply_public_key: string, sign = false): string {
    return encryptStringAsymmetric(importPublicKey(reply_public_key), data, this.#signKeyFor(sign));
  }

  /**
   * Decrypts the output of `encryptString` with this user's private key the head names, fetched when this device does
   * not hold it (sdk.md §4.1). With `verify`, a signed head is checked with user `user_id`'s verify key (fetched and
   * cached); unsigned data is decrypted unchecked as in the reference, unless the init option `strict_verify` is set.
   * @throws {SentcError} `invalid_encoding` when `data` is not base64; `invalid_format` when it carries no sentc head
   * or is not UTF-8 text after decryption; `invalid_input` when `verify` is set without `user_id`; `decryption_failed`
   * for a wrong key or tampered data; `verification_failed` / `wrong_verify_key` when the signature does not verify;
   * `missing_signature` (with `strict_verify` only); `server` (e.g. `server_304`) when the server refuses the key;
   * `network_error` when a key cannot be fetched.
   * @example
   * const text = await user.decryptString(encryptedText, true, aliceUserId);
   */
  async decryptString(data: string, verify = false, user_id?: string): Promise<string> {
    return this.#decryptor.string(data, verify, user_id);
  }

  /**
   * Synchronous `decryptString`: uses only the user keys held on this device; `verify_key` (an exported verify key)
   * checks a signed head (sdk.md §4.1).
   * @throws {SentcError} `key_not_found` when the key the head names is not held; `invalid_encoding` /
   * `invalid_format` for text that is not sentc's format; `decryption_failed` for a wrong key or tampered data;
   * `verification_failed` / `wrong_verify_key` when the signature does not verify with `verify_key`.
   * @example
   * const text = user.decryptStringSync(encryptedText);
   */
  decryptStringSync(data: string, verify_key?: string): string {
    return this.#decryptor.stringSync(data, verify_key);
  }

  // ---------- content keys and files (sdk.md §4.3, §4.4) ----------

  #fileTransport(): files.FileTransport {
    const transport: files.FileTransport = { http: this.#ctx.http, jwt: this.#jwt };
    if (this.#ctx.options.file_part_url !== undefined) transport.file_part_url = this.#ctx.options.file_part_url;
    return transport;
  }

  /**
   * How `Uploader` / `Downloader` reach the file routes as this user (a group's with `group_id`, as the connected group
   * `group_as_member`).
   * @internal
   * @throws {SentcError} `invalid_input` for a `group_as_member` that is not a group id.
   * @example
   * const transport = user.fileTransport(groupId);
   */
  fileTransport(group_id?: string, group_as_member?: string): files.FileTransport {
    const transport = this.#fileTransport();
    const asMember = groupAsMemberArg(group_as_member);
    if (group_id !== undefined) transport.group_id = group_id;
    if (asMember !== undefined) transport.group_as_member = asMember;
    return transport;
  }

  /**
   * A new content key wrapped for `reply_id` (`""`: this user): the key and its encrypted form for the server.
   * @throws {SentcError} `server` when `reply_id` is unknown, `network_error`
   * @example
   * const [key, encryptedKey] = await user.generateNonRegisteredKey(otherUserId);
   */
  async generateNonRegisteredKey(reply_id: string): Promise<[SymKey, string]> {
    const publicKey = (await this.getPublicKey(reply_id || this.user_data.user_id)).public_key;
    return generateNonRegisteredKeyByPublicKey(publicKey, symKeyContext(this.#ctx.http, this.getSignKeySync()));
  }

  /**
   * Opens a content key wrapped for one of this user's keys (`master_key_id`).
   * The private key is fetched when this device does not hold it.
   * @throws {SentcError} `server` (e.g. `server_304`) when the server has no such key for this device;
   * `decryption_failed` for a wrong key or tampered data; `invalid_format` when `encrypted_key` is not a wrapped key;
   * `network_error` / `timeout`.
   * @example
   * const key = await user.getNonRegisteredKey(masterKeyId, encryptedKey);
   * const text = key.decryptString(encryptedText);
   */
  async getNonRegisteredKey(master_key_id: string, encrypted_key: string | Record<string, unknown>): Promise<SymKey> {
    return getNonRegisteredKeyByPrivateKey(
      await this.getPrivateKey(master_key_id),
      encrypted_key,
      symKeyContext(this.#ctx.http, this.getSignKeySync()),
    );
  }

  /**
   * Own backend, step 1: a content key for the file (wrapped for `reply_id`, else for this user) and the body your
   * backend posts to `POST /api/v1/file`. The file name (of a `File`) is encrypted with the key.
   * @throws {SentcError} `server` when `reply_id` is unknown, `invalid_input` for a file that is neither Blob nor bytes
   * @example
   * const { server_input, key } = await user.prepareRegisterFile(file);
   */
  async prepareRegisterFile(file: files.FileInput, reply_id?: string): Promise<files.FilePrepareCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey(reply_id || this.user_data.user_id);
    return this.#files.prepareRegister(file, key, encrypted_key, reply_id || undefined);
  }

  /**
   * Encrypts and uploads a file for `reply_id` (or only for this user). `Uploader.cancel_upload = true` stops after
   * the current part (and it resolves, as the reference); `options.signal` cancels with an `aborted` error and
   * removes the file.
   * @throws {SentcError} `server`, `network_error`, `invalid_input`, `aborted` (signal only)
   * @example
   * const { file_id } = await user.createFile(file, true, otherUserId, (p) => console.log(p));
   */
  async createFile(
    file: files.FileInput,
    sign = false,
    reply_id?: string,
    upload_callback?: files.FileProgressCallback,
    options: files.FileUploadOptions = {},
  ): Promise<files.FileCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey(reply_id || this.user_data.user_id);
    const target: NewFileTarget = { key, encrypted_key, belongs_to_type: reply_id ? "User" : "None" };
    if (reply_id) target.belongs_to_id = reply_id;
    return this.#files.create(target, file, sign, upload_callback, options);
  }
}

/** The answer of `POST /user/prepare_register_device`: its envelope (text or object) or the bare result object. */
function deviceStartOutput(serverOutput: string | Record<string, unknown>): Record<string, unknown> {
  const what = "device register output";
  if (typeof serverOutput === "string") {
    let value: unknown;
    try {
      value = JSON.parse(serverOutput);
    } catch (cause) {
      // Server output passed on by the app: the reference's serde fails with client_101 here.
      throw invalidServerResponse(`${what}: not JSON`, { cause });
    }
    return deviceStartOutput(value as Record<string, unknown>);
  }
  if (isRecord(serverOutput) && typeof serverOutput.status === "boolean")
    return resultObject(readServerOutput(serverOutput, what), what);
  return resultObject(serverOutput, what);
}

/** As the reference builds it: issuer and audience as given (encode them first if they hold reserved characters). */
function otpUrl(issuer: string, audience: string, secret: string): string {
  return `otpauth://totp/${issuer}:${audience}?secret=${secret}&algorithm=SHA256&issuer=${issuer}`;
}
