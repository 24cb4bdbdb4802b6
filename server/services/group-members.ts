/**
 * Group membership (api.md §3.5.3–§3.5.6, §3.6): invites (manual, auto, light, group as member, forced),
 * re-invites, the invitee's side, join requests, kick, leave, ranks and key-upload sessions.
 *
 * Where this differs from the reference (api.md §7, docs/server.md): groups added as members are stored
 * with type 2; re-invites validate everything before they touch the membership; a key session opens
 * whenever the client asks for one (the SDKs page at 50 keys), takes keys only from members of rank ≤ 2 and
 * expires after 24 hours (key-sessions.ts); "already invited" is HTTP 400; invited users must exist in the app;
 * join-request deletes only delete join requests.
 */
import { E } from "../errors.js";
import { StoreConflictError, type Cursor, type GroupRecord, type StoreOps } from "../store/types.js";
import type { ServiceContext } from "./context.js";
import { loadGroup, requireRank, type GroupAccess } from "./group-access.js";
import type { NewMemberKeyInput } from "./inputs.js";
import { newKeySessionId, requireOpenKeySession } from "./key-sessions.js";
import { checkKeyCount, insertKeysForMember } from "./users.js";

const SUCCESS = "Success";
const INVITE = 0;
const JOIN_REQUEST = 1;
const USER_MEMBER = 0;
const GROUP_MEMBER = 2;

/** `GroupKeysForNewMemberServerInput` (keys given) or `GroupNewMemberLightInput` (keys null). */
export interface NewMemberInput {
  keys: NewMemberKeyInput[] | null;
  rank: number | null;
  keySession: boolean;
}

export interface AddMemberMode {
  /** A user or a group (group as member, connected groups). */
  target: "user" | "group";
  /** true: a member at once (auto invite); false: an invite the member accepts. */
  auto: boolean;
  /** The group-as-member rules of the JWT routes: this group connected, the invited one not (400/319). */
  connectedChecks: boolean;
  /** The result message (reference wording); light requests answer "Success". */
  message: string;
}

export const INVITE_USER: AddMemberMode = {
  target: "user",
  auto: false,
  connectedChecks: false,
  message: "Group was invited. Please wait until the user accepts the invite.",
};
export const INVITE_GROUP: AddMemberMode = {
  target: "group",
  auto: false,
  connectedChecks: true,
  message: "User was invited. Please wait until the user accepts the invite.",
};
export const AUTO_USER: AddMemberMode = {
  target: "user",
  auto: true,
  connectedChecks: false,
  message: "Group was auto invited. The user is now a group member.",
};
export const AUTO_GROUP: AddMemberMode = {
  target: "group",
  auto: true,
  connectedChecks: true,
  message: "User was auto invited. The user is now a group member.",
};
export const AUTO_GROUP_FORCE: AddMemberMode = {
  target: "group",
  auto: true,
  connectedChecks: false,
  message: "Group was invited. Please wait until the user accepts the invite.",
};
export const FORCED_AUTO_USER: AddMemberMode = {
  target: "user",
  auto: true,
  connectedChecks: false,
  message: "Was invited. Please wait until the user accepts the invite.",
};
export const FORCED_AUTO_GROUP: AddMemberMode = {
  target: "group",
  auto: true,
  connectedChecks: false,
  message: "Was invited. Please wait until the user accepts the invite.",
};

export interface ReInviteMode {
  target: "user" | "group";
  connectedChecks: boolean;
  message: string;
}

export const RE_INVITE_USER: ReInviteMode = {
  target: "user",
  connectedChecks: false,
  message: "Group was re invited. The user is a group member again.",
};
export const RE_INVITE_GROUP: ReInviteMode = {
  target: "group",
  connectedChecks: true,
  message: "User was re invited. The user is a group member again.",
};
export const RE_INVITE_GROUP_FORCE: ReInviteMode = {
  target: "group",
  connectedChecks: false,
  message: "User was re invited. The user is a group member again.",
};

