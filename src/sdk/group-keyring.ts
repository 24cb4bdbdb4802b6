/**
 * The keys of a group (sdk.md §3.1) and their loading and caching (§3.2): fetching the group and every key page,
 * decrypting the keys with the user's, the parent group's or the connected group's private keys, the HMAC and
 * sortable keys, the stored group data and the cached public key; and the group's side of finishing key
 * rotations (§3.3). `Group` keeps the public methods and calls into this.
 */
import { REFERENCE_MESSAGES, isSentcError, invalidInput, invalidServerResponse } from "../errors.js";
import type { JwtInput, RequestOptions } from "../api/index.js";
import * as groupApi from "../api/endpoints/group.js";
import type { JsonObject } from "../api/endpoints/result.js";
import { extractGroupData, type GroupKeyEntry } from "../protocol/group-data.js";
import { decryptGroupKey, decryptHmacKey, decryptSortableKey } from "../protocol/group-keys.js";
import {
  exportHmacKey,
  exportSortableKey,
  importPrivateKey,
  importPublicKey,
  importSymKey,
  importVerifyKey,
  type PrivateKey,
  type PublicKey,
  type SymKey,
  type VerifyKey,
} from "../protocol/keys.js";
import {
  groupKeyEntry,
  groupKeyFromData,
  groupStorageKey,
  hmacEntry,
  keyEntryOf,
  restoreGroupData,
  storedGroupData,
  wipeGroupKeyData,
} from "./group-internal.js";
import type { GroupData, GroupKey, GroupOutDataKeys, GroupVerify } from "./group-types.js";
import { keyPages, notFoundAsUndefined, resultString, wipeKey, type SdkContext } from "./internal.js";
import { heldKey, newestKey, putKey, requireKey, type KeyList } from "./key-map.js";
import { finishPendingKeyRotations, type KeyRotationParty } from "./key-rotation.js";
import { getUserVerifyKeyData } from "./public-keys.js";
import { pinKeys } from "./verify-policy.js";
import { STORAGE_KEYS } from "./storage.js";
import type { UserPublicKeyData } from "./types.js";
import type { Downloader, Uploader } from "./files/index.js";

/** The few members of the logged-in user that a group needs (the `User` class has them all). */
export interface GroupOwnerUser {
  readonly user_data: { readonly user_id: string };
  /** A valid JWT (refreshed as needed). */
  getJwt(): Promise<string>;
  /** The user's newest sign key (exported): groups sign with it. */
  getSignKeySync(): string;
  /** The user's private key with this id (exported; fetched when unknown). */
  getPrivateKey(key_id: string): Promise<string>;
  /** The user's newest public key (exported). */
  getNewestPublicKey(): string;
  /** Another user's newest public key (cached). */
  getPublicKey(user_id: string): Promise<UserPublicKeyData>;
}

/** What a group needs from the SDK and its user. */
export interface GroupEnv<U extends GroupOwnerUser = GroupOwnerUser> {
  ctx: SdkContext;
  /** The user's JWT (a `JwtManager`: refreshed as needed). */
  jwt: JwtInput;
  user: U;
  /** An `Uploader` for the group's files (it works with the logged-in user itself). */
  uploader(groupId: string, uploadCallback?: (progress?: number) => void, groupAsMember?: string): Uploader;
  /** A `Downloader` for the group's files. */
  downloader(groupId: string, groupAsMember?: string): Downloader;
}

/** Holds the key pair the group keys are encrypted to: the user, the parent group or the connected group. */
export interface KeyOwner {
  privateKey(keyId: string): Promise<PrivateKey>;
  newestPublicKey(): PublicKey;
}

export interface GroupLoadOptions {
  /** Loaded from the parent (`getChildGroup`). */
  parent?: boolean;
  /** Act as this connected group (`x-sentc-group-access-id`). */
  groupAsMember?: string | undefined;
  verify?: GroupVerify;
}

/**
 * The user as key owner (direct members).
 * @example
 * const owner = userKeyOwner(env.user);
 */
