/**
 * The SDK's Group against the project's server over real HTTP: creating and loading groups, the store and the
 * update check, encryption (raw, bytes, strings; signed and verified), searchable and sortable encryption, the
 * group public key, and every membership method with two and three users.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Group, Sentc } from "../../src/index.js";
import { sentcError, recordingFetch } from "./helpers.js";
import {
  forgetStoredGroup,
  newMember,
  startGroupHarness,
  type GroupHarness,
  type TestMember,
} from "./group-helpers.js";
import { setStrictVerify } from "../../src/sdk/verify-policy.js";

let g: GroupHarness;
beforeAll(async () => {
  g = await startGroupHarness();
});
afterAll(() => g.h.close());

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe("create, load and encrypt", () => {
  let owner: TestMember;
  let group: Group;

  beforeAll(async () => {
    owner = await newMember();
    const groupId = await owner.user.createGroup();
    group = await owner.user.getGroup(groupId);
  });

  it("creates a group with one key, rank 0, HMAC and sortable keys, and lists it", async () => {
    expect(group).toBeInstanceOf(Group);
    expect(group.data.rank).toBe(0);
    expect(group.data.keys).toHaveLength(1);
    expect(group.data.key_map.get(group.data.newest_key_id)).toBe(0);
    expect(group.data.hmac_keys).toHaveLength(1);
    expect(group.data.sortable_keys).toHaveLength(1);
    expect(group.data.from_parent).toBe(false);
    expect(group.data.access_by_parent_group).toBeUndefined();
    expect(group.data.is_connected_group).toBe(false);
    expect(group.data.key_update).toBe(false);
    const list = await owner.user.getGroups();
    expect(list.map((item) => item.group_id)).toContain(group.data.group_id);
    expect(list[0]).toMatchObject({ rank: 0 });
    expect(await owner.user.getGroups(list[list.length - 1]!)).toEqual([]);
  });

  it("encrypts and decrypts bytes, raw data and strings, with and without signatures", async () => {
    const data = bytes("hello group");
    expect(text(await group.decrypt(await group.encrypt(data)))).toBe("hello group");
    expect(text(group.decryptSync(group.encryptSync(data)))).toBe("hello group");
    const raw = await group.encryptRaw(data);
    expect(JSON.parse(raw.head)).toEqual({ id: group.data.newest_key_id, sign: null });
    expect(text(await group.decryptRaw(raw.head, raw.data))).toBe("hello group");
    expect(text(group.decryptRawSync(raw.head, group.encryptRawSync(data).data))).toBe("hello group");
    const str = await group.encryptString("a string ✓");
    expect(await group.decryptString(str)).toBe("a string ✓");
    expect(group.decryptStringSync(group.encryptStringSync("sync"))).toBe("sync");

    const signed = await group.encryptString("signed", true);
    expect(await group.decryptString(signed, true, owner.userId)).toBe("signed");
    const signedBytes = await group.encrypt(data, true);
    expect(text(await group.decrypt(signedBytes, true, owner.userId))).toBe("hello group");
    const verifyKey = await Sentc.getUserVerifyKey(owner.userId, owner.user.user_data.newest_key_id);
    expect(group.decryptStringSync(signed, verifyKey)).toBe("signed");
    const signedRaw = group.encryptRawSync(data, true);
    expect(JSON.parse(signedRaw.head).sign).toMatchObject({ id: owner.user.user_data.newest_key_id });
    expect(text(await group.decryptRaw(signedRaw.head, signedRaw.data, verifyKey))).toBe("hello group");
    // Unsigned data cannot be verified; tampered data does not decrypt.
    // Unsigned data asked to verify: decrypted unchecked as in sentc, refused with strict_verify.
    expect(await group.decryptString(str, true, owner.userId)).toBe("a string ✓");
    expect(group.decryptStringSync(str, verifyKey)).toBe("a string ✓");
    setStrictVerify(true);
    try {
      expect((await sentcError(group.decryptString(str, true, owner.userId))).code).toBe("missing_signature");
      expect((await sentcError(() => group.decryptStringSync(str, verifyKey))).code).toBe("missing_signature");
    } finally {
      setStrictVerify(false);
    }
    const tampered = await group.encrypt(data);
    tampered[tampered.length - 1]! ^= 1;
    expect((await sentcError(group.decrypt(tampered))).code).toBe("decryption_failed");
    expect((await sentcError(group.decryptString(signed, true))).code).toBe("invalid_input"); // signed: the sender is needed
  });

  it("content keys: generateNonRegisteredKey / getNonRegisteredKey with the group key as master key", async () => {
    const [key, encrypted] = await group.generateNonRegisteredKey();
    expect(key.master_key_id).toBe(group.data.newest_key_id);
    const data = key.encryptString("content", true);
    const again = await group.getNonRegisteredKey(key.master_key_id, encrypted);
    expect(again.key).toBe(key.key);
    expect(
      again.decryptString(data, await Sentc.getUserVerifyKey(owner.userId, owner.user.user_data.newest_key_id)),
    ).toBe("content");
  });

  it("searchable: prefixes, full and limit; the search hash is one of the prefix hashes", () => {
    const hashes = group.createSearchRaw("hello");
    expect(hashes).toHaveLength(5);
    expect(hashes).toContain(group.search("hel"));
    expect(hashes[hashes.length - 1]).toBe(group.search("hello"));
    expect(group.createSearchRaw("hello", true)).toEqual([group.search("hello")]);
    expect(group.createSearchRaw("hello", false, 2).length).toBeLessThan(5);
    const [full, alg, keyId] = group.createSearch("hello");
    expect(full).toEqual(hashes);
    expect(alg).toBe("HMAC-SHA256");
    expect(JSON.parse(group.getNewestHmacKey()).HmacSha256.key_id ?? keyId).toBe(keyId);
    expect(() => group.createSearchRaw("")).toThrowError(expect.objectContaining({ code: "invalid_input" }));
    expect(() => group.createSearchRaw("x".repeat(201))).toThrowError(
      expect.objectContaining({ code: "invalid_input" }),
    );
  });

  it("sortable: numbers and strings keep their order", () => {
    const numbers = [0, 1, 2, 100, 1000, 65532].map((n) => group.encryptSortableRawNumber(n));
    expect(numbers.every((n) => typeof n === "bigint")).toBe(true);
    expect([...numbers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(numbers);
    const [n, alg, keyId] = group.encryptSortableNumber(100);
    expect(n).toBe(numbers[3]);
    expect(alg).toBe("OPE-16");
    expect(typeof keyId).toBe("string");
    const words = ["aaaa", "abc", "b", "zz"].map((s) => group.encryptSortableRawString(s));
    expect([...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(words);
    expect(group.encryptSortableString("abc")[0]).toBe(words[1]);
    expect(() => group.encryptSortableRawNumber(65533)).toThrowError(
      expect.objectContaining({ code: "invalid_input" }),
    );
  });

  it("the group public key: the newest key's, cached and served by the server", async () => {
    const cached = await Sentc.getGroupPublicKey(group.data.group_id);
    expect(cached).toEqual({ key: group.getNewestPublicKey(), id: group.data.newest_key_id });
    expect(JSON.parse(group.data.keys[0]!.exported_public_key).public_key_id ?? group.data.newest_key_id).toBe(
      group.data.newest_key_id,
    );
    const served = await g.h.call("GET", `/api/v1/group/${group.data.group_id}/public_key`, {
      token: g.app.publicToken,
    });
    expect(served.body.result.public_key_id).toBe(group.data.newest_key_id);
  });

  it("loads from the store without asking the server; revalidates after 5 minutes; reloads after the data is gone", async () => {
    const log: string[] = [];
    Sentc.reset();
    await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken, fetch: recordingFetch(log) });
    const mine = await newMember();
    const groupId = await mine.user.createGroup();
    log.length = 0;
    const first = await mine.user.getGroup(groupId);
    expect(log).toContain(`GET /api/v1/group/${groupId}`);
    log.length = 0;
    const again = await mine.user.getGroup(groupId);
    expect(log).toEqual([]);
    expect(again.data.keys).toEqual(first.data.keys);
    // Stale: one update check.
    const store = await Sentc.getStore();
    const key = `group_data_user_${mine.userId}_id_${groupId}`;
    const stored = (await store.getItem(key)) as Record<string, unknown>;
    await store.set(key, { ...stored, last_check_time: Date.now() - 6 * 60 * 1000 });
    const checked = await mine.user.getGroup(groupId);
    expect(log).toEqual([`GET /api/v1/group/${groupId}/update_check`]);
    expect(checked.data.last_check_time).toBeGreaterThan(Date.now() - 5000);
    await forgetStoredGroup(mine.userId, groupId);
    log.length = 0;
    await mine.user.getGroup(groupId);
    expect(log).toContain(`GET /api/v1/group/${groupId}`);
    Sentc.reset();
    await Sentc.init({ base_url: g.baseUrl, app_token: g.app.publicToken });
  });

  it("sync key lookups fail for unknown keys; bad input is invalid_input", async () => {
    expect(() => group.getSymKeyByIdSync("unknown")).toThrowError(expect.objectContaining({ code: "key_not_found" }));
    expect((await sentcError(owner.user.getGroup(""))).code).toBe("invalid_input");
    expect((await sentcError(owner.user.getGroup(group.data.group_id, undefined, 3 as never))).code).toBe(
      "invalid_input",
    );
    const [key, id] = await group.getSymKeyToEncrypt();
    expect(id).toBe(group.data.newest_key_id);
    expect(await group.getSymKeyById(id)).toBe(key);
    expect(group.getSignKeySync()).toBe(owner.user.getSignKeySync());
    expect(await group.getSignKey()).toBe(owner.user.getSignKeySync());
    expect(typeof (await group.getJwt())).toBe("string");
  });

  it("a group the user is not a member of: server 310", async () => {
    const stranger = await newMember();
    const error = await sentcError(stranger.user.getGroup(group.data.group_id));
    expect(error).toMatchObject({ code: "server", serverCode: 310 });
  });
});

describe("membership with two and three users", () => {
  it("invite → list → accept: the member reads the owner's data and writes data the owner reads", async () => {
    const owner = await newMember();
    const member = await newMember();
    const group = await owner.user.getGroup(await owner.user.createGroup());
    const before = await group.encryptString("before the member joined");
    expect(await group.invite(member.userId)).toBeUndefined();
    const invites = await member.user.getGroupInvites();
    expect(invites.map((i) => i.group_id)).toEqual([group.data.group_id]);
    expect((await sentcError(member.user.getGroup(group.data.group_id))).serverCode).toBe(310);
    await member.user.acceptGroupInvite(group.data.group_id);
    expect(await member.user.getGroupInvites()).toEqual([]);
    const theirs = await member.user.getGroup(group.data.group_id);
    expect(theirs.data.rank).toBe(4);
    expect(await theirs.decryptString(before)).toBe("before the member joined");
    expect(await group.decryptString(await theirs.encryptString("from the member", true), true, member.userId)).toBe(
      "from the member",
    );
    const members = await group.getMember();
    expect(members).toEqual([expect.objectContaining({ user_id: member.userId, rank: 4, user_type: 0 })]);
    expect(await group.getMember(members[0]!)).toEqual([]);
  });

  it("reject invite; auto invite with a rank; ranks; kick; leave", async () => {
    const owner = await newMember();
    const [a, b, c] = [await newMember(), await newMember(), await newMember()];
    const group = await owner.user.getGroup(await owner.user.createGroup());
    await group.invite(a.userId);
    await a.user.rejectGroupInvite(group.data.group_id);
    expect(await a.user.getGroupInvites()).toEqual([]);
    expect((await sentcError(a.user.getGroup(group.data.group_id))).serverCode).toBe(310);

    await group.inviteAuto(b.userId, 2);
    const bGroup = await b.user.getGroup(group.data.group_id);
    expect(bGroup.data.rank).toBe(2);
    // Rank 2 may invite and kick, but not stop invites or change ranks.
    await bGroup.inviteAuto(c.userId);
    const cGroup = await c.user.getGroup(group.data.group_id);
    expect(cGroup.data.rank).toBe(4);
    expect((await sentcError(bGroup.stopInvites())).code).toBe("permission_denied");
    expect(() => bGroup.prepareUpdateRank(c.userId, 3)).toThrowError(
      expect.objectContaining({ code: "permission_denied" }),
    );
    expect((await sentcError(cGroup.invite(a.userId))).code).toBe("permission_denied");
    expect((await sentcError(cGroup.kickUser(b.userId))).code).toBe("permission_denied");
    expect((await sentcError(cGroup.deleteGroup())).code).toBe("permission_denied");

    await group.updateRank(c.userId, 3);
    expect(() => group.prepareUpdateRank(c.userId, 0)).toThrowError(expect.objectContaining({ code: "invalid_input" }));
    await cGroup.groupUpdateCheck();
    expect(cGroup.data.rank).toBe(3);
    await group.updateRank(b.userId, 1);
    await bGroup.groupUpdateCheck();
    expect(bGroup.data.rank).toBe(1);

    await bGroup.kickUser(c.userId);
    expect((await sentcError(cGroup.groupUpdateCheck())).serverCode).toBe(310);
    await bGroup.leave();
    expect((await sentcError(b.user.getGroup(group.data.group_id))).serverCode).toBe(310);
    expect(await group.getMember()).toEqual([]);
    // The creator is the last admin: it cannot leave (308).
    expect((await sentcError(group.leave())).serverCode).toBe(308);
  });

  it("join requests: send, list, withdraw, reject, accept; stop invites", async () => {
    const owner = await newMember();
    const [a, b] = [await newMember(), await newMember()];
    const group = await owner.user.getGroup(await owner.user.createGroup());
    const gid = group.data.group_id;
    await a.user.groupJoinRequest(gid);
    await b.user.groupJoinRequest(gid);
    expect((await a.user.sentJoinReq()).map((r) => r.group_id)).toEqual([gid]);
    await a.user.deleteJoinReq(gid);
    expect(await a.user.sentJoinReq()).toEqual([]);
    await a.user.groupJoinRequest(gid);
    const requests = await group.getJoinRequests();
    expect(requests.map((r) => r.user_id).sort()).toEqual([a.userId, b.userId].sort());
    expect(requests.every((r) => r.user_type === 0)).toBe(true);
    await group.rejectJoinRequest(b.userId);
    expect(await group.acceptJoinRequest(a.userId, 0, 3)).toBeUndefined();
    const aGroup = await a.user.getGroup(gid);
    expect(aGroup.data.rank).toBe(3);
    expect(await aGroup.decryptString(await group.encryptString("welcome"))).toBe("welcome");
    expect(await group.getJoinRequests()).toEqual([]);
    expect((await sentcError(b.user.getGroup(gid))).serverCode).toBe(310);

    await group.stopInvites();
    expect((await sentcError(b.user.groupJoinRequest(gid))).serverCode).toBe(317);
    expect((await sentcError(group.invite(b.userId))).serverCode).toBe(317);
    await group.stopInvites(); // toggles back
    await b.user.groupJoinRequest(gid);
  });

  it("three users share a group; deleting it removes access for all and the local data", async () => {
    const [a, b, c] = [await newMember(), await newMember(), await newMember()];
    const group = await a.user.getGroup(await a.user.createGroup(true));
    await group.inviteAuto(b.userId);
    await group.inviteAuto(c.userId, 1);
    const bGroup = await b.user.getGroup(group.data.group_id, undefined, 2);
    const cGroup = await c.user.getGroup(group.data.group_id, undefined, 1);
    const fromB = await bGroup.encryptString("b", true);
    expect(await cGroup.decryptString(fromB, true, b.userId)).toBe("b");
    expect(await group.decryptString(fromB, true, b.userId)).toBe("b");
    expect((await group.getMember()).map((m) => m.user_id).sort()).toEqual([b.userId, c.userId].sort());
    await cGroup.deleteGroup();
    for (const [who, view] of [
      [a, group],
      [b, bGroup],
    ] as const) {
      expect((await sentcError(view.groupUpdateCheck())).serverCode).toBe(310);
      await forgetStoredGroup(who.userId, group.data.group_id);
      expect((await sentcError(who.user.getGroup(group.data.group_id))).serverCode).toBe(310);
    }
    const store = await Sentc.getStore();
    expect(await store.getItem(`group_data_user_${c.userId}_id_${group.data.group_id}`)).toBeUndefined();
  });
});
