/**
 * Interop of the SDK's Group with the REAL sentc client (sentc_wasm 0.15) over real HTTP against our server: a
 * group created, rotated and filled by OUR SDK is read by the real client logged in as a member (it fetches the
 * group like the real JS SDK does and decrypts keys, HMAC and sortable keys and data with the real wasm), and
 * what the real client encrypts for the group (signed) is read and verified by our SDK. Works with classical and
 * post-quantum user keys alike: the real client handles both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newMember, rotationsDone, startGroupHarness, type GroupHarness } from "../sdk/group-helpers.js";
import { loadRealSentc, type RealSentc } from "./real-sentc.js";

let g: GroupHarness;
let real: RealSentc;

beforeAll(async () => {
  g = await startGroupHarness();
  real = loadRealSentc().sentc;
  // The real client talks to our server over loopback, not to the fake one.
  (globalThis as { self: { fetch: typeof fetch } }).self.fetch = (request) => fetch(request);
});

afterAll(async () => {
  await g?.h.close();
});

/** A request as the real JS SDK makes it in its TS layer (Appendix A: these calls are not in the wasm). */
async function realCall(method: string, path: string, jwt: string): Promise<string> {
  const response = await fetch(`${g.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      "x-sentc-app-token": g.app.publicToken,
      Authorization: `Bearer ${jwt}`,
      "Content-Type": "application/json",
    },
  });
  return response.text();
}

type RealKey = Record<string, string>;

describe("our SDK's groups and the REAL sentc client as a member", () => {
  it("the real client reads a group our SDK created, rotated and filled; our SDK reads what the real client encrypts", async () => {
    const owner = await newMember();
    const member = await newMember();
    const group = await owner.user.getGroup(await owner.user.createGroup(true));
    const oldText = await group.encryptString("before the rotation", true);
    await group.keyRotation(true);
    const newText = await group.encryptString("after the rotation ✓", true);
    const newBytes = await group.encrypt(new TextEncoder().encode("bytes"));
    await group.invite(member.userId, 3);
    await rotationsDone(g);

    // The member logs in with the real client and accepts the invite the way the real JS SDK does.
    const login = await real.login(g.baseUrl, g.app.publicToken, member.identifier, member.password);
    const jwt = login.get_jwt()!;
    const userKeys = login.get_user_keys() as RealKey[];
    expect(JSON.parse(await realCall("PATCH", `/group/${group.data.group_id}/invite`, jwt)).status).toBe(true);

    const groupOut = real.group_extract_group_data(await realCall("GET", `/group/${group.data.group_id}`, jwt));
    expect(groupOut.get_rank()).toBe(3);
    const ownerVerifyKey = owner.user.user_data.user_keys[0]!.exported_verify_key;
    const realKeys = new Map<string, { group_key: string; time: string }>();
    for (const entry of groupOut.get_keys() as RealKey[]) {
      const userKey = userKeys.find((key) => key.group_key_id === entry.private_key_id);
      expect(userKey).toBeDefined();
      // The keys are signed by the owner: the real client checks the signatures.
      expect(entry.signed_by_user_id).toBe(owner.userId);
      const decrypted = real.group_decrypt_key(userKey!.private_key!, entry.key_data!, ownerVerifyKey);
      realKeys.set(decrypted.get_group_key_id(), { group_key: decrypted.get_group_key(), time: decrypted.get_time() });
    }
    expect([...realKeys.keys()].sort()).toEqual(group.data.keys.map((key) => key.group_key_id).sort());
    // The very same key material (sentc's export format) on both sides.
    for (const key of group.data.keys) expect(realKeys.get(key.group_key_id)!.group_key).toBe(key.group_key);

    const newest = realKeys.get(group.data.newest_key_id)!.group_key;
    const oldest = realKeys.get(
      group.data.keys.find((key) => key.group_key_id !== group.data.newest_key_id)!.group_key_id,
    )!.group_key;
    expect(real.decrypt_string_symmetric(oldest, oldText, ownerVerifyKey)).toBe("before the rotation");
    expect(real.decrypt_string_symmetric(newest, newText, ownerVerifyKey)).toBe("after the rotation ✓");
    expect(new TextDecoder().decode(real.decrypt_symmetric(newest, newBytes))).toBe("bytes");

    // Searchable and sortable keys decrypted by the real client give the same hashes and numbers.
    const hmacData = (groupOut.get_hmac_keys() as RealKey[])[0]!;
    const hmacKey = real.group_decrypt_hmac_key(realKeys.get(hmacData.group_key_id!)!.group_key, hmacData.key_data!);
    expect(real.create_searchable_raw(hmacKey, "hello", false)).toEqual(group.createSearchRaw("hello"));
    expect(real.search(hmacKey, "hel")).toBe(group.search("hel"));
    const sortableData = (groupOut.get_sortable_keys() as RealKey[])[0]!;
    const sortableKey = real.group_decrypt_sortable_key(
      realKeys.get(sortableData.group_key_id!)!.group_key,
      sortableData.key_data!,
    );
    expect(real.sortable_encrypt_raw_number(sortableKey, 1234n)).toBe(group.encryptSortableRawNumber(1234));
    expect(real.sortable_encrypt_raw_string(sortableKey, "abcd")).toBe(group.encryptSortableRawString("abcd"));

    // The real client encrypts (signed with its user sign key) for the group; our SDK decrypts and verifies.
    const realSignKey = userKeys[0]!.sign_key!;
    const fromReal = real.encrypt_string_symmetric(newest, "written by the real client", realSignKey);
    expect(await group.decryptString(fromReal, true, member.userId)).toBe("written by the real client");
    const rawFromReal = real.encrypt_raw_symmetric(oldest, new TextEncoder().encode("raw from real"));
    expect(new TextDecoder().decode(await group.decryptRaw(rawFromReal.get_head(), rawFromReal.get_data()))).toBe(
      "raw from real",
    );

    // And our SDK as the member reads what the real client wrote, after logging in on another device session.
    const ours = await member.user.getGroup(group.data.group_id);
    expect(await ours.decryptString(fromReal, true, member.userId)).toBe("written by the real client");
  });

  it("a group key rotation started by the REAL client is finished by our SDK when the app calls finishKeyRotation", async () => {
    const owner = await newMember();
    const member = await newMember();
    const group = await owner.user.getGroup(await owner.user.createGroup());
    await group.inviteAuto(member.userId, 1);
    const login = await real.login(g.baseUrl, g.app.publicToken, member.identifier, member.password);
    const jwt = login.get_jwt()!;
    const userKey = (login.get_user_keys() as RealKey[])[0]!;
    const groupOut = real.group_extract_group_data(await realCall("GET", `/group/${group.data.group_id}`, jwt));
    const entry = (groupOut.get_keys() as RealKey[])[0]!;
    const groupKey = real.group_decrypt_key(userKey.private_key!, entry.key_data!).get_group_key();

    // The real client prepares the rotation (pure wasm) and posts it like the real JS SDK.
    const input = real.group_prepare_key_rotation(groupKey, userKey.public_key!, undefined, member.userId);
    const response = await fetch(`${g.baseUrl}/api/v1/group/${group.data.group_id}/key_rotation`, {
      method: "POST",
      headers: {
        "x-sentc-app-token": g.app.publicToken,
        Authorization: `Bearer ${jwt}`,
        "Content-Type": "application/json",
      },
      body: input,
    });
    const started = (await response.json()) as { status: boolean; result: { key_id: string } };
    expect(started.status).toBe(true);
    await rotationsDone(g);
    const newKeyEntry = real.group_extract_group_key(
      await realCall("GET", `/group/${group.data.group_id}/key/${started.result.key_id}`, jwt),
    );
    const newKey = real.group_decrypt_key(userKey.private_key!, newKeyEntry.get_key_data()).get_group_key();
    const fromReal = real.encrypt_string_symmetric(newKey, "after the real rotation");

    // As in the reference, decrypting does not finish the rotation: the server's "key not found" until the app does.
    await expect(group.decryptString(fromReal)).rejects.toMatchObject({ code: "server", serverCode: 304 });
    await group.finishKeyRotation();
    expect(await group.decryptString(fromReal)).toBe("after the real rotation");
    expect(group.data.newest_key_id).toBe(started.result.key_id);
    expect(group.data.key_update).toBe(false);
  });
});
