/**
 * Pinned identity keys against the project's server: the first verify key seen for a user is pinned, the user's
 * own rotations are followed through their cross-signatures, a key the server swaps (a fetch that rewrites its
 * answers, as a malicious server would) is `key_changed` and nothing is encrypted or sent to it, a rotation without
 * a cross-signature (a plain sentc client) is `key_changed` too, `verifyUserAgain` re-pins, pins survive a reload,
 * signed group keys with a bad signature are refused by default, and `trust_server_keys` restores the reference.
 * Groups' public keys are pinned with their signer: the signer's rotations are followed, a key the server swapped,
 * a key of another signer or an unsigned key is `key_changed` naming the group, and `verifyGroupAgain` re-pins.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MemoryStorage, Sentc, type SentcOptions } from "../../src/index.js";
import { type ServerConfig, defaultAppOptions } from "../../server/config.js";
import { makeApp, startHarness, unique, type Harness, type TestApp } from "../server/harness.js";
import { sentcError } from "./helpers.js";

let h: Harness;
let app: TestApp;
let baseUrl: string;

/** What the fetch rewrites: a user's keys answered as another user's, and requests to record or alter. */
const attack: {
  /** Answer the public and verify keys of `from` with those of `to`. */
  swap: { from: string; to: string } | null;
  /** Answer verify keys without `verify_key_cross_sig` (as a plain sentc server, or for a plain sentc client's rotation). */
  stripCrossSig: boolean;
  /** Flip the group key signatures in group key answers. */
  corruptGroupKeySig: boolean;
  /** Answer the public key of group `from` with that of group `to`. */
  groupSwap: { from: string; to: string } | null;
  /** Answer group public keys without their signature (as a plain sentc server, or keys a sentc client made). */
  stripGroupPublicKeySig: boolean;
  /** Flip `public_group_key_sig` in group public key answers. */
  corruptGroupPublicKeySig: boolean;
  /** Answer the public key of group `groupId` with an earlier answer (replayed as the server kept it). */
  groupReplay: { groupId: string; answer: string } | null;
  /** Answer the newest public key of user `userId` with an earlier answer (replayed as the server kept it). */
  userReplay: { userId: string; answer: string } | null;
  log: string[];
} = {
  swap: null,
  stripCrossSig: false,
  corruptGroupKeySig: false,
  groupSwap: null,
  stripGroupPublicKeySig: false,
  corruptGroupPublicKeySig: false,
  groupReplay: null,
  userReplay: null,
  log: [],
};

/** Flips the first base64 character of a signature (of its Ed25519 half when it is hybrid JSON). */
function flipSignature(sig: string): string {
  const flip = (b64: string) => b64.replace(/^./, (c) => (c === "A" ? "B" : "A"));
  return sig.startsWith("{") ? JSON.stringify({ ...JSON.parse(sig), x: flip(JSON.parse(sig).x) }) : flip(sig);
}

function corrupt(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(corrupt);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = k === "group_key_sig" && typeof v === "string" ? flipSignature(v) : corrupt(v);
  return out;
}

/**
 * The pins are tested on their own: the key log's proofs (test/transparency) are taken off every answer, as a
 * plain sentc server answers, and its routes are not found (the swaps here would otherwise be refused by the log
 * check first).
 */
async function stripKt(response: Response): Promise<Response> {
  const text = await response.text();
  let out = text;
  try {
    const answer = JSON.parse(text) as { result?: unknown };
    if (answer.result !== null && typeof answer.result === "object" && "kt" in answer.result) {
      delete (answer.result as Record<string, unknown>).kt;
      out = JSON.stringify(answer);
    }
  } catch {
    // not JSON: passed on as it is
  }
  return new Response(out, { status: response.status, headers: response.headers });
}

