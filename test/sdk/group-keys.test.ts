/**
 * Group keys through the SDK against the project's server: key rotation across members (one rotates, the
 * others finish it, by the app's call as in sentc or automatically with the init option
 * `auto_finish_key_rotation`, and read old and new data), groups with more than 50 and more than 100 keys
 * (key pages when loading, every key for new members through the key session), signed keys.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sentc } from "../../src/index.js";
import { recordingFetch, sentcError } from "./helpers.js";
import {
  expectSameKeys,
  forgetStoredGroup,
  keyIds,
  newMember,
  rotationsDone,
  startGroupHarness,
  type GroupHarness,
} from "./group-helpers.js";

let g: GroupHarness;
beforeAll(async () => {
  g = await startGroupHarness();
});
afterAll(() => g.h.close());

/** Runs `body` with users logged in after `init({auto_finish_key_rotation: true})`, then restores the default. */
async function withAutoFinish(body: () => Promise<void>): Promise<void> {
  Sentc.reset();
  await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken, auto_finish_key_rotation: true });
  try {
    await body();
  } finally {
    Sentc.reset();
    await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken });
  }
}

describe("key rotation", () => {
  it("by default (as sentc) the other members get the new key only when the app calls finishKeyRotation", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup());
    await group.inviteAuto(b.userId);
    const bGroup = await b.user.getGroup(group.data.group_id);
    const old = await bGroup.encryptString("old data");
    const newKey = await group.keyRotation();
    const fresh = await group.encryptString("new data");
    await rotationsDone(g);

    // Decrypting does not finish the rotation: the server's "key not found" stands until the app finishes it.
    expect(await sentcError(bGroup.decryptString(fresh))).toMatchObject({ code: "server", serverCode: 304 });
    expect(bGroup.data.newest_key_id).not.toBe(newKey.group_key_id);
    // Loading the group after the update check reports key_update and leaves it to the app.
    const store = await Sentc.getStore();
    const key = `group_data_user_${b.userId}_id_${group.data.group_id}`;
    await store.set(key, { ...((await store.getItem(key)) as object), last_check_time: 0 });
    const bAgain = await b.user.getGroup(group.data.group_id);
    expect(bAgain.data.key_update).toBe(true);
    expect(bAgain.data.newest_key_id).not.toBe(newKey.group_key_id);
    await bAgain.finishKeyRotation();
    expect(bAgain.data.key_update).toBe(false);
    expect(bAgain.data.newest_key_id).toBe(newKey.group_key_id);
    expect(await bAgain.decryptString(fresh)).toBe("new data");
    expect(await bAgain.decryptString(old)).toBe("old data");
  });

  it("with auto_finish_key_rotation: one member rotates; the others finish automatically when they meet new data or load the group", () =>
    withAutoFinish(async () => {
      const [a, b, c] = [await newMember(), await newMember(), await newMember()];
      const group = await a.user.getGroup(await a.user.createGroup());
      await group.inviteAuto(b.userId);
      await group.inviteAuto(c.userId);
      const bGroup = await b.user.getGroup(group.data.group_id);
      const cGroup = await c.user.getGroup(group.data.group_id);
      const old = await bGroup.encryptString("old data");
      const oldKey = group.data.newest_key_id;

      const newKey = await group.keyRotation();
      expect(newKey.group_key_id).not.toBe(oldKey);
      expect(group.data.newest_key_id).toBe(newKey.group_key_id);
      expect(group.data.keys).toHaveLength(2);
      expect(await Sentc.getGroupPublicKey(group.data.group_id)).toEqual({
        key: newKey.public_group_key,
        id: newKey.group_key_id,
      });
      const fresh = await group.encryptString("new data", true);
      expect(JSON.parse(Buffer.from(fresh, "base64").toString("latin1").split("\0")[0]!).id).toBe(newKey.group_key_id);
      await rotationsDone(g);

      // b has no copy of the new key yet: decrypting finishes the rotation (GET + PUT key_rotation) on the way.
      expect(() => bGroup.decryptStringSync(fresh)).toThrowError(expect.objectContaining({ code: "key_not_found" }));
      expect(await bGroup.decryptString(fresh, true, a.userId)).toBe("new data");
      expect(bGroup.data.newest_key_id).toBe(newKey.group_key_id);
      expect(bGroup.data.key_update).toBe(false);
      expect(await bGroup.decryptString(old)).toBe("old data");
      // Data b writes now uses the new key.
      const fromB = await bGroup.encryptString("b after rotation");
      expect(JSON.parse(Buffer.from(fromB, "base64").toString("latin1").split("\0")[0]!).id).toBe(newKey.group_key_id);
      expect(await group.decryptString(fromB)).toBe("b after rotation");

      // c loads the group again after its stored data went stale: key_update is set and the rotation finishes at load.
      const store = await Sentc.getStore();
      const key = `group_data_user_${c.userId}_id_${group.data.group_id}`;
      await store.set(key, { ...((await store.getItem(key)) as object), last_check_time: 0 });
      const cAgain = await c.user.getGroup(group.data.group_id);
      expect(cAgain.data.key_update).toBe(false);
      expect(cAgain.data.newest_key_id).toBe(newKey.group_key_id);
      expect(cAgain.decryptStringSync(fromB)).toBe("b after rotation");
      expect(cAgain.decryptStringSync(old)).toBe("old data");
      expect(await cGroup.decryptString(fresh)).toBe("new data");
      expectSameKeys(group, cAgain);

      // A fresh load from the server holds both keys; nothing is pending any more.
      await forgetStoredGroup(b.userId, group.data.group_id);
      const bFresh = await b.user.getGroup(group.data.group_id);
      expectSameKeys(group, bFresh);
      expect(bFresh.data.key_update).toBe(false);
      expect(bFresh.data.newest_key_id).toBe(newKey.group_key_id);
    }));

  it("explicit finishKeyRotation, several rotations in a row, signed rotation checked with verify = 2", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup(true));
    await group.inviteAuto(b.userId);
    const bGroup = await b.user.getGroup(group.data.group_id, undefined, 2);
    await group.keyRotation(true);
    await group.keyRotation();
    const last = await group.keyRotation(true);
    await rotationsDone(g);
    await bGroup.groupUpdateCheck();
    expect(bGroup.data.key_update).toBe(true);
    await bGroup.finishKeyRotation(2);
    expect(bGroup.data.key_update).toBe(false);
    expect(bGroup.data.newest_key_id).toBe(last.group_key_id);
    expectSameKeys(group, bGroup);
    await bGroup.groupUpdateCheck();
    expect(bGroup.data.key_update).toBe(false);
    // Nothing pending: a no-op.
    await bGroup.finishKeyRotation();
    expect(() => bGroup.finishKeyRotation(5 as never)).toThrowError(expect.objectContaining({ code: "invalid_input" }));
  });

  it("a member who joins after rotations gets every key and reads data of every key", async () => {
    const [a, b] = [await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup());
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) {
      texts.push(await group.encryptString(`text ${i}`));
      await group.keyRotation();
    }
    await group.invite(b.userId);
    await b.user.acceptGroupInvite(group.data.group_id);
    const bGroup = await b.user.getGroup(group.data.group_id);
    expect(bGroup.data.keys).toHaveLength(5);
    for (let i = 0; i < texts.length; i++) expect(bGroup.decryptStringSync(texts[i]!)).toBe(`text ${i}`);
  });
});

