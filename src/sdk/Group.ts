/**
 * A group the user is a member of (sdk.md §3), with its decrypted keys (§3.1), loading and caching (§3.2), the
 * group methods (§3.3), symmetric encryption (§4.1, §4.2), searchable (§4.5) and sortable (§4.6) encryption.
 *
 * Differences from the reference, on purpose (Appendix B): member keys after the first page go through the
 * key session page by page, each key once (3); group-as-member invites are accepted and rejected on the server's
 * path (11); `verify = 2` throws on every failure to fetch a signer's verify key, as the docs say (12). Pending key
 * rotations are finished by the app (`finishKeyRotation()`), as in the reference; with the init option
 * `auto_finish_key_rotation: true` they finish by themselves when the group is loaded with `key_update` set and
 * when data names a key this member does not have yet. Client-side rank checks throw `permission_denied`, ranks outside 1–4
 * `invalid_input`; asking to verify unsigned data decrypts it unchecked as the reference does, or is
 * `missing_signature` with the init option `strict_verify`.
 */
import { REFERENCE_MESSAGES, SentcError } from "../errors.js";
import type { JwtInput, RequestOptions } from "../api/index.js";
import * as groupApi from "../api/endpoints/group.js";
import type { JsonObject } from "../api/endpoints/result.js";
import {
  decryptRawSymmetric,
  decryptStringSymmetric,
  decryptSymmetric,
  encryptRawSymmetric,
  encryptStringSymmetric,
  encryptSymmetric,
} from "../protocol/encrypt.js";
import { fromBase64 } from "../protocol/encoding.js";
import { prepareCreateGroup } from "../protocol/group-create.js";
import { extractGroupData, type GroupKeyEntry } from "../protocol/group-data.js";
import { decryptGroupKey, decryptHmacKey, decryptSortableKey } from "../protocol/group-keys.js";
import { encryptGroupKeysForMember } from "../protocol/group-member.js";
import { parseHead, splitHead, type EncryptedHead } from "../protocol/head.js";
import { isRecord } from "../protocol/json.js";
import { finishKeyRotation as protocolFinishKeyRotation, prepareKeyRotation as protocolPrepareKeyRotation } from "../protocol/key-rotation.js";
import {
  exportHmacKey,
  exportSortableKey,
  importHmacKey,
  importPrivateKey,
  importPublicKey,
  importSignKey,
  importSortableKey,
  importSymKey,
  importVerifyKey,
  type PrivateKey,
  type PublicKey,
  type SymKey,
  type VerifyKey,
} from "../protocol/keys.js";
import { createSearchable, createSearchableRaw, search as protocolSearch } from "../protocol/searchable.js";
import { encryptSortableRawNumber as protocolSortableNumber, encryptSortableRawString as protocolSortableString } from "../protocol/sortable.js";
import {
  GROUP_KEY_PAGE,
  GROUP_UPDATE_CHECK_MS,
  KEY_ROTATION_ROUNDS,
  MEMBER_KEY_PAGE,
  childItem,
  cursor,
  groupKeyEntry,
  groupKeyFromData,
  groupListItem,
  groupStorageKey,
  hmacEntry,
  inviteItem,
  keyEntryOf,
  joinReqItem,
  memberItem,
  memberKeysInput,
  restoreGroupData,
  storedGroupData,
  wipeGroupKeyData,
} from "./group-internal.js";
import type {
  GroupChildrenListItem,
  GroupData,
  GroupJoinReqListItem,
  GroupKey,
  GroupList,
  GroupOutDataHmacKeys,
  GroupOutDataKeys,
  GroupOutDataSortableKeys,
  GroupUserListItem,
  GroupVerify,
} from "./group-types.js";
import { notFoundAsUndefined, readServerOutput, resultObject, resultString, wipeKey, type SdkContext } from "./internal.js";
import { getGroupPublicKeyData, getUserVerifyKeyData } from "./public-keys.js";
import { STORAGE_KEYS } from "./storage.js";
import { strictVerify } from "./verify-policy.js";
import {
  generateNonRegisteredKey as generateContentKey,
  getNonRegisteredKey as getContentKey,
  symKeyContext,
  type SymKey as ContentKey,
} from "./SymKey.js";
import type { CryptoRawOutput, GroupInviteListItem } from "./types.js";
import type { User } from "./User.js";
import * as files from "./files/index.js";
import { takeCancelUpload } from "./files/Uploader.js";

/** What a group needs from the SDK and its user. */
export interface GroupEnv {
  ctx: SdkContext;
  /** The user's JWT (a `JwtManager`: refreshed as needed). */
  jwt: JwtInput;
  user: User;
}

