/**
 * Groups (api.md §3.5.1, §3.5.2, §3.6): create (normal, child, connected, light), delete with all
 * descendants, group data, keys, lists and the invite stop flag.
 */
import { newId } from "../crypto.js";
import { E } from "../errors.js";
import type { Cursor, GroupRecord, StoreOps } from "../store/types.js";
import type { ServiceContext } from "./context.js";
import { accessByOut, loadGroup, requireRank, type GroupAccess } from "./group-access.js";
import { checkPublicGroupKeySignature } from "./group-key-signature.js";
import { groupKeySignatureColumns, type CreateGroupInput } from "./inputs.js";
import { groupUserKeysOut, hmacKeyOut, sortableKeyOut } from "./outputs.js";

const SUCCESS = "Success";
const FIRST_PAGE: Cursor = { time: 0, id: "", limit: 50 };
/** Groups deleted per transaction when a group tree is deleted (docs/server.md, "Abuse limits"). */
export const GROUP_DELETE_BATCH = 50;

/** Where a new group hangs: nowhere (creator is a user), under a parent, or connected to a group. */
export type GroupPlacement =
  | { kind: "user"; userId: string }
  | { kind: "child"; access: GroupAccess }
  | { kind: "connected"; access: GroupAccess };

/** Stores a new group with its first key (when not light), HMAC and sortable key and the creator row. */
async function insertNewGroup(
  tx: StoreOps,
  ctx: ServiceContext,
  appId: string,
  placement: GroupPlacement,
  input: CreateGroupInput | null,
): Promise<string> {
  const time = ctx.now();
  const groupId = newId();
  let parent: string | null = null;
  let connected = false;
  let creator: string;
  let creatorType = 0;
  if (placement.kind === "user") creator = placement.userId;
  else if (placement.kind === "child") {
    parent = placement.access.group.id;
    connected = placement.access.group.isConnectedGroup;
    creator = parent;
    creatorType = 1;
  } else {
    connected = true;
    creator = placement.access.group.id;
    creatorType = 2;
  }
  if (input !== null) {
    const actingUserId = placement.kind === "user" ? placement.userId : placement.access.realUserId;
    await checkPublicGroupKeySignature(tx, appId, actingUserId, input);
  }
  await tx.insertGroup({ id: groupId, appId, parent, type: 0, invite: true, isConnectedGroup: connected, time });
  await tx.insertMember({ userId: creator, groupId, time, rank: 0, keyUploadSessionId: null, type: creatorType });
  if (input === null) return groupId;
  const keyId = newId();
  await tx.insertGroupKey({
    id: keyId,
    groupId,
    appId,
    privateKeyPairAlg: input.keypairEncryptAlg,
    encryptedPrivateKey: input.encryptedPrivateGroupKey,
    publicKey: input.publicGroupKey,
    groupKeyAlg: input.groupKeyAlg,
    encryptedEphemeralKey: null,
    encryptedGroupKeyByEphKey: null,
    previousGroupKeyId: null,
    ephemeralAlg: null,
    time,
    ...groupKeySignatureColumns(input, keyId),
  });
  await tx.insertMemberKeys([
    {
      keyId,
      userId: creator,
      groupId,
      encryptedGroupKey: input.encryptedGroupKey,
      encryptedAlg: input.encryptedGroupKeyAlg,
      encryptedGroupKeyKeyId: input.creatorPublicKeyId,
      time,
    },
  ]);
  await tx.insertHmacKey({
    id: newId(),
    groupId,
    appId,
    encryptedHmacKey: input.encryptedHmacKey,
    encryptedHmacAlg: input.encryptedHmacAlg,
    encryptedHmacEncryptionKeyId: keyId,
    time,
  });
  await tx.insertSortableKey({
    id: newId(),
    groupId,
    appId,
    encryptedSortableKey: input.encryptedSortableKey,
    encryptedSortableAlg: input.encryptedSortableAlg,
    encryptedSortableEncryptionKeyId: keyId,
    time,
  });
  return groupId;
}