export function userKeyOwner(user: GroupOwnerUser): KeyOwner {
  return {
    privateKey: async (keyId) => importPrivateKey(await user.getPrivateKey(keyId)),
    newestPublicKey: () => importPublicKey(user.getNewestPublicKey()),
  };
}

/**
 * A group as key owner (the parent for access through an ancestor, or the connected group acted as).
 * @example
 * const owner = groupKeyOwner(parent);
 */
export function groupKeyOwner(group: {
  getPrivateKey(key_id: string): Promise<string>;
  getNewestPublicKey(): string;
}): KeyOwner {
  return {
    privateKey: async (keyId) => importPrivateKey(await group.getPrivateKey(keyId)),
    newestPublicKey: () => importPublicKey(group.getNewestPublicKey()),
  };
}

/**
 * The `verify` argument, checked.
 * @throws SentcError `invalid_input` for anything but 0, 1 or 2
 * @example
 * const level = checkVerify(options.verify ?? 0);
 */
export function checkVerify(verify: unknown): GroupVerify {
  if (verify !== 0 && verify !== 1 && verify !== 2) throw invalidInput("verify must be 0, 1 or 2");
  return verify;
}

/**
 * The stored group data of this member, if any.
 * @example
 * const cached = await readStoredGroupData(env, groupId, undefined);
 */
export async function readStoredGroupData(
  env: GroupEnv,
  groupId: string,
  groupAsMember: string | undefined,
): Promise<GroupData | undefined> {
  const store = await env.ctx.getStore();
  return restoreGroupData(await store.getItem(groupStorageKey(groupAsMember ?? env.user.user_data.user_id, groupId)));
}

/** A group fresh from `GET /group/:id`, its keys not yet decrypted. */
export interface FetchedGroup {
  data: GroupData;
  out: ReturnType<typeof extractGroupData>;
  /** The first key page as the server sent it (its last entry is the cursor for the next page). */
  firstPage: JsonObject[];
  requestOptions: RequestOptions;
}

/**
 * `GET /group/:id`: the group data without keys (they follow with `GroupKeyring.takeFetchedKeys`).
 * @throws SentcError `server`, `network`, `invalid_server_response`
 * @example
 * const fetched = await fetchGroupData(env, groupId, undefined, false);
 */
export async function fetchGroupData(
  env: GroupEnv,
  groupId: string,
  groupAsMember: string | undefined,
  parent: boolean,
): Promise<FetchedGroup> {
  const requestOptions: RequestOptions = groupAsMember === undefined ? {} : { groupAccessId: groupAsMember };
  const raw = await groupApi.getGroup(env.ctx.http, env.jwt, groupId, requestOptions);
  const out = extractGroupData(raw);
  if (out.groupId !== groupId) throw invalidServerResponse("GET /group/:id answered another group");
  const access = out.accessBy;
  const data: GroupData = {
    group_id: out.groupId,
    from_parent: parent,
    rank: out.rank,
    key_update: out.keyUpdate,
    create_time: String(out.createdTime),
    joined_time: String(out.joinedTime),
    keys: [],
    key_map: new Map(),
    newest_key_id: "",
    access_by_parent_group:
      access.kind === "parent" || access.kind === "group_as_user_as_parent" ? access.parent : undefined,
    is_connected_group: out.isConnectedGroup,
    hmac_keys: [],
    sortable_keys: [],
    last_check_time: Date.now(),
  };
  if (out.parentGroupId !== null) data.parent_group_id = out.parentGroupId;
  if (groupAsMember !== undefined) data.access_by_group_as_member = groupAsMember;
  if (data.access_by_parent_group !== undefined && data.parent_group_id === undefined) {
    throw invalidServerResponse("GET /group/:id: access through a parent, but the group has no parent");
  }
  return { data, out, firstPage: Array.isArray(raw.keys) ? (raw.keys as JsonObject[]) : [], requestOptions };
}

