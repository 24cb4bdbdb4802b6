/**
 * The reference server's holes (api.md §7) that this server closes, one test per item: each fails when the fix
 * is taken out (items 13, 14, 16, 18 and 21).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { encryptGroupKeysForMember, prepareKeysForNewMember } from "../../src/protocol/group-member.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import { expectError, expectOk, login, registerUser, startHarness, unique, type Harness } from "./harness.js";
import {
  addMember,
  createBody,
  createGroup,
  loadGroup,
  rotateGroupKeys,
  V,
  type TestGroup,
  type TestUser,
} from "./group-helpers.js";
import { decryptGroupKey } from "../../src/protocol/group-keys.js";

const HOUR = 60 * 60 * 1000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

interface User extends TestUser {
  password: string;
}

/** A registered user logged in at the server's current clock. */
async function newUser(): Promise<User> {
  const user = await registerUser(h);
  return loginAgain({ ...user, id: user.userId } as User);
}

/** A new (fresh) JWT for `user` at the server's current clock. */
async function loginAgain(user: User): Promise<User> {
  const session = await login(h, user.identifier, user.password);
  const key = session.userKeys[0]!;
  return { ...user, jwt: session.jwt, publicKey: key.publicGroupKey, privateKey: key.privateGroupKey };
}

/** An invite body for `member` with one key that asks for a key session (as for a group of more than 50 keys). */
const sessionInvite = (member: TestUser, group: TestGroup) =>
  prepareKeysForNewMember(member.publicKey, group.keys, 51, null, 0);

/** A session upload: the group's keys once more for `member` (rows that exist already are kept). */
const sessionPage = (member: TestUser, group: TestGroup) =>
  JSON.stringify(encryptGroupKeysForMember(member.publicKey, group.keys));

/** `owner` invites `invited` and auto-invites `auto`, each asking for a key session; the two session upload paths. */
async function openSessions(owner: TestUser, group: TestGroup, invited: TestUser, auto: TestUser) {
  const invite = expectOk(
    await h.call("PUT", `${V}/group/${group.groupId}/invite/${invited.userId}`, {
      jwt: owner.jwt,
      raw: sessionInvite(invited, group),
    }),
  );
  const added = expectOk(
    await h.call("PUT", `${V}/group/${group.groupId}/invite_auto/${auto.userId}`, {
      jwt: owner.jwt,
      raw: sessionInvite(auto, group),
    }),
  );
  return {
    inviteSession: `${V}/group/${group.groupId}/invite/session/${invite.session_id}`,
    memberSession: `${V}/group/${group.groupId}/join_req/session/${added.session_id}`,
  };
}

const cursor = { time: 0, id: "", limit: 100 };

const memberIds = async (user: TestUser, groupId: string) =>
  (
    expectOk(await h.call("GET", `${V}/group/${groupId}/member/0/none`, { jwt: user.jwt })) as Array<{
      user_id: string;
    }>
  ).map((m) => m.user_id);

/** Runs `body` with the server's clock `offsetMs` ahead, then puts the clock back. */
async function later<T>(offsetMs: number, body: () => Promise<T>): Promise<T> {
  h.clock.offsetMs = offsetMs;
  try {
    return await body();
  } finally {
    h.clock.offsetMs = 0;
  }
}

