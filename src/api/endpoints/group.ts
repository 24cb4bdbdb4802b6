/**
 * The group endpoints under `/group` (api.md §3.5). All need a JWT; `options.groupAccessId` sends
 * `x-sentc-group-access-id` (access through a connected group). Request bodies are the JSON strings of
 * src/protocol; results that go on to src/protocol are only checked to be objects here.
 */
import { SentcError } from "../../errors.js";
import type { HttpClient, JwtInput, PageCursor, RequestOptions } from "../http.js";
import { pagePath, pathSegment } from "../http.js";
import {
  expectBoolean,
  expectObject,
  expectObjectArray,
  expectString,
  optionalString,
  type JsonObject,
} from "./result.js";

const gid = (groupId: string) => `/group/${pathSegment(groupId, "the group id")}`;

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
export async function createChildGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  body: string,
  options?: RequestOptions,
): Promise<string> {
  return createdGroupId(
    await http.requestJson("POST", `${gid(groupId)}/child`, body, jwt, options),
    "POST /group/:id/child result",
  );
}

/** `POST /group/:group_id/connected` with `CreateData` (key encrypted to this group's public key) → the new id. */
export async function createConnectedGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  body: string,
  options?: RequestOptions,
): Promise<string> {
  return createdGroupId(
    await http.requestJson("POST", `${gid(groupId)}/connected`, body, jwt, options),
    "POST /group/:id/connected result",
  );
}

/** `DELETE /group/:group_id` (rank ≤ 1): the group and all its descendants. */
export async function deleteGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("DELETE", gid(groupId), undefined, jwt, options);
}

// ---------- data and keys ----------

/** `GET /group/:group_id` → `GroupServerData` (first page of keys, HMAC and sortable keys). */
export async function getGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  return expectObject(await http.requestJson("GET", gid(groupId), undefined, jwt, options), "GET /group/:id result");
}

/** `GroupDataCheckUpdateServerOutput`. */
export interface GroupUpdateCheck {
  key_update: boolean;
  rank: number;
}

/** `GET /group/:group_id/update_check` → `{key_update, rank}`. */
export async function getGroupUpdateCheck(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<GroupUpdateCheck> {
  const what = "GET /group/:id/update_check result";
  const result = expectObject(
    await http.requestJson("GET", `${gid(groupId)}/update_check`, undefined, jwt, options),
    what,
  );
  const rank = result.rank;
  if (typeof rank !== "number" || !Number.isInteger(rank))
    throw new SentcError("invalid_server_response", `${what}: "rank" must be an integer`);
  return { key_update: expectBoolean(result, "key_update", what), rank };
}

/** `GET /group/:group_id/keys/:last_time/:last_key_id` → up to 50 `GroupUserKeys`, newest first. */
export async function getGroupKeys(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/keys${pagePath(last)}`, undefined, jwt, options),
    "GET /group/:id/keys result",
  );
}

/** `GET /group/:group_id/key/:key_id` → one `GroupUserKeys` (unknown: `server` 304). */
export async function getGroupKey(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  keyId: string,
  options?: RequestOptions,
): Promise<JsonObject> {
  const path = `${gid(groupId)}/key/${pathSegment(keyId, "the key id")}`;
  return expectObject(await http.requestJson("GET", path, undefined, jwt, options), "GET /group/:id/key result");
}

// ---------- lists ----------

/** `GET /group/:group_id/member/:joined_time/:user_id` → `GroupUserListItem[]` (without the caller). */
export async function getMembers(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/member${pagePath(last)}`, undefined, jwt, options),
    "GET /group/:id/member result",
  );
}