/** New member rank: `rank ?? 4`, from 1 to 4 and not stronger than the inviter's (400/301). */
function newMemberRank(access: GroupAccess, rank: number | null): number {
  const value = rank ?? 4;
  if (!Number.isInteger(value) || value < 1 || value > 4 || value < access.rank)
    throw E.groupRank("The new rank must be from 1 to 4 and not higher than your own");
  return value;
}

function checkKeys(input: NewMemberInput): void {
  if (input.keys !== null) checkKeyCount(input.keys);
}

/** The invited user must exist in the app; an invited group must be a normal group of the app (and fit the connected rules). */
async function checkTarget(
  tx: StoreOps,
  appId: string,
  access: GroupAccess,
  targetId: string,
  target: "user" | "group",
  connectedChecks: boolean,
): Promise<void> {
  if (target === "user") {
    if (!(await tx.getUser(appId, targetId))) throw E.userNotFound();
    return;
  }
  if (connectedChecks && !access.group.isConnectedGroup)
    throw E.groupJoinAsConnectedGroup("Only connected groups can have groups as members");
  const invited: GroupRecord = await loadGroup(tx, appId, targetId).catch(() => {
    throw E.groupAccess("Group to invite not found");
  });
  if (invited.id === access.group.id) throw E.groupJoinAsConnectedGroup("A group can't be a member of itself");
  if (connectedChecks && invited.isConnectedGroup)
    throw E.groupJoinAsConnectedGroup("A connected group can't be a member of another connected group");
}

function newMemberResult(sessionId: string | null, message: string) {
  return { ...(sessionId ? { session_id: sessionId } : {}), message };
}

/**
 * Every invite kind (`invite`, `invite_group`, `invite_auto`, `invite_group_auto`, `invite_group_auto_force`,
 * the forced `invite_auto` routes, each with and without keys): rank ≤ 2, invites allowed (317), 1–100 keys
 * (303/305), the new rank (301), not yet a member (302), not yet invited (302).
 */
export async function addMember(
  ctx: ServiceContext,
  appId: string,
  access: GroupAccess,
  targetId: string,
  input: NewMemberInput,
  mode: AddMemberMode,
) {
  requireRank(access, 2);
  if (!access.group.invite) throw E.groupInviteStop();
  checkKeys(input);
  const rank = newMemberRank(access, input.rank);
  const groupId = access.group.id;
  return ctx.store.transaction(async (tx) => {
    await checkTarget(tx, appId, access, targetId, mode.target, mode.connectedChecks);
    if (await tx.getMember(groupId, targetId)) throw E.groupUserExists();
    const pending = await tx.getGroupRequest(groupId, targetId);
    if (pending && !mode.auto) throw E.groupUserExists("User was already invited");
    if (pending) {
      // An auto invite replaces a pending invite (and its key rows) or join request.
      await tx.deleteGroupRequest(groupId, targetId, pending.type);
      if (pending.type === INVITE) await tx.deleteMemberKeys(groupId, targetId);
    }
    const time = ctx.now();
    // A session whenever the client asks (the reference only at exactly 100 keys, api.md §7.2).
    const sessionId = input.keys !== null && input.keySession ? newKeySessionId(ctx) : null;
    const type = mode.target === "user" ? USER_MEMBER : GROUP_MEMBER;
    if (mode.auto)
      await tx.insertMember({ userId: targetId, groupId, time, rank, keyUploadSessionId: sessionId, type });
    else
      await tx.insertGroupRequest({
        userId: targetId,
        groupId,
        type: INVITE,
        time,
        keyUploadSessionId: sessionId,
        userType: type,
        newUserRank: rank,
      });
    if (input.keys === null) return SUCCESS;
    await insertKeysForMember(tx, groupId, targetId, input.keys, time);
    return newMemberResult(sessionId, mode.message);
  });
}