/** Holds the key pair the group keys are encrypted to: the user, the parent group or the connected group. */
interface KeyOwner {
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

function userOwner(user: User): KeyOwner {
  return {
    privateKey: async (keyId) => importPrivateKey(await user.getPrivateKey(keyId)),
    newestPublicKey: () => importPublicKey(user.getNewestPublicKey()),
  };
}

function checkRank(rank: number, max: number, what: string): void {
  if (rank > max) throw new SentcError("permission_denied", `${what} needs rank ${max} or better (this member has rank ${rank})`);
}

function checkVerify(verify: unknown): GroupVerify {
  if (verify !== 0 && verify !== 1 && verify !== 2) throw new SentcError("invalid_input", "verify must be 0, 1 or 2");
  return verify;
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

export class Group {
  /** The decrypted keys and the member's view of the group (the reference's `data`). */
  data: GroupData;
  readonly #env: GroupEnv;
  readonly #owner: KeyOwner;
  readonly #verify: GroupVerify;
  #finishing: Promise<void> | null = null;

  /** @internal Use `user.getGroup`, `group.getChildGroup` or `group.getConnectedGroup`. */
  constructor(data: GroupData, env: GroupEnv, owner: KeyOwner, verify: GroupVerify = 0) {
    this.data = data;
    this.#env = env;
    this.#owner = owner;
    this.#verify = verify;
  }

  /** The reference's write-only accessors. */
  set groupKeys(keys: GroupKey[]) {
    this.data.keys = keys;
  }

  set groupKeyMap(map: Map<string, number>) {
    this.data.key_map = map;
  }

  /**
   * The `User` this group was loaded by (a private field in the reference's types, reachable there at runtime).
   * @example
   * const userId = group.user.user_data.user_id;
   */
  get user(): User {
    return this.#env.user;
  }

  // ---------- loading (sdk.md §3.2) ----------

  /**
   * @internal Loads a group: from the store (revalidated with `update_check` every 5 minutes) or from the server,
   * decrypting every key page, the HMAC and sortable keys with the user's, the parent's or the connected group's
   * private keys. Stores the group data and the group's public key.
   */
  static async load(env: GroupEnv, groupId: string, options: GroupLoadOptions = {}): Promise<Group> {
    if (typeof groupId !== "string" || groupId.length === 0) throw new SentcError("invalid_input", "the group id must be a non-empty string");
    const verify = checkVerify(options.verify ?? 0);
    const groupAsMember = options.groupAsMember === "" ? undefined : options.groupAsMember;
    const store = await env.ctx.getStore();
    const cached = restoreGroupData(await store.getItem(groupStorageKey(groupAsMember ?? env.user.user_data.user_id, groupId)));
    if (cached) {
      const group = new Group(cached, env, await Group.#resolveOwner(env, cached, verify), verify);
      if (cached.last_check_time + GROUP_UPDATE_CHECK_MS < Date.now()) await group.groupUpdateCheck();
      if (group.data.key_update && group.#autoFinish) await group.#tryFinishKeyRotation();
      return group;
    }

    const requestOptions: RequestOptions = groupAsMember === undefined ? {} : { groupAccessId: groupAsMember };
    const raw = await groupApi.getGroup(env.ctx.http, env.jwt, groupId, requestOptions);
    const out = extractGroupData(raw);
    if (out.groupId !== groupId) throw new SentcError("invalid_server_response", "GET /group/:id answered another group");
    const access = out.accessBy;
    const data: GroupData = {
      group_id: out.groupId,
      from_parent: options.parent === true,
      rank: out.rank,
      key_update: out.keyUpdate,
      create_time: String(out.createdTime),
      joined_time: String(out.joinedTime),
      keys: [],
      key_map: new Map(),
      newest_key_id: "",
      access_by_parent_group: access.kind === "parent" || access.kind === "group_as_user_as_parent" ? access.parent : undefined,
      is_connected_group: out.isConnectedGroup,
      hmac_keys: [],
      sortable_keys: [],
      last_check_time: Date.now(),
    };
    if (out.parentGroupId !== null) data.parent_group_id = out.parentGroupId;
    if (groupAsMember !== undefined) data.access_by_group_as_member = groupAsMember;
    if (data.access_by_parent_group !== undefined && data.parent_group_id === undefined) {
      throw new SentcError("invalid_server_response", "GET /group/:id: access through a parent, but the group has no parent");
    }
    const group = new Group(data, env, await Group.#resolveOwner(env, data, verify), verify);

    // Every key page (50 a page, newest first).
    const entries: GroupKeyEntry[] = out.keys.slice();
    let page = Array.isArray(raw.keys) ? (raw.keys as JsonObject[]) : [];
    while (page.length >= GROUP_KEY_PAGE) {
      const last = page[page.length - 1]!;
      page = await groupApi.getGroupKeys(env.ctx.http, env.jwt, groupId, { time: Number(last.time), id: String(last.group_key_id) }, requestOptions);
      entries.push(...page.map(groupKeyEntry));
    }
    for (const entry of entries) group.#addKey(await group.#decryptEntry(entry, verify));
    const newest = data.keys[0];
    if (!newest) throw new SentcError("invalid_server_response", "GET /group/:id: the group has no keys for this member");
    data.newest_key_id = newest.group_key_id;

    for (const hmac of out.hmacKeys) {
      const key = importSymKey(await group.#keyForInternalUse(String(hmac.encrypted_hmac_encryption_key_id)));
      const hmacKey = decryptHmacKey(key, hmac);
      data.hmac_keys.push(exportHmacKey(hmacKey));
      wipeKey(key);
      wipeKey(hmacKey);
    }
    for (const sortable of out.sortableKeys) {
      const key = importSymKey(await group.#keyForInternalUse(String(sortable.encrypted_sortable_encryption_key_id)));
      const sortableKey = decryptSortableKey(key, sortable);
      data.sortable_keys.push(exportSortableKey(sortableKey));
      wipeKey(key);
      wipeKey(sortableKey);
    }
    await group.#persist();
    await group.#cachePublicKey();
    if (data.key_update && group.#autoFinish) await group.#tryFinishKeyRotation();
    return group;
  }

  /** The user (direct members), the direct parent (access through an ancestor) or the connected group (group as member). */
  static async #resolveOwner(env: GroupEnv, data: GroupData, verify: GroupVerify): Promise<KeyOwner> {
    let holder: Group | undefined;
    if (data.access_by_parent_group !== undefined && data.parent_group_id !== undefined) {
      holder = await Group.load(env, data.parent_group_id, { parent: true, groupAsMember: data.access_by_group_as_member, verify });
    } else if (data.access_by_group_as_member !== undefined) {
      holder = await Group.load(env, data.access_by_group_as_member, { verify });
    }
    if (!holder) return userOwner(env.user);
    const group = holder;
    return {
      privateKey: async (keyId) => importPrivateKey((await group.#getKey(keyId)).private_group_key),
      newestPublicKey: () => importPublicKey(group.#newestKey().public_group_key),
    };
  }

  #requestOptions(): RequestOptions {
    const access = this.data.access_by_group_as_member;
    return access === undefined ? {} : { groupAccessId: access };
  }

  get #http() {
    return this.#env.ctx.http;
  }

  get #jwt() {
    return this.#env.jwt;
  }

  /** The member id of this view: the connected group acted as, else the user. */
  get #memberId(): string {
    return this.data.access_by_group_as_member ?? this.#env.user.user_data.user_id;
  }

  async #persist(): Promise<void> {
    const store = await this.#env.ctx.getStore();
    await store.set(groupStorageKey(this.#memberId, this.data.group_id), storedGroupData(this.data));
  }

  async #forget(): Promise<void> {
    const store = await this.#env.ctx.getStore();
    await store.delete(groupStorageKey(this.#memberId, this.data.group_id));
  }

  /** `group_public_key_id_<id>` = the newest key's public key (as `Sentc.getGroupPublicKey` caches it). */
  async #cachePublicKey(): Promise<void> {
    const newest = this.#newestKey();
    const store = await this.#env.ctx.getStore();
    await store.set(STORAGE_KEYS.groupPublicKey(this.data.group_id), { key: newest.public_group_key, id: newest.group_key_id, fetched_at: Date.now() });
  }

  // ---------- keys ----------

  async #signerVerifyKey(entry: GroupKeyEntry, verify: GroupVerify): Promise<VerifyKey | null> {
    if (verify === 0 || entry.signedByUserId === null || entry.signedByUserSignKeyId === null) return null;
    try {
      return importVerifyKey(await getUserVerifyKeyData(this.#env.ctx, entry.signedByUserId, entry.signedByUserSignKeyId));
    } catch (error) {
      if (verify === 1) return null;
      throw error;
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

  #addKey(key: GroupKey): void {
    const index = this.data.key_map.get(key.group_key_id);
    if (index === undefined) {
      this.data.key_map.set(key.group_key_id, this.data.keys.length);
      this.data.keys.push(key);
    } else {
      this.data.keys[index] = key;
    }
  }

  #heldKey(keyId: string): GroupKey | undefined {
    const index = this.data.key_map.get(keyId);
    return index === undefined ? undefined : this.data.keys[index];
  }

  #newestKey(): GroupKey {
    const key = this.#heldKey(this.data.newest_key_id) ?? this.data.keys[0];
    if (!key) throw new SentcError("key_not_found", REFERENCE_MESSAGES.groupKeyNotFound);
    return key;
  }

  /** `GET /group/:id/key/:key_id`: fetches, decrypts, keeps and persists one key. */
  async #fetchKey(keyId: string): Promise<GroupKey> {
    const raw = await groupApi.getGroupKey(this.#http, this.#jwt, this.data.group_id, keyId, this.#requestOptions());
    const key = await this.#decryptEntry(groupKeyEntry(raw), this.#verify);
    if (key.group_key_id !== keyId) throw new SentcError("invalid_server_response", "the server answered another group key than asked for");
    this.#addKey(key);
    // A key newer than the newest one (a rotation whose key this member could fetch at once) becomes the newest.
    const newest = this.#heldKey(this.data.newest_key_id);
    const isNewer = newest !== undefined && Number(key.time) > Number(newest.time);
    if (isNewer) this.data.newest_key_id = key.group_key_id;
    await this.#persist();
    if (isNewer) await this.#cachePublicKey();
    return key;
  }

  /** A key by id: held, else fetched (no rotation finishing: used while loading and finishing). */
  async #keyForInternalUse(keyId: string): Promise<string> {
    return (this.#heldKey(keyId) ?? (await this.#fetchKey(keyId))).group_key;
  }

  /** `init({auto_finish_key_rotation: true})`: finish pending rotations without the app's call (off by default, as the reference). */
  get #autoFinish(): boolean {
    return this.#env.ctx.options.auto_finish_key_rotation === true;
  }

  /**
   * The key with this id: held, else fetched. When the server has no copy for this member yet (a rotation that
   * another member started), the server's error (`server_304`) stands until the app calls `finishKeyRotation()`, as
   * in the reference; with `auto_finish_key_rotation` the pending rotations are finished first.
   */
  async #getKey(keyId: string): Promise<GroupKey> {
    const held = this.#heldKey(keyId);
    if (held) return held;
    let key: GroupKey | undefined;
    try {
      key = await this.#fetchKey(keyId);
    } catch (error) {
      notFoundAsUndefined(error);
      if (this.#autoFinish) {
        await this.finishKeyRotation();
        key = this.#heldKey(keyId);
      }
      // Still missing: the server's own answer (e.g. server_304) is the error, as in the reference (sdk.md §7.3).
      if (!key) throw error;
    }
    return key;
  }

  /** The newest group key (exported) and its id. */
  async getSymKeyToEncrypt(): Promise<[string, string]> {
    return this.getSymKeyToEncryptSync();
  }

  getSymKeyToEncryptSync(): [string, string] {
    const key = this.#newestKey();
    return [key.group_key, key.group_key_id];
  }

  /** The exported group key with this id (fetched, or received by finishing a rotation, when unknown). */
  async getSymKeyById(key_id: string): Promise<string> {
    return (await this.#getKey(key_id)).group_key;
  }

  getSymKeyByIdSync(key_id: string): string {
    const key = this.#heldKey(key_id);
    if (!key) throw new SentcError("key_not_found", REFERENCE_MESSAGES.groupKeyNotFound);
    return key.group_key;
  }

  /** @internal The group's private key with this id (for child and connected groups). */
  async getPrivateKey(key_id: string): Promise<string> {
    return (await this.#getKey(key_id)).private_group_key;
  }

  /** The exported public key of the newest group key (what new keys for this group as a member are encrypted to). */
  getNewestPublicKey(): string {
    return this.#newestKey().public_group_key;
  }

  getJwt(): Promise<string> {
    return this.#env.user.getJwt();
  }

  /** The user's newest sign key (groups sign with the user's key). */
  async getSignKey(): Promise<string> {
    return this.getSignKeySync();
  }

  getSignKeySync(): string {
    return this.#env.user.getSignKeySync();
  }

  getNewestHmacKey(): string {
    const key = this.data.hmac_keys[0];
    if (key === undefined) throw new SentcError("key_not_found", "the group has no hmac key");
    return key;
  }

  getNewestSortableKey(): string {
    const key = this.data.sortable_keys[0];
    if (key === undefined) throw new SentcError("key_not_found", "the group has no sortable key");
    return key;
  }

  /**
   * Fetches the group keys older than the oldest one held (`GET /group/:id/keys/…`, page by page while a page holds
   * 50), decrypts and keeps them; resolves to the group data. `jwt` is used for the requests when given.
   * @throws SentcError `server`, `network`, `decryption_failed`, `verification_failed` (with `verify`)
   * @example
   * await group.fetchKeys(await user.getJwt());
   */
  async fetchKeys(jwt?: string, verify: GroupVerify = 0): Promise<GroupData> {
    checkVerify(verify);
    const auth = typeof jwt === "string" && jwt !== "" ? jwt : this.#jwt;
    let oldest: GroupKey | undefined;
    for (const key of this.data.keys) if (!oldest || Number(key.time) < Number(oldest.time)) oldest = key;
    let cursorKey = oldest;
    let page: JsonObject[];
    do {
      const last = cursorKey ? { time: Number(cursorKey.time), id: cursorKey.group_key_id } : null;
      page = await groupApi.getGroupKeys(this.#http, auth, this.data.group_id, last, this.#requestOptions());
      for (const key of await this.decryptKey(page.map(groupKeyEntry).map(entryToOutData), verify)) {
        this.#addKey(key);
        cursorKey = key;
      }
    } while (page.length >= GROUP_KEY_PAGE);
    await this.#persist();
    return this.data;
  }

  /**
   * Decrypts fetched group keys (the reference's `GroupOutDataKeys`, or the server's key objects) with the key pair
   * each names; `verify` 1/2 checks signed keys. Resolves to the keys (not yet kept).
   * @throws SentcError `invalid_input` for a malformed entry, `key_not_found`, `decryption_failed`, `verification_failed`
   * @example
   * const keys = await group.decryptKey(fetched);
   */
  async decryptKey(fetched: GroupOutDataKeys[], verify: GroupVerify = 0): Promise<GroupKey[]> {
    checkVerify(verify);
    if (!Array.isArray(fetched)) throw new SentcError("invalid_input", "fetched must be an array");
    const out: GroupKey[] = [];
    for (const entry of fetched) out.push(await this.#decryptEntry(keyEntryOf(entry), verify));
    return out;
  }

  /**
   * Decrypts HMAC keys (`{group_key_id, key_data}` or the server's objects) with the group keys that wrap them;
   * resolves to the exported keys.
   * @throws SentcError `invalid_input`, `key_not_found`, `decryption_failed`
   * @example
   * const hmacKeys = await group.decryptHmacKeys(fetched);
   */
  async decryptHmacKeys(fetched: GroupOutDataHmacKeys[]): Promise<string[]> {
    return this.#decryptSearchKeys(fetched, (key, data) => {
      const hmac = decryptHmacKey(key, data);
      const exported = exportHmacKey(hmac);
      wipeKey(hmac);
      return exported;
    });
  }

  /**
   * Decrypts sortable keys (`{group_key_id, key_data}` or the server's objects); resolves to the exported keys.
   * @throws SentcError `invalid_input`, `key_not_found`, `decryption_failed`
   * @example
   * const sortableKeys = await group.decryptSortableKeys(fetched);
   */
  async decryptSortableKeys(fetched: GroupOutDataSortableKeys[]): Promise<string[]> {
    return this.#decryptSearchKeys(fetched, (key, data) => {
      const sortable = decryptSortableKey(key, data);
      const exported = exportSortableKey(sortable);
      wipeKey(sortable);
      return exported;
    });
  }

  async #decryptSearchKeys(fetched: unknown, open: (key: SymKey, data: string | Record<string, unknown>) => string): Promise<string[]> {
    if (!Array.isArray(fetched)) throw new SentcError("invalid_input", "fetched must be an array");
    const out: string[] = [];
    for (const entry of fetched) {
      const [keyId, data] = hmacEntry(entry);
      const key = importSymKey(await this.#keyForInternalUse(keyId));
      try {
        out.push(open(key, data));
      } finally {
        wipeKey(key);
      }
    }
    return out;
  }

  // ---------- structure ----------

  /** A child group of this group, accessed through this group (as the same connected group, if any). */
  getChildGroup(group_id: string, verify: GroupVerify = 0): Promise<Group> {
    return Group.load(this.#env, group_id, { parent: true, groupAsMember: this.data.access_by_group_as_member, verify });
  }

  /** A connected group that this group is a member of, accessed as this group. */
  getConnectedGroup(group_id: string, verify: GroupVerify = 0): Promise<Group> {
    return Group.load(this.#env, group_id, { groupAsMember: this.data.group_id, verify });
  }

  /** `GET /group/:id/children/…`: 50 direct children after `last`. */
  async getChildren(last: GroupChildrenListItem | null = null): Promise<GroupChildrenListItem[]> {
    const page = cursor(last?.time, last?.group_id);
    return (await groupApi.getChildren(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(childItem);
  }

  #prepareCreateWithThisKey(sign: boolean): [string, string] {
    checkRank(this.data.rank, 1, "creating child or connected groups");
    const publicKey = importPublicKey(this.#newestKey().public_group_key);
    const user = this.#env.user;
    const signKey = sign ? importSignKey(user.getSignKeySync()) : null;
    const { serverInput, keys } = prepareCreateGroup({ creatorPublicKey: publicKey, signKey, starter: user.user_data.user_id });
    wipeCreatedKeys(keys);
    if (signKey) wipeKey(signKey);
    return [serverInput, publicKey.keyId];
  }

  /** Own backend: the `CreateData` for `POST /api/v1/group/<id>/child` and the parent key id it is encrypted to. */
  prepareCreateChildGroup(sign = false): [string, string] {
    return this.#prepareCreateWithThisKey(sign);
  }

  /** Own backend: the `CreateData` for `POST /api/v1/group/<id>/connected` and the key id it is encrypted to. */
  prepareCreateConnectedGroup(sign = false): [string, string] {
    return this.#prepareCreateWithThisKey(sign);
  }

  /** Own backend: reads the envelope of the child / connected group create → the new group id. */
  doneCreateChildGroup(server_output: string): string {
    const what = "POST /group/:id/child result";
    return resultString(resultObject(readServerOutput(server_output, what), what), "group_id", what);
  }

  doneCreateConnectedGroup(server_output: string): string {
    const what = "POST /group/:id/connected result";
    return resultString(resultObject(readServerOutput(server_output, what), what), "group_id", what);
  }

  /** `POST /group/:id/child`: a child group whose keys are encrypted to this group's key. Resolves to its id. */
  async createChildGroup(sign = false): Promise<string> {
    const [input] = this.#prepareCreateWithThisKey(sign);
    return groupApi.createChildGroup(this.#http, this.#jwt, this.data.group_id, input, this.#requestOptions());
  }

  /** `POST /group/:id/connected`: a connected group with this group as its first member. Resolves to its id. */
  async createConnectedGroup(sign = false): Promise<string> {
    const [input] = this.#prepareCreateWithThisKey(sign);
    return groupApi.createConnectedGroup(this.#http, this.#jwt, this.data.group_id, input, this.#requestOptions());
  }

  /** `GET /group/:id/update_check`: refreshes `rank` and `key_update` (persisted). */
  async groupUpdateCheck(): Promise<void> {
    const check = await groupApi.getGroupUpdateCheck(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    this.data.rank = check.rank;
    this.data.key_update = check.key_update;
    this.data.last_check_time = Date.now();
    await this.#persist();
  }

  /** Own backend: checks the rank for `DELETE /api/v1/group/<id>` (no body; `DELETE /api/v1/group/forced/<id>` with the secret token needs none). */
  prepareDeleteGroup(): void {
    checkRank(this.data.rank, 1, "deleting the group");
  }

  /** Own backend: reads the envelope of the delete and removes the local group data. */
  async doneDeleteGroup(server_output: string): Promise<void> {
    readServerOutput(server_output, "DELETE /group/:id result");
    await this.#forget();
  }

  /** `DELETE /group/:id` (rank ≤ 1): the group and its descendants; removes the local group data. */
  async deleteGroup(): Promise<void> {
    this.prepareDeleteGroup();
    await groupApi.deleteGroup(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    await this.#forget();
  }

  // ---------- membership ----------

  /** `GET /group/:id/member/…`: 50 members after `last` (without the caller). */
  async getMember(last: GroupUserListItem | null = null): Promise<GroupUserListItem[]> {
    const page = cursor(last?.joined_time, last?.user_id);
    return (await groupApi.getMembers(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(memberItem);
  }

  async #memberPublicKey(id: string, group: boolean): Promise<PublicKey> {
    if (typeof id !== "string" || id.length === 0) throw new SentcError("invalid_input", "the member id must be a non-empty string");
    if (group) return importPublicKey((await getGroupPublicKeyData(this.#env.ctx, id)).key);
    return importPublicKey((await this.#env.user.getPublicKey(id)).public_key);
  }

  #allSymKeys(): SymKey[] {
    return this.data.keys.map((key) => importSymKey(key.group_key));
  }

  /** Uploads pages 1, 2, … of the keys through the session (each key once, Appendix B 3 fixed). */
  async #uploadSessionPages(sessionId: string | undefined, publicKey: PublicKey, keys: SymKey[], join: boolean): Promise<PromiseSettledResult<void>[] | undefined> {
    if (keys.length <= MEMBER_KEY_PAGE) return undefined;
    if (sessionId === undefined) throw new SentcError("invalid_server_response", `the server opened no key session for more than ${MEMBER_KEY_PAGE} keys`);
    const results: PromiseSettledResult<void>[] = [];
    for (let start = MEMBER_KEY_PAGE; start < keys.length; start += MEMBER_KEY_PAGE) {
      const body = JSON.stringify(encryptGroupKeysForMember(publicKey, keys.slice(start, start + MEMBER_KEY_PAGE)));
      // As the reference's Promise.allSettled: a failed page is a rejected entry, not a rejection of the call.
      try {
        if (join) await groupApi.uploadJoinSession(this.#http, this.#jwt, this.data.group_id, sessionId, body, this.#requestOptions());
        else await groupApi.uploadInviteSession(this.#http, this.#jwt, this.data.group_id, sessionId, body, this.#requestOptions());
        results.push({ status: "fulfilled", value: undefined });
      } catch (reason) {
        results.push({ status: "rejected", reason });
      }
    }
    return results;
  }

  async #inviteInternally(id: string, rank: number | undefined, auto: boolean, group: boolean, reInvite: boolean): Promise<PromiseSettledResult<void>[] | undefined> {
    const publicKey = await this.#memberPublicKey(id, group);
    const keys = this.#allSymKeys();
    try {
      const input = memberKeysInput(publicKey, keys, 0, rank, this.data.rank);
      const kind: groupApi.InviteKind = reInvite ? (group ? "re_invite_group" : "re_invite") : group ? (auto ? "invite_group_auto" : "invite_group") : auto ? "invite_auto" : "invite";
      const answer = await groupApi.invite(this.#http, this.#jwt, this.data.group_id, kind, id, input, this.#requestOptions());
      return await this.#uploadSessionPages(answer.session_id, publicKey, keys, auto || reInvite);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /** `PUT /group/:id/invite/<user>`: the user gets every group key and joins after accepting. */
  invite(user_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(user_id, rank, false, false, false);
  }

  /** `PUT /group/:id/invite_auto/<user>`: a member at once. */
  inviteAuto(user_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(user_id, rank, true, false, false);
  }

  /** Invites a group as member of this (connected) group; the keys go to the group's public key. */
  inviteGroup(group_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(group_id, rank, false, true, false);
  }

  inviteGroupAuto(group_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(group_id, rank, true, true, false);
  }

  /** `PUT /group/:id/re_invite/<user>`: gives a member every key again (e.g. after a failed rotation); keeps the rank. */
  reInviteUser(user_id: string): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(user_id, undefined, true, false, true);
  }

  reInviteGroup(group_id: string): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(group_id, undefined, true, true, true);
  }

  /**
   * Own backend: the `GroupKeysForNewMemberServerInput` for inviting (or accepting the join request of) `user_id`
   * (a group id with `group = true`), key page `page` (100 keys a page). Page 0 is the body of the invite; with
   * more keys, pass the answer's session id to `handleInviteSessionKeysForNewMember`.
   */
  async prepareKeysForNewMember(user_id: string, rank?: number, page = 0, group = false): Promise<string> {
    const publicKey = await this.#memberPublicKey(user_id, group);
    const keys = this.#allSymKeys();
    try {
      return memberKeysInput(publicKey, keys, page, rank, this.data.rank);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /** Own backend, synchronous: like `prepareKeysForNewMember` for a public key the app already has (exported key string). */
  prepareKeysForNewMemberSync(public_key: string, rank?: number, page = 0): string {
    const keys = this.#allSymKeys();
    try {
      return memberKeysInput(importPublicKey(public_key), keys, page, rank, this.data.rank);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /** Own backend: reads the envelope of an invite or an accepted join request → the key session id, if any. */
  doneInvite(server_output: string): string | undefined {
    const what = "group invite result";
    const result = resultObject(readServerOutput(server_output, what), what);
    const session = result.session_id;
    return typeof session === "string" && session.length > 0 ? session : undefined;
  }

  /**
   * Uploads the key pages after the first through the key session of an invite (`auto = false`) or of an auto
   * invite / accepted join request (`auto = true`). `undefined` when all keys fit the first page.
   */
  async handleInviteSessionKeysForNewMember(session_id: string, user_id: string, auto = false, group = false): Promise<PromiseSettledResult<void>[] | undefined> {
    const publicKey = await this.#memberPublicKey(user_id, group);
    const keys = this.#allSymKeys();
    try {
      return await this.#uploadSessionPages(session_id, publicKey, keys, auto);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /** `PATCH /group/:id/change_invite` (rank ≤ 1): toggles whether invites and join requests are allowed. */
  async stopInvites(): Promise<void> {
    checkRank(this.data.rank, 1, "stopping invites");
    await groupApi.stopInvites(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
  }

  /** `GET /group/:id/join_req/…` (rank ≤ 2): received join requests. */
  async getJoinRequests(last: GroupJoinReqListItem | null = null): Promise<GroupJoinReqListItem[]> {
    checkRank(this.data.rank, 2, "listing join requests");
    const page = cursor(last?.time, last?.user_id);
    return (await groupApi.getJoinRequests(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(joinReqItem);
  }

  /** `PUT /group/:id/join_req/<user>`: accepts with every key (`user_type` 2: a group, keys to its public key). */
  async acceptJoinRequest(user_id: string, user_type: 0 | 2 = 0, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    const publicKey = await this.#memberPublicKey(user_id, user_type === 2);
    const keys = this.#allSymKeys();
    try {
      const input = memberKeysInput(publicKey, keys, 0, rank, this.data.rank);
      const answer = await groupApi.acceptJoinRequest(this.#http, this.#jwt, this.data.group_id, user_id, input, this.#requestOptions());
      return await this.#uploadSessionPages(answer.session_id, publicKey, keys, true);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /** `DELETE /group/:id/join_req/<user>` (rank ≤ 2). */
  async rejectJoinRequest(user_id: string): Promise<void> {
    checkRank(this.data.rank, 2, "rejecting join requests");
    await groupApi.rejectJoinRequest(this.#http, this.#jwt, this.data.group_id, user_id, this.#requestOptions());
  }

  /** Own backend: the `GroupChangeRankServerInput` for `PUT /api/v1/group/<id>/change_rank` (rank ≤ 1; new rank 1–4). */
  prepareUpdateRank(user_id: string, new_rank: number): string {
    if (typeof user_id !== "string" || user_id.length === 0) throw new SentcError("invalid_input", "the user id must be a non-empty string");
    if (!Number.isInteger(new_rank) || new_rank < 1 || new_rank > 4) throw new SentcError("invalid_input", "the new rank must be an integer from 1 to 4", { reference: 200 });
    checkRank(this.data.rank, 1, "changing ranks");
    return JSON.stringify({ changed_user_id: user_id, new_rank });
  }

  /** `PUT /group/:id/change_rank`; a change of the own rank is kept in the group data. */
  async updateRank(user_id: string, new_rank: number): Promise<void> {
    const body = this.prepareUpdateRank(user_id, new_rank);
    await groupApi.changeRank(this.#http, this.#jwt, this.data.group_id, body, this.#requestOptions());
    if (user_id === this.#memberId) {
      this.data.rank = new_rank;
      await this.#persist();
    }
  }

  /** `DELETE /group/:id/kick/<user>` (rank ≤ 2). */
  async kickUser(user_id: string): Promise<void> {
    checkRank(this.data.rank, 2, "kicking members");
    await groupApi.kickUser(this.#http, this.#jwt, this.data.group_id, user_id, this.#requestOptions());
  }

  /** `DELETE /group/:id/leave`; removes the local group data. */
  async leave(): Promise<void> {
    await groupApi.leave(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    await this.#forget();
  }

  // ---------- this group as member of connected groups ----------

  /** `GET /group/:id/all/…`: the connected groups this group is a member of. */
  async getGroups(last: GroupList | null = null): Promise<GroupList[]> {
    const page = cursor(last?.time, last?.group_id);
    return (await groupApi.getGroupsForGroup(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(groupListItem);
  }

  /** `GET /group/:id/invite/…`: invites of connected groups for this group. */
  async getGroupInvites(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    const page = cursor(last?.time, last?.group_id);
    return (await groupApi.getInvitesForGroup(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(inviteItem);
  }

  /** `PATCH /group/:id/invite/<group_id>` (the server's path, Appendix B 11 fixed). */
  async acceptGroupInvite(group_id: string): Promise<void> {
    await groupApi.acceptInviteAsGroup(this.#http, this.#jwt, this.data.group_id, group_id, this.#requestOptions());
  }

  async rejectGroupInvite(group_id: string): Promise<void> {
    await groupApi.rejectInviteAsGroup(this.#http, this.#jwt, this.data.group_id, group_id, this.#requestOptions());
  }

  /** `PATCH /group/:id/join_req/<group_id>`: this group asks to join a connected group. */
  async groupJoinRequest(group_id: string): Promise<void> {
    await groupApi.joinRequestAsGroup(this.#http, this.#jwt, this.data.group_id, group_id, this.#requestOptions());
  }

  /** `GET /group/:id/joins/…` (rank ≤ 1): join requests this group sent. */
  async sentJoinReq(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    checkRank(this.data.rank, 1, "listing sent join requests");
    const page = cursor(last?.time, last?.group_id);
    return (await groupApi.getSentJoinRequestsForGroup(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(inviteItem);
  }

  /** `DELETE /group/:id/joins/<group_id>` (rank ≤ 1). */
  async deleteJoinReq(id: string): Promise<void> {
    checkRank(this.data.rank, 1, "deleting sent join requests");
    await groupApi.deleteSentJoinRequestForGroup(this.#http, this.#jwt, this.data.group_id, id, this.#requestOptions());
  }

  // ---------- key rotation ----------

  /**
   * Own backend: the `KeyRotationData` for `POST /api/v1/group/<id>/key_rotation`: a new key wrapped for the
   * other members by the newest key, encrypted to this member's key (user, parent or connected group).
   */
  async prepareKeyRotation(sign = false): Promise<string> {
    return this.#prepareKeyRotation(sign);
  }

  #prepareKeyRotation(sign: boolean): string {
    const previous = importSymKey(this.#newestKey().group_key);
    const user = this.#env.user;
    const signKey = sign ? importSignKey(user.getSignKeySync()) : null;
    try {
      const { serverInput, keys } = protocolPrepareKeyRotation({
        previousGroupKey: previous,
        invokerPublicKey: this.#owner.newestPublicKey(),
        signKey,
        starter: user.user_data.user_id,
      });
      wipeCreatedKeys(keys);
      return serverInput;
    } finally {
      wipeKey(previous);
      if (signKey) wipeKey(signKey);
    }
  }

  /** Own backend: reads the envelope of the rotation start, fetches the new key and makes it the newest. */
  async doneKeyRotation(server_output: string): Promise<GroupKey> {
    const what = "POST /group/:id/key_rotation result";
    const keyId = resultString(resultObject(readServerOutput(server_output, what), what), "key_id", what);
    return this.#takeNewKey(keyId);
  }

  /**
   * Starts a key rotation (`POST /group/:id/key_rotation`); the new key becomes the newest at once. The other
   * members get it with `finishKeyRotation` (by itself with the init option `auto_finish_key_rotation`).
   */
  async keyRotation(sign = false): Promise<GroupKey> {
    const input = this.#prepareKeyRotation(sign);
    const { key_id } = await groupApi.startKeyRotation(this.#http, this.#jwt, this.data.group_id, input, this.#requestOptions());
    return this.#takeNewKey(key_id);
  }

  async #takeNewKey(keyId: string): Promise<GroupKey> {
    const key = await this.#fetchKey(keyId);
    this.data.newest_key_id = key.group_key_id;
    await this.#persist();
    await this.#cachePublicKey();
    return key;
  }

  /** Finishes the rotations other members started (`GET` / `PUT /group/:id/key_rotation`); concurrent calls share one run. */
  finishKeyRotation(verify: GroupVerify = 0): Promise<void> {
    checkVerify(verify);
    if (this.#finishing === null) {
      this.#finishing = this.#finishKeyRotation(verify).finally(() => {
        this.#finishing = null;
      });
    }
    return this.#finishing;
  }

  async #tryFinishKeyRotation(): Promise<void> {
    // A failure (e.g. a rotation the server could not prepare for this member) leaves key_update set for the app.
    await this.finishKeyRotation(this.#verify).catch(() => undefined);
  }

  async #finishKeyRotation(verify: GroupVerify): Promise<void> {
    let pending = await groupApi.getKeyRotations(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    let changed = false;
    for (let round = 0; round < KEY_ROTATION_ROUNDS && pending.length > 0; round++) {
      const left: JsonObject[] = [];
      for (const entry of pending) {
        const previousId = entry.previous_group_key_id;
        const newId = entry.new_group_key_id;
        const ephKeyId = entry.encrypted_eph_key_key_id;
        if (typeof previousId !== "string" || typeof newId !== "string" || typeof ephKeyId !== "string") {
          throw new SentcError("invalid_server_response", "GET /group/:id/key_rotation: missing key ids");
        }
        const previous = this.#heldKey(previousId) ?? (await this.#fetchKey(previousId).catch(notFoundAsUndefined));
        if (!previous) {
          left.push(entry);
          continue;
        }
        const previousKey = importSymKey(previous.group_key);
        const privateKey = await this.#owner.privateKey(ephKeyId);
        try {
          const { newGroupKey, serverInput } = protocolFinishKeyRotation(entry, previousKey, this.#owner.newestPublicKey(), privateKey);
          newGroupKey.key.fill(0);
          await groupApi.finishKeyRotation(this.#http, this.#jwt, this.data.group_id, newId, serverInput, this.#requestOptions());
        } finally {
          wipeKey(previousKey);
          wipeKey(privateKey);
        }
        const raw = await groupApi.getGroupKey(this.#http, this.#jwt, this.data.group_id, newId, this.#requestOptions());
        this.#addKey(await this.#decryptEntry(groupKeyEntry(raw), verify));
        changed = true;
      }
      if (left.length === pending.length) break;
      pending = left;
    }
    this.data.key_update = pending.length > 0;
    if (changed) {
      // The newest key is the one created last.
      let newest = this.#newestKey();
      for (const key of this.data.keys) if (Number(key.time) > Number(newest.time)) newest = key;
      this.data.newest_key_id = newest.group_key_id;
    }
    await this.#persist();
    if (changed) await this.#cachePublicKey();
  }

  // ---------- encryption (sdk.md §4.1, §4.2) ----------

  #newestSymKey(): SymKey {
    return importSymKey(this.#newestKey().group_key);
  }

  #signKeyFor(sign: boolean) {
    return sign ? importSignKey(this.getSignKeySync()) : null;
  }

  async #symKeyFor(head: EncryptedHead): Promise<SymKey> {
    return importSymKey((await this.#getKey(head.id)).group_key);
  }

  #symKeyForSync(head: EncryptedHead): SymKey {
    return importSymKey(this.getSymKeyByIdSync(head.id));
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
    return importVerifyKey(await getUserVerifyKeyData(this.#env.ctx, userId, head.sign.id));
  }

  async encryptRaw(data: Uint8Array, sign = false): Promise<CryptoRawOutput> {
    return this.encryptRawSync(data, sign);
  }

  encryptRawSync(data: Uint8Array, sign = false): CryptoRawOutput {
    return encryptRawSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  async decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Promise<Uint8Array> {
    const parsed = parseHead(head);
    return decryptRawSymmetric(await this.#symKeyFor(parsed), head, encrypted_data, explicitVerifyKey(parsed, verify_key));
  }

  decryptRawSync(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array {
    const parsed = parseHead(head);
    return decryptRawSymmetric(this.#symKeyForSync(parsed), head, encrypted_data, explicitVerifyKey(parsed, verify_key));
  }

  async encrypt(data: Uint8Array, sign = false): Promise<Uint8Array> {
    return this.encryptSync(data, sign);
  }

  encryptSync(data: Uint8Array, sign = false): Uint8Array {
    return encryptSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  /** Decrypts with the group key the head names (fetched or finished when unknown); `verify` checks user `user_id`'s signature. */
  async decrypt(data: Uint8Array, verify = false, user_id?: string): Promise<Uint8Array> {
    const { head } = splitHead(data);
    const verifyKey = verify ? await this.#verifyKeyFor(head, user_id) : null;
    return decryptSymmetric(await this.#symKeyFor(head), data, verifyKey);
  }

  decryptSync(data: Uint8Array, verify_key?: string): Uint8Array {
    const { head } = splitHead(data);
    return decryptSymmetric(this.#symKeyForSync(head), data, explicitVerifyKey(head, verify_key));
  }

  async encryptString(data: string, sign = false): Promise<string> {
    return this.encryptStringSync(data, sign);
  }

  encryptStringSync(data: string, sign = false): string {
    return encryptStringSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  async decryptString(data: string, verify = false, user_id?: string): Promise<string> {
    const { head } = splitHead(fromBase64(data));
    const verifyKey = verify ? await this.#verifyKeyFor(head, user_id) : null;
    return decryptStringSymmetric(await this.#symKeyFor(head), data, verifyKey);
  }

  decryptStringSync(data: string, verify_key?: string): string {
    const { head } = splitHead(fromBase64(data));
    return decryptStringSymmetric(this.#symKeyForSync(head), data, explicitVerifyKey(head, verify_key));
  }

  // ---------- content keys (sdk.md §4.1, §4.3) ----------

  /** A new content key wrapped by the newest group key (`master_key_id` = that key's id) and the wrapped key to store. */
  async generateNonRegisteredKey(): Promise<[ContentKey, string]> {
    return generateContentKey(this.#newestKey().group_key, symKeyContext(this.#http, this.getSignKeySync()));
  }

  /** Recovers a content key with the group key `master_key_id` (fetched, or received by finishing a rotation, when unknown). */
  async getNonRegisteredKey(master_key_id: string, encrypted_key: string): Promise<ContentKey> {
    return getContentKey(await this.getSymKeyById(master_key_id), encrypted_key, symKeyContext(this.#http, this.getSignKeySync()));
  }

  // ---------- searchable (sdk.md §4.5) ----------

  /** HMAC hashes of every prefix of `data` (the last is the whole value); `full` gives only that one, `limit` caps the prefixes. */
  createSearchRaw(data: string, full?: boolean, limit?: number): string[] {
    return createSearchableRaw(importHmacKey(this.getNewestHmacKey()), data, full === true, limit);
  }

  /** Like `createSearchRaw`, with the HMAC alg and key id to store next to the hashes. */
  createSearch(data: string, full?: boolean, limit?: number): [string[], string, string] {
    const out = createSearchable(importHmacKey(this.getNewestHmacKey()), data, full === true, limit);
    return [out.hashes, out.alg, out.key_id];
  }

  /** The hash to look up a stored value (or a prefix of it) by. */
  search(data: string): string {
    return protocolSearch(importHmacKey(this.getNewestHmacKey()), data);
  }

  // ---------- sortable (sdk.md §4.6) ----------

  encryptSortableRawNumber(number: number | bigint): bigint {
    return BigInt(protocolSortableNumber(importSortableKey(this.getNewestSortableKey()), number));
  }

  encryptSortableNumber(number: number | bigint): [bigint, string, string] {
    const key = importSortableKey(this.getNewestSortableKey());
    return [BigInt(protocolSortableNumber(key, number)), key.alg, key.keyId];
  }

  /** Only the first 4 bytes of the string count. */
  encryptSortableRawString(data: string): bigint {
    return BigInt(protocolSortableString(importSortableKey(this.getNewestSortableKey()), data));
  }

  encryptSortableString(data: string): [bigint, string, string] {
    const key = importSortableKey(this.getNewestSortableKey());
    return [BigInt(protocolSortableString(key, data)), key.alg, key.keyId];
  }

  // ---------- files (sdk.md §4.4) ----------

  #fileTransport(): files.FileTransport {
    const transport: files.FileTransport = { http: this.#http, jwt: this.#jwt, group_id: this.data.group_id };
    if (this.data.access_by_group_as_member !== undefined) transport.group_as_member = this.data.access_by_group_as_member;
    if (this.#env.ctx.options.file_part_url !== undefined) transport.file_part_url = this.#env.ctx.options.file_part_url;
    return transport;
  }

  #downloadContext(): files.FileDownloadContext {
    return { ...this.#fileTransport(), getKey: (masterKeyId, encryptedKey) => this.getNonRegisteredKey(masterKeyId, encryptedKey as string) };
  }

  #uploader(upload_callback?: (progress?: number) => void): files.Uploader {
    return new files.Uploader(this.#http.baseUrl, this.#http.appToken, this.#env.user, this.data.group_id, undefined, upload_callback, this.data.access_by_group_as_member);
  }

  /**
   * Own backend, step 1: a content key wrapped by the newest group key and the body your backend posts to
   * `POST /api/v1/group/<id>/file`. The file name (of a `File`) is encrypted with the key.
   * @throws SentcError `invalid_input` for a file that is neither Blob nor bytes
   * @example
   * const { server_input, key } = await group.prepareRegisterFile(file);
   */
  async prepareRegisterFile(file: files.FileInput): Promise<files.FilePrepareCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey();
    const [server_input, encrypted_file_name] = this.#uploader().prepareFileRegister(file, key.key, encrypted_key, key.master_key_id);
    return { server_input, encrypted_file_name, key, master_key_id: key.master_key_id };
  }

  /**
   * Own backend, step 2: reads the envelope of the file register call → `[file_id, session_id]`.
   * @throws SentcError `server` with the server's code, `invalid_server_response`
   * @example
   * const [fileId, sessionId] = group.doneFileRegister(responseText);
   */
  doneFileRegister(server_output: string): [string, string] {
    return files.doneFileRegister(server_output);
  }

  /**
   * Own backend, step 3: encrypts and uploads the registered file in 4 MiB parts (signed with `sign`);
   * `Uploader.cancel_upload` stops after the current part.
   * @throws SentcError `server`, `network`, `invalid_input`
   * @example
   * await group.uploadFile(file, prepared.key, sessionId);
   */
  uploadFile(file: files.FileInput, content_key: ContentKey, session_id: string, sign = false, upload_callback?: (progress?: number) => void): Promise<void> {
    return this.#uploader(upload_callback).checkFileUpload(file, content_key.key, session_id, sign);
  }

  /**
   * Encrypts and uploads a file that belongs to this group, under a content key wrapped by the newest group key.
   * `Uploader.cancel_upload = true` stops after the current part (and it resolves, as the reference);
   * `options.signal` cancels with an `aborted` error and removes the file.
   * @throws SentcError `server`, `network`, `invalid_input`, `aborted` (signal only)
   * @example
   * const { file_id } = await group.createFile(file, false, (p) => console.log(p));
   */
  async createFile(file: files.FileInput, sign = false, upload_callback?: files.FileProgressCallback, options: files.FileUploadOptions = {}): Promise<files.FileCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey();
    files.Uploader.cancel_upload = false;
    return files.uploadFile({ ...this.#fileTransport(), key, encrypted_key, belongs_to_type: "Group", belongs_to_id: this.data.group_id }, file, {
      stop: takeCancelUpload,
      ...options,
      sign,
      sign_key: sign ? this.getSignKeySync() : undefined,
      upload_callback: upload_callback ?? options.upload_callback,
    });
  }

  /**
   * The group file's meta data (name decrypted) and its content key, without the content.
   * @throws SentcError `server` (512 not found, 521 no access), `key_not_found`
   * @example
   * const [meta, key] = await group.downloadFileMetaInfo(fileId);
   */
  downloadFileMetaInfo(file_id: string, verify_key?: string): Promise<[files.FileMetaInformation, ContentKey]> {
    void verify_key; // File names are encrypted unsigned by every SDK: there is nothing to verify.
    return files.downloadFileMetaInfo(this.#downloadContext(), file_id);
  }

  /**
   * The content of a file whose meta data and key `downloadFileMetaInfo` gave, as an object URL (`""` when
   * `Downloader.cancel_download` stopped it); `verify_key` checks every part's signature.
   * @throws SentcError `decryption_failed`, `verification_failed`, `server`, `network`
   * @example
   * const url = await group.downloadFileWithMetaInfo(key, meta);
   */
  downloadFileWithMetaInfo(key: ContentKey, file_meta: files.FileMetaInformation, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<string> {
    const downloader = new files.Downloader(this.#http.baseUrl, this.#http.appToken, this.#env.user, this.data.group_id, this.data.access_by_group_as_member);
    return downloader.downloadFileParts(file_meta.part_list, key.key, updateProgressCb, verify_key);
  }

  /**
   * Downloads and decrypts a group file as the reference does: `[objectUrl, meta, key]` (`objectUrl` is `""` when
   * `Downloader.cancel_download` stopped it). For the bytes (e.g. in Node) use `downloadFileData`.
   * @throws SentcError `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `unsupported_environment`
   * @example
   * const [url, meta] = await group.downloadFile(fileId, senderVerifyKey);
   */
  async downloadFile(file_id: string, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<[string, files.FileMetaInformation, ContentKey]> {
    const [meta, key] = await this.downloadFileMetaInfo(file_id, verify_key);
    return [await this.downloadFileWithMetaInfo(key, meta, verify_key, updateProgressCb), meta, key];
  }

  /**
   * Not in the reference: downloads and decrypts a group file into bytes (`{data, file_name, meta, key}`), with
   * cancellation (`options.signal`), streaming (`on_part`) and `resume`.
   * @throws SentcError `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `aborted`
   * @example
   * const { data } = await group.downloadFileData(fileId);
   */
  async downloadFileData(file_id: string, verify_key?: string, download_callback?: files.FileProgressCallback, options: files.FileDownloadOptions = {}): Promise<files.FileDownloadOutput> {
    return files.downloadFile(this.#downloadContext(), file_id, { ...options, verify_key: verify_key ?? options.verify_key, download_callback: download_callback ?? options.download_callback });
  }

  /**
   * Not in the reference: downloads and decrypts a file as a `ReadableStream` of the plaintext (one chunk per part,
   * fetched while the stream is read), with its meta data and key: memory stays at a few parts whatever the file
   * size. Save it with `saveFileStream`, or read it with a reader.
   * @throws SentcError `server`, `key_not_found`; the stream errors with `decryption_failed`, `verification_failed`,
   *   `network_error`, `aborted`
   * @example
   * const [stream, meta] = await group.downloadFileStream(fileId);
   * await saveFileStream(stream, { file_name: meta.file_name });
   */
  downloadFileStream(file_id: string, verify_key?: string, options: files.FileDownloadOptions = {}): Promise<[ReadableStream<Uint8Array>, files.FileMetaInformation, ContentKey]> {
    return files.downloadFileStream(this.#downloadContext(), file_id, { ...options, verify_key: verify_key ?? options.verify_key });
  }

  updateFileName(file_id: string, content_key: ContentKey, file_name?: string | null): Promise<void> {
    return files.updateFileName(this.#fileTransport(), file_id, content_key, file_name);
  }

  deleteFile(file_id: string): Promise<void> {
    return files.deleteFile(this.#fileTransport(), file_id);
  }

}

function wipeCreatedKeys(keys: { groupKey: SymKey; privateKey: PrivateKey; hmacKey?: { key: Uint8Array }; sortableKey?: { key: Uint8Array }; signKey?: PrivateKey | object }): void {
  keys.groupKey.key.fill(0);
  wipeKey(keys.privateKey);
  keys.hmacKey?.key.fill(0);
  keys.sortableKey?.key.fill(0);
  if (keys.signKey && isRecord(keys.signKey)) wipeKey(keys.signKey as { key?: Uint8Array });
}

/** A key entry in the reference's `GroupOutDataKeys` shape. */
function entryToOutData(entry: GroupKeyEntry): GroupOutDataKeys {
  const out: GroupOutDataKeys = { private_key_id: entry.privateKeyId, key_data: entry.keyData };
  if (entry.signedByUserId !== null) out.signed_by_user_id = entry.signedByUserId;
  if (entry.signedByUserSignKeyId !== null) out.signed_by_user_sign_key_id = entry.signedByUserSignKeyId;
  return out;
}
