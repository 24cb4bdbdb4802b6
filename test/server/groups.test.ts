/**
 * Groups (api.md §3.5.1, §3.5.2): create, child and connected groups, the group data and keys (decrypted
 * with the protocol layer), the light access check, lists, access via a parent and as a member group,
 * delete, the invite stop flag and the documented errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractGroupData } from "../../src/protocol/group-data.js";
import { decryptGroupKey, decryptHmacKey, decryptSortableKey } from "../../src/protocol/group-keys.js";
import { expectError, expectOk, startHarness, type Harness } from "./harness.js";
import { addMember, createBody, createGroup, loadGroup, newUser, V } from "./group-helpers.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("create and read", () => {
  it("creates a group and hands back keys the creator decrypts, with HMAC and sortable keys", async () => {
    const user = await newUser(h);
    const { body, keys } = createBody(user, user.userId);
    const groupId = expectOk(await h.call("POST", `${V}/group`, { jwt: user.jwt, raw: body })).group_id;
    const raw = expectOk(await h.call("GET", `${V}/group/${groupId}`, { jwt: user.jwt }));
    const data = extractGroupData(raw);
    expect(data).toMatchObject({
      groupId,
      parentGroupId: null,
      keyUpdate: false,
      rank: 0,
      accessBy: { kind: "user" },
      isConnectedGroup: false,
    });
    expect(data.keys).toHaveLength(1);
    const key = decryptGroupKey(user.privateKey, data.keys[0]!.keyData);
    expect(Buffer.from(key.groupKey.key)).toEqual(Buffer.from(keys.groupKey.key));
    expect(key.userPublicKeyId).toBe(user.publicKey.keyId);
    expect(Buffer.from(decryptHmacKey(key.groupKey, data.hmacKeys[0]!).key)).toEqual(Buffer.from(keys.hmacKey!.key));
    expect(Buffer.from(decryptSortableKey(key.groupKey, data.sortableKeys[0]!).key)).toEqual(
      Buffer.from(keys.sortableKey!.key),
    );
    expect(raw.created_time).toBe(raw.joined_time);
    // One key by id; an unknown id is 400/304.
    const single = expectOk(await h.call("GET", `${V}/group/${groupId}/key/${key.groupKey.keyId}`, { jwt: user.jwt }));
    expect(single.group_key_id).toBe(key.groupKey.keyId);
    expectError(await h.call("GET", `${V}/group/${groupId}/key/nope`, { jwt: user.jwt }), 400, 304);
    expect(expectOk(await h.call("GET", `${V}/group/${groupId}/update_check`, { jwt: user.jwt }))).toEqual({
      key_update: false,
      rank: 0,
    });
    expect(expectOk(await h.call("GET", `${V}/group/${groupId}/update_check_light`, { jwt: user.jwt }))).toEqual({
      rank: 0,
    });
    // The group's public key is public data.
    expect(expectOk(await h.call("GET", `${V}/group/${groupId}/public_key`)).public_key_id).toBe(key.groupKey.keyId);
  });

  it("GET /group/:id/light is the access check: the light JSON for members, 400/310 for anyone else", async () => {
    const [owner, member, stranger] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, member, 3));
    const light = expectOk(await h.call("GET", `${V}/group/${group.groupId}/light`, { jwt: member.jwt }));
    expect(Object.keys(light).sort()).toEqual([
      "access_by",
      "created_time",
      "group_id",
      "is_connected_group",
      "joined_time",
      "parent_group_id",
      "rank",
    ]);
    expect(light).toMatchObject({
      group_id: group.groupId,
      parent_group_id: null,
      rank: 3,
      access_by: "User",
      is_connected_group: false,
    });
    expectError(await h.call("GET", `${V}/group/${group.groupId}/light`, { jwt: stranger.jwt }), 400, 310);
    expectError(await h.call("GET", `${V}/group/${group.groupId}`, { jwt: stranger.jwt }), 400, 310);
    // A user group is not a group here; a malformed id is 400/1; no JWT is 401/31.
    const userGroup = (await h.call("GET", `${V}/user/${owner.userId}/public_key`)).body.result;
    expect(userGroup).toBeDefined();
    expectError(await h.call("GET", `${V}/group/not-a-uuid/light`, { jwt: owner.jwt }), 400, 1);
    expectError(await h.call("GET", `${V}/group/${group.groupId}/light`, {}), 401, 31);
    expectError(
      await h.call("GET", `${V}/group/${group.groupId}/light`, {
        jwt: owner.jwt,
        headers: { "x-sentc-group-access-id": "bad" },
      }),
      400,
      1,
    );
  });

  it("light groups have no keys; the option check comes before the body (203 before 422)", async () => {
    const user = await newUser(h);
    const groupId = expectOk(await h.call("POST", `${V}/group/light`, { jwt: user.jwt })).group_id;
    const data = expectOk(await h.call("GET", `${V}/group/${groupId}`, { jwt: user.jwt }));
    expect(data.keys).toEqual([]);
    expectError(await h.call("POST", `${V}/group`, { jwt: user.jwt, body: { nope: 1 } }), 422, 11);
    // Forced routes need the secret token: with the public one a broken body still answers 203.
    expectError(await h.call("POST", `${V}/group/forced/${user.userId}`, { body: { nope: 1 } }), 400, 203);
    expectError(
      await h.call("POST", `${V}/group/forced/${user.userId}`, { token: h.app.secretToken, body: { nope: 1 } }),
      422,
      11,
    );
  });
});

describe("children, connected groups and access paths", () => {
  it("a child group's key is encrypted to the parent; parent members get access via parent", async () => {
    const [owner, member] = [await newUser(h), await newUser(h)];
    const parent = await createGroup(h, owner);
    expectOk(await addMember(h, owner, parent, member, 2));
    const { body, keys } = createBody(parent, owner.userId);
    const childId = expectOk(
      await h.call("POST", `${V}/group/${parent.groupId}/child`, { jwt: owner.jwt, raw: body }),
    ).group_id;
    // The member (rank 2) reads the child through the parent, with the parent's key pair.
    const data = extractGroupData(expectOk(await h.call("GET", `${V}/group/${childId}`, { jwt: member.jwt })));
    expect(data.accessBy).toEqual({ kind: "parent", parent: parent.groupId });
    expect(data.parentGroupId).toBe(parent.groupId);
    expect(data.rank).toBe(2);
    const key = decryptGroupKey(parent.privateKey, data.keys[0]!.keyData);
    expect(Buffer.from(key.groupKey.key)).toEqual(Buffer.from(keys.groupKey.key));
    // Grandchild: the access is found two levels up.
    const grand = expectOk(await h.call("POST", `${V}/group/${childId}/child/light`, { jwt: owner.jwt })).group_id;
    expect(expectOk(await h.call("GET", `${V}/group/${grand}/light`, { jwt: member.jwt })).access_by).toEqual({
      Parent: parent.groupId,
    });
    // Rank 2 can't create children (301); children are listed.
    expectError(await h.call("POST", `${V}/group/${parent.groupId}/child/light`, { jwt: member.jwt }), 400, 301);
    const children = expectOk(await h.call("GET", `${V}/group/${parent.groupId}/children/0/none`, { jwt: member.jwt }));
    expect(children.map((c: { group_id: string }) => c.group_id)).toEqual([childId]);
    expect(children[0].parent).toBe(parent.groupId);
    // The child's member list shows the parent as type 1.
    const members = expectOk(await h.call("GET", `${V}/group/${childId}/member/0/none`, { jwt: owner.jwt }));
    expect(members).toEqual([]); // the acting member is the parent itself
    // Delete the parent: the whole tree is gone.
    expectOk(await h.call("DELETE", `${V}/group/${parent.groupId}`, { jwt: owner.jwt }));
    for (const id of [parent.groupId, childId, grand])
      expectError(await h.call("GET", `${V}/group/${id}/light`, { jwt: owner.jwt }), 400, 310);
  });

  it("connected groups: made from a group (318 from a connected one), reached with x-sentc-group-access-id", async () => {
    const [owner, member, stranger] = [await newUser(h), await newUser(h), await newUser(h)];
    const base = await createGroup(h, owner);
    expectOk(await addMember(h, owner, base, member, 4));
    const { body, keys } = createBody(base, owner.userId);
    const connectedId = expectOk(
      await h.call("POST", `${V}/group/${base.groupId}/connected`, { jwt: owner.jwt, raw: body }),
    ).group_id;
    expectError(await h.call("POST", `${V}/group/${connectedId}/connected/light`, { jwt: owner.jwt }), 400, 310);
    const asBase = { "x-sentc-group-access-id": base.groupId };
    const data = extractGroupData(
      expectOk(await h.call("GET", `${V}/group/${connectedId}`, { jwt: member.jwt, headers: asBase })),
    );
    expect(data.isConnectedGroup).toBe(true);
    expect(data.accessBy).toEqual({ kind: "group_as_user", groupAsUser: base.groupId });
    // The weaker rank of both memberships counts (member is 4 in base, base is 0 in the connected group).
    expect(data.rank).toBe(4);
    expect(Buffer.from(decryptGroupKey(base.privateKey, data.keys[0]!.keyData).groupKey.key)).toEqual(
      Buffer.from(keys.groupKey.key),
    );
    expectError(
      await h.call("POST", `${V}/group/${connectedId}/connected/light`, { jwt: owner.jwt, headers: asBase }),
      400,
      318,
    );
    expectError(await h.call("GET", `${V}/group/${connectedId}`, { jwt: stranger.jwt, headers: asBase }), 400, 310);
    // Without the header the user is no member of the connected group.
    expectError(await h.call("GET", `${V}/group/${connectedId}/light`, { jwt: member.jwt }), 400, 310);
    // The base group's groups list names the connected group; the user's list names the base group only.
    const ofGroup = expectOk(await h.call("GET", `${V}/group/${base.groupId}/all/0/none`, { jwt: owner.jwt }));
    expect(ofGroup.map((g: { group_id: string }) => g.group_id)).toEqual([connectedId]);
    expect(ofGroup[0]).toMatchObject({ rank: 0, parent: null });
    const ofUser = expectOk(await h.call("GET", `${V}/group/all/0/none`, { jwt: owner.jwt }));
    expect(ofUser.map((g: { group_id: string }) => g.group_id)).toEqual([base.groupId]);
    // Children of a connected group are connected too.
    const child = expectOk(
      await h.call("POST", `${V}/group/${connectedId}/child/light`, { jwt: owner.jwt, headers: asBase }),
    ).group_id;
    expect(
      expectOk(await h.call("GET", `${V}/group/${child}/light`, { jwt: owner.jwt, headers: asBase }))
        .is_connected_group,
    ).toBe(true);
  });
});

describe("lists, paging, delete, invite stop", () => {
  it("pages the user's groups and the member list (ascending, 50 per page, cursor = last item)", async () => {
    const owner = await newUser(h);
    const ids: string[] = [];
    for (let i = 0; i < 53; i++)
      ids.push(expectOk(await h.call("POST", `${V}/group/light`, { jwt: owner.jwt })).group_id);
    const first = expectOk(await h.call("GET", `${V}/group/all/0/none`, { jwt: owner.jwt }));
    expect(first).toHaveLength(50);
    const last = first[49];
    const second = expectOk(await h.call("GET", `${V}/group/all/${last.time}/${last.group_id}`, { jwt: owner.jwt }));
    expect([...first, ...second].map((g: { group_id: string }) => g.group_id)).toEqual(ids);
    expectError(await h.call("GET", `${V}/group/all/x/none`, { jwt: owner.jwt }), 400, 13);

    const group = await createGroup(h, owner);
    const others = [await newUser(h), await newUser(h), await newUser(h)];
    for (const other of others) expectOk(await addMember(h, owner, group, other));
    const members = expectOk(await h.call("GET", `${V}/group/${group.groupId}/member/0/none`, { jwt: owner.jwt }));
    expect(members.map((m: { user_id: string }) => m.user_id)).toEqual(others.map((o) => o.userId));
    expect(members[0]).toMatchObject({ rank: 4, user_type: 0 });
    const page2 = expectOk(
      await h.call("GET", `${V}/group/${group.groupId}/member/${members[0].joined_time}/${members[0].user_id}`, {
        jwt: owner.jwt,
      }),
    );
    expect(page2.map((m: { user_id: string }) => m.user_id)).toEqual(others.slice(1).map((o) => o.userId));
  });

  it("delete needs rank ≤ 1; change_invite toggles invites (317 while stopped)", async () => {
    const [owner, member, other] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, member, 2));
    expectError(await h.call("DELETE", `${V}/group/${group.groupId}`, { jwt: member.jwt }), 400, 301);
    expectError(await h.call("PATCH", `${V}/group/${group.groupId}/change_invite`, { jwt: member.jwt }), 400, 301);
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/change_invite`, { jwt: owner.jwt }));
    expectError(await addMember(h, owner, group, other), 400, 317);
    expectError(await h.call("PATCH", `${V}/group/${group.groupId}/join_req`, { jwt: other.jwt }), 400, 317);
    expectOk(await h.call("PATCH", `${V}/group/${group.groupId}/change_invite`, { jwt: owner.jwt }));
    expectOk(await addMember(h, owner, group, other));
    expectOk(await h.call("DELETE", `${V}/group/${group.groupId}`, { jwt: owner.jwt }));
    expectError(await h.call("GET", `${V}/group/${group.groupId}`, { jwt: member.jwt }), 400, 310);
    expect(expectOk(await h.call("GET", `${V}/group/all/0/none`, { jwt: member.jwt }))).toEqual([]);
  });

  it("reloading a group gives the same keys", async () => {
    const owner = await newUser(h);
    const group = await createGroup(h, owner);
    const again = await loadGroup(h, owner, group.groupId);
    expect(again.keys.map((k) => k.keyId)).toEqual(group.keys.map((k) => k.keyId));
  });
});