/**
 * `PUT /group/:id/re_invite/:user`, `re_invite_group/:group`, `re_invite_group_force/:group`: new key rows
 * for a direct member, same rank. Every check runs before the membership is touched (the reference kicks
 * first, api.md §7.9): rank ≤ 2, keys, a direct member of the right kind (320), not a stronger rank (316).
 */
export async function reInvite(
  ctx: ServiceContext,
  appId: string,
  access: GroupAccess,
  targetId: string,
  input: NewMemberInput,
  mode: ReInviteMode,
) {
  requireRank(access, 2);
  if (!access.group.invite) throw E.groupInviteStop();
  checkKeys(input);
  const groupId = access.group.id;
  return ctx.store.transaction(async (tx) => {
    await checkTarget(tx, appId, access, targetId, mode.target, mode.connectedChecks);
    const member = await tx.getMember(groupId, targetId);
    const type = mode.target === "user" ? USER_MEMBER : GROUP_MEMBER;
    if (!member || member.type !== type) throw E.groupReInviteMemberNotFound();
    if (targetId !== access.userId && member.rank < access.rank) throw E.groupKickRank();
    await tx.deleteMember(groupId, targetId);
    const time = ctx.now();
    const sessionId = input.keys !== null && input.keySession ? newKeySessionId(ctx) : null;
    await tx.insertMember({
      userId: targetId,
      groupId,
      time: member.time,
      rank: member.rank,
      keyUploadSessionId: sessionId,
      type,
    });
    if (input.keys !== null) await insertKeysForMember(tx, groupId, targetId, input.keys, time);
    return newMemberResult(sessionId, mode.message);
  });
}

// ---- the invitee's side

async function acceptInviteOf(ctx: ServiceContext, appId: string, groupId: string, memberId: string) {
  return ctx.store.transaction(async (tx) => {
    const group = await tx.getGroup(appId, groupId);
    const invite = group && group.type === 0 ? await tx.getGroupRequest(groupId, memberId) : null;
    if (!invite || invite.type !== INVITE) throw E.groupInviteNotFound();
    await tx.deleteGroupRequest(groupId, memberId, INVITE);
    try {
      // The invite's key session stays usable after the acceptance, until 24 hours after the invite (its id
      // carries the time; the member row gets the acceptance's).
      await tx.insertMember({
        userId: memberId,
        groupId,
        time: ctx.now(),
        rank: invite.newUserRank,
        keyUploadSessionId: invite.keyUploadSessionId,
        type: invite.userType,
      });
    } catch (error) {
      if (error instanceof StoreConflictError) throw E.groupUserExists();
      throw error;
    }
    return SUCCESS;
  });
}

async function rejectInviteOf(ctx: ServiceContext, appId: string, groupId: string, memberId: string) {
  return ctx.store.transaction(async (tx) => {
    const group = await tx.getGroup(appId, groupId);
    if (!group || !(await tx.deleteGroupRequest(groupId, memberId, INVITE))) throw E.groupInviteNotFound();
    // The key rows stored with the invite go too (unless the invitee is a member by now).
    if (!(await tx.getMember(groupId, memberId))) await tx.deleteMemberKeys(groupId, memberId);
    return SUCCESS;
  });
}

/** `PATCH /group/:group_id/invite`: the JWT user accepts (400/307 without an invite). */
export const acceptInvite = (ctx: ServiceContext, appId: string, groupId: string, userId: string) =>
  acceptInviteOf(ctx, appId, groupId, userId);

/** `DELETE /group/:group_id/invite`: the JWT user rejects; the invite's key rows are removed. */
export const rejectInvite = (ctx: ServiceContext, appId: string, groupId: string, userId: string) =>
  rejectInviteOf(ctx, appId, groupId, userId);

/** `PATCH /group/:group_id/invite/:group_id_to_join`: group `:group_id` (caller rank ≤ 1) accepts. */
export async function acceptInviteAsGroup(
  ctx: ServiceContext,
  appId: string,
  access: GroupAccess,
  groupToJoin: string,
) {
  requireRank(access, 1);
  return acceptInviteOf(ctx, appId, groupToJoin, access.group.id);
}

