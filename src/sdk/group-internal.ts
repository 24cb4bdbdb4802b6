/**
 * Internals of `Group`: converting protocol values into the stored `GroupData`, the storage layout, member key
 * pages and the list items the server answers.
 */
import { invalidInput, invalidServerResponse } from "../errors.js";
import type { JsonObject } from "../api/endpoints/result.js";
import { serializeGroupKeyServerOutput, type GroupKeyEntry } from "../protocol/group-data.js";
import type { GroupKeyData } from "../protocol/group-keys.js";
import { prepareKeysForNewMember } from "../protocol/group-member.js";
import { isRecord, optionalStringField, stringField } from "../protocol/json.js";
import type { GroupKeys } from "../protocol/group-create.js";
import {
  exportPrivateKey,
  exportPublicKey,
  exportSymKey,
  importSignKey,
  type PublicKey,
  type SignKey,
  type SymKey,
} from "../protocol/keys.js";
import { serializeUserPublicKeyData } from "../protocol/public-keys.js";
import { wipeKey } from "./internal.js";
import { STORAGE_KEYS } from "./storage.js";
import type {
  GroupChildrenListItem,
  GroupData,
  GroupJoinReqListItem,
  GroupKey,
  GroupList,
  GroupUserListItem,
} from "./group-types.js";
import type { GroupInviteListItem } from "./types.js";

/** Group data from the store is revalidated with `update_check` after this long (sdk.md §3.2). */
export const GROUP_UPDATE_CHECK_MS = 5 * 60 * 1000;

/** Group keys come in pages of this size (`GET /group/:id`, `GET /group/:id/keys`). */
export const GROUP_KEY_PAGE = 50;

/**
 * Keys for a new member travel in pages of this size: the first page with the invite (or the accepted join
 * request), the rest through the key session. sentc's server opens a session only when the first page holds
 * exactly 100 keys (api.md §3.5.3), so pages of 100 give every key to the member on sentc's server and on ours
 * (which opens one whenever asked); the reference's pages of 50 lose keys 51–100 on sentc's server.
 */
export const MEMBER_KEY_PAGE = 100;

/** `group_data_user_<user id or group-as-member id>_id_<group id>` (sdk.md §6). */
export function groupStorageKey(memberId: string, groupId: string): string {
  return `${STORAGE_KEYS.groupDataPrefix(memberId)}${groupId}`;
}

/**
 * The connected group a user acts as (`group_as_member`, sent as `x-sentc-group-access-id`): `undefined` for none
 * (`undefined`, `null` or `""`), else its id, which must be visible ASCII (a header cannot carry control characters;
 * `fetch` refuses characters beyond Latin-1).
 * @throws {SentcError} `invalid_input` for anything else.
 * @example
 * const groupAsMember = groupAsMemberArg(group_as_member);
 */
export function groupAsMemberArg(value: unknown): string | undefined {
  if (value == null || value === "") return undefined;
  if (typeof value === "string" && /^[!-~]+$/.test(value)) return value;
  throw invalidInput("group_as_member must be a group id");
}

export function groupKeyFromData(key: GroupKeyData): GroupKey {
  const publicKey = key.publicGroupKey;
  return {
    private_group_key: exportPrivateKey(key.privateGroupKey),
    public_group_key: exportPublicKey(publicKey),
    exported_public_key: serializeUserPublicKeyData({ publicKey, signature: null, signatureKeyId: null }),
    group_key: exportSymKey(key.groupKey),
    time: String(key.time),
    group_key_id: key.groupKey.keyId,
  };
}

export function wipeGroupKeyData(key: GroupKeyData): void {
  key.groupKey.key.fill(0);
  wipeKey(key.privateGroupKey);
}

/** One `GroupUserKeys` of a key page or a single key fetch, as `decryptGroupKey` takes it. */
export function groupKeyEntry(raw: JsonObject): GroupKeyEntry {
  const what = "group key";
  return {
    privateKeyId: stringField(raw, "user_public_key_id", what),
    keyData: serializeGroupKeyServerOutput(raw),
    signedByUserId: optionalStringField(raw, "signed_by_user_id", what),
    signedByUserSignKeyId: optionalStringField(raw, "signed_by_user_sign_key_id", what),
  };
}