describe("api.md §7: the reference's holes stay closed", () => {
  it("item 13: a deleted user leaves no membership, key rows, rotation rows or invites in normal groups", async () => {
    const [owner, victim] = [await newUser(), await newUser()];
    const group = await createGroup(h, owner);
    const other = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, victim));
    expectOk(
      await h.call("PUT", `${V}/group/${other.groupId}/invite/${victim.userId}`, {
        jwt: owner.jwt,
        raw: prepareKeysForNewMember(victim.publicKey, other.keys, 1, null, 0),
      }),
    );
    // A key rotation gives the victim a rotation row.
    const rotation = prepareKeyRotation({
      previousGroupKey: group.keys[0]!,
      invokerPublicKey: owner.publicKey,
      starter: owner.userId,
    });
    expectOk(
      await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: owner.jwt, raw: rotation.serverInput }),
    );
    await h.server.rotations!.whenIdle();
    const store = h.server.store;
    expect(await memberIds(owner, group.groupId)).toEqual([victim.userId]);
    expect(await store.listMemberKeys(group.groupId, victim.userId, cursor)).toHaveLength(1);
    expect(await store.listRotations(group.groupId, victim.userId)).toHaveLength(1);
    expect(await store.listMemberKeys(other.groupId, victim.userId, cursor)).toHaveLength(1);

    expectOk(await h.call("DELETE", `${V}/user`, { token: h.app.secretToken, jwt: victim.jwt }));
    expect(await memberIds(owner, group.groupId)).toEqual([]);
    expect(await store.getMember(group.groupId, victim.userId)).toBeNull();
    expect(await store.listMemberKeys(group.groupId, victim.userId, cursor)).toEqual([]);
    expect(await store.listRotations(group.groupId, victim.userId)).toEqual([]);
    expect(await store.getGroupRequest(other.groupId, victim.userId)).toBeNull();
    expect(await store.listMemberKeys(other.groupId, victim.userId, cursor)).toEqual([]);
  });

  it("item 14: a deleted device leaves no membership, key rows or rotation rows in the user group", async () => {
    const user = await newUser();
    const a = await login(h, user.identifier, user.password);
    const identifier = unique("device");
    const start = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(identifier, "pw2") }),
    );
    const added = expectOk(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: a.jwt,
        deviceSignKey: a.deviceKeys.signKey,
        raw: prepareRegisterDevice(
          start,
          a.userKeys.map((k) => k.groupKey),
          1,
        ).serverInput,
      }),
    );
    expect(added).toEqual({ message: "This device was added to the account." });
    const b = await login(h, identifier, "pw2");
    const userGroupId = a.deviceKeys.userGroupId;
    // A user key rotation gives the second device a rotation row.
    const rotation = prepareKeyRotation({
      previousGroupKey: a.userKeys[0]!.groupKey,
      invokerPublicKey: a.deviceKeys.publicKey,
      signKey: a.userKeys[0]!.signKey,
      starter: user.userId,
      userGroup: true,
    });
    expectOk(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: a.jwt,
        deviceSignKey: a.deviceKeys.signKey,
        raw: rotation.serverInput,
      }),
    );
    await h.server.rotations!.whenIdle();
    expect(expectOk(await h.call("GET", `${V}/user/user_keys/rotation`, { jwt: b.jwt }))).toHaveLength(1);
    const store = h.server.store;
    const deviceB = b.deviceKeys.deviceId;
    expect(await store.getMember(userGroupId, deviceB)).not.toBeNull();
    expect(await store.listMemberKeys(userGroupId, deviceB, cursor)).toHaveLength(1);
    expect(await store.listRotations(userGroupId, deviceB)).toHaveLength(1);

    expectOk(await h.call("DELETE", `${V}/user/device/${deviceB}`, { jwt: a.jwt }));
    expect(expectOk(await h.call("GET", `${V}/user/device/0/none`, { jwt: a.jwt }))).toHaveLength(1);
    expect(await store.getMember(userGroupId, deviceB)).toBeNull();
    expect(await store.listMemberKeys(userGroupId, deviceB, cursor)).toEqual([]);
    expect(await store.listRotations(userGroupId, deviceB)).toEqual([]);
    // The remaining device is untouched.
    expect(await store.getMember(userGroupId, a.deviceKeys.deviceId)).not.toBeNull();
  });

  it("item 18: key pages are ordered and filtered on the key's time, not the member key row's", async () => {
    const [owner, invited] = [await newUser(), await newUser()];
    const group = await createGroup(h, owner);
    await rotateGroupKeys(h, owner, group, 52);
    // The invite carries the newest 50 keys; the 3 oldest follow a second later through the key session, so the
    // member key rows' times run against the keys' times.
    const invite = expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${invited.userId}`, {
        jwt: owner.jwt,
        raw: prepareKeysForNewMember(invited.publicKey, group.keys.slice(3), group.keys.length, null, 0),
      }),
    );
    await later(1000, async () => {
      const fresh = await loginAgain(owner);
      expectOk(
        await h.call("PUT", `${V}/group/${group.groupId}/invite/session/${invite.session_id}`, {
          jwt: fresh.jwt,
          raw: JSON.stringify(encryptGroupKeysForMember(invited.publicKey, group.keys.slice(0, 3))),
        }),
      );
    });
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/invite`, { jwt: invited.jwt }));

    const pages: Array<Array<{ group_key_id: string; time: number }>> = [];
    let next = "0/none";
    for (;;) {
      const page = expectOk(await h.call("GET", `${V}/group/${group.groupId}/keys/${next}`, { jwt: invited.jwt }));
      pages.push(page);
      if (page.length < 50) break;
      next = `${page[page.length - 1].time}/${page[page.length - 1].group_key_id}`;
    }
    expect(pages.map((p) => p.length)).toEqual([50, 3]);
    const listed = pages.flat();
    // Newest key first (ties on the time by id), every key once.
    const expected = [...listed].sort((x, y) => y.time - x.time || (x.group_key_id < y.group_key_id ? -1 : 1));
    expect(listed.map((k) => k.group_key_id)).toEqual(expected.map((k) => k.group_key_id));
    expect(new Set(listed.map((k) => k.group_key_id)).size).toBe(53);
    expect(pages[0]![0]!.group_key_id).toBe(group.keys[52]!.keyId);
    expect(pages[1]!.map((k) => k.group_key_id).sort()).toEqual(
      group.keys
        .slice(0, 3)
        .map((k) => k.keyId)
        .sort(),
    );
    for (const key of listed) expect(decryptGroupKey(invited.privateKey, key).groupKey.keyId).toBe(key.group_key_id);
  });

  it("item 21: deleting join requests never deletes a pending invite of the same member and group", async () => {
    const [owner, user] = [await newUser(), await newUser()];
    const group = await createGroup(h, owner);
    expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: owner.jwt,
        raw: prepareKeysForNewMember(user.publicKey, group.keys, 1, null, 0),
      }),
    );
    // The invitee withdraws a "join request" and the admin rejects one: neither touches the invite.
    expectOk(await h.call("DELETE", `${V}/group/joins/${group.groupId}`, { jwt: user.jwt }));
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/join_req/${user.userId}`, { jwt: owner.jwt }));
    const invites = expectOk(await h.call("GET", `${V}/group/invite/0/none`, { jwt: user.jwt }));
    expect(invites.map((i: { group_id: string }) => i.group_id)).toEqual([group.groupId]);
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/invite`, { jwt: user.jwt }));
    expect(await loadGroup(h, user, group.groupId)).toMatchObject({ groupId: group.groupId });

    // The same for a group: its sent join requests go, an invite to it stays.
    const base = await createGroup(h, owner);
    const connectedId = expectOk(
      await h.call("POST", `${V}/group/${base.groupId}/connected`, {
        jwt: owner.jwt,
        raw: createBody(base, owner.userId).body,
      }),
    ).group_id as string;
    const asBase = { "x-sentc-group-access-id": base.groupId };
    const connectedKey = decryptGroupKey(
      base.privateKey,
      expectOk(await h.call("GET", `${V}/group/${connectedId}`, { jwt: owner.jwt, headers: asBase })).keys[0],
    ).groupKey;
    const member = await createGroup(h, user);
    expectOk(
      await h.call("PUT", `${V}/group/${connectedId}/invite_group/${member.groupId}`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: prepareKeysForNewMember(member.publicKey, [connectedKey], 1, null, 0),
      }),
    );
    expectOk(await h.call("DELETE", `${V}/group/${member.groupId}/joins/${connectedId}`, { jwt: user.jwt }));
    const groupInvites = expectOk(await h.call("GET", `${V}/group/${member.groupId}/invite/0/none`, { jwt: user.jwt }));
    expect(groupInvites.map((i: { group_id: string }) => i.group_id)).toEqual([connectedId]);
    expectOk(await h.call("PATCH", `${V}/group/${member.groupId}/invite/${connectedId}`, { jwt: user.jwt }));
  });

  it("item 16: key-upload sessions take keys only from members of rank 2 or better (400/301)", async () => {
    const [owner, admin, member, invited, auto] = [
      await newUser(),
      await newUser(),
      await newUser(),
      await newUser(),
      await newUser(),
    ];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, admin, 2));
    expectOk(await addMember(h, owner, group, member, 3));
    const { inviteSession, memberSession } = await openSessions(owner, group, invited, auto);
    // A rank-3 member who learnt the session ids can't write key rows for the new members.
    expectError(await h.call("PUT", inviteSession, { jwt: member.jwt, raw: sessionPage(invited, group) }), 400, 301);
    expectError(await h.call("PUT", memberSession, { jwt: member.jwt, raw: sessionPage(auto, group) }), 400, 301);
    // Ranks that can open sessions can use them.
    expectOk(await h.call("PUT", inviteSession, { jwt: admin.jwt, raw: sessionPage(invited, group) }));
    expectOk(await h.call("PUT", memberSession, { jwt: owner.jwt, raw: sessionPage(auto, group) }));
  });

  it("item 16: key-upload sessions expire 24 hours after they were opened (400/306)", async () => {
    const [owner, invited, auto, again] = [await newUser(), await newUser(), await newUser(), await newUser()];
    const group = await createGroup(h, owner);
    const { inviteSession, memberSession } = await openSessions(owner, group, invited, auto);
    expectOk(await addMember(h, owner, group, again));
    // The reference client uploads at once.
    expectOk(await h.call("PUT", inviteSession, { jwt: owner.jwt, raw: sessionPage(invited, group) }));
    expectOk(await h.call("PUT", memberSession, { jwt: owner.jwt, raw: sessionPage(auto, group) }));
    // The invite is accepted 23 hours later: its session still counts from the invite.
    await later(23 * HOUR, async () => {
      const fresh = await loginAgain(invited);
      expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/invite`, { jwt: fresh.jwt }));
      expectOk(
        await h.call("PUT", inviteSession, { jwt: (await loginAgain(owner)).jwt, raw: sessionPage(invited, group) }),
      );
    });
    await later(24 * HOUR + 60_000, async () => {
      const fresh = await loginAgain(owner);
      expectError(await h.call("PUT", inviteSession, { jwt: fresh.jwt, raw: sessionPage(invited, group) }), 400, 306);
      expectError(await h.call("PUT", memberSession, { jwt: fresh.jwt, raw: sessionPage(auto, group) }), 400, 306);
      // A re-invite of a member of more than a day opens a new session, which counts from the re-invite.
      const reInvited = expectOk(
        await h.call("PUT", `${V}/group/${group.groupId}/re_invite/${again.userId}`, {
          jwt: fresh.jwt,
          raw: sessionInvite(again, group),
        }),
      );
      expectOk(
        await h.call("PUT", `${V}/group/${group.groupId}/join_req/session/${reInvited.session_id}`, {
          jwt: fresh.jwt,
          raw: sessionPage(again, group),
        }),
      );
    });
  });

  it("item 16: device key sessions expire 24 hours after they were opened (400/306)", async () => {
    const user = await newUser();
    const a = await login(h, user.identifier, user.password);
    const start = expectOk(
      await h.call("POST", `${V}/user/prepare_register_device`, {
        raw: prepareRegisterDeviceStart(unique("device"), "pw2"),
      }),
    );
    const done = JSON.parse(
      prepareRegisterDevice(
        start,
        a.userKeys.map((k) => k.groupKey),
        1,
      ).serverInput,
    );
    const opened = expectOk(
      await h.call("PUT", `${V}/user/done_register_device`, {
        jwt: a.jwt,
        deviceSignKey: a.deviceKeys.signKey,
        body: { ...done, user_keys: { ...done.user_keys, key_session: true } },
      }),
    );
    const session = `${V}/user/user_keys/session/${opened.session_id}`;
    expectOk(await h.call("PUT", session, { jwt: a.jwt, body: done.user_keys.keys }));
    await later(24 * HOUR + 60_000, async () => {
      const fresh = await loginAgain(user);
      expectError(await h.call("PUT", session, { jwt: fresh.jwt, body: done.user_keys.keys }), 400, 306);
    });
  });
});
