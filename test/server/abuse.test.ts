/**
 * Abuse limits of the server: what a holder of the public token, or a member of a group, must not be able
 * to learn or spend (docs/server.md, "Abuse limits").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import type { SymKey } from "../../src/protocol/keys.js";
import { expectError, expectOk, startHarness, type Harness } from "./harness.js";
import { addMember, createGroup, newUser, V, type TestGroup, type TestUser } from "./group-helpers.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("forced group routes check the token first", () => {
  it("the public token gets 400/203 whether the user and the membership exist or not", async () => {
    const owner = await newUser(h);
    const stranger = await newUser(h);
    const group = await createGroup(h, owner);
    const unknownUser = "0193a1b2-0000-7000-8000-000000000000";
    for (const path of [
      `${V}/group/forced/${unknownUser}/${group.groupId}/child/light`,
      `${V}/group/forced/${stranger.userId}/${group.groupId}/child/light`,
      `${V}/group/forced/${owner.userId}/${group.groupId}/child/light`,
      `${V}/group/forced/${owner.userId}/not-a-uuid/connected/light`,
    ]) {
      expectError(await h.call("POST", path), 400, 203);
    }
    expectError(await h.call("DELETE", `${V}/group/forced/${stranger.userId}/${group.groupId}/kick/${owner.userId}`), 400, 203);
    expectError(await h.call("POST", `${V}/group/forced/${unknownUser}/light`), 400, 203);
    // With the secret token the checks behind it still answer as before.
    const secret = { token: h.app.secretToken };
    expectError(await h.call("POST", `${V}/group/forced/${unknownUser}/${group.groupId}/child/light`, secret), 400, 100);
    expectError(await h.call("POST", `${V}/group/forced/${stranger.userId}/${group.groupId}/child/light`, secret), 400, 310);
    expectOk(await h.call("POST", `${V}/group/forced/${owner.userId}/${group.groupId}/child/light`, secret));
  });
});

describe("the monthly key rotation quota", () => {
  const startRotation = async (user: TestUser, group: TestGroup, previous: SymKey) => {
    const { serverInput, keys } = prepareKeyRotation({ previousGroupKey: previous, invokerPublicKey: user.publicKey, starter: user.userId });
    const answer = await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: user.jwt, raw: serverInput });
    return { answer, key: { ...keys.groupKey, keyId: answer.body.result?.key_id as string } };
  };

  it("is counted per member: a kicked member's rotations never keep the admins from rotating", async () => {
    const app = (await h.server.store.getApp(h.app.id))!;
    await h.server.store.upsertApp({ ...app, groupOptions: JSON.stringify({ max_key_rotation_month: 2, min_rank_key_rotation: 4 }) });
    try {
      const [owner, admin, member] = [await newUser(h), await newUser(h), await newUser(h)];
      const group = await createGroup(h, owner);
      expectOk(await addMember(h, owner, group, admin, 1));
      expectOk(await addMember(h, owner, group, member, 4));
      // The rank-4 member spends its quota ...
      let previous = group.keys[0]!;
      for (let i = 0; i < 2; i++) {
        const { answer, key } = await startRotation(member, group, previous);
        expectOk(answer);
        previous = key;
      }
      expectError((await startRotation(member, group, previous)).answer, 400, 321);
      // ... and is kicked: the admins rotate it out, each within a quota of their own.
      await h.server.rotations!.whenIdle();
      expectOk(await h.call("DELETE", `${V}/group/${group.groupId}/kick/${member.userId}`, { jwt: owner.jwt }));
      const byOwner = await startRotation(owner, group, group.keys[0]!);
      expectOk(byOwner.answer);
      expectOk((await startRotation(admin, group, group.keys[0]!)).answer);
      expectOk((await startRotation(owner, group, byOwner.key)).answer);
      expectError((await startRotation(owner, group, byOwner.key)).answer, 400, 321);
      await h.server.rotations!.whenIdle();
      expect(await h.server.store.countKeyRotationsSince(group.groupId, 0)).toBe(5);
    } finally {
      await h.server.store.upsertApp(app);
    }
  });
});