/**
 * `POST /group[/light]`, `POST /group/:id/child[/light]`, `POST /group/:id/connected[/light]` and the forced
 * variants. Child and connected groups need rank ≤ 1; a connected group cannot get connected groups (318).
 */
export async function createGroup(
  ctx: ServiceContext,
  appId: string,
  placement: GroupPlacement,
  input: CreateGroupInput | null,
) {
  if (placement.kind !== "user") requireRank(placement.access, 1);
  if (placement.kind === "connected" && placement.access.group.isConnectedGroup) throw E.groupConnectedFromConnected();
  const groupId = await ctx.store.transaction((tx) => insertNewGroup(tx, ctx, appId, placement, input));
  return { group_id: groupId };
}

/** The ids of a group and its descendants, parents before children (breadth first). */
async function groupTree(store: StoreOps, groupId: string): Promise<string[]> {
  const ids: string[] = [];
  const queue = [groupId];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    ids.push(id);
    queue.push(...(await store.listChildGroupIds(id)));
  }
  return ids;
}

/** Deletes the groups (children before parents) with their rows and memberships elsewhere; their files are marked deleted. */
async function deleteGroups(tx: StoreOps, childrenFirst: string[], time: number): Promise<void> {
  for (const id of childrenFirst) {
    await tx.deleteMembershipsOfGroup(id);
    await tx.markFilesDeletedOf("group", id, time);
    await tx.deleteGroup(id);
  }
}

/**
 * Deletes a group and all its descendants in transactions of at most `GROUP_DELETE_BATCH` groups, the
 * deepest first, so that a large tree never holds the database for long (SQLite serves one transaction
 * at a time) and other requests run in between. Between two transactions the rest of the tree is whole
 * (every remaining group keeps its parent); the root goes in the last one. `check` runs at the start of
 * that last transaction (the forced route's group lookup). A group created meanwhile under a group of a
 * batch goes with it.
 */
async function deleteGroupTree(
  ctx: ServiceContext,
  groupId: string,
  check: (tx: StoreOps) => Promise<void> = async () => undefined,
): Promise<void> {
  const planned = await groupTree(ctx.store, groupId);
  const childrenFirst = planned.slice(1).reverse();
  for (let i = 0; i + GROUP_DELETE_BATCH < planned.length; i += GROUP_DELETE_BATCH) {
    const batch = childrenFirst.slice(i, i + GROUP_DELETE_BATCH);
    await ctx.store.transaction(async (tx) => {
      for (const id of batch) await deleteGroups(tx, (await groupTree(tx, id)).reverse(), ctx.now());
    });
    // Let requests that queued meanwhile run before the next batch.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await ctx.store.transaction(async (tx) => {
    await check(tx);
    await deleteGroups(tx, (await groupTree(tx, groupId)).reverse(), ctx.now());
  });
}

/** `DELETE /group/:group_id` (rank ≤ 1). */
export async function deleteGroup(ctx: ServiceContext, access: GroupAccess) {
  requireRank(access, 1);
  await deleteGroupTree(ctx, access.group.id);
  return SUCCESS;
}

/** `DELETE /group/forced/:group_id`: any normal group of the app (400/310 otherwise). */
export async function deleteGroupForced(ctx: ServiceContext, appId: string, groupId: string) {
  const group = await loadGroup(ctx.store, appId, groupId);
  await deleteGroupTree(ctx, group.id, async (tx) => void (await loadGroup(tx, appId, groupId)));
  return SUCCESS;
}

function lightData(access: GroupAccess) {
  return {
    group_id: access.group.id,
    parent_group_id: access.group.parent,
    rank: access.rank,
    created_time: access.group.time,
    joined_time: access.joinedTime,
    access_by: accessByOut(access),
    is_connected_group: access.group.isConnectedGroup,
  };
}

