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
import { nonEmptyString } from "../protocol/json.js";
import { SentcError, invalidInput, invalidServerResponse } from "../errors.js";
import * as groupApi from "../api/endpoints/group.js";
import { encryptRawSymmetric, encryptStringSymmetric, encryptSymmetric } from "../protocol/encrypt.js";
import { prepareCreateGroup } from "../protocol/group-create.js";
import { encryptGroupKeysForMember } from "../protocol/group-member.js";
import { prepareKeyRotation as protocolPrepareKeyRotation } from "../protocol/key-rotation.js";
import {
  importHmacKey,
  importPublicKey,
  importSortableKey,
  importSymKey,
  type PublicKey,
  type SymKey,
} from "../protocol/keys.js";
import { createSearchable, createSearchableRaw, search as protocolSearch } from "../protocol/searchable.js";
import {
  encryptSortableRawNumber as protocolSortableNumber,
  encryptSortableRawString as protocolSortableString,
} from "../protocol/sortable.js";
import {
  GROUP_UPDATE_CHECK_MS,
  MEMBER_KEY_PAGE,
  childItem,
  cursor,
  groupAsMemberArg,
  groupListItem,
  inviteItem,
  joinReqItem,
  memberItem,
  memberKeysInput,
  makeGroupKey,
} from "./group-internal.js";
import {
  GroupKeyring,
  checkVerify,
  fetchGroupData,
  groupKeyOwner,
  openHmacKey,
  openSortableKey,
  openWrappedKeys,
  readStoredGroupData,
  userKeyOwner,
  type GroupEnv,
  type GroupLoadOptions,
  type GroupOwnerUser,
  type KeyOwner,
} from "./group-keyring.js";
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
import { FileMethods } from "./file-methods.js";
import { FileOwnerApi } from "./file-owner-api.js";
import { HeadDecryptor, SYMMETRIC, signKeyIf } from "./head-crypto.js";
import { readServerOutput, resultObject, resultString, wipeKey } from "./internal.js";
import { SharedRun } from "./key-rotation.js";
import { getGroupPublicKeyData } from "./public-keys.js";
import {
  generateNonRegisteredKey as generateContentKey,
  getNonRegisteredKey as getContentKey,
  symKeyContext,
  type SymKey as ContentKey,
} from "./sym-key.js";
import type { CryptoRawOutput, GroupInviteListItem } from "./types.js";
import type * as files from "./files/index.js";

export type { GroupEnv, GroupLoadOptions, GroupOwnerUser } from "./group-keyring.js";

function checkRank(rank: number, max: number, what: string): void {
  if (rank > max)
    throw new SentcError("permission_denied", `${what} needs rank ${max} or better (this member has rank ${rank})`);
}

/**
 * A group the user is a member of (sdk.md §3): its keys (`data`), members, child and connected groups, key rotation,
 * symmetric encryption with the group keys (§4.1), searchable and sortable values (§4.5, §4.6) and files (§4.4). Get it
 * with `user.getGroup`, `group.getChildGroup` or `group.getConnectedGroup`. `U` is the logged-in user the group was
 * loaded by (a `User` for groups from `user.getGroup`).
 * @example
 * const group = await user.getGroup(groupId);
 * const text = await group.encryptString("hello");
 * const clear = await group.decryptString(text);
 */
export class Group<U extends GroupOwnerUser = GroupOwnerUser> extends FileOwnerApi {
  /** The decrypted keys and the member's view of the group (the reference's `data`). */
  data: GroupData;
  readonly #env: GroupEnv<U>;
  readonly #keys: GroupKeyring;
  readonly #verify: GroupVerify;
  readonly #rotations = new SharedRun();
  readonly #decryptor: HeadDecryptor<SymKey>;
  readonly #files: FileMethods;

