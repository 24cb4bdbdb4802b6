/**
 * Key transparency against a malicious server, part two: monitoring and old heads.
 * - The server really publishes a key in a user's name (stored as a new key of the user's user group, so the log
 *   appends it honestly and the server serves it to others): the user's next login and `checkKeyTransparency()`
 *   report `foreign_key_in_log`, while an honest run has no findings.
 * - A replayed older head is accepted only when it is a prefix of the newest head held: an honest old head is
 *   proven consistent and kept back, an old head of a forked history is `log_fork`.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sentc, type SentcOptions } from "../../src/index.js";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import {
  type SignedTreeHead,
  decodeKtLeaf,
  encodeKtLeaf,
  ktInclusionProof,
  ktLeafHash,
  ktLogPublicKey,
  ktNodesOfLeaves,
  ktRootOfLeaves,
  signKtTreeHead,
} from "../../src/protocol/transparency.js";
import type { Harness, TestApp } from "../server/harness.js";
import { sentcError } from "../sdk/helpers.js";
import { initClient, newUser, type Scene, startScene } from "./client.js";
import type { MaliciousProxy } from "./proxy.js";

let scene: Scene;
let h: Harness;
let app: TestApp;
let proxy: MaliciousProxy;

/** A fresh client through the proxy. */
function client(options: Partial<SentcOptions> = {}): Promise<void> {
  return initClient(scene, options);
}

/** GET straight from the server (not through the proxy). */
async function direct(path: string): Promise<Record<string, unknown>> {
  const answer = await fetch(`${h.server.baseUrl}/api/v1${path}`, {
    headers: { "x-sentc-app-token": app.publicToken },
  });
  return ((await answer.json()) as { result: Record<string, unknown> }).result;
}

beforeAll(async () => {
  scene = await startScene();
  ({ h, app, proxy } = scene);
});
afterAll(async () => {
  await scene.close();
});

describe("monitoring the own keys", () => {
  it("reports a key the server published in the user's name: at login, on check, and as an error when required", async () => {
    proxy.hooks = {};
    await client();
    const mallory = await newUser();
    const victim = await newUser();
    // Honest run: the log holds exactly the keys the user made.
    expect(await victim.user.transparencyStatus()).toMatchObject({ available: true, findings: [] });
    expect((await victim.user.transparencyStatus()).error).toBeUndefined();
    expect((await victim.user.checkKeyTransparency()).findings).toEqual([]);

    // The server adds Mallory's key pair as the newest key of the victim's user group. The store appends it to the
    // log like every key (a real, consistent log entry), and the server serves it as the victim's public key.
    const store = h.server.store;
    const victimGroup = (await store.getUser(app.id, victim.userId))?.userGroupId;
    const malloryGroup = (await store.getUser(app.id, mallory.userId))?.userGroupId;
    const real = await store.getNewestGroupKey(app.id, victimGroup!);
    const attacker = await store.getNewestGroupKey(app.id, malloryGroup!);
    const forgedId = randomUUID();
    await store.insertGroupKey({
      ...attacker!,
      id: forgedId,
      groupId: victimGroup!,
      previousGroupKeyId: real!.id,
      time: real!.time + 1,
    });
    const logged = (await direct(`/kt/subject/user/${victim.userId}`)).leaves as Array<{ leaf: string }>;
    const forgedLeaves = logged.map((l) => decodeKtLeaf(fromBase64(l.leaf))).filter((l) => l.key_id === forgedId);
    expect(forgedLeaves.map((l) => [l.key_type, l.key])).toEqual([
      ["public", attacker!.publicKey],
      ["verify", attacker!.verifyKey],
    ]);
    expect((await direct(`/user/${victim.userId}/public_key`)).public_key_id).toBe(forgedId);

    const expected = [
      expect.objectContaining({ kind: "unknown_key", key_type: "public", key_id: forgedId }),
      expect.objectContaining({ kind: "unknown_key", key_type: "verify", key_id: forgedId }),
    ];
    // The next login finds it (the login itself goes on; the finding is in the status).
    await client();
    const again = await Sentc.login(victim.identifier, victim.password, true);
    const status = await again.transparencyStatus();
    expect(status.findings).toEqual(expected);
    expect(status.error?.code).toBe("foreign_key_in_log");
    expect(status.error?.message).toContain(forgedId);
    // An explicit check is the typed error.
    const error = await sentcError(again.checkKeyTransparency());
    expect(error.code).toBe("foreign_key_in_log");
    expect(error.message).toContain(forgedId);
    expect((await again.transparencyStatus()).findings).toEqual(expected);

    // With require_transparency the login itself fails.
    await client({ require_transparency: true });
    const refused = await sentcError(Sentc.login(victim.identifier, victim.password, true));
    expect(refused.code).toBe("foreign_key_in_log");

    // Another user's log is untouched: no findings for Mallory.
    await client();
    const honest = await Sentc.login(mallory.identifier, mallory.password, true);
    expect(await honest.transparencyStatus()).toMatchObject({ available: true, findings: [] });
    expect((await honest.checkKeyTransparency()).findings).toEqual([]);
  });
});

