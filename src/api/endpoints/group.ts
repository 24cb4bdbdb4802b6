/**
 * The group endpoints under `/group` (api.md §3.5). All need a JWT; `options.groupAccessId` sends
 * `x-sentc-group-access-id` (access through a connected group). Request bodies are the JSON strings of
 * src/protocol; results that go on to src/protocol are only checked to be objects here.
 */
import { invalidServerResponse } from "../../errors.js";
import type { HttpClient, HttpMethod, JwtInput, PageCursor, RequestOptions } from "../http.js";
import { pagePath, pathSegment } from "../http.js";
import { idBodyCall, idCall, noResult, pageCall, type Read } from "./calls.js";
import {
  expectBoolean,
  expectObject,
  expectObjectArray,
  expectString,
  optionalString,
  type JsonObject,
} from "./result.js";

const gid = (groupId: string) => `/group/${pathSegment(groupId, "the group id")}`;

/** A call on group `groupId` and one more id, with a body when `B` is `[string]`. */
type GroupIdCall<R, B extends [] | [string] = []> = (
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  id: string,
  ...rest: [...B, options?: RequestOptions]
) => Promise<R>;
/** A page of a list of group `groupId`. */
type GroupPageCall = (
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
) => Promise<JsonObject[]>;

/** `method /group/:group_id<sub>`. */
const onGroup = <R>(method: HttpMethod, sub: string, read: Read<R>) =>
  idCall(method, (groupId) => `${gid(groupId)}${sub}`, `/group/:id${sub}`, read);

/** `method /group/:group_id<sub>` with a body. */
const onGroupWithBody = <R>(method: HttpMethod, sub: string, read: Read<R>) =>
  idBodyCall(method, (groupId) => `${gid(groupId)}${sub}`, `/group/:id${sub}`, read);

/** The path `/group/:group_id/<sub>/:id` (`idName` names the id in errors). */
const groupAnd = (groupId: string, sub: string, id: string, idName: string) =>
  `${gid(groupId)}/${sub}/${pathSegment(id, idName)}`;

/** `method /group/:group_id/<sub>/:id`; `what` names the call in errors. */
function onGroupAnd<R>(method: HttpMethod, sub: string, idName: string, read: Read<R>): GroupIdCall<R> {
  const what = `${method} /group/:id/${sub} result`;
  return async (http, jwt, groupId, id, options) =>
    read(await http.requestJson(method, groupAnd(groupId, sub, id, idName), undefined, jwt, options), what);
}

/** `method /group/:group_id/<sub>/:id` with a body. */
function onGroupAndWithBody<R>(
  method: HttpMethod,
  sub: string,
  idName: string,
  read: Read<R>,
  what = `${method} /group/:id/${sub} result`,
): GroupIdCall<R, [string]> {
  return async (http, jwt, groupId, id, body, options) =>
    read(await http.requestJson(method, groupAnd(groupId, sub, id, idName), body, jwt, options), what);
}

/** `GET /group/:group_id<sub>/:last_time/:last_id` → the page's items. */
function groupPage(sub: string): GroupPageCall {
  const what = `GET /group/:id${sub} result`;
  return async (http, jwt, groupId, last, options) =>
    expectObjectArray(
      await http.requestJson("GET", `${gid(groupId)}${sub}${pagePath(last)}`, undefined, jwt, options),
      what,
    );
}

// ---------- create / delete ----------

function createdGroupId(value: unknown, what: string): string {
  return expectString(expectObject(value, what), "group_id", what);
}

/** `POST /group` with `CreateData` → the new group id. */
export async function createGroup(
  http: HttpClient,
  jwt: JwtInput,
  body: string,
  options?: RequestOptions,
): Promise<string> {
  return createdGroupId(await http.requestJson("POST", "/group", body, jwt, options), "POST /group result");
}

/** `POST /group/:group_id/child` with `CreateData` (key encrypted to the parent's public key) → the child's id. */
export const createChildGroup = onGroupWithBody("POST", "/child", createdGroupId);

