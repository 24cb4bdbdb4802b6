/**
 * The key transparency log (docs/server.md "Key transparency log"): every published public and verify key is a
 * leaf, key-fetch answers carry an inclusion proof against a signed head, heads stay consistent, and concurrent
 * appends never fork the log.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromBase64 } from "../../src/protocol/encoding.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import {
  decodeKtLeaf,
  ktLeafHash,
  ktRootOfLeaves,
  ktVerifyConsistency,
  ktVerifyInclusion,
  verifyKtTreeHead,
  type SignedTreeHead,
} from "../../src/protocol/transparency.js";
import type { SqlDriver } from "../../server/store/driver.js";
import { createBody, createGroup, newUser, V } from "./group-helpers.js";
import { apiCaller, expectError, expectOk, login, registerUser, startHarness, type Harness } from "./harness.js";

let h: Harness;
let logKey: Uint8Array;
beforeAll(async () => {
  h = await startHarness();
  const answer = expectOk(await h.call("GET", `${V}/kt/log_key`));
  expect(answer).toMatchObject({ app_id: h.app.id, alg: "ed25519" });
  logKey = fromBase64(answer.log_key);
  expect(logKey).toHaveLength(32);
});
afterAll(() => h.close());

interface Kt {
  leaf_index: number;
  leaf: string;
  inclusion: string[];
  sth: SignedTreeHead;
}

/** What a client does with a `kt` field: head signature, inclusion, and the leaf naming the served key. */
function checkKt(kt: Kt, expected: Record<string, unknown>): void {
  expect(verifyKtTreeHead(logKey, h.app.id, kt.sth)).toBe(true);
  const leaf = fromBase64(kt.leaf);
  const ok = ktVerifyInclusion(
    ktLeafHash(leaf),
    kt.leaf_index,
    kt.sth.tree_size,
    kt.inclusion.map(fromBase64),
    fromBase64(kt.sth.root_hash),
  );
  expect(ok).toBe(true);
  expect(decodeKtLeaf(leaf)).toMatchObject({ v: 1, app_id: h.app.id, ...expected });
}

/** Every leaf of the log, through the entries pages. */
async function allLeaves(size: number): Promise<Uint8Array[]> {
  const leaves: Uint8Array[] = [];
  while (leaves.length < size) {
    const page = expectOk(await h.call("GET", `${V}/kt/entries?start=${leaves.length}&end=${size}`));
    expect(page.start).toBe(leaves.length);
    expect(page.entries.length).toBeGreaterThan(0);
    for (const entry of page.entries) {
      expect(entry.leaf_index).toBe(leaves.length);
      leaves.push(fromBase64(entry.leaf));
    }
  }
  return leaves;
}

