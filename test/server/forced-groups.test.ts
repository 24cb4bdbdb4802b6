/**
 * The forced group routes (api.md §3.6): a customer's backend acts for `:user_id` with the secret token and
 * no JWT; the public token gets 400/203, unknown users 400/100.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptGroupKey } from "../../src/protocol/group-keys.js";
import { expectError, expectOk, startHarness, type Harness } from "./harness.js";
import { allKeys, createBody, createGroup, loadGroup, memberKeys, newUser, V } from "./group-helpers.js";

let h: Harness;
let secret: { token: string };
beforeAll(async () => {
  h = await startHarness();
  secret = { token: h.app.secretToken };
});
afterAll(() => h.close());

describe("forced group routes", () => {
  it("create (full and light) for a user; 203 with the public token; 100 for unknown users", async () => {
    const user = await newUser(h);
    const { body, keys } = createBody(user, user.userId);
    expectError(await h.call("POST", `${V}/group/forced/${user.userId}`, { raw: body }), 400, 203);
    expectError(await h.call("POST", `${V}/group/forced/nobody`, { ...secret, raw: body }), 400, 100);
    const groupId = expectOk(
      await h.call("POST", `${V}/group/forced/${user.userId}`, { ...secret, raw: body }),
    ).group_id;
    const group = await loadGroup(h, user, groupId);
    expect(Buffer.from(group.keys[0]!.key)).toEqual(Buffer.from(keys.groupKey.key));
    const lightId = expectOk(await h.call("POST", `${V}/group/forced/${user.userId}/light`, secret)).group_id;
    expect(expectOk(await h.call("GET", `${V}/group/${lightId}/light`, { jwt: user.jwt })).rank).toBe(0);
    expectError(await h.call("POST", `${V}/group/forced/nobody/light`, secret), 400, 100);
  });

  it("child and connected groups with the user's rank (301, 310, 318)", async () => {
    const [owner, member, stranger] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/invite_auto/${member.userId}/light`, {
        ...secret,
        body: { rank: 3 },
      }),
    );
    const { body, keys } = createBody(group, owner.userId);
    const childId = expectOk(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/child`, { ...secret, raw: body }),
    ).group_id;
    const child = expectOk(await h.call("GET", `${V}/group/${childId}`, { jwt: owner.jwt }));
    expect(Buffer.from(decryptGroupKey(group.privateKey, child.keys[0]).groupKey.key)).toEqual(
      Buffer.from(keys.groupKey.key),
    );
    expect(child.parent_group_id).toBe(group.groupId);
    expectError(
      await h.call("POST", `${V}/group/forced/${member.userId}/${group.groupId}/child/light`, secret),
      400,
      301,
    );
    expectError(
      await h.call("POST", `${V}/group/forced/${stranger.userId}/${group.groupId}/child/light`, secret),
      400,
      310,
    );
    expectOk(await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/child/light`, secret));
    const { body: cBody } = createBody(group, owner.userId);
    const connected = expectOk(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/connected`, { ...secret, raw: cBody }),
    ).group_id;
    const connectedLight = expectOk(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/connected/light`, secret),
    ).group_id;
    const asGroup = { "x-sentc-group-access-id": group.groupId };
    expect(
      expectOk(await h.call("GET", `${V}/group/${connectedLight}/light`, { jwt: owner.jwt, headers: asGroup }))
        .is_connected_group,
    ).toBe(true);
    expectError(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${connected}/connected/light`, {
        ...secret,
        headers: asGroup,
      }),
      400,
      318,
    );
    expectError(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/connected/light`, { jwt: owner.jwt }),
      400,
      203,
    );
  });

  it("auto invites of users and groups, kick, single member check, delete", async () => {
    const [owner, member, otherOwner] = [await newUser(h), await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    const answer = expectOk(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/invite_auto/${member.userId}`, {
        ...secret,
        raw: memberKeys(member, group.keys, 2),
      }),
    );
    expect(answer.message).toBe("Was invited. Please wait until the user accepts the invite.");
    expect(Buffer.from((await allKeys(h, member, group.groupId))[0]!.groupKey.key)).toEqual(
      Buffer.from(group.keys[0]!.key),
    );
    expectError(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/invite_auto/${member.userId}`, {
        ...secret,
        raw: memberKeys(member, group.keys),
      }),
      400,
      302,
    );
    // Groups: no connected-group rules for the backend; stored as type 2.
    const other = await createGroup(h, otherOwner);
    expectOk(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/invite_auto/${other.groupId}/group`, {
        ...secret,
        raw: memberKeys(other, group.keys),
      }),
    );
    const lightGroup = expectOk(await h.call("POST", `${V}/group/forced/${otherOwner.userId}/light`, secret)).group_id;
    expectOk(
      await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/invite_auto/${lightGroup}/group_light`, {
        ...secret,
        body: { rank: null },
      }),
    );
    const single = expectOk(await h.call("GET", `${V}/group/forced/${group.groupId}/user/${other.groupId}`, secret));
    expect(single).toMatchObject({ user_id: other.groupId, rank: 4, user_type: 2 });
    expect(
      expectOk(await h.call("GET", `${V}/group/forced/${group.groupId}/user/${member.userId}`, secret)),
    ).toMatchObject({ user_id: member.userId, rank: 2, user_type: 0 });
    expectError(await h.call("GET", `${V}/group/forced/${group.groupId}/user/${otherOwner.userId}`, secret), 400, 300);
    expectError(await h.call("GET", `${V}/group/forced/${group.groupId}/user/${member.userId}`), 400, 203);
    // Kick with the acting user's rank.
    expectError(
      await h.call("DELETE", `${V}/group/forced/${member.userId}/${group.groupId}/kick/${owner.userId}`, secret),
      400,
      315,
    );
    expectError(
      await h.call("DELETE", `${V}/group/forced/${owner.userId}/${group.groupId}/kick/nobody`, secret),
      400,
      300,
    );
    expectOk(
      await h.call("DELETE", `${V}/group/forced/${owner.userId}/${group.groupId}/kick/${member.userId}`, secret),
    );
    expectError(await h.call("GET", `${V}/group/forced/${group.groupId}/user/${member.userId}`, secret), 400, 300);
    // Delete: any group of the app; unknown groups 310.
    expectOk(await h.call("DELETE", `${V}/group/forced/${group.groupId}`, secret));
    expectError(await h.call("DELETE", `${V}/group/forced/${group.groupId}`, secret), 400, 310);
    expectError(await h.call("GET", `${V}/group/${group.groupId}/light`, { jwt: owner.jwt }), 400, 310);
    // The member group no longer lists the deleted group.
    expect(expectOk(await h.call("GET", `${V}/group/${other.groupId}/all/0/none`, { jwt: otherOwner.jwt }))).toEqual(
      [],
    );
  });
});
