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
import { SentcError } from "../errors.js";
import * as groupApi from "../api/endpoints/group.js";
import { encryptRawSymmetric, encryptStringSymmetric, encryptSymmetric } from "../protocol/encrypt.js";
import { prepareCreateGroup } from "../protocol/group-create.js";
import { encryptGroupKeysForMember } from "../protocol/group-member.js";
import { prepareKeyRotation as protocolPrepareKeyRotation } from "../protocol/key-rotation.js";
import {
  importHmacKey,
  importPublicKey,
  importSignKey,
  importSortableKey,
  importSymKey,
  type PublicKey,
  type SymKey,
} from "../protocol/keys.js";
import { createSearchable, createSearchableRaw, search as protocolSearch } from "../protocol/searchable.js";
import { encryptSortableRawNumber as protocolSortableNumber, encryptSortableRawString as protocolSortableString } from "../protocol/sortable.js";
import {
  GROUP_UPDATE_CHECK_MS,
  MEMBER_KEY_PAGE,
  childItem,
  cursor,
  groupListItem,
  inviteItem,
  joinReqItem,
  memberItem,
  memberKeysInput,
  wipeCreatedKeys,
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
import { HeadDecryptor, SYMMETRIC, signKeyIf } from "./head-crypto.js";
import { readServerOutput, resultObject, resultString, wipeKey } from "./internal.js";
import { SharedRun } from "./key-rotation.js";
import { getGroupPublicKeyData } from "./public-keys.js";
import {
  generateNonRegisteredKey as generateContentKey,
  getNonRegisteredKey as getContentKey,
  symKeyContext,
  type SymKey as ContentKey,
} from "./SymKey.js";
import type { CryptoRawOutput, GroupInviteListItem } from "./types.js";
import * as files from "./files/index.js";

export type { GroupEnv, GroupLoadOptions, GroupOwnerUser } from "./group-keyring.js";

function checkRank(rank: number, max: number, what: string): void {
  if (rank > max) throw new SentcError("permission_denied", `${what} needs rank ${max} or better (this member has rank ${rank})`);
}

/**
 * A group as the member `U` sees it (`U`: the logged-in user the group was loaded by, a `User` for groups from
 * `user.getGroup`).
 */
export class Group<U extends GroupOwnerUser = GroupOwnerUser> {
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
      uploader: (uploadCallback) => env.uploader(this.data.group_id, uploadCallback, this.data.access_by_group_as_member),
      downloader: () => env.downloader(this.data.group_id, this.data.access_by_group_as_member),
      contentKey: (masterKeyId, encryptedKey) => this.getNonRegisteredKey(masterKeyId, encryptedKey),
      signKey: () => this.getSignKeySync(),
    });
  }

  #fileTransport(): files.FileTransport {
    const transport: files.FileTransport = { http: this.#http, jwt: this.#jwt, group_id: this.data.group_id };
    if (this.data.access_by_group_as_member !== undefined) transport.group_as_member = this.data.access_by_group_as_member;
    if (this.#env.ctx.options.file_part_url !== undefined) transport.file_part_url = this.#env.ctx.options.file_part_url;
    return transport;
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
  get user(): U {
    return this.#env.user;
  }

  // ---------- loading (sdk.md §3.2) ----------

  /**
   * @internal Loads a group: from the store (revalidated with `update_check` every 5 minutes) or from the server,
   * decrypting every key page, the HMAC and sortable keys with the user's, the parent's or the connected group's
   * private keys. Stores the group data and the group's public key.
   */
  static async load<U extends GroupOwnerUser>(env: GroupEnv<U>, groupId: string, options: GroupLoadOptions = {}): Promise<Group<U>> {
    if (typeof groupId !== "string" || groupId.length === 0) throw new SentcError("invalid_input", "the group id must be a non-empty string");
    const verify = checkVerify(options.verify ?? 0);
    const groupAsMember = options.groupAsMember === "" ? undefined : options.groupAsMember;
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
  static async #resolveOwner<U extends GroupOwnerUser>(env: GroupEnv<U>, data: GroupData, verify: GroupVerify): Promise<KeyOwner> {
    let holder: Group<U> | undefined;
    if (data.access_by_parent_group !== undefined && data.parent_group_id !== undefined) {
      holder = await Group.load(env, data.parent_group_id, { parent: true, groupAsMember: data.access_by_group_as_member, verify });
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
    return (await this.#keys.getKey(key_id)).group_key;
  }

  getSymKeyByIdSync(key_id: string): string {
    return this.#keys.requireHeld(key_id).group_key;
  }

  /** @internal The group's private key with this id (for child and connected groups). */
  async getPrivateKey(key_id: string): Promise<string> {
    return (await this.#keys.getKey(key_id)).private_group_key;
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
    await this.#keys.fetchOlderKeys(jwt, verify);
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
    return this.#keys.decryptKeys(fetched, verify);
  }

  /**
   * Decrypts HMAC keys (`{group_key_id, key_data}` or the server's objects) with the group keys that wrap them;
   * resolves to the exported keys.
   * @throws SentcError `invalid_input`, `key_not_found`, `decryption_failed`
   * @example
   * const hmacKeys = await group.decryptHmacKeys(fetched);
   */
  async decryptHmacKeys(fetched: GroupOutDataHmacKeys[]): Promise<string[]> {
    return openWrappedKeys(fetched, "fetched", (keyId) => this.#keys.keyForInternalUse(keyId), openHmacKey);
  }

  /**
   * Decrypts sortable keys (`{group_key_id, key_data}` or the server's objects); resolves to the exported keys.
   * @throws SentcError `invalid_input`, `key_not_found`, `decryption_failed`
   * @example
   * const sortableKeys = await group.decryptSortableKeys(fetched);
   */
  async decryptSortableKeys(fetched: GroupOutDataSortableKeys[]): Promise<string[]> {
    return openWrappedKeys(fetched, "fetched", (keyId) => this.#keys.keyForInternalUse(keyId), openSortableKey);
  }

  // ---------- structure ----------

  /** A child group of this group, accessed through this group (as the same connected group, if any). */
  getChildGroup(group_id: string, verify: GroupVerify = 0): Promise<Group<U>> {
    return Group.load(this.#env, group_id, { parent: true, groupAsMember: this.data.access_by_group_as_member, verify });
  }

  /** A connected group that this group is a member of, accessed as this group. */
  getConnectedGroup(group_id: string, verify: GroupVerify = 0): Promise<Group<U>> {
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
    await this.#keys.persist();
  }

  /** Own backend: checks the rank for `DELETE /api/v1/group/<id>` (no body; `DELETE /api/v1/group/forced/<id>` with the secret token needs none). */
  prepareDeleteGroup(): void {
    checkRank(this.data.rank, 1, "deleting the group");
  }

  /** Own backend: reads the envelope of the delete and removes the local group data. */
  async doneDeleteGroup(server_output: string): Promise<void> {
    readServerOutput(server_output, "DELETE /group/:id result");
    await this.#keys.forget();
  }

  /** `DELETE /group/:id` (rank ≤ 1): the group and its descendants; removes the local group data. */
  async deleteGroup(): Promise<void> {
    this.prepareDeleteGroup();
    await groupApi.deleteGroup(this.#http, this.#jwt, this.data.group_id, this.#requestOptions());
    await this.#keys.forget();
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
    if (user_id === this.#keys.memberId) {
      this.data.rank = new_rank;
      await this.#keys.persist();
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
    await this.#keys.forget();
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
        invokerPublicKey: this.#keys.owner.newestPublicKey(),
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
    return this.#keys.takeNewKey(keyId);
  }

  /**
   * Starts a key rotation (`POST /group/:id/key_rotation`); the new key becomes the newest at once. The other
   * members get it with `finishKeyRotation` (by itself with the init option `auto_finish_key_rotation`).
   */
  async keyRotation(sign = false): Promise<GroupKey> {
    const input = this.#prepareKeyRotation(sign);
    const { key_id } = await groupApi.startKeyRotation(this.#http, this.#jwt, this.data.group_id, input, this.#requestOptions());
    return this.#keys.takeNewKey(key_id);
  }

  /** Finishes the rotations other members started (`GET` / `PUT /group/:id/key_rotation`); concurrent calls share one run. */
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

  async encryptRaw(data: Uint8Array, sign = false): Promise<CryptoRawOutput> {
    return this.encryptRawSync(data, sign);
  }

  encryptRawSync(data: Uint8Array, sign = false): CryptoRawOutput {
    return encryptRawSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  async decryptRaw(head: string, encrypted_data: Uint8Array, verify_key?: string): Promise<Uint8Array> {
    return this.#decryptor.raw(head, encrypted_data, verify_key);
  }

  decryptRawSync(head: string, encrypted_data: Uint8Array, verify_key?: string): Uint8Array {
    return this.#decryptor.rawSync(head, encrypted_data, verify_key);
  }

  async encrypt(data: Uint8Array, sign = false): Promise<Uint8Array> {
    return this.encryptSync(data, sign);
  }

  encryptSync(data: Uint8Array, sign = false): Uint8Array {
    return encryptSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  /** Decrypts with the group key the head names (fetched or finished when unknown); `verify` checks user `user_id`'s signature. */
  async decrypt(data: Uint8Array, verify = false, user_id?: string): Promise<Uint8Array> {
    return this.#decryptor.bytes(data, verify, user_id);
  }

  decryptSync(data: Uint8Array, verify_key?: string): Uint8Array {
    return this.#decryptor.bytesSync(data, verify_key);
  }

  async encryptString(data: string, sign = false): Promise<string> {
    return this.encryptStringSync(data, sign);
  }

  encryptStringSync(data: string, sign = false): string {
    return encryptStringSymmetric(this.#newestSymKey(), data, this.#signKeyFor(sign));
  }

  async decryptString(data: string, verify = false, user_id?: string): Promise<string> {
    return this.#decryptor.string(data, verify, user_id);
  }

  decryptStringSync(data: string, verify_key?: string): string {
    return this.#decryptor.stringSync(data, verify_key);
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

  /**
   * Own backend, step 1: a content key wrapped by the newest group key and the body your backend posts to
   * `POST /api/v1/group/<id>/file`. The file name (of a `File`) is encrypted with the key.
   * @throws SentcError `invalid_input` for a file that is neither Blob nor bytes
   * @example
   * const { server_input, key } = await group.prepareRegisterFile(file);
   */
  async prepareRegisterFile(file: files.FileInput): Promise<files.FilePrepareCreateOutput> {
    const [key, encrypted_key] = await this.generateNonRegisteredKey();
    return this.#files.prepareRegister(file, key, encrypted_key);
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
    return this.#files.uploadRegistered(file, content_key, session_id, sign, upload_callback);
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
    return this.#files.create({ key, encrypted_key, belongs_to_type: "Group", belongs_to_id: this.data.group_id }, file, sign, upload_callback, options);
  }

  /**
   * The group file's meta data (name decrypted) and its content key, without the content.
   * @throws SentcError `server` (512 not found, 521 no access), `key_not_found`
   * @example
   * const [meta, key] = await group.downloadFileMetaInfo(fileId);
   */
  downloadFileMetaInfo(file_id: string, verify_key?: string): Promise<[files.FileMetaInformation, ContentKey]> {
    return this.#files.metaInfo(file_id, verify_key);
  }

  /**
   * The content of a file whose meta data and key `downloadFileMetaInfo` gave, as an object URL (`""` when
   * `Downloader.cancel_download` stopped it); `verify_key` checks every part's signature.
   * @throws SentcError `decryption_failed`, `verification_failed`, `server`, `network`
   * @example
   * const url = await group.downloadFileWithMetaInfo(key, meta);
   */
  downloadFileWithMetaInfo(key: ContentKey, file_meta: files.FileMetaInformation, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<string> {
    return this.#files.withMetaInfo(key, file_meta, verify_key, updateProgressCb);
  }

  /**
   * Downloads and decrypts a group file as the reference does: `[objectUrl, meta, key]` (`objectUrl` is `""` when
   * `Downloader.cancel_download` stopped it). For the bytes (e.g. in Node) use `downloadFileData`.
   * @throws SentcError `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `unsupported_environment`
   * @example
   * const [url, meta] = await group.downloadFile(fileId, senderVerifyKey);
   */
  async downloadFile(file_id: string, verify_key?: string, updateProgressCb?: (progress: number) => void): Promise<[string, files.FileMetaInformation, ContentKey]> {
    return this.#files.download(file_id, verify_key, updateProgressCb);
  }

  /**
   * Not in the reference: downloads and decrypts a group file into bytes (`{data, file_name, meta, key}`), with
   * cancellation (`options.signal`), streaming (`on_part`) and `resume`.
   * @throws SentcError `server`, `key_not_found`, `decryption_failed`, `verification_failed`, `aborted`
   * @example
   * const { data } = await group.downloadFileData(fileId);
   */
  async downloadFileData(file_id: string, verify_key?: string, download_callback?: files.FileProgressCallback, options: files.FileDownloadOptions = {}): Promise<files.FileDownloadOutput> {
    return this.#files.data(file_id, verify_key, download_callback, options);
  }

  updateFileName(file_id: string, content_key: ContentKey, file_name?: string | null): Promise<void> {
    return this.#files.rename(file_id, content_key, file_name);
  }

  deleteFile(file_id: string): Promise<void> {
    return this.#files.remove(file_id);
  }

}