describe("key-fetch answers carry their proof", () => {
  it("a registered user's public and verify key are leaves of the user, proven against a signed head", async () => {
    const user = await registerUser(h);
    const served = expectOk(await h.call("GET", `${V}/user/${user.userId}/public_key`));
    checkKt(served.kt, {
      subject_type: "user",
      subject_id: user.userId,
      key_type: "public",
      key_id: served.public_key_id,
      key_alg: served.public_key_alg,
      key: served.public_key,
      signature: served.public_key_sig,
      signed_by: served.public_key_sig_key_id,
    });
    const byId = expectOk(await h.call("GET", `${V}/user/${user.userId}/public_key/${served.public_key_id}`));
    expect(byId.kt.leaf_index).toBe(served.kt.leaf_index);
    const verify = expectOk(await h.call("GET", `${V}/user/${user.userId}/verify_key/${served.public_key_id}`));
    checkKt(verify.kt, {
      subject_type: "user",
      subject_id: user.userId,
      key_type: "verify",
      key_id: verify.verify_key_id,
      key_alg: verify.verify_key_alg,
      key: verify.verify_key,
      signature: null,
      signed_by: null,
    });
    expect(verify.kt.leaf_index).toBe(served.kt.leaf_index + 1);
  });

  it("a proof does not verify for another key, another index or another app", async () => {
    const user = await registerUser(h);
    const served = expectOk(await h.call("GET", `${V}/user/${user.userId}/public_key`));
    const kt = served.kt as Kt;
    const leaf = decodeKtLeaf(fromBase64(kt.leaf));
    expect(leaf.key).toBe(served.public_key);
    const root = fromBase64(kt.sth.root_hash);
    const proof = kt.inclusion.map(fromBase64);
    const other = ktLeafHash(new TextEncoder().encode("another key"));
    expect(ktVerifyInclusion(other, kt.leaf_index, kt.sth.tree_size, proof, root)).toBe(false);
    const own = ktLeafHash(fromBase64(kt.leaf));
    expect(ktVerifyInclusion(own, kt.leaf_index + 1, kt.sth.tree_size, proof, root)).toBe(false);
    expect(verifyKtTreeHead(logKey, "another app", kt.sth)).toBe(false);
  });

  it("group create, child and connected groups, group and user key rotation each append their keys", async () => {
    const owner = await newUser(h);
    const group = await createGroup(h, owner);
    const groupKey = expectOk(await h.call("GET", `${V}/group/${group.groupId}/public_key`));
    checkKt(groupKey.kt, { subject_type: "group", subject_id: group.groupId, key_type: "public" });

    const child = expectOk(
      await h.call("POST", `${V}/group/${group.groupId}/child`, {
        jwt: owner.jwt,
        raw: createBody(group, owner.userId).body,
      }),
    ).group_id as string;
    checkKt(expectOk(await h.call("GET", `${V}/group/${child}/public_key`)).kt, {
      subject_type: "group",
      subject_id: child,
    });
    const connected = expectOk(
      await h.call("POST", `${V}/group/${group.groupId}/connected`, {
        jwt: owner.jwt,
        raw: createBody(group, owner.userId).body,
      }),
    ).group_id as string;
    checkKt(expectOk(await h.call("GET", `${V}/group/${connected}/public_key`)).kt, {
      subject_type: "group",
      subject_id: connected,
    });

    const rotation = prepareKeyRotation({
      previousGroupKey: group.keys[0]!,
      invokerPublicKey: owner.publicKey,
      starter: owner.userId,
    });
    const rotated = expectOk(
      await h.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: owner.jwt, raw: rotation.serverInput }),
    ).key_id as string;
    const newest = expectOk(await h.call("GET", `${V}/group/${group.groupId}/public_key`));
    expect(newest.public_key_id).toBe(rotated);
    checkKt(newest.kt, { subject_type: "group", subject_id: group.groupId, key_id: rotated });

    const session = await login(h, owner.identifier, "correct horse");
    const userRotation = prepareKeyRotation({
      previousGroupKey: session.userKeys[0]!.groupKey,
      invokerPublicKey: session.deviceKeys.publicKey,
      signKey: session.userKeys[0]!.signKey,
      starter: owner.userId,
      userGroup: true,
    });
    const userKeyId = expectOk(
      await h.call("POST", `${V}/user/user_keys/rotation`, {
        jwt: session.jwt,
        raw: userRotation.serverInput,
        deviceSignKey: session.deviceKeys.signKey,
      }),
    ).key_id as string;
    const userKey = expectOk(await h.call("GET", `${V}/user/${owner.userId}/public_key`));
    expect(userKey.public_key_id).toBe(userKeyId);
    checkKt(userKey.kt, { subject_type: "user", subject_id: owner.userId, key_id: userKeyId });
    const verify = expectOk(await h.call("GET", `${V}/user/${owner.userId}/verify_key/${userKeyId}`));
    checkKt(verify.kt, { subject_type: "user", key_type: "verify", key: verify.verify_key });

    // The subject view lists the user's keys: register (public, verify) and the rotation (public, verify).
    const subject = expectOk(await h.call("GET", `${V}/kt/subject/user/${owner.userId}`));
    expect(verifyKtTreeHead(logKey, h.app.id, subject.sth)).toBe(true);
    expect(subject.leaves).toHaveLength(4);
    for (const leaf of subject.leaves) {
      checkKt({ ...leaf, sth: subject.sth }, { subject_type: "user", subject_id: owner.userId });
    }
    expect(subject.leaves.map((l: { leaf: string }) => decodeKtLeaf(fromBase64(l.leaf)).key_type)).toEqual([
      "public",
      "verify",
      "public",
      "verify",
    ]);
  });

  it("a forced user reset logs the new user group's keys as the user's", async () => {
    const user = await registerUser(h);
    const { prepareRegister } = await import("../../src/protocol/register.js");
    expectOk(
      await h.call("PUT", `${V}/user/forced/reset_user`, {
        token: h.app.secretToken,
        raw: prepareRegister(user.identifier, "new password"),
      }),
    );
    const served = expectOk(await h.call("GET", `${V}/user/${user.userId}/public_key`));
    checkKt(served.kt, { subject_type: "user", subject_id: user.userId, key_id: served.public_key_id });
    const subject = expectOk(await h.call("GET", `${V}/kt/subject/user/${user.userId}`));
    expect(subject.leaves).toHaveLength(4);
  });
});

