/**
 * The own-backend halves of the group API: the browser prepares the exact request body, the "backend" (here the
 * test, with the user's JWT or the secret token) sends it, and `done*` reads the envelope it passes back
 * unchanged. Covers group create (normal, child, connected), invites with key sessions, accepted join requests,
 * key rotation, rank changes and group delete, and the envelope errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newMember, rotationsDone, startGroupHarness, keyIds, type GroupHarness } from "./group-helpers.js";

let g: GroupHarness;
beforeAll(async () => {
  g = await startGroupHarness();
});
afterAll(() => g.h.close());

const V = "/api/v1";

/** The "backend": the app's public token unless another is given. */
const call = (method: string, path: string, options: Parameters<GroupHarness["h"]["call"]>[2] = {}) =>
  g.h.call(method, path, { token: g.app.publicToken, ...options });

describe("own backend (prepare / done)", () => {
  it("creates groups, child and connected groups; done reads the envelope and throws its errors", async () => {
    const a = await newMember();
    const input = a.user.prepareGroupCreate(true);
    const body = JSON.parse(input);
    expect(body.creator_public_key_id).toBe(a.user.user_data.newest_key_id);
    expect(body.signed_by_user_id).toBe(a.userId);
    const answer = await call("POST", `${V}/group`, {
      token: g.app.publicToken,
      jwt: await a.user.getJwt(),
      raw: input,
    });
    const groupId = a.user.doneGroupCreate(JSON.stringify(answer.body));
    const group = await a.user.getGroup(groupId, undefined, 2);
    expect(group.data.group_id).toBe(groupId);
    // The forced route with the secret token takes the same body.
    const forced = await call("POST", `${V}/group/forced/${a.userId}`, {
      token: g.app.secretToken,
      raw: a.user.prepareGroupCreate(),
    });
    expect((await a.user.getGroup(a.user.doneGroupCreate(JSON.stringify(forced.body)))).data.rank).toBe(0);

    const [childInput, parentKeyId] = group.prepareCreateChildGroup();
    expect(parentKeyId).toBe(group.data.newest_key_id);
    const child = await call("POST", `${V}/group/${groupId}/child`, { jwt: await a.user.getJwt(), raw: childInput });
    const childId = group.doneCreateChildGroup(JSON.stringify(child.body));
    expect((await group.getChildGroup(childId)).data.parent_group_id).toBe(groupId);

    const [connectedInput] = group.prepareCreateConnectedGroup();
    const connected = await call("POST", `${V}/group/${groupId}/connected`, {
      jwt: await a.user.getJwt(),
      raw: connectedInput,
    });
    const connectedId = group.doneCreateConnectedGroup(JSON.stringify(connected.body));
    expect((await group.getConnectedGroup(connectedId)).data.is_connected_group).toBe(true);

    // A connected group cannot have connected groups (318): done throws the server's error.
    const nested = await call("POST", `${V}/group/${connectedId}/connected`, {
      jwt: await a.user.getJwt(),
      raw: (await group.getConnectedGroup(connectedId)).prepareCreateConnectedGroup()[0],
      headers: { "x-sentc-group-access-id": groupId },
    });
    expect(() => group.doneCreateConnectedGroup(JSON.stringify(nested.body))).toThrowError(
      expect.objectContaining({ code: "server", serverCode: 318 }),
    );
    expect(() => a.user.doneGroupCreate("<html>502</html>")).toThrowError(
      expect.objectContaining({ code: "invalid_server_response" }),
    );
    expect(() => a.user.doneGroupCreate('{"status":true,"result":{}}')).toThrowError(
      expect.objectContaining({ code: "invalid_server_response" }),
    );
  });

  it("invites with more than 100 keys: page 0 with the invite, the rest through the session; join requests the same way", async () => {
    const [a, b, c] = [await newMember(), await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup());
    for (let i = 0; i < 104; i++) await group.keyRotation();
    expect(group.data.keys).toHaveLength(105);

    const page0 = JSON.parse(await group.prepareKeysForNewMember(b.userId, 2));
    expect(page0.keys).toHaveLength(100);
    expect(page0).toMatchObject({ rank: 2, key_session: true });
    const page1 = JSON.parse(await group.prepareKeysForNewMember(b.userId, 2, 1));
    expect(page1.keys).toHaveLength(5);
    expect(new Set([...page0.keys, ...page1.keys].map((k: { key_id: string }) => k.key_id)).size).toBe(105);
    await expect(group.prepareKeysForNewMember(b.userId, 2, 2)).rejects.toMatchObject({ code: "invalid_input" });

    const invite = await call("PUT", `${V}/group/${group.data.group_id}/invite/${b.userId}`, {
      jwt: await a.user.getJwt(),
      raw: JSON.stringify(page0),
    });
    const session = group.doneInvite(JSON.stringify(invite.body));
    expect(typeof session).toBe("string");
    expect(await group.handleInviteSessionKeysForNewMember(session!, b.userId)).toHaveLength(1);
    await b.user.acceptGroupInvite(group.data.group_id);
    expect(keyIds(await b.user.getGroup(group.data.group_id))).toEqual(keyIds(group));

    // Accepting a join request: same body, sessions on join_req/session (auto = true).
    await c.user.groupJoinRequest(group.data.group_id);
    const publicKey = (await c.user.getPublicKey(c.userId)).public_key;
    const body = group.prepareKeysForNewMemberSync(publicKey);
    const accepted = await call("PUT", `${V}/group/${group.data.group_id}/join_req/${c.userId}`, {
      jwt: await a.user.getJwt(),
      raw: body,
    });
    const joinSession = group.doneInvite(JSON.stringify(accepted.body));
    expect(await group.handleInviteSessionKeysForNewMember(joinSession!, c.userId, true)).toHaveLength(1);
    expect(keyIds(await c.user.getGroup(group.data.group_id))).toEqual(keyIds(group));

    // A small group: one page, no session.
    const small = await a.user.getGroup(await a.user.createGroup());
    expect(JSON.parse(await small.prepareKeysForNewMember(b.userId)).key_session).toBe(false);
    const answer = await call("PUT", `${V}/group/${small.data.group_id}/invite_auto/${b.userId}`, {
      jwt: await a.user.getJwt(),
      raw: await small.prepareKeysForNewMember(b.userId),
    });
    expect(small.doneInvite(JSON.stringify(answer.body))).toBeUndefined();
    // Members may not invite (rank 4); bad ranks are refused before anything is sent.
    const bSmall = await b.user.getGroup(small.data.group_id);
    await expect(bSmall.prepareKeysForNewMember(c.userId)).rejects.toMatchObject({ code: "permission_denied" });
    await expect(small.prepareKeysForNewMember(c.userId, 7)).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("key rotation, rank change and delete through a backend", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup());
    await group.inviteAuto(b.userId);
    const rotation = JSON.parse(await group.prepareKeyRotation(true));
    expect(rotation.previous_group_key_id).toBe(group.data.newest_key_id);
    expect(rotation.invoker_public_key_id).toBe(a.user.user_data.newest_key_id);
    expect(rotation.signed_by_user_id).toBe(a.userId);
    const started = await call("POST", `${V}/group/${group.data.group_id}/key_rotation`, {
      jwt: await a.user.getJwt(),
      raw: JSON.stringify(rotation),
    });
    const newKey = await group.doneKeyRotation(JSON.stringify(started.body));
    expect(group.data.newest_key_id).toBe(newKey.group_key_id);
    await rotationsDone(g);
    const bGroup = await b.user.getGroup(group.data.group_id, undefined, 2);
    // As in sentc, the member finishes the rotation when the app asks (key_update tells it to).
    expect(bGroup.data.key_update).toBe(true);
    await bGroup.finishKeyRotation(2);
    expect(bGroup.data.newest_key_id).toBe(newKey.group_key_id);

    const rank = group.prepareUpdateRank(b.userId, 2);
    expect(JSON.parse(rank)).toEqual({ changed_user_id: b.userId, new_rank: 2 });
    expect(
      (await call("PUT", `${V}/group/${group.data.group_id}/change_rank`, { jwt: await a.user.getJwt(), raw: rank }))
        .body.status,
    ).toBe(true);
    await bGroup.groupUpdateCheck();
    expect(bGroup.data.rank).toBe(2);

    expect(() => bGroup.prepareDeleteGroup()).toThrowError(expect.objectContaining({ code: "permission_denied" }));
    group.prepareDeleteGroup();
    const deleted = await call("DELETE", `${V}/group/forced/${group.data.group_id}`, { token: g.app.secretToken });
    await group.doneDeleteGroup(JSON.stringify(deleted.body));
    await expect(bGroup.groupUpdateCheck()).rejects.toMatchObject({ serverCode: 310 });
    const again = await call("DELETE", `${V}/group/forced/${group.data.group_id}`, { token: g.app.secretToken });
    await expect(group.doneDeleteGroup(JSON.stringify(again.body))).rejects.toMatchObject({
      code: "server",
      serverCode: 310,
    });
  });
});
