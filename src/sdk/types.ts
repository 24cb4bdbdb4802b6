/**
 * The SDK's public data shapes, named and laid out as in the reference JS SDK (sdk.md §1.1, §2.1, §2.2) so that
 * existing code keeps compiling. Keys are held as sentc's exported key strings (JSON), like the reference.
 */
import type { RefreshOptions } from "../api/index.js";
import type { CoreSource } from "../core/index.js";
import type { StorageOptions } from "./storage.js";

/**
 * The options of `Sentc.init` (sdk.md §1.1): the reference's, plus `timeout_ms`, `auto_finish_key_rotation`, `strict_verify`
 * and `trust_server_keys`.
 */
export interface SentcOptions {
  /** Default `https://api.sentc.com`; your API's origin when self-hosting. */
  base_url?: string;
  /** The app's public token. */
  app_token: string;
  /** Own file storage URL prefix (kept for the file API). */
  file_part_url?: string;
  /** Default `{endpoint: REFRESH_ENDPOINT.api}`. */
  refresh?: RefreshOptions;
  storage?: StorageOptions;
  /** Where the crypto core comes from (`initCore`): bytes, a compiled module, a URL or a fetch Response. */
  wasm_path?: CoreSource | Promise<CoreSource>;
  /** Not in the reference: a default timeout for every request, in milliseconds. */
  timeout_ms?: number;
  /**
   * Not in the reference: finish pending key rotations by itself. Default `false`, as the reference: the app calls
   * `group.finishKeyRotation()` / `user.finishKeyRotation()` (e.g. when `group.data.key_update` is set). With `true`,
   * a group whose `key_update` is set finishes the rotation while it loads, and decrypting data under a key this
   * member or device does not have yet finishes the pending rotations before it gives up.
   */
  auto_finish_key_rotation?: boolean;
  /**
   * Not in the reference: refuse unsigned data when a signature check is asked for (`decrypt*(data, true, user_id)`,
   * a verify key, file downloads with a verify key) with `missing_signature`. Default `false`, as the reference: such
   * data is decrypted without a check. Turn it on when all data of the app is signed.
   */
  strict_verify?: boolean;
  /**
   * `true` restores the reference's trust in the server's keys: no pinning of other users' identity keys (a changed
   * key is used, no `key_changed`) and group keys are verified only when `getGroup(…, verify)` asks for it. Default
   * `false`: keys are pinned at first use and signed group keys are checked (docs/getting-started.md "Pinned keys").
   */
  trust_server_keys?: boolean;
  /**
   * Not in the reference: run the password derivation (Argon2id, in register, login, password change and reset,
   * device registration) and the file-part crypto (upload and download) in a Web Worker, so the page never stalls
   * on them. Default `false`: everything runs on the calling thread, as the reference. The ESM build starts
   * `sentc-worker.js` beside `sentc.js` (bundlers emit it); the `<script>` build starts a worker made of its own
   * code from a `blob:` URL, which a Content-Security-Policy must allow (`worker-src blob:`). When the worker cannot
   * start, `init` warns on the console and the SDK works on the main thread (`Sentc.options.worker` is then `false`).
   * The synchronous own-backend functions (`Sentc.prepareRegister`, `Sentc.prepareLogin`, …) always run on the
   * calling thread.
   */
  worker?: boolean;
  /**
   * Not in the reference: the app's key transparency log key (base64 Ed25519 public key, from `GET /api/v1/kt/log_key`
   * or `sentc-server`), so the first key check does not have to trust the server's answer for it. Without it the log
   * key is pinned on first sight (docs/security.md).
   */
  transparency?: { log_key?: string };
  /**
   * Not in the reference: refuse keys from a server that answers them without a key transparency proof
   * (`transparency_unavailable`). Default `false`: such keys are used and `Sentc.transparency()` reports
   * `{available: false, reason}`.
   */
  require_transparency?: boolean;
}