describe("the log as an auditor reads it", () => {
  it("entries recompute the signed head, and heads are consistent with each other", async () => {
    const first = expectOk(await h.call("GET", `${V}/kt/sth`)) as SignedTreeHead;
    await registerUser(h);
    await registerUser(h);
    const second = expectOk(await h.call("GET", `${V}/kt/sth`)) as SignedTreeHead;
    expect(second.tree_size).toBe(first.tree_size + 4);
    expect(second.timestamp).toBeGreaterThanOrEqual(first.timestamp);
    expect(verifyKtTreeHead(logKey, h.app.id, second)).toBe(true);
    const leaves = await allLeaves(second.tree_size);
    expect(Buffer.from(ktRootOfLeaves(leaves.map(ktLeafHash))).toString("base64")).toBe(second.root_hash);

    const proof = expectOk(
      await h.call("GET", `${V}/kt/consistency?first=${first.tree_size}&second=${second.tree_size}`),
    );
    const ok = ktVerifyConsistency(
      first.tree_size,
      second.tree_size,
      fromBase64(first.root_hash),
      fromBase64(second.root_hash),
      proof.proof.map(fromBase64),
    );
    expect(ok).toBe(true);
    // An older head stays readable by size; the same head is served again while the log does not grow.
    expect(expectOk(await h.call("GET", `${V}/kt/sth?tree_size=${first.tree_size}`))).toEqual(first);
    expect(expectOk(await h.call("GET", `${V}/kt/sth`))).toEqual(second);
  });

  it("concurrent registrations append one leaf after the other (no index twice, no fork)", async () => {
    const before = expectOk(await h.call("GET", `${V}/kt/sth`)) as SignedTreeHead;
    const users = await Promise.all(Array.from({ length: 8 }, () => registerUser(h)));
    const after = expectOk(await h.call("GET", `${V}/kt/sth`)) as SignedTreeHead;
    expect(after.tree_size).toBe(before.tree_size + 16);
    const leaves = await allLeaves(after.tree_size);
    expect(Buffer.from(ktRootOfLeaves(leaves.map(ktLeafHash))).toString("base64")).toBe(after.root_hash);
    const subjects = leaves.slice(before.tree_size).map((l) => decodeKtLeaf(l).subject_id);
    for (const user of users) expect(subjects.filter((s) => s === user.userId)).toHaveLength(2);
  });

  it("bad or out-of-range queries are typed errors; a token is needed", async () => {
    const size = (expectOk(await h.call("GET", `${V}/kt/sth`)) as SignedTreeHead).tree_size;
    expectError(await h.call("GET", `${V}/kt/consistency?first=2&second=1`), 422, 11);
    expectError(await h.call("GET", `${V}/kt/consistency?first=1&second=${size + 1}`), 422, 11);
    expectError(await h.call("GET", `${V}/kt/consistency?first=x&second=1`), 400, 13);
    expectError(await h.call("GET", `${V}/kt/consistency?first=-1&second=1`), 400, 13);
    expectError(await h.call("GET", `${V}/kt/entries?start=0`), 400, 13);
    expectError(await h.call("GET", `${V}/kt/entries?start=0&end=${size + 1}`), 422, 11);
    expectError(await h.call("GET", `${V}/kt/sth?tree_size=${size + 100}`), 404, 404);
    expectError(await h.call("GET", `${V}/kt/subject/device/x`), 422, 11);
    expectError(await h.call("GET", `${V}/kt/sth`, { token: null }), 401, 200);
    expectError(await h.call("GET", `${V}/kt/log_key`, { token: h.closedApp.publicToken }), 400, 203);
    // A bounded page.
    const page = expectOk(await h.call("GET", `${V}/kt/entries?start=0&end=${size}`));
    expect(page.entries.length).toBe(Math.min(size, 1000));
  });

  it("the log key is sealed at rest with the server key", async () => {
    const driver = (h.server.store as unknown as { driver: SqlDriver }).driver;
    const row = await driver.direct.get("SELECT sign_key, verify_key FROM kt_log_keys WHERE app_id = ?", [h.app.id]);
    expect(String(row?.sign_key)).toMatch(/^enc:v1:[0-9a-f]{16}:/);
    expect(row?.verify_key).toBe(Buffer.from(logKey).toString("base64"));
  });
});