describe("groups with many keys", () => {
  const KEY_COUNT = 123; // two member-key pages of 100 and more than two load pages of 50

  it(`loads ${KEY_COUNT} keys page by page; new members (invite, auto invite, join request) get every key`, async () => {
    const [a, b, c, d] = [await newMember(), await newMember(), await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup());
    const firstText = await group.encryptString("encrypted with the first key");
    for (let i = 1; i < KEY_COUNT; i++) await group.keyRotation();
    expect(group.data.keys).toHaveLength(KEY_COUNT);
    const lastText = await group.encryptString("encrypted with the newest key");

    // The creator's fresh load pages through /keys.
    const log: string[] = [];
    Sentc.reset();
    await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken, fetch: recordingFetch(log) });
    const a2 = await Sentc.login(a.identifier, a.password, true);
    const reloaded = await a2.getGroup(group.data.group_id);
    expect(reloaded.data.keys).toHaveLength(KEY_COUNT);
    expect(log.filter((line) => line.includes(`/group/${group.data.group_id}/keys/`))).toHaveLength(2);
    expect(reloaded.data.newest_key_id).toBe(group.data.newest_key_id);

    const invite = await reloaded.invite(b.userId);
    expect(invite).toEqual([{ status: "fulfilled", value: undefined }]);
    expect(log.filter((line) => line.includes("/invite/session/"))).toHaveLength(1);
    const b2 = await Sentc.login(b.identifier, b.password, true);
    await b2.acceptGroupInvite(group.data.group_id);
    const bGroup = await b2.getGroup(group.data.group_id);
    expect(keyIds(bGroup)).toEqual(keyIds(group));
    expect(bGroup.decryptStringSync(firstText)).toBe("encrypted with the first key");
    expect(bGroup.decryptStringSync(lastText)).toBe("encrypted with the newest key");

    expect(await reloaded.inviteAuto(c.userId)).toHaveLength(1);
    expect(log.filter((line) => line.includes("/join_req/session/"))).toHaveLength(1);
    const c2 = await Sentc.login(c.identifier, c.password, true);
    const cGroup = await c2.getGroup(group.data.group_id);
    expect(keyIds(cGroup)).toEqual(keyIds(group));
    expect(cGroup.decryptStringSync(firstText)).toBe("encrypted with the first key");

    const d2 = await Sentc.login(d.identifier, d.password, true);
    await d2.groupJoinRequest(group.data.group_id);
    expect(await reloaded.acceptJoinRequest(d.userId)).toHaveLength(1);
    const dGroup = await d2.getGroup(group.data.group_id);
    expect(keyIds(dGroup)).toEqual(keyIds(group));

    // The server holds every key for every member (a fresh key page walk for b).
    await forgetStoredGroup(b.userId, group.data.group_id);
    expect((await b2.getGroup(group.data.group_id)).data.keys).toHaveLength(KEY_COUNT);
    Sentc.reset();
    await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken });
  });

  it("an unknown key id: the server's answer (server_304) after trying the server and the pending rotations", async () => {
    const a = await newMember();
    const group = await a.user.getGroup(await a.user.createGroup());
    const encrypted = await group.encryptString("x");
    const other = await a.user.getGroup(await a.user.createGroup());
    const error = await sentcError(other.decryptString(encrypted));
    expect(error).toMatchObject({ code: "server", serverCode: 304, status: "server_304" });
  });
});