async function attackingFetch(input: string, init: RequestInit): Promise<Response> {
  const url = new URL(input);
  const method = init.method ?? "GET";
  attack.log.push(`${method} ${url.pathname}`);
  if (attack.swap && method === "GET") {
    const from = `/api/v1/user/${attack.swap.from}/`;
    if (url.pathname.startsWith(from))
      url.pathname = `/api/v1/user/${attack.swap.to}/${url.pathname.slice(from.length)}`;
  }
  if (attack.groupSwap && method === "GET" && url.pathname === `/api/v1/group/${attack.groupSwap.from}/public_key`)
    url.pathname = `/api/v1/group/${attack.groupSwap.to}/public_key`;
  if (url.pathname.startsWith("/api/v1/kt/"))
    return new Response(JSON.stringify({ message: "Not Found", error: "Not Found", statusCode: 404 }), { status: 404 });
  if (
    attack.groupReplay &&
    method === "GET" &&
    url.pathname === `/api/v1/group/${attack.groupReplay.groupId}/public_key`
  )
    return new Response(attack.groupReplay.answer, { status: 200, headers: { "content-type": "application/json" } });
  if (attack.userReplay && method === "GET" && url.pathname === `/api/v1/user/${attack.userReplay.userId}/public_key`)
    return new Response(attack.userReplay.answer, { status: 200, headers: { "content-type": "application/json" } });
  const response = await stripKt(await fetch(url.toString(), init));
  if (attack.stripCrossSig && method === "GET" && url.pathname.includes("/verify_key/")) {
    const answer = JSON.parse(await response.text()) as { result?: Record<string, unknown> };
    expect(answer.result).toHaveProperty("verify_key_cross_sig");
    if (answer.result) delete answer.result.verify_key_cross_sig;
    return new Response(JSON.stringify(answer), { status: response.status, headers: response.headers });
  }
  const groupPublicKey = method === "GET" && /^\/api\/v1\/group\/[^/]+\/public_key$/.test(url.pathname);
  if (groupPublicKey && (attack.stripGroupPublicKeySig || attack.corruptGroupPublicKeySig)) {
    const answer = JSON.parse(await response.text()) as { result: Record<string, unknown> };
    expect(answer.result).toHaveProperty("public_group_key_sig");
    if (attack.corruptGroupPublicKeySig)
      answer.result.public_group_key_sig = flipSignature(answer.result.public_group_key_sig as string);
    else
      for (const field of ["public_group_key_sig", "public_group_key_sig_user_id", "public_group_key_sig_key_id"])
        delete answer.result[field];
    return new Response(JSON.stringify(answer), { status: response.status, headers: response.headers });
  }
  if (attack.corruptGroupKeySig && method === "GET" && url.pathname.startsWith("/api/v1/group/")) {
    const text = await response.text();
    return new Response(JSON.stringify(corrupt(JSON.parse(text))), {
      status: response.status,
      headers: response.headers,
    });
  }
  return response;
}

async function init(options: Partial<SentcOptions> = {}): Promise<void> {
  Sentc.reset();
  await Sentc.init({
    base_url: baseUrl,
    app_token: app.publicToken,
    fetch: attackingFetch,
    ...options,
  } as SentcOptions);
}

async function newUser() {
  const identifier = unique();
  const password = `pw-${unique()}`;
  const userId = await Sentc.register(identifier, password);
  const user = await Sentc.login(identifier, password, true);
  return { user, userId, password };
}

async function pinOf(userId: string) {
  return (await Sentc.getStore()).getItem<{
    key_id: string;
    trusted: Record<string, string>;
    public_keys?: { trusted: Record<string, string>; newest_key_id?: string; newest_order?: number };
  }>(`user_key_pin_id_${userId}`);
}

/** The server's answer to `GET /user/:id/public_key` now (without the key log's proof), to replay later. */
async function userPublicKeyAnswer(userId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/user/${userId}/public_key`, {
    headers: { "x-sentc-app-token": app.publicToken },
  });
  return (await stripKt(response)).text();
}

async function groupPinOf(groupId: string) {
  return (await Sentc.getStore()).getItem<{
    key_id: string;
    trusted: Record<string, string>;
    signers: string[];
    newest_key_id?: string;
  }>(`group_key_pin_id_${groupId}`);
}

/** The server's answer to `GET /group/:id/public_key` now (without the key log's proof), to replay later. */
async function groupPublicKeyAnswer(groupId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/group/${groupId}/public_key`, {
    headers: { "x-sentc-app-token": app.publicToken },
  });
  return (await stripKt(response)).text();
}

/** As if the group public key cache had expired: the next use fetches the group's newest public key. */
async function expireGroupPublicKey(groupId: string): Promise<void> {
  await (await Sentc.getStore()).delete(`group_public_key_id_${groupId}`);
}

/** As if the public key cache had expired (PUBLIC_KEY_TTL_MS): the next use fetches the user's newest key. */
async function expirePublicKey(userId: string): Promise<void> {
  await (await Sentc.getStore()).delete(`user_public_key_id_${userId}`);
}

