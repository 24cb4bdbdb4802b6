/**
 * Group membership (api.md §3.5.3–§3.5.6): invites (manual, auto, light, groups as members), the invitee's
 * side, join requests, key-upload sessions (a group with more than 50 keys), kick, leave, ranks, re-invite —
 * with the reference's holes closed (api.md §7.1, §7.2, §7.8, §7.9).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptGroupKey } from "../../src/protocol/group-keys.js";
import { expectError, expectOk, startHarness, type Harness } from "./harness.js";
import {
  addMember,
  allKeys,
  createBody,
  createGroup,
  memberKeys,
  newUser,
  rotateGroupKeys,
  sessionPages,
  sortedIds,
  V,
  type TestGroup,
  type TestUser,
} from "./group-helpers.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const memberList = async (user: TestUser, groupId: string, headers?: Record<string, string>) =>
  expectOk(await h.call("GET", `${V}/group/${groupId}/member/0/none`, { jwt: user.jwt, headers })) as Array<{
    user_id: string;
    rank: number;
    user_type: number;
  }>;

describe("invites to users", () => {
  it("invite → listed → accept: the member decrypts the keys; duplicates are 302", async () => {
    const [owner, user] = [await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    const result = expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(user, group.keys, 2),
      }),
    );
    expect(result).toEqual({ message: "Group was invited. Please wait until the user accepts the invite." });
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(user, group.keys),
      }),
      400,
      302,
    );
    const invites = expectOk(await h.call("GET", `${V}/group/invite/0/none`, { jwt: user.jwt }));
    expect(invites.map((i: { group_id: string }) => i.group_id)).toEqual([group.groupId]);
    expectError(await h.call("GET", `${V}/group/${group.groupId}`, { jwt: user.jwt }), 400, 310);
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/invite`, { jwt: user.jwt }));
    expectError(await h.call("PATCH", `${V}/group/${group.groupId}/invite`, { jwt: user.jwt }), 400, 307);
    const keys = await allKeys(h, user, group.groupId);
    expect(Buffer.from(keys[0]!.groupKey.key)).toEqual(Buffer.from(group.keys[0]!.key));
    expect(expectOk(await h.call("GET", `${V}/group/${group.groupId}/light`, { jwt: user.jwt })).rank).toBe(2);
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(user, group.keys),
      }),
      400,
      302,
    );
    expect(expectOk(await h.call("GET", `${V}/group/invite/0/none`, { jwt: user.jwt }))).toEqual([]);
  });

  it("reject removes the invite and its key rows; invite rules 301/303/305/100", async () => {
    const [owner, user, low] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(user, group.keys),
      }),
    );
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/invite`, { jwt: user.jwt }));
    expectError(await h.call("DELETE", `${V}/group/${group.groupId}/invite`, { jwt: user.jwt }), 400, 307);
    expect(h.server.store).toBeDefined();
    expect(await h.server.store.getMemberKey(group.groupId, user.userId, group.keys[0]!.keyId)).toBeNull();
    // A rank-3 member can't invite; nobody can give a rank stronger than its own or outside 1..4.
    expectOk(await addMember(h, owner, group, low, 3));
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: low.jwt,
        raw: memberKeys(user, group.keys),
      }),
      400,
      301,
    );
    const body = JSON.parse(memberKeys(user, group.keys));
    for (const bad of [0, 5, -1])
      expectError(
        await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
          jwt: owner.jwt,
          body: { ...body, rank: bad },
        }),
        400,
        301,
      );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: owner.jwt,
        body: { ...body, keys: [] },
      }),
      400,
      303,
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, {
        jwt: owner.jwt,
        body: { ...body, keys: Array(101).fill(body.keys[0]) },
      }),
      400,
      305,
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/not-a-user`, {
        jwt: owner.jwt,
        raw: memberKeys(user, group.keys),
      }),
      400,
      100,
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${user.userId}`, { jwt: owner.jwt, body: { keys: "x" } }),
      422,
      11,
    );
  });

  it("light invites and auto invites", async () => {
    const [owner, a, b] = [await newUser(h), await newUser(h), await newUser(h)];
    const groupId = expectOk(await h.call("POST", `${V}/group/light`, { jwt: owner.jwt })).group_id;
    expect(
      expectOk(
        await h.call("PUT", `${V}/group/${groupId}/invite/${a.userId}/light`, { jwt: owner.jwt, body: { rank: 3 } }),
      ),
    ).toBe("Success");
    expectOk(await h.call("PATCH", `${V}/group/${groupId}/invite`, { jwt: a.jwt }));
    expect(
      expectOk(
        await h.call("PUT", `${V}/group/${groupId}/invite_auto/${b.userId}/light`, {
          jwt: owner.jwt,
          body: { rank: null },
        }),
      ),
    ).toBe("Success");
    const members = await memberList(owner, groupId);
    expect(members.map((m) => [m.user_id, m.rank])).toEqual([
      [a.userId, 3],
      [b.userId, 4],
    ]);
    const group = await createGroup(h, owner);
    const auto = expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite_auto/${a.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(a, group.keys),
      }),
    );
    expect(auto).toEqual({ message: "Group was auto invited. The user is now a group member." });
    expect(sortedIds((await allKeys(h, a, group.groupId)).map((k) => k.groupKey))).toEqual(sortedIds(group.keys));
  });
});

describe("re-invite checks everything before it touches the member (api.md §7.9)", () => {
  it("a rank-3 member, a weaker admin or an empty key list can't remove anyone", async () => {
    const [owner, admin, low] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, admin, 2));
    expectOk(await addMember(h, owner, group, low, 3));
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/re_invite/${owner.userId}`, {
        jwt: low.jwt,
        raw: memberKeys(owner, group.keys),
      }),
      400,
      301,
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/re_invite/${owner.userId}`, {
        jwt: admin.jwt,
        raw: memberKeys(owner, group.keys),
      }),
      400,
      316,
    );
    const empty = { ...JSON.parse(memberKeys(low, group.keys)), keys: [] };
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/re_invite/${low.userId}`, { jwt: admin.jwt, body: empty }),
      400,
      303,
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/re_invite/${(await newUser(h)).userId}`, {
        jwt: admin.jwt,
        raw: memberKeys(low, group.keys),
      }),
      400,
      320,
    );
    // Everyone is still there with the same rank.
    const members = await memberList(owner, group.groupId);
    expect(members.map((m) => [m.user_id, m.rank])).toEqual([
      [admin.userId, 2],
      [low.userId, 3],
    ]);
    expect(expectOk(await h.call("GET", `${V}/group/${group.groupId}/light`, { jwt: owner.jwt })).rank).toBe(0);
    // A valid re-invite replaces the member's keys and keeps its rank.
    const answer = expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/re_invite/${low.userId}`, {
        jwt: admin.jwt,
        raw: memberKeys(low, group.keys),
      }),
    );
    expect(answer.message).toBe("Group was re invited. The user is a group member again.");
    expect(expectOk(await h.call("GET", `${V}/group/${group.groupId}/light`, { jwt: low.jwt })).rank).toBe(3);
    expect(await allKeys(h, low, group.groupId)).toHaveLength(1);
  });
});

describe("kick, leave, ranks", () => {
  it("kick: 300 unknown, 315 creator, 316 stronger rank, 301 for rank > 2", async () => {
    const [owner, admin, a, b] = [await newUser(h), await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    for (const [u, rank] of [
      [admin, 1],
      [a, 2],
      [b, 4],
    ] as const)
      expectOk(await addMember(h, owner, group, u, rank));
    expectError(await h.call("DELETE", `${V}/group/${group.groupId}/kick/nobody`, { jwt: admin.jwt }), 400, 300);
    expectError(
      await h.call("DELETE", `${V}/group/${group.groupId}/kick/${owner.userId}`, { jwt: admin.jwt }),
      400,
      315,
    );
    expectError(await h.call("DELETE", `${V}/group/${group.groupId}/kick/${admin.userId}`, { jwt: a.jwt }), 400, 316);
    expectError(await h.call("DELETE", `${V}/group/${group.groupId}/kick/${a.userId}`, { jwt: b.jwt }), 400, 301);
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/kick/${b.userId}`, { jwt: a.jwt }));
    expectError(await h.call("GET", `${V}/group/${group.groupId}`, { jwt: b.jwt }), 400, 310);
    expect(await h.server.store.getMemberKey(group.groupId, b.userId, group.keys[0]!.keyId)).toBeNull();
  });

  it("leave: the last admin can't (308); change_rank: 1..4 only (314), not the creator, rank ≤ 1", async () => {
    const [owner, admin, member] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, member));
    expectError(await h.call("DELETE", `${V}/group/${group.groupId}/leave`, { jwt: owner.jwt }), 400, 308);
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/leave`, { jwt: member.jwt }));
    expectError(await h.call("GET", `${V}/group/${group.groupId}/light`, { jwt: member.jwt }), 400, 310);
    expectOk(await addMember(h, owner, group, admin, 3));
    const rank = (changed: string, newRank: number, jwt = owner.jwt) =>
      h.call("PUT", `${V}/group/${group.groupId}/change_rank`, {
        jwt,
        body: { changed_user_id: changed, new_rank: newRank },
      });
    for (const bad of [0, 5, -1]) expectError(await rank(admin.userId, bad), 400, 314);
    expectError(await rank(owner.userId, 2), 400, 314);
    expectError(await rank("nobody", 2), 400, 300);
    expectError(await rank(owner.userId, 2, admin.jwt), 400, 301);
    expectOk(await rank(admin.userId, 1));
    expect(expectOk(await h.call("GET", `${V}/group/${group.groupId}/update_check_light`, { jwt: admin.jwt }))).toEqual(
      { rank: 1 },
    );
    // Two admins now: the creator may leave.
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/leave`, { jwt: owner.jwt }));
  });
});

describe("join requests", () => {
  it("user asks → group lists (rank ≤ 2) → accept with keys / light / reject; 302, 309, 310", async () => {
    const [owner, a, b, c] = [await newUser(h), await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectError(
      await h.call("PATCH", `${V}/group/0190f0f0-0000-7000-8000-000000000000/join_req`, { jwt: a.jwt }),
      400,
      310,
    );
    for (const u of [a, b, c]) expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/join_req`, { jwt: u.jwt }));
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/join_req`, { jwt: a.jwt })); // again: ignored
    expectError(await h.call("PATCH", `${V}/group/${group.groupId}/join_req`, { jwt: owner.jwt }), 400, 302);
    const sent = expectOk(await h.call("GET", `${V}/group/joins/0/none`, { jwt: a.jwt }));
    expect(sent.map((s: { group_id: string }) => s.group_id)).toEqual([group.groupId]);
    const received = expectOk(await h.call("GET", `${V}/group/${group.groupId}/join_req/0/none`, { jwt: owner.jwt }));
    expect(received.map((r: { user_id: string }) => r.user_id)).toEqual([a.userId, b.userId, c.userId]);
    expect(received[0].user_type).toBe(0);
    const accepted = expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/join_req/${a.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(a, group.keys, 3),
      }),
    );
    expect(accepted).toEqual({ message: "The join request was accepted. The user is now a member of this group." });
    expect(sortedIds((await allKeys(h, a, group.groupId)).map((k) => k.groupKey))).toEqual(sortedIds(group.keys));
    expectError(await h.call("GET", `${V}/group/${group.groupId}/join_req/0/none`, { jwt: a.jwt }), 400, 301);
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/join_req/${a.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(a, group.keys),
      }),
      400,
      309,
    );
    expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/join_req/${b.userId}/light`, {
        jwt: owner.jwt,
        body: { rank: null },
      }),
    );
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/join_req/${c.userId}`, { jwt: owner.jwt }));
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/join_req/${c.userId}/light`, { jwt: owner.jwt, body: {} }),
      400,
      309,
    );
    // A user withdraws a request; an unknown group is 310.
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/join_req`, { jwt: c.jwt }));
    expectOk(await h.call("DELETE", `${V}/group/joins/${group.groupId}`, { jwt: c.jwt }));
    expect(expectOk(await h.call("GET", `${V}/group/joins/0/none`, { jwt: c.jwt }))).toEqual([]);
    expectError(
      await h.call("DELETE", `${V}/group/joins/0190f0f0-0000-7000-8000-000000000000`, { jwt: c.jwt }),
      400,
      310,
    );
    // Rejecting a join request does not touch a pending invite (the reference deletes any row, api.md §7.21).
    expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${c.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(c, group.keys),
      }),
    );
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/join_req/${c.userId}`, { jwt: owner.jwt }));
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/invite`, { jwt: c.jwt }));
  });
});

/** A connected group `c` made from `base` (owned by `owner`), and a normal group `other` owned by `otherOwner`. */
async function connectedSetup() {
  const [owner, otherOwner] = [await newUser(h), await newUser(h)];
  const base = await createGroup(h, owner);
  const { body } = createBody(base, owner.userId);
  const cId = expectOk(await h.call("POST", `${V}/group/${base.groupId}/connected`, { jwt: owner.jwt, raw: body }))
    .group_id as string;
  const asBase = { "x-sentc-group-access-id": base.groupId };
  const data = expectOk(await h.call("GET", `${V}/group/${cId}`, { jwt: owner.jwt, headers: asBase }));
  const c: TestGroup = {
    ...base,
    id: cId,
    groupId: cId,
    keys: [decryptGroupKey(base.privateKey, data.keys[0]).groupKey],
  };
  const other = await createGroup(h, otherOwner);
  return { owner, otherOwner, base, c, asBase, other };
}