/**
 * Decrypts wrapped keys (HMAC or sortable: `{group_key_id, key_data}` or the server's objects) with the keys that
 * wrap them; resolves to the exported keys.
 * @throws SentcError `invalid_input` for a malformed entry, and whatever `wrappingKey` and `open` throw
 * @example
 * const hmacKeys = await openWrappedKeys(fetched, (id) => user.getUserSymKey(id), openHmacKey);
 */
export async function openWrappedKeys(
  fetched: unknown,
  what: string,
  wrappingKey: (keyId: string) => Promise<string>,
  open: (key: SymKey, data: string | Record<string, unknown>) => string,
): Promise<string[]> {
  if (!Array.isArray(fetched)) throw invalidInput(`${what} must be an array`);
  const out: string[] = [];
  for (const entry of fetched) {
    const [keyId, data] = hmacEntry(entry);
    const key = importSymKey(await wrappingKey(keyId));
    try {
      out.push(open(key, data));
    } finally {
      wipeKey(key);
    }
  }
  return out;
}

/**
 * Opens one wrapped HMAC key into its exported form.
 * @throws SentcError `decryption_failed`, `invalid_input`
 * @example
 * const exported = openHmacKey(groupKey, entry.key_data);
 */
export function openHmacKey(key: SymKey, data: string | Record<string, unknown>): string {
  const hmac = decryptHmacKey(key, data);
  const exported = exportHmacKey(hmac);
  wipeKey(hmac);
  return exported;
}

/**
 * Opens one wrapped sortable key into its exported form.
 * @throws SentcError `decryption_failed`, `invalid_input`
 * @example
 * const exported = openSortableKey(groupKey, entry.key_data);
 */
export function openSortableKey(key: SymKey, data: string | Record<string, unknown>): string {
  const sortable = decryptSortableKey(key, data);
  const exported = exportSortableKey(sortable);
  wipeKey(sortable);
  return exported;
}

/** A key entry in the reference's `GroupOutDataKeys` shape. */
function entryToOutData(entry: GroupKeyEntry): GroupOutDataKeys {
  const out: GroupOutDataKeys = { private_key_id: entry.privateKeyId, key_data: entry.keyData };
  if (entry.signedByUserId !== null) out.signed_by_user_id = entry.signedByUserId;
  if (entry.signedByUserSignKeyId !== null) out.signed_by_user_sign_key_id = entry.signedByUserSignKeyId;
  return out;
}

/**
 * The keys of one group as one member sees it. The keys live in the group's `data` (read through `holder`, so a
 * replaced `group.data` is followed).
 */
export class GroupKeyring {
  readonly #holder: { data: GroupData };
  readonly #env: GroupEnv;
  readonly #owner: KeyOwner;
  readonly #verify: GroupVerify;
  readonly #finishRotations: () => Promise<void>;

  /**
   * @param finishRotations the group's `finishKeyRotation` (for `auto_finish_key_rotation` when a key is missing)
   * @example
   * const keys = new GroupKeyring(group, env, owner, verify, () => group.finishKeyRotation());
   */
  constructor(
    holder: { data: GroupData },
    env: GroupEnv,
    owner: KeyOwner,
    verify: GroupVerify,
    finishRotations: () => Promise<void>,
  ) {
    this.#holder = holder;
    this.#env = env;
    this.#owner = owner;
    this.#verify = verify;
    this.#finishRotations = finishRotations;
  }