/** `DELETE /group/:group_id/invite/:group_id_to_reject`: group `:group_id` (caller rank ≤ 1) rejects. */
export async function rejectInviteAsGroup(
  ctx: ServiceContext,
  appId: string,
  access: GroupAccess,
  groupToReject: string,
) {
  requireRank(access, 1);
  return rejectInviteOf(ctx, appId, groupToReject, access.group.id);
}

const requestListOut = (rows: Array<{ groupId: string; time: number }>) =>
  rows.map((r) => ({ group_id: r.groupId, time: r.time }));

/** `GET /group/invite/:t/:id`: invites for the JWT user, newest first. */
export async function invitesForUser(ctx: ServiceContext, appId: string, userId: string, cursor: Cursor) {
  return requestListOut(await ctx.store.listRequestsOfMember(appId, userId, INVITE, cursor));
}

/** `GET /group/:group_id/invite/:t/:id`: invites for the group as a member of other groups (rank ≤ 1). */
export async function invitesForGroup(ctx: ServiceContext, appId: string, access: GroupAccess, cursor: Cursor) {
  requireRank(access, 1);
  return requestListOut(await ctx.store.listRequestsOfMember(appId, access.group.id, INVITE, cursor));
}

// ---- join requests

async function insertJoinRequest(
  tx: StoreOps,
  group: GroupRecord,
  memberId: string,
  userType: number,
  time: number,
): Promise<void> {
  if (await tx.getMember(group.id, memberId)) throw E.groupUserExists();
  if (!group.invite) throw E.groupInviteStop();
  if (await tx.getGroupRequest(group.id, memberId)) return; // INSERT IGNORE: a pending request or invite stays as it is
  await tx.insertGroupRequest({
    userId: memberId,
    groupId: group.id,
    type: JOIN_REQUEST,
    time,
    keyUploadSessionId: null,
    userType,
    newUserRank: 4,
  });
}

/** `PATCH /group/:group_id/join_req`: the JWT user asks to join (310 unknown group, 302 member, 317 stopped). */
export async function joinRequest(ctx: ServiceContext, appId: string, groupId: string, userId: string) {
  await ctx.store.transaction(async (tx) =>
    insertJoinRequest(tx, await loadGroup(tx, appId, groupId), userId, USER_MEMBER, ctx.now()),
  );
  return SUCCESS;
}

/** `PATCH /group/:group_id/join_req/:group_id_to_join`: a normal group (rank ≤ 1) asks to join a connected group (319). */
export async function joinRequestAsGroup(ctx: ServiceContext, appId: string, access: GroupAccess, groupToJoin: string) {
  requireRank(access, 1);
  if (access.group.isConnectedGroup)
    throw E.groupJoinAsConnectedGroup("A connected group can't join another connected group");
  await ctx.store.transaction(async (tx) => {
    const target = await loadGroup(tx, appId, groupToJoin);
    if (!target.isConnectedGroup || target.id === access.group.id)
      throw E.groupJoinAsConnectedGroup("Groups can only join connected groups");
    await insertJoinRequest(tx, target, access.group.id, GROUP_MEMBER, ctx.now());
  });
  return SUCCESS;
}

/** `GET /group/joins/:t/:id`: join requests the JWT user sent, newest first. */
export async function sentJoinRequests(ctx: ServiceContext, appId: string, userId: string, cursor: Cursor) {
  return requestListOut(await ctx.store.listRequestsOfMember(appId, userId, JOIN_REQUEST, cursor));
}

/** `GET /group/:group_id/joins/:t/:id`: join requests the group sent (rank ≤ 1). */
export async function sentJoinRequestsOfGroup(ctx: ServiceContext, appId: string, access: GroupAccess, cursor: Cursor) {
  requireRank(access, 1);
  return requestListOut(await ctx.store.listRequestsOfMember(appId, access.group.id, JOIN_REQUEST, cursor));
}