/** `POST /group/:group_id/connected` with `CreateData` (key encrypted to this group's public key) → the new id. */
export const createConnectedGroup = onGroupWithBody("POST", "/connected", createdGroupId);

/** `DELETE /group/:group_id` (rank ≤ 1): the group and all its descendants. */
export const deleteGroup = onGroup("DELETE", "", noResult);

// ---------- data and keys ----------

/** `GET /group/:group_id` → `GroupServerData` (first page of keys, HMAC and sortable keys). */
export const getGroup = onGroup("GET", "", expectObject);

/** `GroupDataCheckUpdateServerOutput`. */
export interface GroupUpdateCheck {
  key_update: boolean;
  rank: number;
}

/** `GET /group/:group_id/update_check` → `{key_update, rank}`. */
export const getGroupUpdateCheck = onGroup("GET", "/update_check", (value, what): GroupUpdateCheck => {
  const result = expectObject(value, what);
  const rank = result.rank;
  if (typeof rank !== "number" || !Number.isInteger(rank))
    throw invalidServerResponse(`${what}: "rank" must be an integer`);
  return { key_update: expectBoolean(result, "key_update", what), rank };
});

/** `GET /group/:group_id/keys/:last_time/:last_key_id` → up to 50 `GroupUserKeys`, newest first. */
export const getGroupKeys = groupPage("/keys");

/** `GET /group/:group_id/key/:key_id` → one `GroupUserKeys` (unknown: `server` 304). */
export const getGroupKey = onGroupAnd("GET", "key", "the key id", expectObject);

// ---------- lists ----------

/** `GET /group/:group_id/member/:joined_time/:user_id` → `GroupUserListItem[]` (without the caller). */
export const getMembers = groupPage("/member");

/** `GET /group/:group_id/children/:time/:id` → `GroupChildrenList[]`. */
export const getChildren = groupPage("/children");

/** `GET /group/all/:time/:id` → the user's groups (`ListGroups[]`). */
export const getGroupsForUser = pageCall("/group/all");

/** `GET /group/:group_id/all/:time/:id` → the connected groups this group is a member of. */
export const getGroupsForGroup = groupPage("/all");

// ---------- invites ----------

/** The invite routes (`PUT /group/:group_id/<kind>/:target`). */
export type InviteKind =
  | "invite"
  | "invite_auto"
  | "invite_group"
  | "invite_group_auto"
  | "re_invite"
  | "re_invite_group";

/** `GroupInviteServerOutput` / `GroupAcceptJoinReqServerOutput`. */
export interface MemberKeysResult {
  session_id: string | undefined;
  message: string;
}

function memberKeysResult(value: unknown, what: string): MemberKeysResult {
  const result = expectObject(value, what);
  const session = optionalString(result, "session_id", what);
  return { session_id: session === "" ? undefined : session, message: expectString(result, "message", what) };
}

/** `PUT /group/:group_id/<kind>/:target` with `GroupKeysForNewMemberServerInput`. */
export async function invite(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  kind: InviteKind,
  target: string,
  body: string,
  options?: RequestOptions,
): Promise<MemberKeysResult> {
  const path = `${gid(groupId)}/${kind}/${pathSegment(target, "the invited id")}`;
  return memberKeysResult(await http.requestJson("PUT", path, body, jwt, options), `PUT /group/:id/${kind} result`);
}

/** `PUT /group/:group_id/invite/session/:session_id` (invites) with the next `GroupKeysForNewMember[]`. */
export const uploadInviteSession = onGroupAndWithBody("PUT", "invite/session", "the key session id", noResult);

/** `PUT /group/:group_id/join_req/session/:session_id` (accepted join requests and auto invites). */
export const uploadJoinSession = onGroupAndWithBody("PUT", "join_req/session", "the key session id", noResult);

/** `PATCH /group/:group_id/change_invite` (rank ≤ 1): toggles whether invites and join requests are allowed. */
export const stopInvites = onGroup("PATCH", "/change_invite", noResult);

/** `GET /group/invite/:time/:group_id` → the user's invites (`GroupInviteReqList[]`). */
export const getInvitesForUser = pageCall("/group/invite");

