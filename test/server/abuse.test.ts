/**
 * Abuse limits of the server: what a holder of the public token, or a member of a group, must not be able
 * to learn or spend (docs/server.md, "Abuse limits").
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { expectError, expectOk, startHarness, type Harness } from "./harness.js";
import { createGroup, newUser, V } from "./group-helpers.js";

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