/** `GET /group/:group_id/children/:time/:id` → `GroupChildrenList[]`. */
export async function getChildren(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/children${pagePath(last)}`, undefined, jwt, options),
    "GET /group/:id/children result",
  );
}

/** `GET /group/all/:time/:id` → the user's groups (`ListGroups[]`). */
export async function getGroupsForUser(
  http: HttpClient,
  jwt: JwtInput,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `/group/all${pagePath(last)}`, undefined, jwt, options),
    "GET /group/all result",
  );
}

/** `GET /group/:group_id/all/:time/:id` → the connected groups this group is a member of. */
export async function getGroupsForGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/all${pagePath(last)}`, undefined, jwt, options),
    "GET /group/:id/all result",
  );
}

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
export async function uploadInviteSession(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  sessionId: string,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "PUT",
    `${gid(groupId)}/invite/session/${pathSegment(sessionId, "the key session id")}`,
    body,
    jwt,
    options,
  );
}

/** `PUT /group/:group_id/join_req/session/:session_id` (accepted join requests and auto invites). */
export async function uploadJoinSession(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  sessionId: string,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "PUT",
    `${gid(groupId)}/join_req/session/${pathSegment(sessionId, "the key session id")}`,
    body,
    jwt,
    options,
  );
}

/** `PATCH /group/:group_id/change_invite` (rank ≤ 1): toggles whether invites and join requests are allowed. */
export async function stopInvites(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PATCH", `${gid(groupId)}/change_invite`, undefined, jwt, options);
}

/** `GET /group/invite/:time/:group_id` → the user's invites (`GroupInviteReqList[]`). */
export async function getInvitesForUser(
  http: HttpClient,
  jwt: JwtInput,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `/group/invite${pagePath(last)}`, undefined, jwt, options),
    "GET /group/invite result",
  );
}

/** `PATCH /group/:group_id/invite`: the user accepts. */
export async function acceptInvite(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PATCH", `${gid(groupId)}/invite`, undefined, jwt, options);
}

/** `DELETE /group/:group_id/invite`: the user rejects. */
export async function rejectInvite(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("DELETE", `${gid(groupId)}/invite`, undefined, jwt, options);
}

/** `GET /group/:group_id/invite/:time/:id` → invites for the group `groupId` (as member of connected groups). */
export async function getInvitesForGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/invite${pagePath(last)}`, undefined, jwt, options),
    "GET /group/:id/invite result",
  );
}

/** `PATCH /group/:group_id/invite/:group_id_to_join` (the server's path; sentc's SDKs use another one, Appendix B 11). */
export async function acceptInviteAsGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  toJoin: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "PATCH",
    `${gid(groupId)}/invite/${pathSegment(toJoin, "the group id to join")}`,
    undefined,
    jwt,
    options,
  );
}

/** `DELETE /group/:group_id/invite/:group_id_to_reject`. */
export async function rejectInviteAsGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  toReject: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "DELETE",
    `${gid(groupId)}/invite/${pathSegment(toReject, "the group id to reject")}`,
    undefined,
    jwt,
    options,
  );
}

// ---------- join requests ----------

/** `PATCH /group/:group_id/join_req`: the user asks to join. */
export async function joinRequest(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PATCH", `${gid(groupId)}/join_req`, undefined, jwt, options);
}

/** `PATCH /group/:group_id/join_req/:group_id_to_join`: the group asks to join a connected group. */
export async function joinRequestAsGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  toJoin: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "PATCH",
    `${gid(groupId)}/join_req/${pathSegment(toJoin, "the group id to join")}`,
    undefined,
    jwt,
    options,
  );
}

/** `GET /group/joins/:time/:id` → join requests sent by the user. */
export async function getSentJoinRequestsForUser(
  http: HttpClient,
  jwt: JwtInput,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `/group/joins${pagePath(last)}`, undefined, jwt, options),
    "GET /group/joins result",
  );
}

/** `DELETE /group/joins/:group_id`: withdraws the user's join request to that group. */
export async function deleteSentJoinRequestForUser(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("DELETE", `/group/joins/${pathSegment(groupId, "the group id")}`, undefined, jwt, options);
}

/** `GET /group/:group_id/joins/:time/:id` → join requests sent by the group. */
export async function getSentJoinRequestsForGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/joins${pagePath(last)}`, undefined, jwt, options),
    "GET /group/:id/joins result",
  );
}