async function deleteSentRequest(ctx: ServiceContext, appId: string, groupId: string, memberId: string) {
  await ctx.store.transaction(async (tx) => {
    await loadGroup(tx, appId, groupId);
    await tx.deleteGroupRequest(groupId, memberId, JOIN_REQUEST);
  });
  return SUCCESS;
}

/** `DELETE /group/joins/:join_req_id` (the id is the group the request went to; 310 when unknown). */
export const deleteSentJoinRequest = (ctx: ServiceContext, appId: string, groupId: string, userId: string) =>
  deleteSentRequest(ctx, appId, groupId, userId);

/** `DELETE /group/:group_id/joins/:join_req_id` (rank ≤ 1). */
export async function deleteSentJoinRequestOfGroup(
  ctx: ServiceContext,
  appId: string,
  access: GroupAccess,
  groupId: string,
) {
  requireRank(access, 1);
  return deleteSentRequest(ctx, appId, groupId, access.group.id);
}

/** `GET /group/:group_id/join_req/:t/:id`: received join requests, ascending (rank ≤ 2). */
export async function joinRequestsOfGroup(ctx: ServiceContext, access: GroupAccess, cursor: Cursor) {
  requireRank(access, 2);
  return (await ctx.store.listJoinRequestsOfGroup(access.group.id, cursor)).map((r) => ({
    user_id: r.userId,
    time: r.time,
    user_type: r.userType,
  }));
}

/** `PUT /group/:group_id/join_req/:join_user[/light]`: rank ≤ 2, the request must exist (309). */
export async function acceptJoinRequest(
  ctx: ServiceContext,
  access: GroupAccess,
  joinUser: string,
  input: NewMemberInput,
) {
  requireRank(access, 2);
  checkKeys(input);
  const rank = newMemberRank(access, input.rank);
  const groupId = access.group.id;
  return ctx.store.transaction(async (tx) => {
    const request = await tx.getGroupRequest(groupId, joinUser);
    if (!request || request.type !== JOIN_REQUEST) throw E.groupJoinReqNotFound();
    if (await tx.getMember(groupId, joinUser)) throw E.groupUserExists();
    await tx.deleteGroupRequest(groupId, joinUser, JOIN_REQUEST);
    const time = ctx.now();
    const sessionId = input.keys !== null && input.keySession ? newKeySessionId(ctx) : null;
    await tx.insertMember({
      userId: joinUser,
      groupId,
      time,
      rank,
      keyUploadSessionId: sessionId,
      type: request.userType,
    });
    if (input.keys === null) return SUCCESS;
    await insertKeysForMember(tx, groupId, joinUser, input.keys, time);
    return newMemberResult(sessionId, "The join request was accepted. The user is now a member of this group.");
  });
}

/** `DELETE /group/:group_id/join_req/:join_user` (rank ≤ 2; silent when there is none). */
export async function rejectJoinRequest(ctx: ServiceContext, access: GroupAccess, joinUser: string) {
  requireRank(access, 2);
  await ctx.store.deleteGroupRequest(access.group.id, joinUser, JOIN_REQUEST);
  return SUCCESS;
}

// ---- key-upload sessions

/**
 * `PUT /group/:group_id/invite/session/:id`: more keys for an invite (or an accepted invite). Only ranks that can
 * open sessions (≤ 2) may upload (the reference lets any member, api.md §7.16); sessions close after 24 hours.
 * @throws ApiError 400/301 for a weaker rank, 303/305 for 0 or more than 100 keys, 306 for an unknown or expired session.
 * @example await uploadInviteSessionKeys(ctx, access, sessionId, keys);
 */
