/**
 * Key transparency against a malicious server: a real HTTP proxy between the SDK and the project's server swaps a
 * user's key, swaps a group key, hides a key from the log and forks the log; and the server itself publishes a new
 * public key for a group (honestly logged) that the attacker made and signed. Each is a typed error before anything
 * is encrypted to the attacker's key (no request body after the detection names it). Through an honest proxy
 * everything works, and against a server without the log keys work and the guarantee is reported unavailable.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sentc, type SentcOptions } from "../../src/index.js";
import { fromBase64, toBase64 } from "../../src/protocol/encoding.js";
import {
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

/** The request bodies sent from index `from` on that name `text` (the attacker's key id). */
function bodiesNaming(from: number, text: string): string[] {
  return proxy.requests
    .slice(from)
    .filter((r) => r.body.includes(text))
    .map((r) => `${r.method} ${r.path}`);
}

/** The requests since `from` that could carry data (all but GET): none may go out after a refused key. */
function writesSince(from: number) {
  return proxy.requests.slice(from).filter((r) => r.method !== "GET");
}

beforeAll(async () => {
  scene = await startScene();
  ({ h, app, proxy } = scene);
});
afterAll(async () => {
  await scene.close();
});

describe("key transparency through a proxy", () => {
  it("works when the proxy is honest: keys are proven, the head is kept, the own keys are exactly the log's", async () => {
    proxy.hooks = {};
    await client();
    const bob = await newUser();
    const alice = await newUser();
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    await group.inviteAuto(bob.userId);
    const text = await alice.user.encryptString("hello", bob.userId);
    expect(text.length).toBeGreaterThan(0);
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBeTruthy();
    const status = await Sentc.transparency();
    expect(status.available).toBe(true);
    expect(status.sth?.tree_size).toBeGreaterThan(0);
    const own = await alice.user.checkKeyTransparency();
    expect(own.findings).toEqual([]);
    expect((await alice.user.transparencyStatus()).findings).toEqual([]);
  });

  it("(a) refuses a user key the server swapped at first contact: nothing is encrypted or invited to it", async () => {
    proxy.hooks = {};
    await client();
    const mallory = await newUser();
    const malloryKeyId = (await Sentc.getUserPublicKey(mallory.userId)).public_key_id;
    const bob = await newUser();
    const alice = await newUser();
    const group = await alice.user.getGroup(await alice.user.createGroup());
    const from = proxy.requests.length;
    proxy.hooks.path = (method, path) =>
      method === "GET" ? path.replace(`/user/${bob.userId}/`, `/user/${mallory.userId}/`) : path;
    await (await Sentc.getStore()).delete(`user_public_key_id_${bob.userId}`);
    expect((await sentcError(alice.user.encryptString("secret", bob.userId))).code).toBe("transparency_failed");
    expect((await sentcError(group.invite(bob.userId))).code).toBe("transparency_failed");
    expect(bodiesNaming(from, malloryKeyId)).toEqual([]);
    expect(writesSince(from)).toEqual([]);
  });

  it("(b) refuses a group key the server swapped", async () => {
    proxy.hooks = {};
    await client();
    const alice = await newUser();
    const real = await alice.user.createGroup();
    const other = await alice.user.createGroup();
    const otherKeyId = (await Sentc.getGroupPublicKey(other)).id;
    const from = proxy.requests.length;
    proxy.hooks.path = (_method, path) => path.replace(`/group/${real}/public_key`, `/group/${other}/public_key`);
    expect((await sentcError(Sentc.getGroupPublicKey(real))).code).toBe("transparency_failed");
    expect(bodiesNaming(from, otherKeyId)).toEqual([]);
  });

  it("(e) refuses a group key the server published in the group's name and the attacker signed: key_changed, nothing is invited to it", async () => {
    proxy.hooks = {};
    await client();
    const mallory = await newUser();
    const alice = await newUser();
    const bob = await newUser();
    const groupId = await alice.user.createGroup();
    const realKeyId = (await alice.user.getGroup(groupId)).data.newest_key_id;
    const bobBase = await bob.user.getGroup(await bob.user.createGroup());
    const hub = await bobBase.getConnectedGroup(await bobBase.createConnectedGroup());
    // Bob's SDK meets alice's group: its public key is pinned with alice as its signer.
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(realKeyId);

    // The server makes mallory's group key (signed by mallory) the newest key of alice's group. The store appends it
    // to the log like every key, so its proof is a real one; only the pin can tell.
    const store = h.server.store;
    const malloryGroupId = await mallory.user.createGroup();
    const attacker = await store.getNewestGroupKey(app.id, malloryGroupId);
    const real = await store.getNewestGroupKey(app.id, groupId);
    expect(attacker?.publicGroupKeySigUserId).toBe(mallory.userId);
    const forgedId = randomUUID();
    await store.insertGroupKey({
      ...attacker!,
      id: forgedId,
      groupId,
      previousGroupKeyId: real!.id,
      time: real!.time + 1,
    });
    await (await Sentc.getStore()).delete(`group_public_key_id_${groupId}`);

    const from = proxy.requests.length;
    const error = await sentcError(Sentc.getGroupPublicKey(groupId));
    expect(error.code, error.message).toBe("key_changed");
    expect(error.keyChange).toEqual({ kind: "group", id: groupId, pinned_key_id: realKeyId, offered_key_id: forgedId });
    expect((await sentcError(hub.inviteGroupAuto(groupId))).code).toBe("key_changed");
    expect((await sentcError(hub.inviteGroup(groupId))).code).toBe("key_changed");
    expect(bodiesNaming(from, forgedId)).toEqual([]);
    expect(writesSince(from)).toEqual([]);
  });

  it("(f) refuses an older group key than the pinned one, logged before it, that this client never saw", async () => {
    proxy.hooks = {};
    await client();
    const alice = await newUser();
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    const oldKeyId = group.data.newest_key_id;
    // The server's answer for the first key (signed by alice, with its real proof), kept to be served again.
    const publicKeyPath = `/api/v1/group/${groupId}/public_key`;
    const oldAnswer = (
      (await (
        await fetch(`${proxy.url}${publicKeyPath}`, { headers: { "x-sentc-app-token": app.publicToken } })
      ).json()) as { result: Record<string, unknown> }
    ).result;
    expect(oldAnswer.public_key_id).toBe(oldKeyId);
    const rotated = await group.keyRotation();
    // This client meets the group after the rotation: only the newest key is pinned.
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(rotated.group_key_id);

    proxy.hooks.result = (method, path, result) => (method === "GET" && path === publicKeyPath ? oldAnswer : result);
    await (await Sentc.getStore()).delete(`group_public_key_id_${groupId}`);
    const from = proxy.requests.length;
    const error = await sentcError(Sentc.getGroupPublicKey(groupId));
    expect(error.code, error.message).toBe("key_changed");
    expect(error.keyChange).toEqual({
      kind: "group",
      id: groupId,
      pinned_key_id: rotated.group_key_id,
      offered_key_id: oldKeyId,
    });
    expect(error.message).toContain("older key");
    expect(writesSince(from)).toEqual([]);
    proxy.hooks = {};
  });

  it("(g) refuses an older public key of a user than the newest accepted one, logged before it, that this client never saw", async () => {
    proxy.hooks = {};
    await client();
    const bob = await newUser();
    const oldKeyId = bob.user.user_data.newest_key_id;
    // The server's answer for bob's first public key (signed by bob's first sign key, with its real proof).
    const publicKeyPath = `/api/v1/user/${bob.userId}/public_key`;
    const oldAnswer = (
      (await (
        await fetch(`${proxy.url}${publicKeyPath}`, { headers: { "x-sentc-app-token": app.publicToken } })
      ).json()) as { result: Record<string, unknown> }
    ).result;
    expect(oldAnswer.public_key_id).toBe(oldKeyId);
    await bob.user.keyRotation();
    const newKeyId = bob.user.user_data.newest_key_id;
    const alice = await newUser();
    const group = await alice.user.getGroup(await alice.user.createGroup());
    // Alice meets bob after the rotation: only his newest keys are accepted.
    expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(newKeyId);

    proxy.hooks.result = (method, path, result) => (method === "GET" && path === publicKeyPath ? oldAnswer : result);
    await (await Sentc.getStore()).delete(`user_public_key_id_${bob.userId}`);
    const from = proxy.requests.length;
    const error = await sentcError(alice.user.encryptString("secret", bob.userId));
    expect(error.code, error.message).toBe("key_changed");
    expect(error.keyChange).toMatchObject({ kind: "user", id: bob.userId, offered_key_id: oldKeyId });
    expect(error.message).toContain("logged before the newest accepted key");
    expect((await sentcError(group.inviteAuto(bob.userId))).code).toBe("key_changed");
    expect(writesSince(from)).toEqual([]);
    proxy.hooks = {};
  });

  it("(d) refuses a key hidden from the log: no proof, a wrong inclusion proof, or a key the leaf does not hold", async () => {
    proxy.hooks = {};
    await client();
    const mallory = await newUser();
    const malloryKey = await Sentc.getUserPublicKey(mallory.userId);
    const bob = await newUser();
    const alice = await newUser();
    const publicKeyPath = `/api/v1/user/${bob.userId}/public_key`;
    const fresh = () => Sentc.getStore().then((s) => s.delete(`user_public_key_id_${bob.userId}`));
    const attempts: Array<(r: Record<string, unknown>) => Record<string, unknown>> = [
      ({ kt: _dropped, ...rest }) => rest,
      (r) => ({ ...r, kt: null }),
      (r) => {
        const kt = r.kt as { inclusion: string[] };
        const first = fromBase64(kt.inclusion[0]!);
        first[0] = (first[0] ?? 0) ^ 1;
        return { ...r, kt: { ...kt, inclusion: [toBase64(first), ...kt.inclusion.slice(1)] } };
      },
      (r) => ({ ...r, public_key: malloryKey.public_key }),
    ];
    // One tree head is already held (the log key is pinned), as after any earlier key fetch.
    expect((await Sentc.transparency()).available).toBe(true);
    for (const rewrite of attempts) {
      await fresh();
      const from = proxy.requests.length;
      proxy.hooks.result = (_method, path, result) => (path === publicKeyPath ? rewrite(result) : result);
      expect((await sentcError(alice.user.encryptString("secret", bob.userId))).code).toBe("transparency_failed");
      expect(bodiesNaming(from, malloryKey.public_key_id)).toEqual([]);
    }
  });

  it("(c) detects a fork: a head of the same size with another root, also when another client's head is gossiped", async () => {
    // The server controls its log key: here the proxy signs every head itself (clients pin its key at first sight)
    // and serves the victim's key from a forked log in which the victim's leaf holds the attacker's key.
    const seed = new Uint8Array(32).fill(7);
    let appId = "";
    let fork = false;
    let victim = "";
    let attackerKey: { public_key: string; alg: string } = { public_key: "", alg: "" };
    const resign = (sth: Record<string, unknown>, root?: Uint8Array) =>
      signKtTreeHead(
        seed,
        appId,
        sth.tree_size as number,
        sth.timestamp as number,
        root ?? fromBase64(sth.root_hash as string),
      );
    proxy.hooks = {
      result: async (_method, path, result, headers) => {
        if (path === "/api/v1/kt/log_key") {
          appId = result.app_id as string;
          return { ...result, log_key: toBase64(ktLogPublicKey(seed)) };
        }
        if (path.startsWith("/api/v1/kt/subject/"))
          return { ...result, sth: resign(result.sth as Record<string, unknown>) };
        const kt = result.kt as { sth: Record<string, unknown>; leaf: string; leaf_index: number } | null | undefined;
        if (!kt) return result;
        if (!fork) return { ...result, kt: { ...kt, sth: resign(kt.sth) } };
        // The forked log: the victim's public key leaf holds the attacker's key; every proof is from that tree.
        const size = kt.sth.tree_size as number;
        const entries = (await (
          await fetch(`${h.server.baseUrl}/api/v1/kt/entries?start=0&end=${size}`, { headers })
        ).json()) as { result: { entries: Array<{ leaf: string }> } };
        const leaves = entries.result.entries.map((e) => fromBase64(e.leaf));
        let forged: Uint8Array | undefined;
        leaves.forEach((leaf, index) => {
          const record = decodeKtLeaf(leaf);
          if (record.subject_id !== victim || record.key_type !== "public") return;
          forged = encodeKtLeaf({ ...record, key: attackerKey.public_key, key_alg: attackerKey.alg });
          leaves[index] = forged;
        });
        const hashes = leaves.map(ktLeafHash);
        const root = ktRootOfLeaves(hashes);
        const victimKey = path === `/api/v1/user/${victim}/public_key`;
        return {
          ...result,
          ...(victimKey ? { public_key: attackerKey.public_key, public_key_alg: attackerKey.alg } : {}),
          kt: {
            ...kt,
            leaf: victimKey && forged ? toBase64(forged) : kt.leaf,
            inclusion: ktInclusionProof(kt.leaf_index, size, ktNodesOfLeaves(hashes)).map(toBase64),
            sth: resign(kt.sth, root),
          },
        };
      },
    };
    // Client 1 sees the honest log.
    await client();
    const mallory = await newUser();
    const bob = await newUser();
    victim = bob.userId;
    const alice = await newUser();
    await alice.user.encryptString("hello", bob.userId);
    const honestHead = (await Sentc.transparency()).sth;
    expect(honestHead).toBeTruthy();
    const malloryAnswer = (
      (await (
        await fetch(`${h.server.baseUrl}/api/v1/user/${mallory.userId}/public_key`, {
          headers: { "x-sentc-app-token": app.publicToken },
        })
      ).json()) as { result: Record<string, string> }
    ).result;
    attackerKey = { public_key: malloryAnswer.public_key!, alg: malloryAnswer.public_key_alg! };

    // Client 1 again: the same size with another root is a fork, and from then on no key is used.
    fork = true;
    await (await Sentc.getStore()).delete(`user_public_key_id_${bob.userId}`);
    let from = proxy.requests.length;
    expect((await sentcError(alice.user.encryptString("secret", bob.userId))).code).toBe("log_fork");
    expect((await sentcError(alice.user.encryptString("secret", alice.userId))).code).toBe("log_fork");
    expect((await Sentc.transparency()).available).toBe(false);
    expect(bodiesNaming(from, malloryAnswer.public_key_id!)).toEqual([]);

    // Client 2 only ever sees the fork (it cannot tell alone); the head gossiped from client 1 shows it.
    await client();
    proxy.hooks.notFound = (_m, path) => path.startsWith("/api/v1/kt/subject/");
    const carol = await newUser();
    proxy.hooks.notFound = undefined;
    // Its first head is the forked one (the swapped key itself would also fail the pin of the victim's signature).
    await Sentc.getUserPublicKey(alice.userId);
    expect((await Sentc.transparency()).sth?.root_hash).not.toBe(honestHead?.root_hash);
    from = proxy.requests.length;
    expect((await sentcError(Sentc.compareTreeHead(honestHead!))).code).toBe("log_fork");
    expect((await sentcError(carol.user.encryptString("secret", bob.userId))).code).toBe("log_fork");
    expect(bodiesNaming(from, malloryAnswer.public_key_id!)).toEqual([]);
    proxy.hooks = {};
  });

  it("keeps working against a server without the log, reporting the guarantee unavailable (an error when required)", async () => {
    const strip = (_m: string, _p: string, result: Record<string, unknown>) => {
      const { kt: _dropped, ...rest } = result;
      return rest;
    };
    proxy.hooks = { result: strip, notFound: (_m, path) => path.startsWith("/api/v1/kt/") };
    await client();
    const bob = await newUser();
    const alice = await newUser();
    const encrypted = await alice.user.encryptString("hello", bob.userId);
    expect(encrypted.length).toBeGreaterThan(0);
    const status = await Sentc.transparency();
    expect(status).toMatchObject({ available: false });
    expect(status.reason).toMatch(/without|no key transparency/);
    expect((await alice.user.transparencyStatus()).available).toBe(false);

    await client({ require_transparency: true });
    const dave = await newUser().catch((e: unknown) => e);
    expect((dave as { code?: string }).code).toBe("transparency_unavailable");
    await client({ require_transparency: true });
    expect((await sentcError(Sentc.getUserPublicKey(bob.userId))).code).toBe("transparency_unavailable");
    proxy.hooks = {};
  });
});