export function keyMapOfGroup(keys: GroupKey[]): Map<string, number> {
  return new Map(keys.map((key, index) => [key.group_key_id, index]));
}

/** Checks group data read from storage and restores `key_map`; `undefined` when it is not usable. */
export function restoreGroupData(value: unknown): GroupData | undefined {
  if (!isRecord(value)) return undefined;
  const data = value as unknown as GroupData;
  if (
    typeof data.group_id !== "string" ||
    !Array.isArray(data.keys) ||
    data.keys.length === 0 ||
    typeof data.newest_key_id !== "string"
  )
    return undefined;
  if (typeof data.rank !== "number") return undefined;
  if (!(data.key_map instanceof Map) || data.key_map.size !== data.keys.length) data.key_map = keyMapOfGroup(data.keys);
  if (!Array.isArray(data.hmac_keys)) data.hmac_keys = [];
  if (!Array.isArray(data.sortable_keys)) data.sortable_keys = [];
  if (typeof data.last_check_time !== "number") data.last_check_time = 0;
  data.key_update = data.key_update === true;
  data.from_parent = data.from_parent === true;
  data.is_connected_group = data.is_connected_group === true;
  return data;
}

/** A copy for the store (the `Map` copied so later changes do not leak into a memory store). */
export function storedGroupData(data: GroupData): GroupData {
  return {
    ...data,
    keys: data.keys.slice(),
    key_map: new Map(data.key_map),
    hmac_keys: data.hmac_keys.slice(),
    sortable_keys: data.sortable_keys.slice(),
  };
}

/**
 * `GroupKeysForNewMemberServerInput` for page `page` of `keys` (`MEMBER_KEY_PAGE` keys a page): the protocol
 * checks the ranks and encrypts; `key_session` asks for a session when keys are left after the first page.
 */
export function memberKeysInput(
  memberPublicKey: PublicKey,
  keys: SymKey[],
  page: number,
  rank: number | undefined | null,
  adminRank: number,
): string {
  if (!Number.isInteger(page) || page < 0) throw invalidInput("page must be a non-negative integer");
  const pageKeys = keys.slice(page * MEMBER_KEY_PAGE, (page + 1) * MEMBER_KEY_PAGE);
  if (pageKeys.length === 0) throw invalidInput(`there is no key page ${page}`);
  const input = JSON.parse(prepareKeysForNewMember(memberPublicKey, pageKeys, keys.length, rank, adminRank)) as Record<
    string,
    unknown
  >;
  input.key_session = keys.length > MEMBER_KEY_PAGE;
  return JSON.stringify(input);
}

// ---------- list items ----------

function invalid(what: string, field: string): never {
  throw invalidServerResponse(`${what}: "${field}" has the wrong type`);
}

/** A non-empty string (every such field is an id). */
function str(item: JsonObject, field: string, what: string): string {
  const value = item[field];
  return typeof value === "string" && value !== "" ? value : invalid(what, field);
}

function num(item: JsonObject, field: string, what: string): number {
  const value = item[field];
  return typeof value === "number" && Number.isFinite(value) ? value : invalid(what, field);
}

