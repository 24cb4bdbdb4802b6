/**
 * Group key rotation (api.md §3.5.7): start, the worker's per-member encryption of the ephemeral key
 * (users, groups as members), pending/finish with the protocol layer, limits, per-member errors, and
 * resuming unfinished rotations after a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptGroupKey } from "../../src/protocol/group-keys.js";
import { finishKeyRotation, prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import type { SymKey } from "../../src/protocol/keys.js";
import { newId } from "../../server/crypto.js";
import { expectError, expectOk, startHarness, type Harness } from "./harness.js";
import {
  addMember,
  allKeys,
  createBody,
  createGroup,
  memberKeys,
  newUser,
  V,
  type KeyHolder,
  type TestGroup,
  type TestUser,
} from "./group-helpers.js";

let h: Harness;
const dir = mkdtempSync(join(tmpdir(), "sentc-rotation-"));
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rotate(
  hh: Harness,
  user: TestUser,
  group: TestGroup,
  holder: KeyHolder = user,
  headers?: Record<string, string>,
): Promise<SymKey> {
  const previous = group.keys[group.keys.length - 1]!;
  const { serverInput, keys } = prepareKeyRotation({
    previousGroupKey: previous,
    invokerPublicKey: holder.publicKey,
    starter: user.userId,
  });
  const started = expectOk(
    await hh.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: user.jwt, raw: serverInput, headers }),
  );
  expect(started.group_id).toBe(group.groupId);
  const key = { ...keys.groupKey, keyId: started.key_id as string };
  group.keys.push(key);
  return key;
}

/** The member side: pending rotations → finish each with its own key pair → the new key. */
async function finishAll(
  hh: Harness,
  user: TestUser,
  group: TestGroup,
  holder: KeyHolder = user,
  headers?: Record<string, string>,
): Promise<SymKey[]> {
  const pending = expectOk(
    await hh.call("GET", `${V}/group/${group.groupId}/key_rotation`, { jwt: user.jwt, headers }),
  ) as Array<Record<string, unknown>>;
  const out: SymKey[] = [];
  for (const entry of pending) {
    const previous = group.keys.find((k) => k.keyId === entry.previous_group_key_id)!;
    const done = finishKeyRotation(entry, previous, holder.publicKey, holder.privateKey);
    expectOk(
      await hh.call("PUT", `${V}/group/${group.groupId}/key_rotation/${entry.new_group_key_id}`, {
        jwt: user.jwt,
        raw: done.serverInput,
        headers,
      }),
    );
    out.push(done.newGroupKey);
  }
  return out;
}

