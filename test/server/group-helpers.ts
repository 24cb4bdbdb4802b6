/**
 * Group test helpers: users with their decrypted user keys, groups made with the protocol layer, member
 * key uploads and key decryption, all through real HTTP.
 */
import { expect } from "vitest";
import { prepareCreateGroup, type GroupKeys } from "../../src/protocol/group-create.js";
import { decryptGroupKey, type GroupKeyData } from "../../src/protocol/group-keys.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { encryptGroupKeysForMember, prepareKeysForNewMember } from "../../src/protocol/group-member.js";
import type { PrivateKey, PublicKey, SymKey } from "../../src/protocol/keys.js";
import { expectOk, login, registerUser, type ApiAnswer, type Harness } from "./harness.js";

export const V = "/api/v1";

/** Anyone who can hold group keys: a user (its user-group key pair) or a group (its group key pair). */
export interface KeyHolder {
  /** The member id in the group (user id or group id). */
  id: string;
  publicKey: PublicKey;
  privateKey: PrivateKey;
}

export interface TestUser extends KeyHolder {
  userId: string;
  deviceId: string;
  identifier: string;
  jwt: string;
}

export async function newUser(h: Harness): Promise<TestUser> {
  const user = await registerUser(h);
  const session = await login(h, user.identifier, user.password);
  const key = session.userKeys[0]!;
  return {
    id: user.userId,
    userId: user.userId,
    deviceId: user.deviceId,
    identifier: user.identifier,
    jwt: session.jwt,
    publicKey: key.publicGroupKey,
    privateKey: key.privateGroupKey,
  };
}

export interface TestGroup extends KeyHolder {
  groupId: string;
  /** The group keys known so far (oldest first). */
  keys: SymKey[];
  created: GroupKeys;
}

export function groupFromCreate(groupId: string, created: GroupKeys): TestGroup {
  const publicKey = { ...created.publicKey, keyId: created.groupKey.keyId } as PublicKey;
  return { id: groupId, groupId, keys: [created.groupKey], created, publicKey, privateKey: created.privateKey };
}

/** The `CreateData` body for a group whose first key is encrypted to `to`. */
export function createBody(to: KeyHolder, starter: string): { body: string; keys: GroupKeys } {
  const { serverInput, keys } = prepareCreateGroup({ creatorPublicKey: to.publicKey, starter });
  return { body: serverInput, keys };
}

/** Creates a group and reads its first key back (ids come from the server). */
export async function createGroup(
  h: Harness,
  user: TestUser,
  path = `${V}/group`,
  to: KeyHolder = user,
  headers?: Record<string, string>,
): Promise<TestGroup> {
  const { body } = createBody(to, user.userId);
  const groupId = expectOk(await h.call("POST", path, { jwt: user.jwt, raw: body, headers })).group_id as string;
  return groupId ? await loadGroup(h, user, groupId, to, headers) : (undefined as never);
}

/** `count` key rotations of the group by `owner`; each new key is appended to `group.keys` with its server id. */
export async function rotateGroupKeys(h: Harness, owner: TestUser, group: TestGroup, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { serverInput, keys } = prepareKeyRotation({
      previousGroupKey: group.keys[group.keys.length - 1]!,
      invokerPublicKey: owner.publicKey,
      starter: owner.userId,
    });
    const keyId = expectOk(
      await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: owner.jwt, raw: serverInput }),
    ).key_id;
    group.keys.push({ ...keys.groupKey, keyId });
  }
}

/** The group as `user` sees it, with every key decrypted by `holder`'s private key. */
export async function loadGroup(
  h: Harness,
  user: TestUser,
  groupId: string,
  holder: KeyHolder = user,
  headers?: Record<string, string>,
): Promise<TestGroup> {
  const data = expectOk(await h.call("GET", `${V}/group/${groupId}`, { jwt: user.jwt, headers }));
  const decrypted = (data.keys as Record<string, unknown>[]).map((k) => decryptGroupKey(holder.privateKey, k));
  expect(decrypted.length).toBeGreaterThan(0);
  const newest = decrypted[0]!;
  return {
    id: groupId,
    groupId,
    keys: decrypted.map((k) => k.groupKey).reverse(),
    created: { groupKey: newest.groupKey, privateKey: newest.privateGroupKey, publicKey: newest.publicGroupKey },
    publicKey: newest.publicGroupKey,
    privateKey: newest.privateGroupKey,
  };
}

/** Every key of the group for `user` through the paged key route (50 per page), decrypted by `holder`. */
export async function allKeys(
  h: Harness,
  user: TestUser,
  groupId: string,
  holder: KeyHolder = user,
  headers?: Record<string, string>,
): Promise<GroupKeyData[]> {
  const out: GroupKeyData[] = [];
  let cursor = "0/none";
  for (let page = 0; page < 100; page++) {
    const keys = expectOk(
      await h.call("GET", `${V}/group/${groupId}/keys/${cursor}`, { jwt: user.jwt, headers }),
    ) as Array<Record<string, unknown>>;
    out.push(...keys.map((k) => decryptGroupKey(holder.privateKey, k)));
    if (keys.length < 50) break;
    const last = keys[keys.length - 1]!;
    cursor = `${last.time}/${last.group_key_id}`;
  }
  return out;
}

/** `GroupKeysForNewMemberServerInput` for the first 50 keys (and key_session when there are more). */
export function memberKeys(member: KeyHolder, keys: SymKey[], rank: number | null = null, adminRank = 0): string {
  return prepareKeysForNewMember(member.publicKey, keys.slice(0, 50), keys.length, rank, adminRank);
}

/** The session uploads after the first 50 keys. */
export function sessionPages(member: KeyHolder, keys: SymKey[]): string[] {
  const pages: string[] = [];
  for (let i = 50; i < keys.length; i += 50)
    pages.push(JSON.stringify(encryptGroupKeysForMember(member.publicKey, keys.slice(i, i + 50))));
  return pages;
}

/** Auto-invites a user (or, with `path` …/invite_group_auto, a group) with all keys. */
export async function addMember(
  h: Harness,
  admin: TestUser,
  group: TestGroup,
  member: KeyHolder,
  rank: number | null = null,
  kind = "invite_auto",
  headers?: Record<string, string>,
): Promise<ApiAnswer> {
  const answer = await h.call("PUT", `${V}/group/${group.groupId}/${kind}/${member.id}`, {
    jwt: admin.jwt,
    raw: memberKeys(member, group.keys, rank),
    headers,
  });
  return answer;
}

export const sortedIds = (keys: Array<{ keyId: string }>) => keys.map((k) => k.keyId).sort();