describe("two servers on one database", () => {
  it("append to one log: concurrent registrations on both never fork it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentc-kt-two-"));
    const dbPath = join(dir, "shared.sqlite");
    const a = await startHarness({}, { dbPath });
    const b = await startHarness({}, { dbPath, apps: a.apps });
    try {
      const callB = apiCaller(b.server.baseUrl, a.app.publicToken);
      const onB = { ...a, call: callB } as Harness;
      await Promise.all(Array.from({ length: 12 }, (_, i) => registerUser(i % 2 === 0 ? a : onB)));
      const headA = expectOk(await a.call("GET", `${V}/kt/sth`)) as SignedTreeHead;
      const headB = expectOk(await callB("GET", `${V}/kt/sth`)) as SignedTreeHead;
      // One size, one root, one log key: both processes sign the same tree.
      expect(headA.tree_size).toBe(24);
      expect(headB).toEqual(headA);
      expect(expectOk(await callB("GET", `${V}/kt/log_key`))).toEqual(expectOk(await a.call("GET", `${V}/kt/log_key`)));
      const leaves: Uint8Array[] = [];
      const page = expectOk(await callB("GET", `${V}/kt/entries?start=0&end=24`));
      for (const entry of page.entries) leaves.push(fromBase64(entry.leaf));
      expect(Buffer.from(ktRootOfLeaves(leaves.map(ktLeafHash))).toString("base64")).toBe(headA.root_hash);
      expect(new Set(leaves.map((l) => decodeKtLeaf(l).subject_id)).size).toBe(12);
    } finally {
      await b.close();
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("keys stored before the log", () => {
  it("are appended by the next start, and then served with their proof", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentc-kt-backfill-"));
    const dbPath = join(dir, "old.sqlite");
    const first = await startHarness({}, { dbPath });
    const user = await registerUser(first);
    const driver = (first.server.store as unknown as { driver: SqlDriver }).driver;
    // As a database of a version without the log: the keys are there, the log is empty.
    for (const table of ["kt_leaves", "kt_nodes", "kt_trees", "kt_heads"])
      await driver.direct.run(`DELETE FROM ${table} WHERE app_id = ?`, [first.app.id]);
    expect(expectOk(await first.call("GET", `${V}/user/${user.userId}/public_key`)).kt).toBeNull();
    await first.close();
    const second = await startHarness({}, { dbPath, apps: first.apps });
    try {
      const served = expectOk(await second.call("GET", `${V}/user/${user.userId}/public_key`));
      expect(served.kt.sth.tree_size).toBe(2);
      const key = fromBase64(expectOk(await second.call("GET", `${V}/kt/log_key`)).log_key);
      expect(verifyKtTreeHead(key, second.app.id, served.kt.sth)).toBe(true);
      const leaf = fromBase64(served.kt.leaf);
      expect(decodeKtLeaf(leaf)).toMatchObject({
        subject_type: "user",
        subject_id: user.userId,
        key: served.public_key,
      });
      const proof = served.kt.inclusion.map(fromBase64);
      const root = fromBase64(served.kt.sth.root_hash);
      expect(ktVerifyInclusion(ktLeafHash(leaf), served.kt.leaf_index, 2, proof, root)).toBe(true);
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