beforeAll(async () => {
  const lax = makeApp({ options: { ...defaultAppOptions(), user_register: 1, user_delete: 1 } });
  h = await startHarness({ apps: [lax.config] as unknown as ServerConfig["apps"] });
  app = lax.app;
  baseUrl = h.server.baseUrl;
  await init();
});
afterAll(() => h.close());
afterEach(() => {
  attack.swap = null;
  attack.stripCrossSig = false;
  attack.corruptGroupKeySig = false;
  attack.groupSwap = null;
  attack.stripGroupPublicKeySig = false;
  attack.corruptGroupPublicKeySig = false;
  attack.groupReplay = null;
  attack.userReplay = null;
  attack.log = [];
});

describe("pinned identity keys", () => {
  it("pins at first use and follows the user's own rotations through their cross-signatures", async () => {
    const alice = await newUser();
    const bob = await newUser();
    expect(await pinOf(bob.userId)).toBeUndefined();
    const first = await alice.user.encryptString("hello", bob.userId);
    const firstKeyId = bob.user.user_data.newest_key_id;
    expect(await pinOf(bob.userId)).toMatchObject({ key_id: firstKeyId });
    expect(await bob.user.decryptString(first)).toBe("hello");

    for (let i = 0; i < 3; i++) await bob.user.keyRotation();
    expect(bob.user.user_data.newest_key_id).not.toBe(firstKeyId);
    await expirePublicKey(bob.userId);
    const later = await alice.user.encryptString("after three rotations", bob.userId);
    expect(await bob.user.decryptString(later)).toBe("after three rotations");
    const pin = await pinOf(bob.userId);
    expect(pin?.key_id).toBe(firstKeyId);
    expect(Object.keys(pin?.trusted ?? {})).toHaveLength(4);
    expect(pin?.trusted).toHaveProperty(bob.user.user_data.newest_key_id);
  });

  it("refuses a key the server swapped (key_changed): nothing is encrypted to it, no invite is sent", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const mallory = await newUser();
    await alice.user.encryptString("pin bob", bob.userId);
    const pinned = (await pinOf(bob.userId))!.key_id;
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);

    attack.swap = { from: bob.userId, to: mallory.userId };
    await expirePublicKey(bob.userId);
    const error = await sentcError(alice.user.encryptString("secret", bob.userId));
    expect(error.code, error.message).toBe("key_changed");
    expect(error.status).toBe("client_20001");
    expect(error.keyChange).toEqual({
      kind: "user",
      id: bob.userId,
      pinned_key_id: pinned,
      offered_key_id: mallory.user.user_data.newest_key_id,
    });

    attack.log = [];
    expect((await sentcError(group.invite(bob.userId))).code).toBe("key_changed");
    expect((await sentcError(group.inviteAuto(bob.userId))).code).toBe("key_changed");
    expect(attack.log.filter((line) => !line.startsWith("GET "))).toEqual([]);
    // The pin is unchanged.
    expect((await pinOf(bob.userId))?.key_id).toBe(pinned);
  });

  it("refuses a rotation without a cross-signature (a plain sentc client), and verifyUserAgain re-pins", async () => {
    const alice = await newUser();
    const bob = await newUser();
    await alice.user.encryptString("pin bob", bob.userId);
    const pinned = (await pinOf(bob.userId))!.key_id;
    await bob.user.keyRotation();
    await expirePublicKey(bob.userId);

    attack.stripCrossSig = true;
    const error = await sentcError(alice.user.encryptString("secret", bob.userId));
    expect(error.keyChange).toMatchObject({ pinned_key_id: pinned, offered_key_id: bob.user.user_data.newest_key_id });
    // The app shows the safety number of the offered key; the person confirms it (bob computes the same number).
    const number = await alice.user.createSafetyNumber({
      user_id: bob.userId,
      verify_key_id: error.keyChange!.offered_key_id,
    });
    expect(number).toBe(
      await bob.user.createSafetyNumber({ user_id: alice.userId, verify_key_id: alice.user.user_data.newest_key_id }),
    );
    // A wrong number pins nothing.
    const wrong = await sentcError(
      alice.user.verifyUserAgain(
        bob.userId,
        number.replace(/^./, (c) => (c === "A" ? "B" : "A")),
      ),
    );
    expect(wrong.code).toBe("verification_failed");
    expect((await pinOf(bob.userId))?.key_id).toBe(pinned);

    expect(await alice.user.verifyUserAgain(bob.userId, number)).toBe(number);
    attack.stripCrossSig = false;
    expect((await pinOf(bob.userId))?.key_id).toBe(bob.user.user_data.newest_key_id);
    const text = await alice.user.encryptString("verified again", bob.userId);
    expect(await bob.user.decryptString(text)).toBe("verified again");
  });

  it("refuses an older public key of a user served after a rotation (a lost device still holds it)", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const first = await alice.user.encryptString("pin bob", bob.userId);
    const pinned = (await pinOf(bob.userId))!.key_id;
    const oldKeyId = bob.user.user_data.newest_key_id;
    const oldAnswer = await userPublicKeyAnswer(bob.userId);
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);

    // Bob rotates (e.g. after losing a device): alice follows the rotation and accepts the new public key.
    await bob.user.keyRotation();
    const newKeyId = bob.user.user_data.newest_key_id;
    expect(newKeyId).not.toBe(oldKeyId);
    await expirePublicKey(bob.userId);
    expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(newKeyId);
    expect((await pinOf(bob.userId))?.public_keys).toMatchObject({ newest_key_id: newKeyId });

    // The server keeps answering bob's old public key (signed by a verify key the pin still accepts).
    attack.userReplay = { userId: bob.userId, answer: oldAnswer };
    await expirePublicKey(bob.userId);
    attack.log = [];
    const error = await sentcError(alice.user.encryptString("secret", bob.userId));
    expect(error.code, error.message).toBe("key_changed");
    expect(error.keyChange).toEqual({ kind: "user", id: bob.userId, pinned_key_id: pinned, offered_key_id: oldKeyId });
    expect(error.message).toContain(`user ${bob.userId}`);
    expect(error.message).toContain("older public key");
    expect((await sentcError(group.invite(bob.userId))).code).toBe("key_changed");
    expect((await sentcError(group.inviteAuto(bob.userId))).code).toBe("key_changed");
    expect(attack.log.filter((line) => !line.startsWith("GET "))).toEqual([]);
    expect((await pinOf(bob.userId))?.public_keys).toMatchObject({ newest_key_id: newKeyId });
    // A key fetched by its id (to check an old signature) still works.
    expect(await Sentc.getUserVerifyKey(bob.userId, oldKeyId)).toBe((await pinOf(bob.userId))!.trusted[oldKeyId]);
    expect(await bob.user.decryptString(first)).toBe("pin bob");

    // A pin written before the newest public key was kept: unknown, so the key answered is taken and recorded.
    const store = await Sentc.getStore();
    const { public_keys: _dropped, ...older } = (await pinOf(bob.userId))!;
    await store.set(`user_key_pin_id_${bob.userId}`, older);
    attack.userReplay = null;
    await expirePublicKey(bob.userId);
    expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(newKeyId);
    expect((await pinOf(bob.userId))?.public_keys).toMatchObject({ newest_key_id: newKeyId });
    attack.userReplay = { userId: bob.userId, answer: oldAnswer };
    await expirePublicKey(bob.userId);
    // Only the newest key was recorded for that pin: the old one is not an accepted key, and without the log its
    // age cannot be told, so it is taken as a new key.
    expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(oldKeyId);

    // verifyUserAgain re-pins to what the server serves.
    const number = await alice.user.createSafetyNumber({ user_id: bob.userId, verify_key_id: oldKeyId });
    expect(await alice.user.verifyUserAgain(bob.userId, number)).toBe(number);
    expect((await pinOf(bob.userId))?.public_keys).toMatchObject({ newest_key_id: oldKeyId });
    attack.userReplay = null;
    await expirePublicKey(bob.userId);
    const text = await alice.user.encryptString("after the rotation", bob.userId);
    expect(await bob.user.decryptString(text)).toBe("after the rotation");
    expect((await pinOf(bob.userId))?.public_keys).toMatchObject({ newest_key_id: newKeyId });
  });

  it("keeps pins in the app's store across a reload", async () => {
    const store = new MemoryStorage();
    await init({ storage: { getStorage: async () => store } });
    try {
      const alice = await newUser();
      const bob = await newUser();
      const mallory = await newUser();
      await alice.user.encryptString("pin bob", bob.userId);
      const pinned = (await store.getItem<{ key_id: string }>(`user_key_pin_id_${bob.userId}`))?.key_id;
      expect(pinned).toBe(bob.user.user_data.newest_key_id);

      await init({ storage: { getStorage: async () => store } });
      const restored = await Sentc.getActualUser();
      expect(restored.user_data.user_id).toBe(mallory.userId);
      // The restored SDK still knows bob's pin: a swapped key is refused.
      attack.swap = { from: bob.userId, to: mallory.userId };
      await store.delete(`user_public_key_id_${bob.userId}`);
      const error = await sentcError(restored.encryptString("secret", bob.userId));
      expect(error.keyChange).toMatchObject({ id: bob.userId, pinned_key_id: pinned });
    } finally {
      await init();
    }
  });

  it("with trust_server_keys takes the server's keys as the reference does", async () => {
    await init({ trust_server_keys: true });
    try {
      const alice = await newUser();
      const bob = await newUser();
      const mallory = await newUser();
      await alice.user.encryptString("bob", bob.userId);
      expect(await pinOf(bob.userId)).toBeUndefined();
      attack.swap = { from: bob.userId, to: mallory.userId };
      await expirePublicKey(bob.userId);
      // The swapped key is used: mallory reads what was meant for bob.
      const text = await alice.user.encryptString("meant for bob", bob.userId);
      attack.swap = null;
      expect(await mallory.user.decryptString(text)).toBe("meant for bob");
      // An older public key served after bob's rotation is used too.
      const oldAnswer = await userPublicKeyAnswer(bob.userId);
      const oldKeyId = bob.user.user_data.newest_key_id;
      await bob.user.keyRotation();
      attack.userReplay = { userId: bob.userId, answer: oldAnswer };
      await expirePublicKey(bob.userId);
      expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(oldKeyId);
      expect(await pinOf(bob.userId)).toBeUndefined();
    } finally {
      await init();
    }
  });
});

