/**
 * The user's keys on this device (sdk.md §2.3): the key map over `user_data.user_keys`, the newest key, fetching
 * a key this device lacks, and the user's side of finishing the key rotations other devices started. `User` keeps
 * the public methods and calls into this.
 */
import { REFERENCE_MESSAGES, SentcError, invalidServerResponse } from "../errors.js";
import { userApi, type JwtInput } from "../api/index.js";
import { importPrivateKey, importPublicKey } from "../protocol/keys.js";
import { decryptUserKey } from "../protocol/login.js";
import { notFoundAsUndefined, userKeyData, wipeUserKey, type SdkContext } from "./internal.js";
import { heldKey, newestKey, putKey, requireKey, type KeyList } from "./key-map.js";
import { finishPendingKeyRotations, type KeyRotationParty } from "./key-rotation.js";
import type { UserData, UserKeyData } from "./types.js";

/** What the keyring reads and calls on the user: its data (read each time, never cached) and how it is stored. */
export interface UserKeyHolder {
  readonly user_data: UserData;
  persist(): Promise<void>;
}

/** The user keys of one logged-in device. */
export class UserKeyring {
  readonly #holder: UserKeyHolder;
  readonly #ctx: SdkContext;
  readonly #jwt: JwtInput;
  readonly #finishRotations: () => Promise<void>;

  /**
   * @param finishRotations the user's `finishKeyRotation` (for `auto_finish_key_rotation` when a key is missing)
   * @example
   * const keys = new UserKeyring(user, ctx, jwt, () => user.finishKeyRotation());
   */
  constructor(holder: UserKeyHolder, ctx: SdkContext, jwt: JwtInput, finishRotations: () => Promise<void>) {
    this.#holder = holder;
    this.#ctx = ctx;
    this.#jwt = jwt;
    this.#finishRotations = finishRotations;
  }

  get #data(): UserData {
    return this.#holder.user_data;
  }

  /** The user keys and key map (read each time). */
  get #list(): KeyList<UserKeyData> {
    return { map: this.#data.key_map, keys: this.#data.user_keys };
  }

  /** The key with this id if this device holds it. */
  held(keyId: string): UserKeyData | undefined {
    return heldKey(this.#list, keyId);
  }

  /**
   * The key with this id, held (the `…Sync` methods never fetch).
   * @throws SentcError `key_not_found` when this device does not hold it
   */
  requireHeld(keyId: string): UserKeyData {
    return requireKey(this.#list, keyId, REFERENCE_MESSAGES.keyNotFound);
  }

  /**
   * The newest key held.
   * @throws SentcError `key_not_found` when the user has no keys
   */
  newest(): UserKeyData {
    return newestKey(this.#list, this.#data.newest_key_id, REFERENCE_MESSAGES.keyNotFound);
  }

  /**
   * `GET /user/user_keys/key/<key_id>`: fetches one user key, keeps and persists it; `first` makes it the newest.
   * @throws SentcError `server`, `network`, `decryption_failed`, `invalid_server_response` for another key than asked for
   */
  async fetch(keyId: string, first: boolean): Promise<void> {
    const result = await userApi.getUserKey(this.#ctx.http, this.#jwt, keyId);
    const key = decryptUserKey(importPrivateKey(this.#data.device.private_key), result);
    if (key.groupKey.keyId !== keyId) {
      wipeUserKey(key);
      throw invalidServerResponse("the server answered another user key than asked for");
    }
    const data = userKeyData(key);
    wipeUserKey(key);
    putKey(this.#list, keyId, data);
    if (first) this.#data.newest_key_id = keyId;
    await this.#holder.persist();
  }

  /**
   * The key with this id: held locally, else fetched. When the server does not have it for this device yet (a
   * rotation started on another device) the server's error stands until the app calls `finishKeyRotation()`, as in
   * the reference; with the init option `auto_finish_key_rotation` pending rotations are finished first.
   */
  async get(keyId: string): Promise<UserKeyData> {
    const held = this.held(keyId);
    if (held) return held;
    try {
      await this.fetch(keyId, false);
    } catch (error) {
      if (this.#ctx.options.auto_finish_key_rotation !== true) throw error;
      notFoundAsUndefined(error);
      await this.#finishRotations();
      // Still missing: the server's own answer (e.g. server_304) is the error, as in the reference (sdk.md §7.3).
      if (!this.held(keyId)) throw error;
    }
    const key = this.held(keyId);
    if (!key) throw new SentcError("key_not_found", REFERENCE_MESSAGES.keyNotFound);
    return key;
  }

  /** Finishes the rotations other devices started (`GET` / `PUT /user/user_keys/rotation`). */
  async finishRotations(): Promise<void> {
    await finishPendingKeyRotations(this.#rotationParty());
  }

  #rotationParty(): KeyRotationParty {
    return {
      pendingRoute: "GET /user/user_keys/rotation",
      needsEphKeyId: false,
      fetchPending: () => userApi.getUserKeyRotations(this.#ctx.http, this.#jwt),
      previousKey: async (keyId) => {
        if (!this.held(keyId)) await this.fetch(keyId, false).catch(notFoundAsUndefined);
        return this.held(keyId)?.group_key;
      },
      // The ephemeral key of a user key rotation is encrypted to the device key.
      privateKey: async () => importPrivateKey(this.#data.device.private_key),
      publicKey: () => importPublicKey(this.#data.device.public_key),
      finishOne: (newId, serverInput) => userApi.finishUserKeyRotation(this.#ctx.http, this.#jwt, newId, serverInput),
      fetchNewKey: (newId) => this.fetch(newId, true),
    };
  }
}