describe("groups as members (connected groups)", () => {
  it("invite_group → the group accepts on the server path; stored as type 2 (api.md §7.8); 319/310 rules", async () => {
    const { owner, otherOwner, base, c, asBase, other } = await connectedSetup();
    // Only connected groups take group members; connected groups can't be members; unknown groups are 310.
    expectError(
      await h.call("PUT", `${V}/group/${base.groupId}/invite_group/${other.groupId}`, {
        jwt: owner.jwt,
        raw: memberKeys(other, c.keys),
      }),
      400,
      319,
    );
    expectError(
      await h.call("PUT", `${V}/group/${c.groupId}/invite_group/${c.groupId}`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(other, c.keys),
      }),
      400,
      319,
    );
    expectError(
      await h.call("PUT", `${V}/group/${c.groupId}/invite_group/0190f0f0-0000-7000-8000-000000000000`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(other, c.keys),
      }),
      400,
      310,
    );
    const answer = expectOk(
      await h.call("PUT", `${V}/group/${c.groupId}/invite_group/${other.groupId}`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(other, c.keys),
      }),
    );
    expect(answer.message).toBe("User was invited. Please wait until the user accepts the invite.");
    const invites = expectOk(await h.call("GET", `${V}/group/${other.groupId}/invite/0/none`, { jwt: otherOwner.jwt }));
    expect(invites.map((i: { group_id: string }) => i.group_id)).toEqual([c.groupId]);
    expectOk(await h.call("PATCH", `${V}/group/${other.groupId}/invite/${c.groupId}`, { jwt: otherOwner.jwt }));
    const members = await memberList(owner, c.groupId, asBase);
    expect(members.find((m) => m.user_id === other.groupId)).toMatchObject({ user_type: 2, rank: 4 });
    // Members of `other` reach c with the header and decrypt with other's key pair.
    const asOther = { "x-sentc-group-access-id": other.groupId };
    const keys = await allKeys(h, otherOwner, c.groupId, other, asOther);
    expect(Buffer.from(keys[0]!.groupKey.key)).toEqual(Buffer.from(c.keys[0]!.key));
    // `other` lists c among the groups it is a member of, and can leave as a group (its admin asks).
    expect(
      expectOk(await h.call("GET", `${V}/group/${other.groupId}/all/0/none`, { jwt: otherOwner.jwt })).map(
        (g: { group_id: string }) => g.group_id,
      ),
    ).toEqual([c.groupId]);
    expectOk(await h.call("DELETE", `${V}/group/${c.groupId}/leave`, { jwt: otherOwner.jwt, headers: asOther }));
    expectError(
      await h.call("GET", `${V}/group/${c.groupId}/light`, { jwt: otherOwner.jwt, headers: asOther }),
      400,
      310,
    );
  });

  it("the SDKs' path /group/:g/:other/invite accepts and rejects too (api.md §7.1)", async () => {
    const { owner, otherOwner, c, asBase, other } = await connectedSetup();
    const second = await createGroup(h, otherOwner);
    for (const g of [other, second])
      expectOk(
        await h.call("PUT", `${V}/group/${c.groupId}/invite_group/${g.groupId}`, {
          jwt: owner.jwt,
          headers: asBase,
          raw: memberKeys(g, c.keys),
        }),
      );
    expectOk(await h.call("PATCH", `${V}/group/${other.groupId}/${c.groupId}/invite`, { jwt: otherOwner.jwt }));
    expectOk(await h.call("DELETE", `${V}/group/${second.groupId}/${c.groupId}/invite`, { jwt: otherOwner.jwt }));
    expectError(
      await h.call("DELETE", `${V}/group/${second.groupId}/invite/${c.groupId}`, { jwt: otherOwner.jwt }),
      400,
      307,
    );
    const members = await memberList(owner, c.groupId, asBase);
    expect(members.map((m) => m.user_id)).toEqual([other.groupId]);
  });

  it("auto, light and force variants store type 2; groups send join requests to connected groups", async () => {
    const { owner, otherOwner, c, asBase, other } = await connectedSetup();
    expect(
      expectOk(
        await h.call("PUT", `${V}/group/${c.groupId}/invite_group_auto/${other.groupId}`, {
          jwt: owner.jwt,
          headers: asBase,
          raw: memberKeys(other, c.keys),
        }),
      ).message,
    ).toBe("User was auto invited. The user is now a group member.");
    const light = await createGroup(h, otherOwner);
    expectOk(
      await h.call("PUT", `${V}/group/${c.groupId}/invite_group_auto/${light.groupId}/light`, {
        jwt: owner.jwt,
        headers: asBase,
        body: { rank: 2 },
      }),
    );
    const forced = await createGroup(h, otherOwner);
    expectError(
      await h.call("PUT", `${V}/group/${c.groupId}/invite_group_auto_force/${forced.groupId}`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(forced, c.keys),
      }),
      400,
      203,
    );
    expectOk(
      await h.call("PUT", `${V}/group/${c.groupId}/invite_group_auto_force/${forced.groupId}`, {
        token: h.app.secretToken,
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(forced, c.keys),
      }),
    );
    const members = await memberList(owner, c.groupId, asBase);
    for (const g of [other, light, forced])
      expect(members.find((m) => m.user_id === g.groupId)?.user_type, g.groupId).toBe(2);
    // re_invite_group repairs a group member's keys.
    expectOk(
      await h.call("PUT", `${V}/group/${c.groupId}/re_invite_group/${other.groupId}`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(other, c.keys),
      }),
    );
    expectOk(
      await h.call("PUT", `${V}/group/${c.groupId}/re_invite_group_force/${forced.groupId}`, {
        token: h.app.secretToken,
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(forced, c.keys),
      }),
    );
    // Join request from a normal group to the connected group.
    const joiner = await createGroup(h, otherOwner);
    expectError(
      await h.call("PATCH", `${V}/group/${joiner.groupId}/join_req/${other.groupId}`, { jwt: otherOwner.jwt }),
      400,
      319,
    );
    expectOk(await h.call("PATCH", `${V}/group/${joiner.groupId}/join_req/${c.groupId}`, { jwt: otherOwner.jwt }));
    expect(
      expectOk(await h.call("GET", `${V}/group/${joiner.groupId}/joins/0/none`, { jwt: otherOwner.jwt })).map(
        (j: { group_id: string }) => j.group_id,
      ),
    ).toEqual([c.groupId]);
    const received = expectOk(
      await h.call("GET", `${V}/group/${c.groupId}/join_req/0/none`, { jwt: owner.jwt, headers: asBase }),
    );
    expect(received).toEqual([{ user_id: joiner.groupId, time: expect.any(Number), user_type: 2 }]);
    expectOk(await h.call("DELETE", `${V}/group/${joiner.groupId}/joins/${c.groupId}`, { jwt: otherOwner.jwt }));
    expectOk(await h.call("PATCH", `${V}/group/${joiner.groupId}/join_req/${c.groupId}`, { jwt: otherOwner.jwt }));
    expectOk(
      await h.call("PUT", `${V}/group/${c.groupId}/join_req/${joiner.groupId}`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(joiner, c.keys),
      }),
    );
    expect((await memberList(owner, c.groupId, asBase)).find((m) => m.user_id === joiner.groupId)?.user_type).toBe(2);
  });
});