/** `PATCH /group/:group_id/invite`: the user accepts. */
export const acceptInvite = onGroup("PATCH", "/invite", noResult);

/** `DELETE /group/:group_id/invite`: the user rejects. */
export const rejectInvite = onGroup("DELETE", "/invite", noResult);

/** `GET /group/:group_id/invite/:time/:id` → invites for the group `groupId` (as member of connected groups). */
export const getInvitesForGroup = groupPage("/invite");

/** `PATCH /group/:group_id/invite/:group_id_to_join` (the server's path; sentc's SDKs use another one, Appendix B 11). */
export const acceptInviteAsGroup = onGroupAnd("PATCH", "invite", "the group id to join", noResult);

/** `DELETE /group/:group_id/invite/:group_id_to_reject`. */
export const rejectInviteAsGroup = onGroupAnd("DELETE", "invite", "the group id to reject", noResult);

// ---------- join requests ----------

/** `PATCH /group/:group_id/join_req`: the user asks to join. */
export const joinRequest = onGroup("PATCH", "/join_req", noResult);

/** `PATCH /group/:group_id/join_req/:group_id_to_join`: the group asks to join a connected group. */
export const joinRequestAsGroup = onGroupAnd("PATCH", "join_req", "the group id to join", noResult);

/** `GET /group/joins/:time/:id` → join requests sent by the user. */
export const getSentJoinRequestsForUser = pageCall("/group/joins");

/** `DELETE /group/joins/:group_id`: withdraws the user's join request to that group. */
export const deleteSentJoinRequestForUser = idCall(
  "DELETE",
  (groupId) => `/group/joins/${pathSegment(groupId, "the group id")}`,
  "/group/joins/:id",
  noResult,
);

/** `GET /group/:group_id/joins/:time/:id` → join requests sent by the group. */
export const getSentJoinRequestsForGroup = groupPage("/joins");

/** `DELETE /group/:group_id/joins/:join_req_id`. */
export const deleteSentJoinRequestForGroup = onGroupAnd("DELETE", "joins", "the group id", noResult);

/** `GET /group/:group_id/join_req/:time/:user_id` → received join requests (rank ≤ 2). */
export const getJoinRequests = groupPage("/join_req");

/** `PUT /group/:group_id/join_req/:user_id` with `GroupKeysForNewMemberServerInput`. */
export const acceptJoinRequest = onGroupAndWithBody(
  "PUT",
  "join_req",
  "the user id",
  memberKeysResult,
  "PUT /group/:id/join_req/:user result",
);

/** `DELETE /group/:group_id/join_req/:user_id`. */
export const rejectJoinRequest = onGroupAnd("DELETE", "join_req", "the user id", noResult);

// ---------- membership ----------

/** `DELETE /group/:group_id/leave`. */
export const leave = onGroup("DELETE", "/leave", noResult);

/** `DELETE /group/:group_id/kick/:user_id`. */
export const kickUser = onGroupAnd("DELETE", "kick", "the user id", noResult);

/** `PUT /group/:group_id/change_rank` with `GroupChangeRankServerInput`. */
export const changeRank = onGroupWithBody("PUT", "/change_rank", noResult);

// ---------- key rotation ----------

/** `KeyRotationStartServerOutput`. */
export interface GroupKeyRotationStart {
  group_id: string;
  key_id: string;
}

/** `POST /group/:group_id/key_rotation` with `KeyRotationData` → the new key id. */
export const startKeyRotation = onGroupWithBody("POST", "/key_rotation", (value, what): GroupKeyRotationStart => {
  const result = expectObject(value, what);
  return { group_id: expectString(result, "group_id", what), key_id: expectString(result, "key_id", what) };
});

/** `GET /group/:group_id/key_rotation` → pending rotations (`GroupKeyUpdate[]`, oldest first). */
export const getKeyRotations = onGroup("GET", "/key_rotation", expectObjectArray);

/** `PUT /group/:group_id/key_rotation/:key_id` with `DoneKeyRotationData`. */
export const finishKeyRotation = onGroupAndWithBody("PUT", "key_rotation", "the new key id", noResult);