describe("signed group keys", () => {
  /** A signed group of a new user with two invited members. */
  async function signedGroup() {
    const alice = await newUser();
    const bob = await newUser();
    const carol = await newUser();
    const groupId = await alice.user.createGroup(true);
    const group = await alice.user.getGroup(groupId);
    await group.inviteAuto(bob.userId);
    await group.inviteAuto(carol.userId);
    return { alice, bob, carol, groupId };
  }

  it("are verified by default: a bad signature is refused, a good one checked against the signer's key", async () => {
    const { alice, bob, carol, groupId } = await signedGroup();
    attack.corruptGroupKeySig = true;
    const error = await sentcError(bob.user.getGroup(groupId));
    expect(error.code).toBe("verification_failed");
    expect(error.status).toBe("client_31");
    attack.corruptGroupKeySig = false;

    const loaded = await carol.user.getGroup(groupId);
    expect(loaded.data.keys).toHaveLength(1);
    // Checking the signature pinned the signer's key.
    expect((await pinOf(alice.userId))?.key_id).toBe(alice.user.user_data.newest_key_id);
  });

  it("with trust_server_keys load unchecked, as the reference's default verify = 0", async () => {
    await init({ trust_server_keys: true });
    try {
      const { bob, groupId } = await signedGroup();
      attack.corruptGroupKeySig = true;
      const loaded = await bob.user.getGroup(groupId);
      expect(loaded.data.keys).toHaveLength(1);
      attack.corruptGroupKeySig = false;
    } finally {
      await init();
    }
  });
});

