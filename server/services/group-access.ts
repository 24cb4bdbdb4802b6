/**
 * sentc's group middleware (api.md §3.5.0): who acts in a group and with which rank — a direct member, a
 * member of an ancestor group ("via parent"), or a group the caller is a member of
 * (`x-sentc-group-access-id`, connected groups). The HTTP layer resolves it before a group route runs.
 */
import { isUuid } from "../crypto.js";
import { E } from "../errors.js";
import type { GroupRecord, MemberRecord, StoreOps } from "../store/types.js";
import type { ServiceContext } from "./context.js";

/** `InternalGroupDataComplete`: the group and the acting membership. */
export interface GroupAccess {
  group: GroupRecord;
  /** The member id for key operations: the actor, or the group's direct parent when the access is via a parent. */
  userId: string;
  /** The user behind the request (JWT user or the forced route's `:user_id`). */
  realUserId: string;
  rank: number;
  joinedTime: number;
  /** The ancestor in which the membership was found, when the access is via a parent. */
  viaParent: string | null;
  /** The group from `x-sentc-group-access-id`. */
  asGroup: string | null;
  /** The caller's own rank in `asGroup`. */
  asGroupRank: number | null;
}

/** Ancestor chains are walked at most this deep (a guard against cycles in damaged data). */
const MAX_DEPTH = 100;

/** The membership of `memberId` in the group, directly or in one of its ancestors. */
async function findMembership(
  store: StoreOps,
  appId: string,
  group: GroupRecord,
  memberId: string,
): Promise<{ row: MemberRecord; viaParent: string | null } | null> {
  const direct = await store.getMember(group.id, memberId);
  if (direct) return { row: direct, viaParent: null };
  let parentId = group.parent;
  for (let depth = 0; parentId !== null && depth < MAX_DEPTH; depth++) {
    const row = await store.getMember(parentId, memberId);
    if (row) return { row, viaParent: parentId };
    const parent = await store.getGroup(appId, parentId);
    parentId = parent?.parent ?? null;
  }
  return null;
}

/** A normal group (type 0) of the app; user groups and other apps' groups are "no access" (400/310). */
export async function loadGroup(store: StoreOps, appId: string, groupId: string): Promise<GroupRecord> {
  const group = await store.getGroup(appId, groupId);
  if (group?.type !== 0) throw E.groupAccess();
  return group;
}

/**
 * Resolves the caller's access to `groupId` (400/1 bad id, 400/310 no access). With `accessGroupId` the
 * acting member is that group; the caller must be a member of it too, and the weaker rank of both counts.
 */
export async function resolveGroupAccess(
  ctx: ServiceContext,
  appId: string,
  groupId: string,
  realUserId: string,
  accessGroupId: string | undefined,
): Promise<GroupAccess> {
  if (!isUuid(groupId)) throw E.idFormat();
  if (accessGroupId !== undefined && !isUuid(accessGroupId)) throw E.idFormat();
  const store = ctx.store;
  const group = await loadGroup(store, appId, groupId);
  const actor = accessGroupId ?? realUserId;
  const found = await findMembership(store, appId, group, actor);
  if (!found) throw E.groupAccess();
  let rank = found.row.rank;
  let asGroupRank: number | null = null;
  if (accessGroupId !== undefined) {
    const asGroup = await store.getGroup(appId, accessGroupId);
    if (asGroup?.type !== 0) throw E.groupAccess();
    const inner = await findMembership(store, appId, asGroup, realUserId);
    if (!inner) throw E.groupAccess();
    asGroupRank = inner.row.rank;
    rank = Math.max(rank, inner.row.rank);
  }
  return {
    group,
    userId: found.viaParent === null ? actor : (group.parent as string),
    realUserId,
    rank,
    joinedTime: found.row.time,
    viaParent: found.viaParent,
    asGroup: accessGroupId ?? null,
    asGroupRank,
  };
}

/** `GroupUserAccessBy` (serde externally tagged). */
export function accessByOut(access: GroupAccess): unknown {
  if (access.viaParent !== null && access.asGroup !== null)
    return { GroupAsUserAsParent: { parent: access.viaParent, group_as_user: access.asGroup } };
  if (access.viaParent !== null) return { Parent: access.viaParent };
  if (access.asGroup !== null) return { GroupAsUser: access.asGroup };
  return "User";
}

/** `check_group_rank`: 400/301 when the rank number is larger (weaker) than `max`. */
export function requireRank(access: GroupAccess, max: number): void {
  if (access.rank > max) throw E.groupRank();
}

/** The forced routes' `:user_id` must be a user of the app (MW-force, 400/100). */
export async function requireAppUser(ctx: ServiceContext, appId: string, userId: string): Promise<void> {
  if (!(await ctx.store.getUser(appId, userId))) throw E.userNotFound();
}