describe("more than 50 keys: paging and key sessions (api.md §7.2)", () => {
  it("new members of a group with 53 keys receive every key (invite and auto invite sessions)", async () => {
    const [owner, invited, auto] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    await rotateGroupKeys(h, owner, group, 52);
    expect(group.keys).toHaveLength(53);
    expect(sortedIds((await allKeys(h, owner, group.groupId)).map((k) => k.groupKey))).toEqual(sortedIds(group.keys));

    // Invite: the first 50 keys ask for a session; the rest follow through it; then the invitee accepts.
    const invite = expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/${invited.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(invited, group.keys),
      }),
    );
    expect(invite.session_id).toMatch(/^[0-9a-f-]{36}$/);
    for (const page of sessionPages(invited, group.keys))
      expectOk(
        await h.call("PUT", `${V}/group/${group.groupId}/invite/session/${invite.session_id}`, {
          jwt: owner.jwt,
          raw: page,
        }),
      );
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/invite`, { jwt: invited.jwt }));
    const invitedKeys = await allKeys(h, invited, group.groupId);
    expect(sortedIds(invitedKeys.map((k) => k.groupKey))).toEqual(sortedIds(group.keys));

    // Auto invite: the session belongs to the membership (join_req/session).
    const added = expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite_auto/${auto.userId}`, {
        jwt: owner.jwt,
        raw: memberKeys(auto, group.keys),
      }),
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/join_req/session/nope`, {
        jwt: owner.jwt,
        raw: sessionPages(auto, group.keys)[0],
      }),
      400,
      306,
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/invite/session/nope`, {
        jwt: owner.jwt,
        raw: sessionPages(auto, group.keys)[0],
      }),
      400,
      306,
    );
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/join_req/session/${added.session_id}`, {
        jwt: owner.jwt,
        raw: "[]",
      }),
      400,
      303,
    );
    for (const page of sessionPages(auto, group.keys))
      expectOk(
        await h.call("PUT", `${V}/group/${group.groupId}/join_req/session/${added.session_id}`, {
          jwt: owner.jwt,
          raw: page,
        }),
      );
    expect(sortedIds((await allKeys(h, auto, group.groupId)).map((k) => k.groupKey))).toEqual(sortedIds(group.keys));
    // The first page of GET /group/:id holds the newest 50.
    const data = expectOk(await h.call("GET", `${V}/group/${group.groupId}`, { jwt: auto.jwt }));
    expect(data.keys).toHaveLength(50);
    expect(data.keys[0].group_key_id).toBe(group.keys[52]!.keyId);
  });
});