describe("pinned group keys", () => {
  /** A user's connected group (a hub that may invite other groups). */
  async function hubOf(account: { user: Awaited<ReturnType<typeof newUser>>["user"] }) {
    const base = await account.user.getGroup(await account.user.createGroup());
    return base.getConnectedGroup(await base.createConnectedGroup());
  }

  it("pins a group's public key with its signer, follows the signer's rotations, refuses a swapped key (nothing is invited to it)", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const mallory = await newUser();
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    const firstKeyId = group.data.newest_key_id;
    const hub = await hubOf(bob);

    expect(await groupPinOf(groupId)).toBeUndefined();
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(firstKeyId);
    expect(await groupPinOf(groupId)).toMatchObject({ key_id: firstKeyId, signers: [alice.userId] });

    const rotated = await group.keyRotation();
    await expireGroupPublicKey(groupId);
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(rotated.group_key_id);
    expect(Object.keys((await groupPinOf(groupId))?.trusted ?? {}).sort()).toEqual(
      [firstKeyId, rotated.group_key_id].sort(),
    );

    // The server answers the public key of a group mallory made (signed by mallory) as alice's group's.
    const malloryGroupId = await mallory.user.createGroup();
    const malloryKeyId = (await mallory.user.getGroup(malloryGroupId)).data.newest_key_id;
    attack.groupSwap = { from: groupId, to: malloryGroupId };
    await expireGroupPublicKey(groupId);
    const error = await sentcError(Sentc.getGroupPublicKey(groupId));
    expect(error.code, error.message).toBe("key_changed");
    expect(error.status).toBe("client_20001");
    expect(error.keyChange).toEqual({
      kind: "group",
      id: groupId,
      pinned_key_id: firstKeyId,
      offered_key_id: malloryKeyId,
    });
    attack.log = [];
    expect((await sentcError(hub.inviteGroupAuto(groupId))).code).toBe("key_changed");
    expect((await sentcError(hub.inviteGroup(groupId))).code).toBe("key_changed");
    expect(attack.log.filter((line) => !line.startsWith("GET "))).toEqual([]);
    expect((await groupPinOf(groupId))?.key_id).toBe(firstKeyId);

    // Honest again: the invite goes to the group's real key.
    attack.groupSwap = null;
    await hub.inviteGroupAuto(groupId);
    const text = await hub.encryptString("to alice's group");
    expect(await (await group.getConnectedGroup(hub.data.group_id)).decryptString(text)).toBe("to alice's group");
  });

  it("refuses a key of a member who is not a pinned signer, and verifyGroupAgain re-pins and adds that signer", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const carol = await newUser();
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    await group.inviteAuto(bob.userId);
    const firstKeyId = group.data.newest_key_id;
    await Sentc.getGroupPublicKey(groupId);

    const bobsView = await bob.user.getGroup(groupId);
    const rotated = await bobsView.keyRotation();
    await expireGroupPublicKey(groupId);
    const error = await sentcError(Sentc.getGroupPublicKey(groupId));
    expect(error.code).toBe("key_changed");
    expect(error.keyChange).toEqual({
      kind: "group",
      id: groupId,
      pinned_key_id: firstKeyId,
      offered_key_id: rotated.group_key_id,
    });
    expect(error.message).toContain(bob.userId);

    expect(await carol.user.verifyGroupAgain(groupId)).toEqual({
      public_key_id: rotated.group_key_id,
      signed_by_user_id: bob.userId,
    });
    expect(await groupPinOf(groupId)).toMatchObject({
      key_id: rotated.group_key_id,
      signers: [alice.userId, bob.userId],
    });
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(rotated.group_key_id);
    // Both signers' later keys are accepted now.
    await group.finishKeyRotation();
    const again = await group.keyRotation();
    await expireGroupPublicKey(groupId);
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(again.group_key_id);
  });

  it("an unsigned first key pins only itself; an unsigned or badly signed later key is key_changed", async () => {
    const alice = await newUser();
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    attack.stripGroupPublicKeySig = true;
    await Sentc.getGroupPublicKey(groupId);
    expect(await groupPinOf(groupId)).toMatchObject({ key_id: group.data.newest_key_id, signers: [] });
    attack.stripGroupPublicKeySig = false;
    // Even a key alice signed: nobody's signature was pinned.
    const rotated = await group.keyRotation();
    await expireGroupPublicKey(groupId);
    expect((await sentcError(Sentc.getGroupPublicKey(groupId))).keyChange).toMatchObject({
      kind: "group",
      offered_key_id: rotated.group_key_id,
    });
    expect(await alice.user.verifyGroupAgain(groupId)).toEqual({
      public_key_id: rotated.group_key_id,
      signed_by_user_id: alice.userId,
    });

    // A later key without a signature, or with a bad one.
    const unsigned = await group.keyRotation();
    await expireGroupPublicKey(groupId);
    attack.stripGroupPublicKeySig = true;
    expect((await sentcError(Sentc.getGroupPublicKey(groupId))).keyChange?.offered_key_id).toBe(unsigned.group_key_id);
    attack.stripGroupPublicKeySig = false;
    attack.corruptGroupPublicKeySig = true;
    expect((await sentcError(Sentc.getGroupPublicKey(groupId))).code).toBe("key_changed");
    expect((await sentcError(alice.user.verifyGroupAgain(groupId))).code).toBe("verification_failed");
    attack.corruptGroupPublicKeySig = false;
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(unsigned.group_key_id);
  });

  it("refuses an older key of the group served after a rotation (a removed member still holds it)", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    await group.inviteAuto(bob.userId);
    const oldKeyId = group.data.newest_key_id;
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(oldKeyId);
    const oldAnswer = await groupPublicKeyAnswer(groupId);

    // Bob is removed and the key rotated: the newest key is one bob does not hold.
    await group.kickUser(bob.userId);
    const rotated = await group.keyRotation();
    await expireGroupPublicKey(groupId);
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(rotated.group_key_id);

    // The server keeps answering the old key (accepted once, signed by alice).
    attack.groupReplay = { groupId, answer: oldAnswer };
    await expireGroupPublicKey(groupId);
    const error = await sentcError(Sentc.getGroupPublicKey(groupId));
    expect(error.code, error.message).toBe("key_changed");
    expect(error.keyChange).toEqual({ kind: "group", id: groupId, pinned_key_id: oldKeyId, offered_key_id: oldKeyId });
    expect(error.message).toContain("older key");
    const hub = await (async () => {
      const base = await bob.user.getGroup(await bob.user.createGroup());
      return base.getConnectedGroup(await base.createConnectedGroup());
    })();
    attack.log = [];
    expect((await sentcError(hub.inviteGroupAuto(groupId))).code).toBe("key_changed");
    expect(attack.log.filter((line) => !line.startsWith("GET "))).toEqual([]);
    expect(await groupPinOf(groupId)).toMatchObject({ newest_key_id: rotated.group_key_id });
    // A pin written before the newest key was kept: its last accepted key counts as the newest.
    const store = await Sentc.getStore();
    const { newest_key_id: _dropped, ...older } = (await groupPinOf(groupId))!;
    await store.set(`group_key_pin_id_${groupId}`, older);
    await expireGroupPublicKey(groupId);
    expect((await sentcError(Sentc.getGroupPublicKey(groupId))).keyChange?.offered_key_id).toBe(oldKeyId);

    attack.groupReplay = null;
    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(rotated.group_key_id);
  });

  it("checks that a new key's signer is a pinned signer before its identity key is fetched (no pin is left for a refused signer)", async () => {
    const alice = await newUser();
    const mallory = await newUser();
    const groupId = await alice.user.createGroup();
    await Sentc.getGroupPublicKey(groupId);
    const malloryGroupId = await mallory.user.createGroup();
    expect(await pinOf(mallory.userId)).toBeUndefined();
    attack.groupSwap = { from: groupId, to: malloryGroupId };
    await expireGroupPublicKey(groupId);
    const error = await sentcError(Sentc.getGroupPublicKey(groupId));
    expect(error.code).toBe("key_changed");
    expect(error.message).toContain(mallory.userId);
    expect(attack.log.filter((line) => line.includes(`/user/${mallory.userId}/verify_key/`))).toEqual([]);
    expect(await pinOf(mallory.userId)).toBeUndefined();
  });

  it("a key whose signer was deleted is pinned as unsigned at first contact and by verifyGroupAgain", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const groupId = await alice.user.createGroup();
    const group = await alice.user.getGroup(groupId);
    await group.inviteAuto(bob.userId);
    const keyId = group.data.newest_key_id;
    await alice.user.deleteUser(alice.password);
    expect(await pinOf(alice.userId)).toBeUndefined();

    expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(keyId);
    expect(await groupPinOf(groupId)).toMatchObject({ key_id: keyId, signers: [] });
    expect(await bob.user.verifyGroupAgain(groupId)).toEqual({ public_key_id: keyId, signed_by_user_id: null });
    expect(await groupPinOf(groupId)).toMatchObject({ key_id: keyId, signers: [] });
  });

  it("with trust_server_keys takes the server's group keys as the reference does", async () => {
    await init({ trust_server_keys: true });
    try {
      const alice = await newUser();
      const mallory = await newUser();
      const groupId = await alice.user.createGroup();
      await Sentc.getGroupPublicKey(groupId);
      expect(await groupPinOf(groupId)).toBeUndefined();
      const malloryGroupId = await mallory.user.createGroup();
      attack.groupSwap = { from: groupId, to: malloryGroupId };
      await expireGroupPublicKey(groupId);
      expect((await Sentc.getGroupPublicKey(groupId)).id).toBe(
        (await mallory.user.getGroup(malloryGroupId)).data.newest_key_id,
      );
    } finally {
      await init();
    }
  });
});
