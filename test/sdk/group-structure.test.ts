/**
 * Child groups and connected groups through the SDK against the project's server: access through a parent
 * (keys are the parent's), groups as members of connected groups (`x-sentc-group-access-id`), invites and join
 * requests between groups, and key rotations that the parent or member group finishes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingFetch, sentcError } from "./helpers.js";
import {
  expectSameKeys,
  forgetStoredGroup,
  newMember,
  rotationsDone,
  startGroupHarness,
  type GroupHarness,
} from "./group-helpers.js";
import { Sentc } from "../../src/index.js";

let g: GroupHarness;
beforeAll(async () => {
  g = await startGroupHarness();
});
afterAll(() => g.h.close());

describe("child groups", () => {
  it("creates, lists and loads children and grandchildren; members of the parent have access; rotations in the child", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const parent = await a.user.getGroup(await a.user.createGroup());
    await parent.inviteAuto(b.userId);
    const childId = await parent.createChildGroup();
    const children = await parent.getChildren();
    expect(children).toEqual([expect.objectContaining({ group_id: childId, parent: parent.data.group_id })]);
    expect(await parent.getChildren(children[0]!)).toEqual([]);

    const child = await parent.getChildGroup(childId);
    expect(child.data.from_parent).toBe(true);
    expect(child.data.parent_group_id).toBe(parent.data.group_id);
    expect(child.data.access_by_parent_group).toBe(parent.data.group_id);
    expect(child.data.rank).toBe(0);
    const secret = await child.encryptString("child data", true);

    // b is a member of the parent only; it loads the child directly (keys through the parent's key).
    const bChild = await b.user.getGroup(childId);
    expect(bChild.data.access_by_parent_group).toBe(parent.data.group_id);
    expect(await bChild.decryptString(secret, true, a.userId)).toBe("child data");
    expect(bChild.data.rank).toBe(4);

    // A grandchild: access through the ancestor, keys through the child (the direct parent).
    const grandchildId = await child.createChildGroup();
    const bGrandchild = await b.user.getGroup(grandchildId);
    expect(bGrandchild.data.parent_group_id).toBe(childId);
    expect(bGrandchild.data.access_by_parent_group).toBe(parent.data.group_id);
    const aGrandchild = await child.getChildGroup(grandchildId);
    expect(await bGrandchild.decryptString(await aGrandchild.encryptString("deep"))).toBe("deep");

    // A rotation in the child: the new key belongs to the parent's membership, so b has it at once.
    const rotated = await child.keyRotation();
    await rotationsDone(g);
    const afterRotation = await child.encryptString("after the child rotation");
    expect(await bChild.decryptString(afterRotation)).toBe("after the child rotation");
    expect(bChild.data.newest_key_id).toBe(rotated.group_key_id);

    // A rotation in the parent: old child keys stay readable (they are encrypted to the old parent key).
    await parent.keyRotation();
    await rotationsDone(g);
    await forgetStoredGroup(b.userId, childId);
    const bChildAgain = await b.user.getGroup(childId);
    expect(bChildAgain.decryptStringSync(secret)).toBe("child data");
    expectSameKeys(child, bChildAgain);
    // A new child key is encrypted to the parent's newest key, which b gets by finishing the parent rotation.
    const second = await child.keyRotation();
    const fresh = await child.encryptString("with the second child rotation");
    expect(await bChildAgain.decryptString(fresh)).toBe("with the second child rotation");
    expect(bChildAgain.data.newest_key_id).toBe(second.group_key_id);

    // Child creation needs rank ≤ 1.
    const bParent = await b.user.getGroup(parent.data.group_id);
    expect((await sentcError(bParent.createChildGroup())).code).toBe("permission_denied");
    // Deleting the parent deletes its descendants.
    await parent.deleteGroup();
    expect((await sentcError(bChildAgain.groupUpdateCheck())).serverCode).toBe(310);
  });
});

describe("connected groups and groups as members", () => {
  it("a connected group is reached as its member group, with the access header; rotations are finished with the member group's key", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const base = await a.user.getGroup(await a.user.createGroup());
    await base.inviteAuto(b.userId);
    const connectedId = await base.createConnectedGroup();
    const connected = await base.getConnectedGroup(connectedId);
    expect(connected.data.is_connected_group).toBe(true);
    expect(connected.data.access_by_group_as_member).toBe(base.data.group_id);
    expect(connected.data.access_by_parent_group).toBeUndefined();
    expect((await base.getGroups()).map((item) => item.group_id)).toEqual([connectedId]);

    const log: string[] = [];
    Sentc.reset();
    await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken, fetch: recordingFetch(log) });
    const b2 = await Sentc.login(b.identifier, b.password, true);
    const bConnected = await b2.getGroup(connectedId, base.data.group_id);
    expect(log).toContain(`GET /api/v1/group/${connectedId}`);
    expect(bConnected.data.rank).toBe(4); // the weaker of b's rank in base (4) and base's rank in the connected group (0)
    const data = await connected.encryptString("for every member of base", true);
    expect(await bConnected.decryptString(data, true, a.userId)).toBe("for every member of base");
    // Without the header b is no member.
    expect((await sentcError(b2.getGroup(connectedId))).serverCode).toBe(310);
    const store = await Sentc.getStore();
    expect(await store.getItem(`group_data_user_${base.data.group_id}_id_${connectedId}`)).toBeDefined();

    // a rotates the connected group; b finishes it with base's key when it meets new data.
    const rotated = await connected.keyRotation();
    await rotationsDone(g);
    const fresh = await connected.encryptString("after rotation");
    expect(await bConnected.decryptString(fresh)).toBe("after rotation");
    expect(bConnected.data.newest_key_id).toBe(rotated.group_key_id);
    expect(await connected.decryptString(await bConnected.encryptString("from b"))).toBe("from b");
    // Logging out removes the group data b stored, including what it reached as a member group.
    await b2.logOut();
    for (const key of await store.keys!()) expect(key.startsWith("group_data_user_")).toBe(false);
    Sentc.reset();
    await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken });
  });

  it("invites and join requests between groups: inviteGroup, inviteGroupAuto, acceptGroupInvite, rejectGroupInvite, groupJoinRequest, sentJoinReq, deleteJoinReq, acceptJoinRequest(…, 2)", async () => {
    const [a, x] = [await newMember(), await newMember()];
    const mine = await a.user.getGroup(await a.user.createGroup());
    const xBase = await x.user.getGroup(await x.user.createGroup());
    const hubIds = [
      await xBase.createConnectedGroup(),
      await xBase.createConnectedGroup(),
      await xBase.createConnectedGroup(),
      await xBase.createConnectedGroup(),
    ];
    const hubs = await Promise.all(hubIds.map((id) => xBase.getConnectedGroup(id)));
    const secret = await hubs[0]!.encryptString("hub secret");

    // Invite → accept as a group.
    expect(await hubs[0]!.inviteGroup(mine.data.group_id, 3)).toBeUndefined();
    await hubs[1]!.inviteGroup(mine.data.group_id);
    expect((await mine.getGroupInvites()).map((i) => i.group_id).sort()).toEqual([hubIds[0], hubIds[1]].sort());
    await mine.acceptGroupInvite(hubIds[0]!);
    await mine.rejectGroupInvite(hubIds[1]!);
    expect(await mine.getGroupInvites()).toEqual([]);
    const viaMine = await mine.getConnectedGroup(hubIds[0]!);
    expect(await viaMine.decryptString(secret)).toBe("hub secret");
    expect(viaMine.data.rank).toBe(3);
    expect((await sentcError(mine.getConnectedGroup(hubIds[1]!))).serverCode).toBe(310);

    // Auto invite of a group.
    await hubs[2]!.inviteGroupAuto(mine.data.group_id);
    expect(await (await mine.getConnectedGroup(hubIds[2]!)).decryptString(await hubs[2]!.encryptString("auto"))).toBe(
      "auto",
    );

    // Join request as a group: sent, listed, withdrawn, sent again, accepted with user_type 2.
    await mine.groupJoinRequest(hubIds[3]!);
    expect((await mine.sentJoinReq()).map((r) => r.group_id)).toEqual([hubIds[3]]);
    await mine.deleteJoinReq(hubIds[3]!);
    expect(await mine.sentJoinReq()).toEqual([]);
    await mine.groupJoinRequest(hubIds[3]!);
    const requests = await hubs[3]!.getJoinRequests();
    expect(requests).toEqual([expect.objectContaining({ user_id: mine.data.group_id, user_type: 2 })]);
    expect(await hubs[3]!.acceptJoinRequest(mine.data.group_id, 2)).toBeUndefined();
    const joined = await a.user.getGroup(hubIds[3]!, mine.data.group_id);
    expect(await joined.decryptString(await hubs[3]!.encryptString("joined"))).toBe("joined");
    expect((await mine.getGroups()).map((item) => item.group_id).sort()).toEqual(
      [hubIds[0], hubIds[2], hubIds[3]].sort(),
    );

    // The hub lists the member group; re-invite gives it every key again with its rank kept.
    const members = await hubs[0]!.getMember();
    expect(members).toEqual([expect.objectContaining({ user_id: mine.data.group_id, user_type: 2, rank: 3 })]);
    await hubs[0]!.keyRotation();
    await rotationsDone(g);
    expect(await hubs[0]!.reInviteGroup(mine.data.group_id)).toBeUndefined();
    await forgetStoredGroup(mine.data.group_id, hubIds[0]!);
    const again = await mine.getConnectedGroup(hubIds[0]!);
    expectSameKeys(hubs[0]!, again);
    expect(again.data.rank).toBe(3);
  });

  it("reInviteUser repairs a member's keys and keeps the rank", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup());
    await group.inviteAuto(b.userId, 2);
    await group.keyRotation();
    await group.reInviteUser(b.userId);
    const bGroup = await b.user.getGroup(group.data.group_id);
    expect(bGroup.data.rank).toBe(2);
    expectSameKeys(group, bGroup);
  });
});