/** `GET /group/:group_id`: `GroupServerData` with the first page of keys, HMAC and sortable keys. */
export async function groupData(ctx: ServiceContext, access: GroupAccess) {
  const store = ctx.store;
  const groupId = access.group.id;
  const keys = await store.listMemberKeys(groupId, access.userId, FIRST_PAGE);
  const hmac = await store.listHmacKeys(groupId, FIRST_PAGE);
  const sortable = await store.listSortableKeys(groupId, FIRST_PAGE);
  const keyUpdate = await store.hasRotation(groupId, access.userId);
  const light = lightData(access);
  return {
    group_id: light.group_id,
    parent_group_id: light.parent_group_id,
    keys: keys.map(groupUserKeysOut),
    hmac_keys: hmac.map(hmacKeyOut),
    sortable_keys: sortable.map(sortableKeyOut),
    key_update: keyUpdate,
    rank: light.rank,
    created_time: light.created_time,
    joined_time: light.joined_time,
    access_by: light.access_by,
    is_connected_group: light.is_connected_group,
  };
}

/** `GET /group/:group_id/light`: the access check for customer backends (non-members get 400/310 earlier). */
export const groupLightData = (access: GroupAccess) => lightData(access);

/** `GET /group/:group_id/update_check`. */
export async function updateCheck(ctx: ServiceContext, access: GroupAccess) {
  return { key_update: await ctx.store.hasRotation(access.group.id, access.userId), rank: access.rank };
}

/** `GET /group/:group_id/update_check_light`. */
export const updateCheckLight = (access: GroupAccess) => ({ rank: access.rank });

/** `GET /group/:group_id/keys/:t/:id`: the member's keys, newest first. */
export async function groupKeys(ctx: ServiceContext, access: GroupAccess, cursor: Cursor) {
  return (await ctx.store.listMemberKeys(access.group.id, access.userId, cursor)).map(groupUserKeysOut);
}

/** `GET /group/:group_id/key/:key_id` (400/304 when missing; the reference answers HTTP 200). */
export async function groupKey(ctx: ServiceContext, access: GroupAccess, keyId: string) {
  const view = await ctx.store.getMemberKey(access.group.id, access.userId, keyId);
  if (!view) throw E.groupKeyNotFound();
  return groupUserKeysOut(view);
}

/** `GET /group/:group_id/member/:t/:id`: everyone but the acting member, ascending by joined time. */
export async function members(ctx: ServiceContext, access: GroupAccess, cursor: Cursor) {
  return (await ctx.store.listMembersPage(access.group.id, access.userId, cursor)).map((m) => ({
    user_id: m.userId,
    rank: m.rank,
    joined_time: m.time,
    user_type: m.type,
  }));
}

/** `GET /group/forced/:group_id/user/:user_id`: is the user a direct member (400/300 otherwise)? */
export async function singleMemberForced(ctx: ServiceContext, appId: string, groupId: string, userId: string) {
  const group = await ctx.store.getGroup(appId, groupId);
  const member = group && group.type === 0 ? await ctx.store.getMember(group.id, userId) : null;
  if (!member) throw E.groupUserNotFound();
  return { user_id: member.userId, rank: member.rank, joined_time: member.time, user_type: member.type };
}

/** `GET /group/:group_id/children/:t/:id`: direct children, ascending. */
export async function children(ctx: ServiceContext, access: GroupAccess, cursor: Cursor) {
  return (await ctx.store.listChildGroups(access.group.id, cursor)).map((g: GroupRecord) => ({
    group_id: g.id,
    time: g.time,
    parent: g.parent,
  }));
}

/** `GET /group/all/:t/:id` (member = the user) and `GET /group/:group_id/all/:t/:id` (member = the group). */
export async function groupsOfMember(ctx: ServiceContext, appId: string, memberId: string, cursor: Cursor) {
  return (await ctx.store.listGroupsOfMember(appId, memberId, cursor)).map(({ group, member }) => ({
    group_id: group.id,
    time: group.time,
    joined_time: member.time,
    rank: member.rank,
    parent: group.parent,
  }));
}

/** `PATCH /group/:group_id/change_invite` (rank ≤ 1): toggles whether invites and join requests are allowed. */
export async function toggleInvites(ctx: ServiceContext, access: GroupAccess) {
  requireRank(access, 1);
  await ctx.store.transaction(async (tx) => {
    const group = await tx.getGroup(access.group.appId, access.group.id);
    if (group) await tx.setGroupInvite(group.id, !group.invite);
  });
  return SUCCESS;
}