  get #data(): GroupData {
    return this.#holder.data;
  }

  get #http() {
    return this.#env.ctx.http;
  }

  /** The key pair the group keys are encrypted to. */
  get owner(): KeyOwner {
    return this.#owner;
  }

  /** `init({auto_finish_key_rotation: true})`: finish pending rotations without the app's call (off by default, as the reference). */
  get autoFinish(): boolean {
    return this.#env.ctx.options.auto_finish_key_rotation === true;
  }

  /** The `x-sentc-group-access-id` of this view, if any. */
  requestOptions(): RequestOptions {
    const access = this.#data.access_by_group_as_member;
    return access === undefined ? {} : { groupAccessId: access };
  }

  /** The member id of this view: the connected group acted as, else the user. */
  get memberId(): string {
    return this.#data.access_by_group_as_member ?? this.#env.user.user_data.user_id;
  }

  /** Stores the group data (`group_data_user_<member>_id_<group>`). */
  async persist(): Promise<void> {
    const store = await this.#env.ctx.getStore();
    await store.set(groupStorageKey(this.memberId, this.#data.group_id), storedGroupData(this.#data));
  }

  /** Removes the stored group data. */
  async forget(): Promise<void> {
    const store = await this.#env.ctx.getStore();
    await store.delete(groupStorageKey(this.memberId, this.#data.group_id));
  }

  /** `group_public_key_id_<id>` = the newest key's public key (as `Sentc.getGroupPublicKey` caches it). */
  async #cachePublicKey(): Promise<void> {
    const newest = this.newestKey();
    const store = await this.#env.ctx.getStore();
    await store.set(STORAGE_KEYS.groupPublicKey(this.#data.group_id), {
      key: newest.public_group_key,
      id: newest.group_key_id,
      fetched_at: Date.now(),
    });
  }

  /**
   * Loading, after `fetchGroupData`: every key page (50 a page, newest first, see `keyPages`), the HMAC and sortable
   * keys (fetching a key that wraps one when it is not in the list); only then, once, stores the group data and the
   * group's public key.
   * @throws SentcError `server`, `network`, `invalid_server_response`, `decryption_failed`, `verification_failed`
   */
  async takeFetchedKeys(fetched: FetchedGroup): Promise<void> {
    const data = this.#data;
    const { out, requestOptions } = fetched;
    const what = "GET /group/:id";
    // The whole answer is checked and every key it needs fetched before anything is stored.
    const hmacIds = out.hmacKeys.map((entry) => resultString(entry, "encrypted_hmac_encryption_key_id", what));
    const sortableIds = out.sortableKeys.map((entry) =>
      resultString(entry, "encrypted_sortable_encryption_key_id", what),
    );
    const fetch = (last: { time: number; id: string }) =>
      groupApi.getGroupKeys(this.#http, this.#env.jwt, data.group_id, last, requestOptions);
    const more = (await keyPages(fetched.firstPage, null, fetch, what)).slice(fetched.firstPage.length);
    for (const entry of [...out.keys, ...more.map(groupKeyEntry)])
      this.#addKey(await this.#decryptEntry(entry, this.#verify));
    const newest = data.keys[0];
    if (!newest) throw invalidServerResponse("GET /group/:id: the group has no keys for this member");
    data.newest_key_id = newest.group_key_id;
    for (const id of [...hmacIds, ...sortableIds])
      if (!this.heldKey(id)) this.#keep(await this.#loadKey(id, this.#verify));

    data.hmac_keys = this.#openAll(out.hmacKeys, hmacIds, openHmacKey);
    data.sortable_keys = this.#openAll(out.sortableKeys, sortableIds, openSortableKey);
    await this.persist();
    await this.#cachePublicKey();
  }

  /** Opens wrapped keys, entry `i` with the held key `ids[i]`. */
  #openAll(entries: JsonObject[], ids: string[], open: (key: SymKey, data: JsonObject) => string): string[] {
    return entries.map((entry, i) => {
      const key = importSymKey(this.requireHeld(ids[i]!).group_key);
      try {
        return open(key, entry);
      } finally {
        wipeKey(key);
      }
    });
  }

  /**
   * The signer's verify key of a signed group key, or null when it is not checked. `verify = 0` checks signed keys
   * too unless `trust_server_keys` is set (then as the reference: no check); a signer the server cannot answer is
   * skipped there as with 1, a key that changed against its pin (`key_changed`) never is.
   */
  async #signerVerifyKey(entry: GroupKeyEntry, verify: GroupVerify): Promise<VerifyKey | null> {
    if (entry.signedByUserId === null || entry.signedByUserSignKeyId === null) return null;
    if (verify === 0 && !pinKeys()) return null;
    try {
      return importVerifyKey(
        await getUserVerifyKeyData(this.#env.ctx, entry.signedByUserId, entry.signedByUserSignKeyId),
      );
    } catch (error) {
      if (verify === 2 || (isSentcError(error) && error.code === "key_changed")) throw error;
      return null;
    }
  }

  async #decryptEntry(entry: GroupKeyEntry, verify: GroupVerify): Promise<GroupKey> {
    const privateKey = await this.#owner.privateKey(entry.privateKeyId);
    const verifyKey = await this.#signerVerifyKey(entry, verify);
    const decrypted = decryptGroupKey(privateKey, entry.keyData, verifyKey);
    wipeKey(privateKey);
    const key = groupKeyFromData(decrypted);
    wipeGroupKeyData(decrypted);
    return key;
  }

  /** The group's keys and key map (read each time: the app may replace them). */
  get #list(): KeyList<GroupKey> {
    return { map: this.#data.key_map, keys: this.#data.keys };
  }

  #addKey(key: GroupKey): void {
    putKey(this.#list, key.group_key_id, key);
  }

  /** The key with this id if this member holds it. */
  heldKey(keyId: string): GroupKey | undefined {
    return heldKey(this.#list, keyId);
  }

  /**
   * The key with this id, held (the `…Sync` methods never fetch).
   * @throws SentcError `key_not_found` when this member does not hold it
   */
  requireHeld(keyId: string): GroupKey {
    return requireKey(this.#list, keyId, REFERENCE_MESSAGES.groupKeyNotFound);
  }

  /**
   * The newest key held.
   * @throws SentcError `key_not_found` when the group has no keys
   */
  newestKey(): GroupKey {
    return newestKey(this.#list, this.#data.newest_key_id, REFERENCE_MESSAGES.groupKeyNotFound);
  }

  /** `GET /group/:id/key/:key_id`: fetches and decrypts one key (not kept); another key than asked for is refused. */
  async #loadKey(keyId: string, verify: GroupVerify): Promise<GroupKey> {
    const raw = await groupApi.getGroupKey(
      this.#http,
      this.#env.jwt,
      this.#data.group_id,
      keyId,
      this.requestOptions(),
    );
    const key = await this.#decryptEntry(groupKeyEntry(raw), verify);
    if (key.group_key_id !== keyId) throw invalidServerResponse("the server answered another group key than asked for");
    return key;
  }

  /** Keeps a fetched key; one newer than the newest (a rotation this member could fetch at once) becomes the newest. */
  #keep(key: GroupKey): boolean {
    this.#addKey(key);
    const newest = this.heldKey(this.#data.newest_key_id);
    const isNewer = newest !== undefined && Number(key.time) > Number(newest.time);
    if (isNewer) this.#data.newest_key_id = key.group_key_id;
    return isNewer;
  }

  /** Fetches, decrypts, keeps and persists one key. */
  async #fetchKey(keyId: string): Promise<GroupKey> {
    const key = await this.#loadKey(keyId, this.#verify);
    const isNewer = this.#keep(key);
    await this.persist();
    if (isNewer) await this.#cachePublicKey();
    return key;
  }

  /** A key by id: held, else fetched (no rotation finishing: used while loading and finishing). */
  async keyForInternalUse(keyId: string): Promise<string> {
    return (this.heldKey(keyId) ?? (await this.#fetchKey(keyId))).group_key;
  }

  /**
   * The key with this id: held, else fetched. When the server has no copy for this member yet (a rotation that
   * another member started), the server's error (`server_304`) stands until the app calls `finishKeyRotation()`, as
   * in the reference; with `auto_finish_key_rotation` the pending rotations are finished first.
   */
  async getKey(keyId: string): Promise<GroupKey> {
    const held = this.heldKey(keyId);
    if (held) return held;
    let key: GroupKey | undefined;
    try {
      key = await this.#fetchKey(keyId);
    } catch (error) {
      notFoundAsUndefined(error);
      if (this.autoFinish) {
        await this.#finishRotations();
        key = this.heldKey(keyId);
      }
      // Still missing: the server's own answer (e.g. server_304) is the error, as in the reference (sdk.md §7.3).
      if (!key) throw error;
    }
    return key;
  }

  /**
   * `fetchKeys`: the keys older than the oldest one held, page by page while a page holds 50 (`keyPages`); kept and
   * persisted once all are read and decrypted.
   * @throws SentcError `server`, `network`, `invalid_server_response`, `decryption_failed`, `verification_failed`
   */
  async fetchOlderKeys(jwt: string | undefined, verify: GroupVerify): Promise<void> {
    const auth = typeof jwt === "string" && jwt !== "" ? jwt : this.#env.jwt;
    let oldest: GroupKey | undefined;
    for (const key of this.#data.keys) if (!oldest || Number(key.time) < Number(oldest.time)) oldest = key;
    const start = oldest ? { time: Number(oldest.time), id: oldest.group_key_id } : null;
    const fetch = (last: { time: number; id: string } | null) =>
      groupApi.getGroupKeys(this.#http, auth, this.#data.group_id, last, this.requestOptions());
    const pages = await keyPages(await fetch(start), start, fetch, "GET /group/:id/keys");
    // Every page is read and every key decrypted before one is kept.
    for (const key of await this.decryptKeys(pages.map(groupKeyEntry).map(entryToOutData), verify)) this.#addKey(key);
    await this.persist();
  }

  /** `decryptKey`: fetched keys decrypted with the key pair each names (not kept). */
  async decryptKeys(fetched: GroupOutDataKeys[], verify: GroupVerify): Promise<GroupKey[]> {
    checkVerify(verify);
    if (!Array.isArray(fetched)) throw invalidInput("fetched must be an array");
    const out: GroupKey[] = [];
    for (const entry of fetched) out.push(await this.#decryptEntry(keyEntryOf(entry), verify));
    return out;
  }

  /** A new key (after starting a rotation): fetched and made the newest. */
  async takeNewKey(keyId: string): Promise<GroupKey> {
    const key = await this.#fetchKey(keyId);
    this.#data.newest_key_id = key.group_key_id;
    await this.persist();
    await this.#cachePublicKey();
    return key;
  }

  /**
   * Finishes the rotations other members started (`GET` / `PUT /group/:id/key_rotation`); `key_update` stays set
   * while some wait for a key this member lacks.
   */
  async finishRotations(verify: GroupVerify): Promise<void> {
    const { pending, changed } = await finishPendingKeyRotations(this.#rotationParty(verify));
    this.#data.key_update = pending > 0;
    if (changed) {
      // The newest key is the one created last.
      let newest = this.newestKey();
      for (const key of this.#data.keys) if (Number(key.time) > Number(newest.time)) newest = key;
      this.#data.newest_key_id = newest.group_key_id;
    }
    await this.persist();
    if (changed) await this.#cachePublicKey();
  }

  #rotationParty(verify: GroupVerify): KeyRotationParty {
    const groupId = this.#data.group_id;
    return {
      pendingRoute: "GET /group/:id/key_rotation",
      needsEphKeyId: true,
      fetchPending: () => groupApi.getKeyRotations(this.#http, this.#env.jwt, groupId, this.requestOptions()),
      previousKey: async (keyId) =>
        (this.heldKey(keyId) ?? (await this.#fetchKey(keyId).catch(notFoundAsUndefined)))?.group_key,
      privateKey: (ephKeyId) => this.#owner.privateKey(ephKeyId),
      publicKey: () => this.#owner.newestPublicKey(),
      finishOne: (newId, serverInput) =>
        groupApi.finishKeyRotation(this.#http, this.#env.jwt, groupId, newId, serverInput, this.requestOptions()),
      fetchNewKey: async (newId) => this.#addKey(await this.#loadKey(newId, verify)),
    };
  }
}