function optStr(item: JsonObject, field: string, what: string): string | undefined {
  const value = item[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : invalid(what, field);
}

export function memberItem(item: JsonObject): GroupUserListItem {
  const what = "group member";
  return {
    user_id: str(item, "user_id", what),
    rank: num(item, "rank", what),
    joined_time: num(item, "joined_time", what),
    user_type: num(item, "user_type", what),
  };
}

export function joinReqItem(item: JsonObject): GroupJoinReqListItem {
  const what = "join request";
  return {
    user_id: str(item, "user_id", what),
    time: num(item, "time", what),
    user_type: num(item, "user_type", what),
  };
}

export function childItem(item: JsonObject): GroupChildrenListItem {
  const what = "child group";
  const out: GroupChildrenListItem = { group_id: str(item, "group_id", what), time: num(item, "time", what) };
  const parent = optStr(item, "parent", what);
  if (parent !== undefined) out.parent = parent;
  return out;
}

export function groupListItem(item: JsonObject): GroupList {
  const what = "group list item";
  const out: GroupList = {
    group_id: str(item, "group_id", what),
    time: num(item, "time", what),
    joined_time: num(item, "joined_time", what),
    rank: num(item, "rank", what),
  };
  const parent = optStr(item, "parent", what);
  if (parent !== undefined) out.parent = parent;
  return out;
}

export function inviteItem(item: JsonObject): GroupInviteListItem {
  const what = "group invite";
  return { group_id: str(item, "group_id", what), time: num(item, "time", what) };
}

/** A page cursor from the last item of a list. */
export function cursor(time: number | undefined, id: string | undefined): { time: number; id: string } | null {
  return time === undefined || id === undefined ? null : { time, id };
}

/**
 * `[wrapping group key id, key data]` of an encrypted HMAC or sortable key: the reference's `{group_key_id,
 * key_data}` or the server's object (`encrypted_hmac_encryption_key_id` / `encrypted_sortable_encryption_key_id`).
 */
export function hmacEntry(entry: unknown): [string, string | Record<string, unknown>] {
  if (isRecord(entry)) {
    const direct = entry.group_key_id;
    const data = entry.key_data;
    if (typeof direct === "string" && (typeof data === "string" || isRecord(data))) return [direct, data];
    const wrapped = entry.encrypted_hmac_encryption_key_id ?? entry.encrypted_sortable_encryption_key_id;
    if (typeof wrapped === "string") return [wrapped, entry];
  }
  throw invalidInput("expected {group_key_id, key_data} or the server's encrypted key object");
}

/** A key of `GET /group/:id/keys` in the reference's `GroupOutDataKeys` shape, or the server's object, as an entry. */
export function keyEntryOf(entry: unknown): GroupKeyEntry {
  if (isRecord(entry) && typeof entry.private_key_id === "string" && typeof entry.key_data === "string") {
    const signer = entry.signed_by_user_id;
    const signerKey = entry.signed_by_user_sign_key_id;
    return {
      privateKeyId: entry.private_key_id,
      keyData: entry.key_data,
      signedByUserId: typeof signer === "string" && signer !== "" ? signer : null,
      signedByUserSignKeyId: typeof signerKey === "string" && signerKey !== "" ? signerKey : null,
    };
  }
  if (isRecord(entry) && typeof entry.user_public_key_id === "string") return groupKeyEntry(entry as JsonObject);
  throw invalidInput("expected {private_key_id, key_data} or the server's group key object");
}

/**
 * Zeroes the keys a group create or a key rotation generated (only their encrypted forms leave the device).
 * Throws nothing.
 * @example
 * const { serverInput, keys } = prepareCreateGroup(input);
 * wipeCreatedKeys(keys);
 */
export function wipeCreatedKeys(keys: GroupKeys): void {
  keys.groupKey.key.fill(0);
  wipeKey(keys.privateKey);
  keys.hmacKey?.key.fill(0);
  keys.sortableKey?.key.fill(0);
  if (keys.signKey && isRecord(keys.signKey)) wipeKey(keys.signKey as { key?: Uint8Array });
}

/** What a new group key needs from the user who makes it (the fields of `prepareCreateGroup` / `prepareKeyRotation`). */
export interface GroupKeyMaker {
  /** The user's sign key for sentc's `group_key_sig` over the group key, only when the caller asked to sign. */
  signKey: SignKey | null;
  starter: string;
  /** Signs the new group public key (`public_group_key_sig`, for pins): always. */
  publicKeySigner: { userId: string; signKey: SignKey };
}

/**
 * Makes a new group key as user `userId` (group create, child or connected group, key rotation): imports the user's
 * exported sign key, hands `make` the signing fields, wipes the generated keys and the sign key, and returns the
 * request body. The sign key always signs the new public key (pins) and, with `sign`, the group key too.
 * @throws {SentcError} what importing the sign key or `make` throws; the sign key is wiped either way.
 * @example
 * const body = makeGroupKey(user.getSignKeySync(), userId, false, (maker) => prepareCreateGroup({ creatorPublicKey, ...maker }));
 */
export function makeGroupKey(
  exportedSignKey: string,
  userId: string,
  sign: boolean,
  make: (maker: GroupKeyMaker) => { serverInput: string; keys: GroupKeys },
): string {
  const signKey = importSignKey(exportedSignKey);
  try {
    const { serverInput, keys } = make({
      signKey: sign ? signKey : null,
      starter: userId,
      publicKeySigner: { userId, signKey },
    });
    wipeCreatedKeys(keys);
    return serverInput;
  } finally {
    wipeKey(signKey);
  }
}