/** `DELETE /group/:group_id/joins/:join_req_id`. */
export async function deleteSentJoinRequestForGroup(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  toGroupId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "DELETE",
    `${gid(groupId)}/joins/${pathSegment(toGroupId, "the group id")}`,
    undefined,
    jwt,
    options,
  );
}

/** `GET /group/:group_id/join_req/:time/:user_id` → received join requests (rank ≤ 2). */
export async function getJoinRequests(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  last?: PageCursor | null,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/join_req${pagePath(last)}`, undefined, jwt, options),
    "GET /group/:id/join_req result",
  );
}

/** `PUT /group/:group_id/join_req/:user_id` with `GroupKeysForNewMemberServerInput`. */
export async function acceptJoinRequest(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  userId: string,
  body: string,
  options?: RequestOptions,
): Promise<MemberKeysResult> {
  const path = `${gid(groupId)}/join_req/${pathSegment(userId, "the user id")}`;
  return memberKeysResult(
    await http.requestJson("PUT", path, body, jwt, options),
    "PUT /group/:id/join_req/:user result",
  );
}

/** `DELETE /group/:group_id/join_req/:user_id`. */
export async function rejectJoinRequest(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  userId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "DELETE",
    `${gid(groupId)}/join_req/${pathSegment(userId, "the user id")}`,
    undefined,
    jwt,
    options,
  );
}

// ---------- membership ----------

/** `DELETE /group/:group_id/leave`. */
export async function leave(http: HttpClient, jwt: JwtInput, groupId: string, options?: RequestOptions): Promise<void> {
  await http.requestJson("DELETE", `${gid(groupId)}/leave`, undefined, jwt, options);
}

/** `DELETE /group/:group_id/kick/:user_id`. */
export async function kickUser(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  userId: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "DELETE",
    `${gid(groupId)}/kick/${pathSegment(userId, "the user id")}`,
    undefined,
    jwt,
    options,
  );
}

/** `PUT /group/:group_id/change_rank` with `GroupChangeRankServerInput`. */
export async function changeRank(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson("PUT", `${gid(groupId)}/change_rank`, body, jwt, options);
}

// ---------- key rotation ----------

/** `KeyRotationStartServerOutput`. */
export interface GroupKeyRotationStart {
  group_id: string;
  key_id: string;
}

/** `POST /group/:group_id/key_rotation` with `KeyRotationData` → the new key id. */
export async function startKeyRotation(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  body: string,
  options?: RequestOptions,
): Promise<GroupKeyRotationStart> {
  const what = "POST /group/:id/key_rotation result";
  const result = expectObject(await http.requestJson("POST", `${gid(groupId)}/key_rotation`, body, jwt, options), what);
  return { group_id: expectString(result, "group_id", what), key_id: expectString(result, "key_id", what) };
}

/** `GET /group/:group_id/key_rotation` → pending rotations (`GroupKeyUpdate[]`, oldest first). */
export async function getKeyRotations(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  options?: RequestOptions,
): Promise<JsonObject[]> {
  return expectObjectArray(
    await http.requestJson("GET", `${gid(groupId)}/key_rotation`, undefined, jwt, options),
    "GET /group/:id/key_rotation result",
  );
}

/** `PUT /group/:group_id/key_rotation/:key_id` with `DoneKeyRotationData`. */
export async function finishKeyRotation(
  http: HttpClient,
  jwt: JwtInput,
  groupId: string,
  newKeyId: string,
  body: string,
  options?: RequestOptions,
): Promise<void> {
  await http.requestJson(
    "PUT",
    `${gid(groupId)}/key_rotation/${pathSegment(newKeyId, "the new key id")}`,
    body,
    jwt,
    options,
  );
}