describe("an older head than the newest held", () => {
  it("is accepted when it is a prefix of the newest head, and is log_fork when its history differs", async () => {
    // The server controls its log key: the proxy signs every head itself (clients pin its key at first sight), so
    // it can sign an old head of a forked history.
    const seed = new Uint8Array(32).fill(9);
    let appId = "";
    const sign = (size: number, timestamp: number, root: Uint8Array): SignedTreeHead =>
      signKtTreeHead(seed, appId, size, timestamp, root);
    const resign = (sth: SignedTreeHead) => sign(sth.tree_size, sth.timestamp, fromBase64(sth.root_hash));
    /** What the proxy serves as the `kt` of bob's public key (over the honest one). */
    let bobKt: ((kt: Record<string, unknown>) => Record<string, unknown>) | undefined;
    let bobPath = "";
    proxy.hooks = {
      result: (_method, path, result) => {
        if (path === "/api/v1/kt/log_key") {
          appId = result.app_id as string;
          return { ...result, log_key: toBase64(ktLogPublicKey(seed)) };
        }
        if (path.startsWith("/api/v1/kt/subject/")) return { ...result, sth: resign(result.sth as SignedTreeHead) };
        const kt = result.kt as { sth: SignedTreeHead } | null | undefined;
        if (!kt) return result;
        if (path === bobPath && bobKt) return { ...result, kt: bobKt(kt) };
        return { ...result, kt: { ...kt, sth: resign(kt.sth) } };
      },
    };
    await client();
    const mallory = await newUser();
    const bob = await newUser();
    bobPath = `/api/v1/user/${bob.userId}/public_key`;
    const alice = await newUser();
    // Bob's key as served now: its proof is against the head of size `older`.
    const oldKt = (await direct(`/user/${bob.userId}/public_key`)).kt as {
      leaf_index: number;
      leaf: string;
      inclusion: string[];
      sth: SignedTreeHead;
    };
    const older = oldKt.sth.tree_size;
    const honestOld = resign(oldKt.sth);
    // The log grows; the client holds a newer head.
    await newUser();
    await alice.user.encryptString("hello", mallory.userId);
    const newest = (await Sentc.transparency()).sth;
    expect(newest?.tree_size).toBeGreaterThan(older);
    const forgetBob = async () => (await Sentc.getStore()).delete(`user_public_key_id_${bob.userId}`);
    const consistencyAsked = `/api/v1/kt/consistency?first=${older}&second=${newest?.tree_size}`;

    // An honest old head (a replayed key answer, and gossiped): proven a prefix of the newest, which stays held.
    bobKt = (kt) => ({ ...kt, leaf_index: oldKt.leaf_index, inclusion: oldKt.inclusion, sth: honestOld });
    await forgetBob();
    let from = proxy.requests.length;
    expect((await alice.user.encryptString("hello", bob.userId)).length).toBeGreaterThan(0);
    expect(proxy.requests.slice(from).map((r) => r.path)).toContain(consistencyAsked);
    await Sentc.compareTreeHead(honestOld);
    expect(await Sentc.transparency()).toMatchObject({ available: true, sth: newest });

    // A forked history of the old size: in it Alice's public key is Mallory's. Bob's leaf is in it as in the
    // real log, so his answer proves inclusion against the forked head, which is signed by the log key.
    const entries = (await direct(`/kt/entries?start=0&end=${older}`)).entries as Array<{ leaf: string }>;
    const malloryKey = (await direct(`/user/${mallory.userId}/public_key`)).public_key as string;
    const leaves = entries.map((e) => fromBase64(e.leaf));
    const target = leaves.findIndex((leaf) => {
      const record = decodeKtLeaf(leaf);
      return record.subject_id === alice.userId && record.key_type === "public";
    });
    expect(target).toBeGreaterThanOrEqual(0);
    leaves[target] = encodeKtLeaf({ ...decodeKtLeaf(leaves[target]!), key: malloryKey });
    const hashes = leaves.map(ktLeafHash);
    const forkedOld = sign(older, oldKt.sth.timestamp, ktRootOfLeaves(hashes));
    expect(forkedOld.root_hash).not.toBe(honestOld.root_hash);
    const forkedInclusion = ktInclusionProof(oldKt.leaf_index, older, ktNodesOfLeaves(hashes)).map(toBase64);
    bobKt = (kt) => ({ ...kt, leaf_index: oldKt.leaf_index, inclusion: forkedInclusion, sth: forkedOld });
    await forgetBob();
    from = proxy.requests.length;
    expect((await sentcError(alice.user.encryptString("secret", bob.userId))).code).toBe("log_fork");
    expect(proxy.requests.slice(from).map((r) => r.path)).toContain(consistencyAsked);
    // From then on no key is used, and the forked head was not kept.
    expect((await sentcError(alice.user.encryptString("secret", mallory.userId))).code).toBe("log_fork");
    expect(await Sentc.transparency()).toMatchObject({ available: false, sth: newest });

    // The same forked old head gossiped to a client holding the newest head.
    bobKt = undefined;
    await client();
    await Sentc.login(alice.identifier, alice.password, true);
    expect((await Sentc.transparency()).sth?.tree_size).toBeGreaterThan(older);
    await Sentc.compareTreeHead(honestOld);
    expect((await sentcError(Sentc.compareTreeHead(forkedOld))).code).toBe("log_fork");
    expect((await Sentc.transparency()).available).toBe(false);
    proxy.hooks = {};
  });
});