export async function uploadInviteSessionKeys(
  ctx: ServiceContext,
  access: GroupAccess,
  sessionId: string,
  keys: NewMemberKeyInput[],
) {
  requireRank(access, 2);
  checkKeyCount(keys);
  return ctx.store.transaction(async (tx) => {
    const row =
      (await tx.findInviteBySession(access.group.id, sessionId)) ??
      (await tx.findMemberBySession(access.group.id, sessionId));
    if (!row) throw E.groupKeySession();
    requireOpenKeySession(ctx, sessionId, row.time);
    await insertKeysForMember(tx, access.group.id, row.userId, keys, ctx.now());
    return SUCCESS;
  });
}

/**
 * `PUT /group/:group_id/join_req/session/:id`: more keys for an accepted join request, an auto invite or a
 * re-invite; the same rules as `uploadInviteSessionKeys`.
 * @throws ApiError 400/301 for a weaker rank, 303/305 for 0 or more than 100 keys, 306 for an unknown or expired session.
 * @example await uploadMemberSessionKeys(ctx, access, sessionId, keys);
 */
export async function uploadMemberSessionKeys(
  ctx: ServiceContext,
  access: GroupAccess,
  sessionId: string,
  keys: NewMemberKeyInput[],
) {
  requireRank(access, 2);
  checkKeyCount(keys);
  return ctx.store.transaction(async (tx) => {
    const member = await tx.findMemberBySession(access.group.id, sessionId);
    if (!member) throw E.groupKeySession();
    requireOpenKeySession(ctx, sessionId, member.time);
    await insertKeysForMember(tx, access.group.id, member.userId, keys, ctx.now());
    return SUCCESS;
  });
}

// ---- membership

/** `DELETE /group/:group_id/leave`: a direct member leaves; the last admin can't (308). */
export async function leave(ctx: ServiceContext, access: GroupAccess) {
  // A group leaving as member needs an admin of that group (rank ≤ 1 there).
  if (access.asGroupRank !== null && access.asGroupRank > 1) throw E.groupRank();
  return ctx.store.transaction(async (tx) => {
    const row = access.viaParent === null ? await tx.getMember(access.group.id, access.userId) : null;
    if (!row || row.type === 1) throw E.groupUserNotFound("Only direct members can leave a group");
    if (row.rank <= 1 && (await tx.countMembersWithRank(access.group.id, 1)) < 2) throw E.groupOnlyOneAdmin();
    await tx.deleteMember(access.group.id, row.userId);
    return SUCCESS;
  });
}

/** `DELETE /group/:group_id/kick/:user_id` and the forced variant: rank ≤ 2, not the creator (315), no stronger rank (316). */
export async function kick(ctx: ServiceContext, access: GroupAccess, targetId: string) {
  requireRank(access, 2);
  return ctx.store.transaction(async (tx) => {
    const row = await tx.getMember(access.group.id, targetId);
    if (!row || row.type === 1) throw E.groupUserNotFound();
    if (row.rank === 0) throw E.groupKickCreator();
    if (row.rank < access.rank) throw E.groupKickRank();
    await tx.deleteMember(access.group.id, targetId);
    return SUCCESS;
  });
}

/** `PUT /group/:group_id/change_rank`: rank ≤ 1; the new rank is 1–4 (314, negative values too); not the creator (314). */
export async function changeRank(
  ctx: ServiceContext,
  access: GroupAccess,
  input: { changedUserId: string; newRank: number },
) {
  requireRank(access, 1);
  if (!Number.isInteger(input.newRank) || input.newRank < 1 || input.newRank > 4)
    throw E.groupRankUpdate("The new rank must be from 1 to 4");
  return ctx.store.transaction(async (tx) => {
    const row = await tx.getMember(access.group.id, input.changedUserId);
    if (!row) throw E.groupUserNotFound();
    if (row.rank === 0 || row.type === 1) throw E.groupRankUpdate("The rank of the group creator can't be changed");
    await tx.updateMemberRank(access.group.id, row.userId, input.newRank);
    return SUCCESS;
  });
}