  /** @internal Use `user.getGroup`, `group.getChildGroup` or `group.getConnectedGroup`. */
  constructor(data: GroupData, env: GroupEnv<U>, owner: KeyOwner, verify: GroupVerify = 0) {
    super();
    this.data = data;
    this.#env = env;
    this.#verify = verify;
    this.#keys = new GroupKeyring(this, env, owner, verify, () => this.finishKeyRotation());
    this.#decryptor = new HeadDecryptor(
      {
        ctx: env.ctx,
        keyFor: async (head) => importSymKey((await this.#keys.getKey(head.id)).group_key),
        keyForSync: (head) => importSymKey(this.getSymKeyByIdSync(head.id)),
      },
      SYMMETRIC,
    );
    this.#files = new FileMethods({
      transport: () => this.#fileTransport(),
      uploader: (uploadCallback) =>
        env.uploader(this.data.group_id, uploadCallback, this.data.access_by_group_as_member),
      downloader: () => env.downloader(this.data.group_id, this.data.access_by_group_as_member),
      contentKey: (masterKeyId, encryptedKey) => this.getNonRegisteredKey(masterKeyId, encryptedKey),
      signKey: () => this.getSignKeySync(),
    });
  }

  /**
   * The file methods of this group (the base class `FileOwnerApi` serves the shared ones through it).
   * @internal
   */
  protected override fileMethods(): FileMethods {
    return this.#files;
  }

  #fileTransport(): files.FileTransport {
    const transport: files.FileTransport = { http: this.#http, jwt: this.#jwt, group_id: this.data.group_id };
    if (this.data.access_by_group_as_member !== undefined)
      transport.group_as_member = this.data.access_by_group_as_member;
    if (this.#env.ctx.options.file_part_url !== undefined)
      transport.file_part_url = this.#env.ctx.options.file_part_url;
    return transport;
  }

  /**
   * The reference's write-only accessors.
   * Replaces the group keys held in `data.keys`.
   * @example
   * group.groupKeys = [...group.data.keys];
   */
  set groupKeys(keys: GroupKey[]) {
    this.data.keys = keys;
  }

  /**
   * The reference's write-only accessor: replaces the key id → index map in `data.key_map`.
   * @example
   * group.groupKeyMap = new Map(group.data.key_map);
   */
  set groupKeyMap(map: Map<string, number>) {
    this.data.key_map = map;
  }

  /**
   * The `User` this group was loaded by (a private field in the reference's types, reachable there at runtime).
   * @example
   * const userId = group.user.user_data.user_id;
   */
  get user(): U {
    return this.#env.user;
  }

  // ---------- loading (sdk.md §3.2) ----------

  /**
   * Loads a group: from the store (revalidated with `update_check` every 5 minutes) or from the server, decrypting every
   * key page, the HMAC and sortable keys with the user's, the parent's or the connected group's private keys. Stores the
   * group data and the group's public key. Apps use `user.getGroup`.
   * @internal
   * @throws {SentcError} `invalid_input` for an empty group id, a bad `groupAsMember` or a `verify` other than 0, 1 or
   * 2; `server` (e.g. `server_310` for no access) when the server refuses; `decryption_failed` / `verification_failed`
   * when a key cannot be decrypted or verified; `network_error` / `timeout`; `storage_failed`.
   * @example
   * const group = await user.getGroup(groupId); // calls Group.load
   */
  static async load<U extends GroupOwnerUser>(
    env: GroupEnv<U>,
    groupId: string,
    options: GroupLoadOptions = {},
  ): Promise<Group<U>> {
    nonEmptyString(groupId, "the group id");
    const verify = checkVerify(options.verify ?? 0);
    const groupAsMember = groupAsMemberArg(options.groupAsMember);
    const cached = await readStoredGroupData(env, groupId, groupAsMember);
    if (cached) {
      const group = new Group(cached, env, await Group.#resolveOwner(env, cached, verify), verify);
      if (cached.last_check_time + GROUP_UPDATE_CHECK_MS < Date.now()) await group.groupUpdateCheck();
      if (group.data.key_update && group.#keys.autoFinish) await group.#tryFinishKeyRotation();
      return group;
    }

    const fetched = await fetchGroupData(env, groupId, groupAsMember, options.parent === true);
    const group = new Group(fetched.data, env, await Group.#resolveOwner(env, fetched.data, verify), verify);
    await group.#keys.takeFetchedKeys(fetched);
    if (fetched.data.key_update && group.#keys.autoFinish) await group.#tryFinishKeyRotation();
    return group;
  }

  /** The user (direct members), the direct parent (access through an ancestor) or the connected group (group as member). */
  static async #resolveOwner<U extends GroupOwnerUser>(
    env: GroupEnv<U>,
    data: GroupData,
    verify: GroupVerify,
  ): Promise<KeyOwner> {
    let holder: Group<U> | undefined;
    if (data.access_by_parent_group !== undefined && data.parent_group_id !== undefined) {
      holder = await Group.load(env, data.parent_group_id, {
        parent: true,
        groupAsMember: data.access_by_group_as_member,
        verify,
      });
    } else if (data.access_by_group_as_member !== undefined) {
      holder = await Group.load(env, data.access_by_group_as_member, { verify });
    }
    return holder ? groupKeyOwner(holder) : userKeyOwner(env.user);
  }

  #requestOptions() {
    return this.#keys.requestOptions();
  }

  get #http() {
    return this.#env.ctx.http;
  }

  get #jwt() {
    return this.#env.jwt;
  }

  #newestKey(): GroupKey {
    return this.#keys.newestKey();
  }

  // ---------- keys ----------

  /**
   * The newest group key (exported) and its id.
   * @throws {SentcError} `key_not_found` when the group holds no key.
   * @example
   * const [groupKey, keyId] = await group.getSymKeyToEncrypt();
   */
  async getSymKeyToEncrypt(): Promise<[string, string]> {
    return this.getSymKeyToEncryptSync();
  }

  /**
   * The newest group key (exported) and its id, synchronously.
   * @throws {SentcError} `key_not_found` when the group holds no key.
   * @example
   * const [groupKey, keyId] = group.getSymKeyToEncryptSync();
   */
  getSymKeyToEncryptSync(): [string, string] {
    const key = this.#newestKey();
    return [key.group_key, key.group_key_id];
  }

  /**
   * The exported group key with this id (fetched, or received by finishing a rotation, when unknown).
   * @throws {SentcError} `server` (e.g. `server_304`) when the server has no such key for this member (a rotation not
   * finished yet); `decryption_failed` when it cannot be decrypted; `network_error` / `timeout`.
   * @example
   * const groupKey = await group.getSymKeyById(keyId);
   */
  async getSymKeyById(key_id: string): Promise<string> {
    return (await this.#keys.getKey(key_id)).group_key;
  }

  /**
   * The exported group key with this id, from the keys held locally only.
   * @throws {SentcError} `key_not_found` when the key is not held ("Group key not found. Maybe done key rotation will help").
   * @example
   * const groupKey = group.getSymKeyByIdSync(keyId);
   */
  getSymKeyByIdSync(key_id: string): string {
    return this.#keys.requireHeld(key_id).group_key;
  }

  /**
   * The group's exported private key with this id (for child and connected groups), fetched when not held.
   * @internal
   * @throws {SentcError} `server` (e.g. `server_304`) when the server has no such key for this member;
   * `decryption_failed`; `network_error` / `timeout`.
   * @example
   * const privateKey = await group.getPrivateKey(keyId);
   */
  async getPrivateKey(key_id: string): Promise<string> {
    return (await this.#keys.getKey(key_id)).private_group_key;
  }

  /**
   * The exported public key of the newest group key (what new keys for this group as a member are encrypted to).
   * @throws {SentcError} `key_not_found` when the group holds no key.
   * @example
   * const publicKey = group.getNewestPublicKey();
   */
  getNewestPublicKey(): string {
    return this.#newestKey().public_group_key;
  }

  /**
   * The user's JWT (`user.getJwt()`), refreshed when needed.
   * @throws {SentcError} `server` (e.g. `server_114`) or `refresh_failed` when the JWT cannot be renewed;
   * `network_error` / `timeout`.
   * @example
   * const jwt = await group.getJwt();
   */
  getJwt(): Promise<string> {
    return this.#env.user.getJwt();
  }

  /**
   * The user's newest sign key (groups sign with the user's key).
   * @throws {SentcError} `key_not_found` when the user has no keys.
   * @example
   * const signKey = await group.getSignKey();
   */
  async getSignKey(): Promise<string> {
    return this.getSignKeySync();
  }

  /**
   * The user's newest exported sign key (groups sign with the user's key), synchronously.
   * @throws {SentcError} `key_not_found` when the user has no keys.
   * @example
   * const signKey = group.getSignKeySync();
   */
  getSignKeySync(): string {
    return this.#env.user.getSignKeySync();
  }

  /**
   * The group's newest exported HMAC key (what the searchable functions use, sdk.md §4.5).
   * @throws {SentcError} `key_not_found` when the group has no HMAC key.
   * @example
   * const hmacKey = group.getNewestHmacKey();
   */
  getNewestHmacKey(): string {
    const key = this.data.hmac_keys[0];
    if (key === undefined) throw new SentcError("key_not_found", "the group has no hmac key");
    return key;
  }

  /**
   * The group's newest exported sortable key (what the sortable functions use, sdk.md §4.6).
   * @throws {SentcError} `key_not_found` when the group has no sortable key.
   * @example
   * const sortableKey = group.getNewestSortableKey();
   */
  getNewestSortableKey(): string {
    const key = this.data.sortable_keys[0];
    if (key === undefined) throw new SentcError("key_not_found", "the group has no sortable key");
    return key;
  }

  /**
   * Fetches the group keys older than the oldest one held (`GET /group/:id/keys/…`, page by page while a page holds
   * 50), decrypts and keeps them; resolves to the group data. `jwt` is used for the requests when given.
   * @throws {SentcError} `server`, `network_error`, `decryption_failed`, `verification_failed` (with `verify`);
   * `invalid_server_response` when the key pages do not advance or hold unusable entries (nothing is kept then)
   * @example
   * await group.fetchKeys(await user.getJwt());
   */
  async fetchKeys(jwt?: string, verify: GroupVerify = 0): Promise<GroupData> {
    checkVerify(verify);
    await this.#keys.fetchOlderKeys(jwt, verify);
    return this.data;
  }

  /**
   * Decrypts fetched group keys (the reference's `GroupOutDataKeys`, or the server's key objects) with the key pair
   * each names; `verify` 1/2 checks signed keys. Resolves to the keys (not yet kept).
   * @throws {SentcError} `invalid_input` for a malformed entry, `key_not_found`, `decryption_failed`, `verification_failed`
   * @example
   * const keys = await group.decryptKey(fetched);
   */
  async decryptKey(fetched: GroupOutDataKeys[], verify: GroupVerify = 0): Promise<GroupKey[]> {
    return this.#keys.decryptKeys(fetched, verify);
  }

  /**
   * Decrypts HMAC keys (`{group_key_id, key_data}` or the server's objects) with the group keys that wrap them;
   * resolves to the exported keys.
   * @throws {SentcError} `invalid_input`, `key_not_found`, `decryption_failed`
   * @example
   * const hmacKeys = await group.decryptHmacKeys(fetched);
   */
  async decryptHmacKeys(fetched: GroupOutDataHmacKeys[]): Promise<string[]> {
    return openWrappedKeys(fetched, "fetched", (keyId) => this.#keys.keyForInternalUse(keyId), openHmacKey);
  }

  /**
   * Decrypts sortable keys (`{group_key_id, key_data}` or the server's objects); resolves to the exported keys.
   * @throws {SentcError} `invalid_input`, `key_not_found`, `decryption_failed`
   * @example
   * const sortableKeys = await group.decryptSortableKeys(fetched);
   */
  async decryptSortableKeys(fetched: GroupOutDataSortableKeys[]): Promise<string[]> {
    return openWrappedKeys(fetched, "fetched", (keyId) => this.#keys.keyForInternalUse(keyId), openSortableKey);
  }

  // ---------- structure ----------

  /**
   * A child group of this group, accessed through this group (as the same connected group, if any).
   * @throws {SentcError} `invalid_input` for an empty id or a `verify` other than 0, 1 or 2; `server` (e.g.
   * `server_310` for no access) when the server refuses; `decryption_failed` / `verification_failed` when a key cannot
   * be decrypted or verified; `network_error` / `timeout`; `storage_failed`.
   * @example
   * const child = await group.getChildGroup(childGroupId);
   */
  getChildGroup(group_id: string, verify: GroupVerify = 0): Promise<Group<U>> {
    return Group.load(this.#env, group_id, {
      parent: true,
      groupAsMember: this.data.access_by_group_as_member,
      verify,
    });
  }

  /**
   * A connected group that this group is a member of, accessed as this group.
   * @throws {SentcError} `invalid_input` for an empty id or a `verify` other than 0, 1 or 2; `server` (e.g.
   * `server_310` for no access) when the server refuses; `decryption_failed` / `verification_failed` when a key cannot
   * be decrypted or verified; `network_error` / `timeout`; `storage_failed`.
   * @example
   * const connected = await group.getConnectedGroup(connectedGroupId);
   */
  getConnectedGroup(group_id: string, verify: GroupVerify = 0): Promise<Group<U>> {
    return Group.load(this.#env, group_id, { groupAsMember: this.data.group_id, verify });
  }

  /**
   * `GET /group/:id/children/…`: 50 direct children after `last`.
   * @throws {SentcError} `server` (e.g. `server_310`) when the server refuses; `invalid_server_response` for a malformed
   * list; `network_error` / `timeout`.
   * @example
   * const children = await group.getChildren();
   */
  async getChildren(last: GroupChildrenListItem | null = null): Promise<GroupChildrenListItem[]> {
    const page = cursor(last?.time, last?.group_id);
    return (await groupApi.getChildren(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(
      childItem,
    );
  }

  #prepareCreateWithThisKey(sign: boolean): [string, string] {
    checkRank(this.data.rank, 1, "creating child or connected groups");
    const publicKey = importPublicKey(this.#newestKey().public_group_key);
    const user = this.#env.user;
    const serverInput = makeGroupKey(user.getSignKeySync(), user.user_data.user_id, sign, (maker) =>
      prepareCreateGroup({ creatorPublicKey: publicKey, ...maker }),
    );
    return [serverInput, publicKey.keyId];
  }

  /**
   * Own backend: the `CreateData` for `POST /api/v1/group/<id>/child` and the parent key id it is encrypted to.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `key_not_found` when the group
   * holds no key.
   * @example
   * const [body, keyId] = group.prepareCreateChildGroup();
   */
  prepareCreateChildGroup(sign = false): [string, string] {
    return this.#prepareCreateWithThisKey(sign);
  }

  /**
   * Own backend: the `CreateData` for `POST /api/v1/group/<id>/connected` and the key id it is encrypted to.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `key_not_found` when the group
   * holds no key.
   * @example
   * const [body, keyId] = group.prepareCreateConnectedGroup();
   */
  prepareCreateConnectedGroup(sign = false): [string, string] {
    return this.#prepareCreateWithThisKey(sign);
  }

  /**
   * Own backend: reads the envelope of the child / connected group create → the new group id.
   * @throws {SentcError} `server` (e.g. `server_301` for a too low rank) when the envelope carries the server's error;
   * `invalid_server_response` when it is not sentc's envelope or lacks `group_id`.
   * @example
   * const childId = group.doneCreateChildGroup(await response.text());
   */
  doneCreateChildGroup(server_output: string): string {
    const what = "POST /group/:id/child result";
    return resultString(resultObject(readServerOutput(server_output, what), what), "group_id", what);
  }

  /**
   * Own backend: reads the envelope of `POST /api/v1/group/<id>/connected` → the new group id.
   * @throws {SentcError} `server` (e.g. `server_318` for a group created from a connected group) when the envelope
   * carries the server's error; `invalid_server_response` when it is not sentc's envelope or lacks `group_id`.
   * @example
   * const connectedId = group.doneCreateConnectedGroup(await response.text());
   */
  doneCreateConnectedGroup(server_output: string): string {
    const what = "POST /group/:id/connected result";
    return resultString(resultObject(readServerOutput(server_output, what), what), "group_id", what);
  }

  /**
   * `POST /group/:id/child`: a child group whose keys are encrypted to this group's key. Resolves to its id.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `server` when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * const childId = await group.createChildGroup();
   * const child = await group.getChildGroup(childId);
   */
  async createChildGroup(sign = false): Promise<string> {
    const [input] = this.#prepareCreateWithThisKey(sign);
    return groupApi.createChildGroup(this.#http, this.#jwt, this.data.group_id, input, this.#requestOptions());
  }

  /**
   * `POST /group/:id/connected`: a connected group with this group as its first member. Resolves to its id.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `server` (e.g. `server_318`)
   * when the server refuses; `network_error` / `timeout`.
   * @example
   * const connectedId = await group.createConnectedGroup();
   */
  async createConnectedGroup(sign = false): Promise<string> {
    const [input] = this.#prepareCreateWithThisKey(sign);
    return groupApi.createConnectedGroup(this.#http, this.#jwt, this.data.group_id, input, this.#requestOptions());
  }

  /**
   * `GET /group/:id/update_check`: refreshes `rank` and `key_update` (persisted).
   * @throws {SentcError} `server` (e.g. `server_310`) when the server refuses; `network_error` / `timeout`;
   * `storage_failed`.
   * @example
   * await group.groupUpdateCheck();
   * if (group.data.key_update) await group.finishKeyRotation();
   */
  async groupUpdateCheck(): Promise<void> {
    const check = await groupApi.getGroupUpdateCheck(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    this.data.rank = check.rank;
    this.data.key_update = check.key_update;
    this.data.last_check_time = Date.now();
    await this.#keys.persist();
  }

  /**
   * Own backend: checks the rank for `DELETE /api/v1/group/<id>` (no body; `DELETE /api/v1/group/forced/<id>` with the secret token needs none).
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1.
   * @example
   * group.prepareDeleteGroup();
   */
  prepareDeleteGroup(): void {
    checkRank(this.data.rank, 1, "deleting the group");
  }

  /**
   * Own backend: reads the envelope of the delete and removes the local group data.
   * @throws {SentcError} `server` (e.g. `server_301`) when the envelope carries the server's error;
   * `invalid_server_response` when it is not sentc's envelope; `storage_failed`.
   * @example
   * await group.doneDeleteGroup(await response.text());
   */
  async doneDeleteGroup(server_output: string): Promise<void> {
    readServerOutput(server_output, "DELETE /group/:id result");
    await this.#keys.forget();
  }

  /**
   * `DELETE /group/:id` (rank ≤ 1): the group and its descendants; removes the local group data.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `server` when the server refuses;
   * `network_error` / `timeout`; `storage_failed`.
   * @example
   * await group.deleteGroup();
   */
  async deleteGroup(): Promise<void> {
    this.prepareDeleteGroup();
    await groupApi.deleteGroup(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    await this.#keys.forget();
  }

  // ---------- membership ----------

  /**
   * `GET /group/:id/member/…`: 50 members after `last` (without the caller).
   * @throws {SentcError} `server` (e.g. `server_310`) when the server refuses; `invalid_server_response` for a malformed
   * list; `network_error` / `timeout`.
   * @example
   * const members = await group.getMember();
   * const more = await group.getMember(members[members.length - 1] ?? null);
   */
  async getMember(last: GroupUserListItem | null = null): Promise<GroupUserListItem[]> {
    const page = cursor(last?.joined_time, last?.user_id);
    return (await groupApi.getMembers(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())).map(
      memberItem,
    );
  }

  async #memberPublicKey(id: string, group: boolean): Promise<PublicKey> {
    nonEmptyString(id, "the member id");
    if (group) return importPublicKey((await getGroupPublicKeyData(this.#env.ctx, id)).key);
    return importPublicKey((await this.#env.user.getPublicKey(id)).public_key);
  }

  #allSymKeys(): SymKey[] {
    return this.data.keys.map((key) => importSymKey(key.group_key));
  }

  /** Uploads pages 1, 2, … of the keys through the session (each key once, Appendix B 3 fixed). */
  async #uploadSessionPages(
    sessionId: string | undefined,
    publicKey: PublicKey,
    keys: SymKey[],
    join: boolean,
  ): Promise<PromiseSettledResult<void>[] | undefined> {
    if (keys.length <= MEMBER_KEY_PAGE) return undefined;
    if (sessionId === undefined)
      throw invalidServerResponse(`the server opened no key session for more than ${MEMBER_KEY_PAGE} keys`);
    const results: PromiseSettledResult<void>[] = [];
    for (let start = MEMBER_KEY_PAGE; start < keys.length; start += MEMBER_KEY_PAGE) {
      const body = JSON.stringify(encryptGroupKeysForMember(publicKey, keys.slice(start, start + MEMBER_KEY_PAGE)));
      // As the reference's Promise.allSettled: a failed page is a rejected entry, not a rejection of the call.
      try {
        if (join)
          await groupApi.uploadJoinSession(
            this.#http,
            this.#jwt,
            this.data.group_id,
            sessionId,
            body,
            this.#requestOptions(),
          );
        else
          await groupApi.uploadInviteSession(
            this.#http,
            this.#jwt,
            this.data.group_id,
            sessionId,
            body,
            this.#requestOptions(),
          );
        results.push({ status: "fulfilled", value: undefined });
      } catch (reason) {
        results.push({ status: "rejected", reason });
      }
    }
    return results;
  }

  async #inviteInternally(
    id: string,
    rank: number | undefined,
    auto: boolean,
    group: boolean,
    reInvite: boolean,
  ): Promise<PromiseSettledResult<void>[] | undefined> {
    const publicKey = await this.#memberPublicKey(id, group);
    const keys = this.#allSymKeys();
    try {
      const input = memberKeysInput(publicKey, keys, 0, rank, this.data.rank);
      const kind: groupApi.InviteKind = reInvite
        ? group
          ? "re_invite_group"
          : "re_invite"
        : group
          ? auto
            ? "invite_group_auto"
            : "invite_group"
          : auto
            ? "invite_auto"
            : "invite";
      const answer = await groupApi.invite(
        this.#http,
        this.#jwt,
        this.data.group_id,
        kind,
        id,
        input,
        this.#requestOptions(),
      );
      return await this.#uploadSessionPages(answer.session_id, publicKey, keys, auto || reInvite);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /**
   * `PUT /group/:id/invite/<user>`: the user gets every group key and joins after accepting.
   * Resolves to the settled key-session uploads (more than 100 keys) or `undefined`.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id
   * or a rank outside 1–4; `server` (e.g. `server_302` for a member, `server_317` when invites are stopped) when the
   * server refuses; `network_error` / `timeout`.
   * @example
   * await group.invite(otherUserId, 3);
   */
  invite(user_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(user_id, rank, false, false, false);
  }

  /**
   * `PUT /group/:id/invite_auto/<user>`: a member at once.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id
   * or a rank outside 1–4; `server` (e.g. `server_302` for a member) when the server refuses; `network_error` / `timeout`.
   * @example
   * await group.inviteAuto(otherUserId);
   */
  inviteAuto(user_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(user_id, rank, true, false, false);
  }

  /**
   * Invites a group as member of this (connected) group; the keys go to the group's public key.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id
   * or a rank outside 1–4; `server` (e.g. `server_319`) when the server refuses; `network_error` / `timeout`.
   * @example
   * await connectedGroup.inviteGroup(memberGroupId);
   */
  inviteGroup(group_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(group_id, rank, false, true, false);
  }

  /**
   * Adds a group as member of this (connected) group at once; the keys go to the group's public key.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id
   * or a rank outside 1–4; `server` (e.g. `server_319`) when the server refuses; `network_error` / `timeout`.
   * @example
   * await connectedGroup.inviteGroupAuto(memberGroupId);
   */
  inviteGroupAuto(group_id: string, rank?: number): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(group_id, rank, true, true, false);
  }

  /**
   * `PUT /group/:id/re_invite/<user>`: gives a member every key again (e.g. after a failed rotation); keeps the rank.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id;
   * `server` (e.g. `server_320` for a non-member) when the server refuses; `network_error` / `timeout`.
   * @example
   * await group.reInviteUser(memberUserId);
   */
  reInviteUser(user_id: string): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(user_id, undefined, true, false, true);
  }

  /**
   * Like `reInviteUser` for a group that is a member of this (connected) group.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id;
   * `server` (e.g. `server_320` for a non-member) when the server refuses; `network_error` / `timeout`.
   * @example
   * await connectedGroup.reInviteGroup(memberGroupId);
   */
  reInviteGroup(group_id: string): Promise<PromiseSettledResult<void>[] | undefined> {
    return this.#inviteInternally(group_id, undefined, true, true, true);
  }

  /**
   * Own backend: the `GroupKeysForNewMemberServerInput` for inviting (or accepting the join request of) `user_id`
   * (a group id with `group = true`), key page `page` (100 keys a page). Page 0 is the body of the invite; with
   * more keys, pass the answer's session id to `handleInviteSessionKeysForNewMember`.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id,
   * a rank outside 1–4 or a page without keys; `server` (e.g. `server_100`) when the member's public key is refused;
   * `network_error` / `timeout`.
   * @example
   * const body = await group.prepareKeysForNewMember(otherUserId, 3);
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

  /**
   * Own backend, synchronous: like `prepareKeysForNewMember` for a public key the app already has (exported key string).
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for a rank
   * outside 1–4 or a page without keys; `invalid_format` when `public_key` is not an exported public key.
   * @example
   * const { public_key } = await user.getPublicKey(otherUserId);
   * const body = group.prepareKeysForNewMemberSync(public_key, 3);
   */
  prepareKeysForNewMemberSync(public_key: string, rank?: number, page = 0): string {
    const keys = this.#allSymKeys();
    try {
      return memberKeysInput(importPublicKey(public_key), keys, page, rank, this.data.rank);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /**
   * Own backend: reads the envelope of an invite or an accepted join request → the key session id, if any.
   * @throws {SentcError} `server` (e.g. `server_302`) when the envelope carries the server's error;
   * `invalid_server_response` when it is not sentc's envelope.
   * @example
   * const sessionId = group.doneInvite(await response.text());
   */
  doneInvite(server_output: string): string | undefined {
    const what = "group invite result";
    const result = resultObject(readServerOutput(server_output, what), what);
    const session = result.session_id;
    return typeof session === "string" && session.length > 0 ? session : undefined;
  }

  /**
   * Uploads the key pages after the first through the key session of an invite (`auto = false`) or of an auto
   * invite / accepted join request (`auto = true`). `undefined` when all keys fit the first page.
   * @throws {SentcError} `invalid_input` for an empty id; `server` (e.g. `server_100`) when the member's public key is
   * refused; `network_error` / `timeout` (a failed page upload is a `rejected` entry instead).
   * @example
   * const sessionId = group.doneInvite(await response.text());
   * if (sessionId) await group.handleInviteSessionKeysForNewMember(sessionId, otherUserId);
   */
  async handleInviteSessionKeysForNewMember(
    session_id: string,
    user_id: string,
    auto = false,
    group = false,
  ): Promise<PromiseSettledResult<void>[] | undefined> {
    const publicKey = await this.#memberPublicKey(user_id, group);
    const keys = this.#allSymKeys();
    try {
      return await this.#uploadSessionPages(session_id, publicKey, keys, auto);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /**
   * `PATCH /group/:id/change_invite` (rank ≤ 1): toggles whether invites and join requests are allowed.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `server` when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * await group.stopInvites();
   */
  async stopInvites(): Promise<void> {
    checkRank(this.data.rank, 1, "stopping invites");
    await groupApi.stopInvites(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
  }

  /**
   * `GET /group/:id/join_req/…` (rank ≤ 2): received join requests.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `server` when the server refuses;
   * `invalid_server_response` for a malformed list; `network_error` / `timeout`.
   * @example
   * const requests = await group.getJoinRequests();
   */
  async getJoinRequests(last: GroupJoinReqListItem | null = null): Promise<GroupJoinReqListItem[]> {
    checkRank(this.data.rank, 2, "listing join requests");
    const page = cursor(last?.time, last?.user_id);
    return (
      await groupApi.getJoinRequests(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())
    ).map(joinReqItem);
  }

  /**
   * `PUT /group/:id/join_req/<user>`: accepts with every key (`user_type` 2: a group, keys to its public key).
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `invalid_input` for an empty id or
   * a rank outside 1–4; `server` (e.g. `server_309` when there is no such request) when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * const [request] = await group.getJoinRequests();
   * if (request) await group.acceptJoinRequest(request.user_id);
   */
  async acceptJoinRequest(
    user_id: string,
    user_type: 0 | 2 = 0,
    rank?: number,
  ): Promise<PromiseSettledResult<void>[] | undefined> {
    const publicKey = await this.#memberPublicKey(user_id, user_type === 2);
    const keys = this.#allSymKeys();
    try {
      const input = memberKeysInput(publicKey, keys, 0, rank, this.data.rank);
      const answer = await groupApi.acceptJoinRequest(
        this.#http,
        this.#jwt,
        this.data.group_id,
        user_id,
        input,
        this.#requestOptions(),
      );
      return await this.#uploadSessionPages(answer.session_id, publicKey, keys, true);
    } finally {
      keys.forEach(wipeKey);
    }
  }

  /**
   * `DELETE /group/:id/join_req/<user>` (rank ≤ 2).
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `server` (e.g. `server_309`) when
   * the server refuses; `network_error` / `timeout`.
   * @example
   * await group.rejectJoinRequest(requestUserId);
   */
  async rejectJoinRequest(user_id: string): Promise<void> {
    checkRank(this.data.rank, 2, "rejecting join requests");
    await groupApi.rejectJoinRequest(this.#http, this.#jwt, this.data.group_id, user_id, this.#requestOptions());
  }

  /**
   * Own backend: the `GroupChangeRankServerInput` for `PUT /api/v1/group/<id>/change_rank` (rank ≤ 1; new rank 1–4).
   * @throws {SentcError} `invalid_input` for an empty user id or a new rank outside 1–4; `permission_denied` when this
   * member's rank is worse than 1.
   * @example
   * const body = group.prepareUpdateRank(memberUserId, 2);
   */
  prepareUpdateRank(user_id: string, new_rank: number): string {
    nonEmptyString(user_id, "the user id");
    if (!Number.isInteger(new_rank) || new_rank < 1 || new_rank > 4)
      throw invalidInput("the new rank must be an integer from 1 to 4", { reference: 200 });
    checkRank(this.data.rank, 1, "changing ranks");
    return JSON.stringify({ changed_user_id: user_id, new_rank });
  }

  /**
   * `PUT /group/:id/change_rank`; a change of the own rank is kept in the group data.
   * @throws {SentcError} `invalid_input` for an empty user id or a new rank outside 1–4; `permission_denied` when this
   * member's rank is worse than 1; `server` (e.g. `server_314`, `server_308` for the only admin) when the server
   * refuses; `network_error` / `timeout`.
   * @example
   * await group.updateRank(memberUserId, 2);
   */
  async updateRank(user_id: string, new_rank: number): Promise<void> {
    const body = this.prepareUpdateRank(user_id, new_rank);
    await groupApi.changeRank(this.#http, this.#jwt, this.data.group_id, body, this.#requestOptions());
    if (user_id === this.#keys.memberId) {
      this.data.rank = new_rank;
      await this.#keys.persist();
    }
  }

  /**
   * `DELETE /group/:id/kick/<user>` (rank ≤ 2).
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 2; `server` (e.g. `server_316` for a
   * member with a better rank) when the server refuses; `network_error` / `timeout`.
   * @example
   * await group.kickUser(memberUserId);
   */
  async kickUser(user_id: string): Promise<void> {
    checkRank(this.data.rank, 2, "kicking members");
    await groupApi.kickUser(this.#http, this.#jwt, this.data.group_id, user_id, this.#requestOptions());
  }

  /**
   * `DELETE /group/:id/leave`; removes the local group data.
   * @throws {SentcError} `server` (e.g. `server_308` for the only admin) when the server refuses; `network_error` /
   * `timeout`; `storage_failed`.
   * @example
   * await group.leave();
   */
  async leave(): Promise<void> {
    await groupApi.leave(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    await this.#keys.forget();
  }

  // ---------- this group as member of connected groups ----------

  /**
   * `GET /group/:id/all/…`: the connected groups this group is a member of.
   * @throws {SentcError} `server` when the server refuses; `invalid_server_response` for a malformed list;
   * `network_error` / `timeout`.
   * @example
   * const connectedGroups = await group.getGroups();
   */
  async getGroups(last: GroupList | null = null): Promise<GroupList[]> {
    const page = cursor(last?.time, last?.group_id);
    return (
      await groupApi.getGroupsForGroup(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())
    ).map(groupListItem);
  }

  /**
   * `GET /group/:id/invite/…`: invites of connected groups for this group.
   * @throws {SentcError} `server` when the server refuses; `invalid_server_response` for a malformed list;
   * `network_error` / `timeout`.
   * @example
   * const invites = await group.getGroupInvites();
   */
  async getGroupInvites(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    const page = cursor(last?.time, last?.group_id);
    return (
      await groupApi.getInvitesForGroup(this.#http, this.#jwt, this.data.group_id, page, this.#requestOptions())
    ).map(inviteItem);
  }

  /**
   * `PATCH /group/:id/invite/<group_id>` (the server's path, Appendix B 11 fixed).
   * @throws {SentcError} `server` (e.g. `server_307` when there is no such invite) when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * await group.acceptGroupInvite(connectedGroupId);
   */
  async acceptGroupInvite(group_id: string): Promise<void> {
    await groupApi.acceptInviteAsGroup(this.#http, this.#jwt, this.data.group_id, group_id, this.#requestOptions());
  }

  /**
   * Rejects the invite of connected group `group_id` for this group (`DELETE /group/:id/invite/<group_id>`).
   * @throws {SentcError} `server` (e.g. `server_307` when there is no such invite) when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * await group.rejectGroupInvite(connectedGroupId);
   */
  async rejectGroupInvite(group_id: string): Promise<void> {
    await groupApi.rejectInviteAsGroup(this.#http, this.#jwt, this.data.group_id, group_id, this.#requestOptions());
  }

  /**
   * `PATCH /group/:id/join_req/<group_id>`: this group asks to join a connected group.
   * @throws {SentcError} `server` (e.g. `server_317` when the group takes no requests) when the server refuses;
   * `network_error` / `timeout`.
   * @example
   * await group.groupJoinRequest(connectedGroupId);
   */
  async groupJoinRequest(group_id: string): Promise<void> {
    await groupApi.joinRequestAsGroup(this.#http, this.#jwt, this.data.group_id, group_id, this.#requestOptions());
  }

  /**
   * `GET /group/:id/joins/…` (rank ≤ 1): join requests this group sent.
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `server` when the server refuses;
   * `invalid_server_response` for a malformed list; `network_error` / `timeout`.
   * @example
   * const sent = await group.sentJoinReq();
   */
  async sentJoinReq(last: GroupInviteListItem | null = null): Promise<GroupInviteListItem[]> {
    checkRank(this.data.rank, 1, "listing sent join requests");
    const page = cursor(last?.time, last?.group_id);
    return (
      await groupApi.getSentJoinRequestsForGroup(
        this.#http,
        this.#jwt,
        this.data.group_id,
        page,
        this.#requestOptions(),
      )
    ).map(inviteItem);
  }

  /**
   * `DELETE /group/:id/joins/<group_id>` (rank ≤ 1).
   * @throws {SentcError} `permission_denied` when this member's rank is worse than 1; `server` (e.g. `server_309`) when
   * the server refuses; `network_error` / `timeout`.
   * @example
   * await group.deleteJoinReq(connectedGroupId);
   */
  async deleteJoinReq(id: string): Promise<void> {
    checkRank(this.data.rank, 1, "deleting sent join requests");
    await groupApi.deleteSentJoinRequestForGroup(this.#http, this.#jwt, this.data.group_id, id, this.#requestOptions());
  }

  // ---------- key rotation ----------

  /**
   * Own backend: the `KeyRotationData` for `POST /api/v1/group/<id>/key_rotation`: a new key wrapped for the
   * other members by the newest key, encrypted to this member's key (user, parent or connected group).
   * The user's sign key also signs the new public key (`public_group_key_sig`, for groups' pins).
   * @throws {SentcError} `key_not_found` when the group holds no key or the user has no sign key.
   * @example
   * const body = await group.prepareKeyRotation();
   */
  async prepareKeyRotation(sign = false): Promise<string> {
    return this.#prepareKeyRotation(sign);
  }

  #prepareKeyRotation(sign: boolean): string {
    const user = this.#env.user;
    const previousGroupKey = importSymKey(this.#newestKey().group_key);
    try {
      return makeGroupKey(user.getSignKeySync(), user.user_data.user_id, sign, (maker) =>
        protocolPrepareKeyRotation({
          previousGroupKey,
          invokerPublicKey: this.#keys.owner.newestPublicKey(),
          ...maker,
        }),
      );
    } finally {
      wipeKey(previousGroupKey);
    }
  }

  /**
   * Own backend: reads the envelope of the rotation start, fetches the new key and makes it the newest.
   * @throws {SentcError} `server` (e.g. `server_321` for too many rotations) when the envelope or the key fetch is
   * refused; `invalid_server_response` when it lacks `key_id`; `decryption_failed`; `network_error` / `timeout`;
   * `storage_failed`.
   * @example
   * const newKey = await group.doneKeyRotation(await response.text());
   */
  async doneKeyRotation(server_output: string): Promise<GroupKey> {
    const what = "POST /group/:id/key_rotation result";
    const keyId = resultString(resultObject(readServerOutput(server_output, what), what), "key_id", what);
    return this.#keys.takeNewKey(keyId);
  }

  /**
   * Starts a key rotation (`POST /group/:id/key_rotation`); the new key becomes the newest at once. The other
   * members get it with `finishKeyRotation` (by itself with the init option `auto_finish_key_rotation`).
   * @throws {SentcError} `key_not_found` when the group holds no key; `server` (e.g. `server_321` for too many
   * rotations, `server_301` for a too low rank) when the server refuses; `invalid_server_response` for an answer
   * without the new key id; `decryption_failed`; `network_error` / `timeout`; `storage_failed`.
   * @example
   * const { group_key_id } = await group.keyRotation();
   */
  async keyRotation(sign = false): Promise<GroupKey> {
    const input = this.#prepareKeyRotation(sign);
    const { key_id } = await groupApi.startKeyRotation(
      this.#http,
      this.#jwt,
      this.data.group_id,
      input,
      this.#requestOptions(),
    );
    if (!key_id) throw invalidServerResponse("the rotation answered an empty key_id");
    return this.#keys.takeNewKey(key_id);
  }

  /**
   * Finishes the rotations other members started (`GET` / `PUT /group/:id/key_rotation`); concurrent calls share one run.
   * @throws {SentcError} `invalid_input` for a `verify` other than 0, 1 or 2; `server` when the server refuses;
   * `decryption_failed` / `verification_failed` when a rotated key cannot be decrypted or verified; `network_error` /
   * `timeout`; `storage_failed`.
   * @example
   * await group.groupUpdateCheck();
   * if (group.data.key_update) await group.finishKeyRotation();
   */
  finishKeyRotation(verify: GroupVerify = 0): Promise<void> {
    checkVerify(verify);
    return this.#rotations.run(() => this.#keys.finishRotations(verify));
  }

  async #tryFinishKeyRotation(): Promise<void> {
    // A failure (e.g. a rotation the server could not prepare for this member) leaves key_update set for the app.
    await this.finishKeyRotation(this.#verify).catch(() => undefined);
  }

  // ---------- encryption (sdk.md §4.1, §4.2) ----------

  #newestSymKey(): SymKey {
    return importSymKey(this.#newestKey().group_key);
  }

  #signKeyFor(sign: boolean) {
    return signKeyIf(sign, () => this.getSignKeySync());
  }

  /**
   * Encrypts bytes with the newest group key and returns the head (a JSON string) and the ciphertext separately
   * (sdk.md §4.1); with `sign`, the user's newest sign key signs the data (§4.2). Resolves with the result of `encryptRawSync`.
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array`; `key_not_found` when the group holds no key
   * (or, with `sign`, the user has no sign key).
   * @example
   * const group = await user.getGroup(groupId);
   * const { head, data } = await group.encryptRaw(new TextEncoder().encode("hello"));
   */
  async encryptRaw(data: Uint8Array, sign = false): Promise<CryptoRawOutput> {
    return this.encryptRawSync(data, sign);
  }

  /**
   * Synchronous `encryptRaw`: encrypts bytes with the newest group key, head and ciphertext kept apart (sdk.md §4.1).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array`; `key_not_found` when the group holds no key
   * (or, with `sign`, the user has no sign key).
   * @example
   * const { head, data } = group.encryptRawSync(new Uint8Array([1, 2, 3]), true);
   */
  encryptRawSync(data: Uint8Array, sign = false): CryptoRawOutput {
    return encryptRawSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  /**
   * Decrypts the output of `encryptRaw` with the group key the head names, fetching it when this member does not hold
   * it (sdk.md §4.1). With `verify_key` (an exported verify key) a signed head is verified; unsigned data is decrypted
   * unchecked as in the reference, unless the init option `strict_verify` is set.
   * @throws {SentcError} `invalid_format` when the head is not a sentc head; `decryption_failed` for a wrong key or
   * tampered data; `verification_failed` / `wrong_verify_key` when the signature does not verify with `verify_key`;
   * `missing_signature` (with `strict_verify` only) for unsigned data; `server` (e.g. `server_304`) when the server has
   * no such key for this member (a key rotation not finished yet); `network_error` when the key cannot be fetched.
   * @example
   * const bytes = await group.decryptRaw(head, data);
   */
  async decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Promise<Uint8Array> {
    return this.#decryptor.raw(head, encrypted_data, verify_key);
  }

  /**
   * Synchronous `decryptRaw`: only the group keys held locally are used, nothing is fetched (sdk.md §4.1).
   * @throws {SentcError} `key_not_found` when the key the head names is not held ("Group key not found. Maybe done key
   * rotation will help"); `invalid_format` for a bad head; `decryption_failed` for a wrong key or tampered data;
   * `verification_failed` / `wrong_verify_key` when the signature does not verify with `verify_key`.
   * @example
   * const bytes = group.decryptRawSync(head, data, verifyKey);
   */
  decryptRawSync(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array {
    return this.#decryptor.rawSync(head, encrypted_data, verify_key);
  }

  /**
   * Encrypts bytes with the newest group key into one buffer, head and ciphertext together (`head ‖ 0x00 ‖ ciphertext`,
   * sdk.md §4.1); with `sign` the user's newest sign key signs it (§4.2).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array`; `key_not_found` when the group holds no key
   * (or, with `sign`, the user has no sign key).
   * @example
   * const group = await user.getGroup(groupId);
   * const encrypted = await group.encrypt(new TextEncoder().encode("hello"), true);
   */
  async encrypt(data: Uint8Array, sign = false): Promise<Uint8Array> {
    return this.encryptSync(data, sign);
  }

  /**
   * Synchronous `encrypt`: bytes encrypted with the newest group key into one buffer (sdk.md §4.1).
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array`; `key_not_found` when the group holds no key
   * (or, with `sign`, the user has no sign key).
   * @example
   * const encrypted = group.encryptSync(new Uint8Array([1, 2, 3]));
   */
  encryptSync(data: Uint8Array, sign = false): Uint8Array {
    return encryptSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  /**
   * Decrypts with the group key the head names (fetched or finished when unknown); `verify` checks user `user_id`'s signature.
   * A key that is not held is fetched; when the server has none for this member yet, `auto_finish_key_rotation`
   * finishes the pending rotations to get it. As in the reference (§4.2), unsigned data is decrypted unchecked even
   * with `verify`, unless the init option `strict_verify` is set.
   * @throws {SentcError} `invalid_input` when `data` is not a `Uint8Array` or `verify` is set without `user_id`;
   * `invalid_format` when it carries no sentc head; `decryption_failed` for a wrong key or tampered data;
   * `verification_failed` / `wrong_verify_key` when the signature does not verify; `missing_signature` (with
   * `strict_verify` only); `server` (e.g. `server_304`) when the server refuses the key or the sender's verify key
   * (a rotation this member has not finished); `network_error` when a key cannot be fetched.
   * @example
   * const group = await user.getGroup(groupId);
   * const bytes = await group.decrypt(encrypted, true, senderUserId);
   */
  async decrypt(data: Uint8Array, verify = false, user_id?: string): Promise<Uint8Array> {
    return this.#decryptor.bytes(data, verify, user_id);
  }

  /**
   * Synchronous `decrypt`: uses only the group keys held locally and checks the signature with `verify_key` (an
   * exported verify key) when given (sdk.md §4.1).
   * @throws {SentcError} `key_not_found` when the key the head names is not held; `invalid_input` / `invalid_format`
   * for data that is not sentc's format; `decryption_failed` for a wrong key or tampered data; `verification_failed` /
   * `wrong_verify_key` when the signature does not verify with `verify_key`.
   * @example
   * const bytes = group.decryptSync(encrypted);
   */
  decryptSync(data: Uint8Array, verify_key?: string): Uint8Array {
    return this.#decryptor.bytesSync(data, verify_key);
  }

  /**
   * Encrypts a string with the newest group key and returns base64 text (head and ciphertext, sdk.md §4.1); with
   * `sign` the user's newest sign key signs it (§4.2).
   * @throws {SentcError} `invalid_input` when `data` is not a string; `key_not_found` when the group holds no key (or,
   * with `sign`, the user has no sign key).
   * @example
   * import Sentc from "sentc-as";
   *
   * const user = await Sentc.login("alice", "password", true);
   * const group = await user.getGroup(groupId);
   * const text = await group.encryptString("hello");
   */
  async encryptString(data: string, sign = false): Promise<string> {
    return this.encryptStringSync(data, sign);
  }

  /**
   * Synchronous `encryptString`: base64 text encrypted with the newest group key (sdk.md §4.1).
   * @throws {SentcError} `invalid_input` when `data` is not a string; `key_not_found` when the group holds no key (or,
   * with `sign`, the user has no sign key).
   * @example
   * const text = group.encryptStringSync("hello", true);
   */
  encryptStringSync(data: string, sign = false): string {
    return encryptStringSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  /**
   * Decrypts the output of `encryptString` with the group key its head names, fetching the key when it is not held
   * (sdk.md §4.1). With `verify`, a signed head is checked with user `user_id`'s verify key (fetched and cached); unsigned
   * data is decrypted unchecked as in the reference, unless the init option `strict_verify` is set.
   * @throws {SentcError} `invalid_encoding` when `data` is not base64; `invalid_format` when it carries no sentc head
   * or is not UTF-8 text after decryption; `invalid_input` when `verify` is set without `user_id`; `decryption_failed`
   * for a wrong key or tampered data; `verification_failed` / `wrong_verify_key` when the signature does not verify;
   * `missing_signature` (with `strict_verify` only); `server` (e.g. `server_304`) when the server refuses the key (a
   * rotation this member has not finished); `network_error` when a key cannot be fetched.
   * @example
   * const group = await user.getGroup(groupId);
   * const text = await group.decryptString(encryptedText);
   * const checked = await group.decryptString(signedText, true, senderUserId);
   */
  async decryptString(data: string, verify = false, user_id?: string): Promise<string> {
    return this.#decryptor.string(data, verify, user_id);
  }

  /**
   * Synchronous `decryptString`: uses only the group keys held locally; `verify_key` (an exported verify key) checks a
   * signed head (sdk.md §4.1).
   * @throws {SentcError} `key_not_found` when the key the head names is not held; `invalid_encoding` /
   * `invalid_format` for text that is not sentc's format; `decryption_failed` for a wrong key or tampered data;
   * `verification_failed` / `wrong_verify_key` when the signature does not verify with `verify_key`.
   * @example
   * const text = group.decryptStringSync(encryptedText);
   */
  decryptStringSync(data: string, verify_key?: string): string {
    return this.#decryptor.stringSync(data, verify_key);
  }

  // ---------- content keys (sdk.md §4.1, §4.3) ----------

  /**
   * A new content key wrapped by the newest group key (`master_key_id` = that key's id) and the wrapped key to store.
   * Store the wrapped key and `key.master_key_id` next to the data (sdk.md §4.3).
   * @throws {SentcError} `key_not_found` when the group holds no key or the user has no sign key.
   * @example
   * const [key, encryptedKey] = await group.generateNonRegisteredKey();
   * const text = key.encryptString("hello");
   */
  async generateNonRegisteredKey(): Promise<[ContentKey, string]> {
    return generateContentKey(this.#newestKey().group_key, symKeyContext(this.#http, this.getSignKeySync()));
  }

  /**
   * Recovers a content key with the group key `master_key_id` (fetched, or received by finishing a rotation, when unknown).
   * @throws {SentcError} `server` (e.g. `server_304`) when the server has no such group key for this member;
   * `decryption_failed` for a wrong key or tampered data; `invalid_format` / `invalid_encoding` when `encrypted_key` is
   * not a wrapped key; `network_error` / `timeout`.
   * @example
   * const key = await group.getNonRegisteredKey(masterKeyId, encryptedKey);
   * const text = key.decryptString(encryptedText);
   */
  async getNonRegisteredKey(master_key_id: string, encrypted_key: string): Promise<ContentKey> {
    return getContentKey(
      await this.getSymKeyById(master_key_id),
      encrypted_key,
      symKeyContext(this.#http, this.getSignKeySync()),
    );
  }

  // ---------- searchable (sdk.md §4.5) ----------

  /**
   * HMAC hashes of every prefix of `data` (the last is the whole value); `full` gives only that one, `limit` caps the prefixes.
   * @throws {SentcError} `key_not_found` when the group has no HMAC key; `invalid_input` for empty data, data over 200
   * bytes without `full` or `limit`, or a bad `limit`.
   * @example
   * const hashes = group.createSearchRaw("alice@example.com");
   */
  createSearchRaw(data: string, full?: boolean, limit?: number): string[] {
    return createSearchableRaw(importHmacKey(this.getNewestHmacKey()), data, full === true, limit);
  }

  /**
   * Like `createSearchRaw`, with the HMAC alg and key id to store next to the hashes.
   * @throws {SentcError} `key_not_found` when the group has no HMAC key; `invalid_input` for empty data, data over 200
   * bytes without `full` or `limit`, or a bad `limit`.
   * @example
   * const [hashes, alg, keyId] = group.createSearch("alice@example.com");
   */
  createSearch(data: string, full?: boolean, limit?: number): [string[], string, string] {
    const out = createSearchable(importHmacKey(this.getNewestHmacKey()), data, full === true, limit);
    return [out.hashes, out.alg, out.key_id];
  }

  /**
   * The hash to look up a stored value (or a prefix of it) by.
   * @throws {SentcError} `key_not_found` when the group has no HMAC key; `invalid_input` for empty data.
   * @example
   * const hash = group.search("alice");
   */
  search(data: string): string {
    return protocolSearch(importHmacKey(this.getNewestHmacKey()), data);
  }

  // ---------- sortable (sdk.md §4.6) ----------

  /**
   * Encrypts a number with the group's newest sortable key (order-preserving, sdk.md §4.6): the results compare like the numbers.
   * @throws {SentcError} `key_not_found` when the group has no sortable key; `invalid_input` for a non-integer or a
   * number outside the sortable range (0 to 65532).
   * @example
   * const sortable = group.encryptSortableRawNumber(42);
   */
  encryptSortableRawNumber(number: number | bigint): bigint {
    return BigInt(protocolSortableNumber(importSortableKey(this.getNewestSortableKey()), number));
  }

  /**
   * Like `encryptSortableRawNumber`, with the key's alg and id to store next to the value.
   * @throws {SentcError} `key_not_found` when the group has no sortable key; `invalid_input` for a non-integer or a
   * number outside the sortable range (0 to 65532).
   * @example
   * const [sortable, alg, keyId] = group.encryptSortableNumber(42);
   */
  encryptSortableNumber(number: number | bigint): [bigint, string, string] {
    const key = importSortableKey(this.getNewestSortableKey());
    return [BigInt(protocolSortableNumber(key, number)), key.alg, key.keyId];
  }

  /**
   * Only the first 4 bytes of the string count.
   * Encrypts a string with the group's newest sortable key so that results sort like the strings (sdk.md §4.6).
   * @throws {SentcError} `key_not_found` when the group has no sortable key; `invalid_input` when `data` is not a string
   * or the cut splits a character.
   * @example
   * const sortable = group.encryptSortableRawString("alice");
   */
  encryptSortableRawString(data: string): bigint {
    return BigInt(protocolSortableString(importSortableKey(this.getNewestSortableKey()), data));
  }

  /**
   * Like `encryptSortableRawString`, with the key's alg and id to store next to the value.
   * @throws {SentcError} `key_not_found` when the group has no sortable key; `invalid_input` when `data` is not a string
   * or the cut splits a character.
   * @example
   * const [sortable, alg, keyId] = group.encryptSortableString("alice");
   */
  encryptSortableString(data: string): [bigint, string, string] {
    const key = importSortableKey(this.getNewestSortableKey());
    return [BigInt(protocolSortableString(key, data)), key.alg, key.keyId];
  }

  // ---------- files (sdk.md §4.4) ----------

  /**
   * Own backend, step 1: a content key wrapped by the newest group key and the body your backend posts to
   * `POST /api/v1/group/<id>/file`. The file name (of a `File`) is encrypted with the key.
   * @throws {SentcError} `invalid_input` for a file that is neither Blob nor bytes
   * @example
   * const { server_input, key } = await group.prepareRegisterFile(file);
   */
  async prepareRegisterFile(file: files.FileInput): Promise<files.FilePrepareCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey();
    return this.#files.prepareRegister(file, key, encrypted_key);
  }

  /**
   * Encrypts and uploads a file that belongs to this group, under a content key wrapped by the newest group key.
   * `Uploader.cancel_upload = true` stops after the current part (and it resolves, as the reference);
   * `options.signal` cancels with an `aborted` error and removes the file.
   * @throws {SentcError} `server`, `network_error`, `invalid_input`, `aborted` (signal only)
   * @example
   * const { file_id } = await group.createFile(file, false, (p) => console.log(p));
   */
  async createFile(
    file: files.FileInput,
    sign = false,
    upload_callback?: files.FileProgressCallback,
    options: files.FileUploadOptions = {},
  ): Promise<files.FileCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey();
    return this.#files.create(
      { key, encrypted_key, belongs_to_type: "Group", belongs_to_id: this.data.group_id },
      file,
      sign,
      upload_callback,
      options,
    );
  }
}