describe("key rotation", () => {
  it("every member gets the ephemeral key encrypted to its public key and ends with the same new key", async () => {
    const [owner, member] = [await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, member));
    const newKey = await rotate(h, owner, group);
    await h.server.rotations!.whenIdle();
    expect(expectOk(await h.call("GET", `${V}/group/${group.groupId}/key_rotation`, { jwt: owner.jwt }))).toEqual([]);
    expect(
      expectOk(await h.call("GET", `${V}/group/${group.groupId}/update_check`, { jwt: member.jwt })).key_update,
    ).toBe(true);
    const pending = expectOk(await h.call("GET", `${V}/group/${group.groupId}/key_rotation`, { jwt: member.jwt }));
    expect(pending).toHaveLength(1);
    expect(Object.keys(pending[0]).sort()).toEqual([
      "encrypted_eph_key_key_id",
      "encrypted_ephemeral_key_by_group_key_and_public_key",
      "encrypted_group_key_by_ephemeral",
      "ephemeral_alg",
      "error",
      "new_group_key_id",
      "previous_group_key_id",
      "time",
    ]);
    expect(pending[0]).toMatchObject({
      error: null,
      new_group_key_id: newKey.keyId,
      encrypted_eph_key_key_id: member.publicKey.keyId,
    });
    const [got] = await finishAll(h, member, group);
    expect(Buffer.from(got!.key)).toEqual(Buffer.from(newKey.key));
    expect(
      expectOk(await h.call("GET", `${V}/group/${group.groupId}/update_check`, { jwt: member.jwt })).key_update,
    ).toBe(false);
    const keys = await allKeys(h, member, group.groupId);
    expect(keys.map((k) => k.groupKey.keyId)).toEqual([newKey.keyId, group.keys[0]!.keyId]);
    expect(Buffer.from(keys[0]!.groupKey.key)).toEqual(Buffer.from(newKey.key));
    // The invoker's own row came with the start.
    expect(Buffer.from((await allKeys(h, owner, group.groupId))[0]!.groupKey.key)).toEqual(Buffer.from(newKey.key));
    expectError(
      await h.call("PUT", `${V}/group/${group.groupId}/key_rotation/${newKey.keyId}`, {
        jwt: member.jwt,
        body: { encrypted_new_group_key: "AAAA", public_key_id: "x", encrypted_alg: "x" },
      }),
      400,
      304,
    );
  });

  it("reaches groups as members (type 2) and the parent of a child group", async () => {
    const [owner, otherOwner] = [await newUser(h), await newUser(h)];
    const base = await createGroup(h, owner);
    const asBase = { "x-sentc-group-access-id": base.groupId };
    const { body } = createBody(base, owner.userId);
    const cId = expectOk(
      await h.call("POST", `${V}/group/${base.groupId}/connected`, { jwt: owner.jwt, raw: body }),
    ).group_id;
    const cData = expectOk(await h.call("GET", `${V}/group/${cId}`, { jwt: owner.jwt, headers: asBase }));
    const c: TestGroup = {
      ...base,
      id: cId,
      groupId: cId,
      keys: [decryptGroupKey(base.privateKey, cData.keys[0]).groupKey],
    };
    const other = await createGroup(h, otherOwner);
    expectOk(
      await h.call("PUT", `${V}/group/${c.groupId}/invite_group_auto/${other.groupId}`, {
        jwt: owner.jwt,
        headers: asBase,
        raw: memberKeys(other, c.keys),
      }),
    );
    const newKey = await rotate(h, owner, c, base, asBase);
    await h.server.rotations!.whenIdle();
    const asOther = { "x-sentc-group-access-id": other.groupId };
    const [got] = await finishAll(h, otherOwner, c, other, asOther);
    expect(Buffer.from(got!.key)).toEqual(Buffer.from(newKey.key));

    // A child group: its parent is a member (type 1) and gets the rotation for the parent's key pair.
    const { body: childBody } = createBody(base, owner.userId);
    const childId = expectOk(
      await h.call("POST", `${V}/group/${base.groupId}/child`, { jwt: owner.jwt, raw: childBody }),
    ).group_id;
    const childData = expectOk(await h.call("GET", `${V}/group/${childId}`, { jwt: owner.jwt }));
    const child: TestGroup = {
      ...base,
      id: childId,
      groupId: childId,
      keys: [decryptGroupKey(base.privateKey, childData.keys[0]).groupKey],
    };
    const user = await newUser(h);
    expectOk(await addMember(h, owner, child, user, 1));
    const childKey = await rotate(h, user, child);
    await h.server.rotations!.whenIdle();
    const [viaParent] = await finishAll(h, owner, child, base);
    expect(Buffer.from(viaParent!.key)).toEqual(Buffer.from(childKey.key));
  });

  it("rank and monthly limits (301, 321), id format (400/1), unknown previous key (304)", async () => {
    const [owner, member] = [await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, member, 3));
    const app = (await h.server.store.getApp(h.app.id))!;
    await h.server.store.upsertApp({
      ...app,
      groupOptions: JSON.stringify({ max_key_rotation_month: 2, min_rank_key_rotation: 2 }),
    });
    try {
      const body = (previous: SymKey, invoker: TestUser) =>
        prepareKeyRotation({ previousGroupKey: previous, invokerPublicKey: invoker.publicKey, starter: invoker.userId })
          .serverInput;
      expectError(
        await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, {
          jwt: member.jwt,
          raw: body(group.keys[0]!, member),
        }),
        400,
        301,
      );
      const bad = JSON.parse(body(group.keys[0]!, owner));
      expectError(
        await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, {
          jwt: owner.jwt,
          body: { ...bad, previous_group_key_id: "nope" },
        }),
        400,
        1,
      );
      expectError(
        await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, {
          jwt: owner.jwt,
          body: { ...bad, previous_group_key_id: newId() },
        }),
        400,
        304,
      );
      expectError(
        await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, {
          jwt: owner.jwt,
          body: { ...bad, encrypted_ephemeral_key: 5 },
        }),
        422,
        11,
      );
      await rotate(h, owner, group);
      await rotate(h, owner, group);
      expectError(
        await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, {
          jwt: owner.jwt,
          raw: body(group.keys[2]!, owner),
        }),
        400,
        321,
      );
      await h.server.rotations!.whenIdle();
      expect(await finishAll(h, member, group)).toHaveLength(2);
    } finally {
      await h.server.store.upsertApp(app);
    }
  });

  it("a member whose public key can't be used gets a per-member error (KeyRotationInput.error)", async () => {
    const [owner, odd] = [await newUser(h), await newUser(h)];
    const group = await createGroup(h, owner);
    expectOk(await addMember(h, owner, group, odd));
    // A newer user-group key with an algorithm the server can't encrypt to.
    const user = (await h.server.store.getUser(h.app.id, odd.userId))!;
    const current = (await h.server.store.getNewestGroupKey(h.app.id, user.userGroupId))!;
    await h.server.store.insertGroupKey({
      ...current,
      id: newId(),
      time: current.time + 10_000,
      privateKeyPairAlg: "UNKNOWN-KEM",
      publicKey: "not a key",
    });
    // A light user has no public key at all.
    const light = expectOk(
      await h.call("POST", `${V}/register_light`, {
        token: h.app.secretToken,
        raw: (await import("../../src/protocol/register.js")).prepareRegisterDeviceStart(`light-${newId()}`, "pw"),
      }),
    );
    expectOk(
      await h.call("PUT", `${V}/group/${group.groupId}/invite_auto/${light.user_id}/light`, {
        jwt: owner.jwt,
        body: { rank: null },
      }),
    );
    await rotate(h, owner, group);
    await h.server.rotations!.whenIdle();
    const pending = expectOk(await h.call("GET", `${V}/group/${group.groupId}/key_rotation`, { jwt: odd.jwt }));
    expect(pending).toHaveLength(1);
    expect(pending[0].error).toEqual(expect.any(String));
    expect(() => finishKeyRotation(pending[0], group.keys[0]!, odd.publicKey, odd.privateKey)).toThrow(
      /could not prepare/,
    );
    const rows = await h.server.store.listRotations(group.groupId, light.user_id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.rotation.error).toBe("No public key found for this member");
    expect(await h.server.store.listUnfinishedRotations()).toEqual([]);
  });

  it("resumes an unfinished rotation after a restart (progress is in the store)", async () => {
    const dbPath = join(dir, "rotation.sqlite");
    const first = await startHarness({}, { dbPath });
    const [owner, member] = [await newUser(first), await newUser(first)];
    const group = await createGroup(first, owner);
    expectOk(await addMember(first, owner, group, member));
    // The worker stops (as in a crash right after the start was acknowledged).
    await first.server.rotations!.stop();
    const newKey = await rotate(first, owner, group);
    expect((await first.server.store.listUnfinishedRotations()).map((k) => k.id)).toEqual([newKey.keyId]);
    expect(expectOk(await first.call("GET", `${V}/group/${group.groupId}/key_rotation`, { jwt: member.jwt }))).toEqual(
      [],
    );
    await first.close();

    const second = await startHarness({}, { dbPath, apps: first.apps });
    try {
      await second.server.rotations!.whenIdle();
      expect(await second.server.store.listUnfinishedRotations()).toEqual([]);
      const [got] = await finishAll(second, member, group);
      expect(Buffer.from(got!.key)).toEqual(Buffer.from(newKey.key));
    } finally {
      await second.close();
    }
  });
});