/** `Sentc.options` after `init`. */
export interface ResolvedSentcOptions {
  base_url: string;
  app_token: string;
  refresh: RefreshOptions;
  storage?: StorageOptions;
  file_part_url?: string;
  /** Set only when `init` was given it (not in the reference). */
  auto_finish_key_rotation?: boolean;
  /** Set only when `init` was given it (not in the reference). */
  strict_verify?: boolean;
  /** Set only when `init` was given it (not in the reference). */
  trust_server_keys?: boolean;
  /** Set only when `init` was given it (not in the reference): `true` while the crypto worker runs. */
  worker?: boolean;
  /** Set only when `init` was given it (not in the reference). */
  transparency?: { log_key?: string };
  /** Set only when `init` was given it (not in the reference). */
  require_transparency?: boolean;
}

/** The decrypted keys of this device. */
export interface UserDeviceKeyData {
  private_key: string;
  public_key: string;
  sign_key: string;
  verify_key: string;
  /** `UserPublicKeyData` JSON. */
  exported_public_key: string;
  /** `UserVerifyKeyData` JSON. */
  exported_verify_key: string;
}

/** One decrypted key of the user group. */
export interface UserKeyData {
  private_key: string;
  public_key: string;
  group_key: string;
  time: number;
  group_key_id: string;
  sign_key: string;
  verify_key: string;
  exported_public_key: string;
  exported_public_key_sig_key_id?: string;
  exported_verify_key: string;
}

/**
 * The decrypted keys and tokens of a logged-in device (`user.user_data`, sdk.md §2.1), stored as `user_data_id_<identifier>`.
 */
export interface UserData {
  device: UserDeviceKeyData;
  /** Index 0 is the newest at login; keys fetched later are appended. */
  user_keys: UserKeyData[];
  /** group_key_id → index in `user_keys`. */
  key_map: Map<string, number>;
  newest_key_id: string;
  mfa: boolean;
  jwt: string;
  /** In memory always the real token; persisted only with the `api` refresh strategy ("" otherwise). */
  refresh_token: string;
  user_id: string;
  device_id: string;
  /** Decrypted HMAC keys (exported), newest first. */
  hmac_keys: string[];
}

/**
 * A user's newest public key as `Sentc.getUserPublicKey` / `user.getPublicKey` return it (sdk.md §2.1).
 */
export interface UserPublicKeyData {
  /** The exported public key (sentc key JSON). */
  public_key: string;
  public_key_id: string;
  public_key_sig_key_id?: string;
  /** Not in the reference's type: the owner's signature over the key, needed to verify it. */
  public_key_sig?: string;
  verified: boolean;
}

/**
 * The group key `user.verifyGroupAgain` pinned (a sentc-as extra).
 */
export interface PinnedGroupKey {
  /** The id of the group's newest public key, now pinned. */
  public_key_id: string;
  /**
   * The user whose sign key signed that key (now a signer whose new keys of the group are accepted), or `null` when
   * it is unsigned or its signer no longer exists.
   */
  signed_by_user_id: string | null;
}

/**
 * One device of the user, as `user.getDevices` lists them.
 */
export interface UserDeviceList {
  device_id: string;
  time: number;
  device_identifier: string;
}

/**
 * A pending group invite or join request (`getGroupInvites`, `sentJoinReq`): the group and when it was made.
 */
export interface GroupInviteListItem {
  group_id: string;
  time: number;
}

/**
 * The TOTP secret and recovery keys from `user.registerRawOtp` / `user.resetRawOtp` (sdk.md §2.2).
 */
export interface OtpRegister {
  /** Base32. */
  secret: string;
  alg: string;
  recover: string[];
}

/**
 * What `Sentc.login` returns for an MFA account (`{kind: "mfa", u}`) and `Sentc.mfaLogin` takes back (sdk.md §2.2).
 */
export interface UserMfaLogin {
  deviceIdentifier: string;
  /** `{"Argon2":"<base64>"}`: the key that unwraps the master key. */
  mfa_master_key: string;
  /** Base64 auth key. */
  mfa_auth_key: string;
}

/**
 * The result of `encryptRaw`: the head (JSON text) and the ciphertext, kept apart (sdk.md §4.1).
 */
export interface CryptoRawOutput {
  head: string;
  data: Uint8Array;
}

/**
 * The head of encrypted data: the id of the key it was encrypted with and, when signed, the verify key id and alg (sdk.md §4.1).
 */
export interface CryptoHead {
  id: string;
  sign?: { id: string; alg: string };
}
