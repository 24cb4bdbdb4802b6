/**
 * The log key answer and the stored log state against a hostile server and a corrupt key store: a `GET
 * /kt/log_key` answer that is not a usable Ed25519 log key of this app (not base64, 31 bytes, another alg, another
 * app id, a key that does not sign the log's heads) is `transparency_failed` and stores nothing, so the next
 * honest answer works. A log state stored corrupt (by an earlier version that stored the answer unchecked, or by
 * damage) does not refuse every key from then on: it is treated as absent and the log key is pinned again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sentc } from "../../src/index.js";
import { toBase64 } from "../../src/protocol/encoding.js";
import { ktLogPublicKey } from "../../src/protocol/transparency.js";
import { sentcError } from "../sdk/helpers.js";
import { type Account, initClient, newUser, type Scene, startScene } from "./client.js";
import type { MaliciousProxy } from "./proxy.js";

const KT_STATE = "kt_state";

let scene: Scene;
let proxy: MaliciousProxy;
let bob: Account;
let real: { app_id: string; log_key: string };

async function storedState(): Promise<unknown> {
  return (await Sentc.getStore()).getItem(KT_STATE);
}

/** A fresh client (empty key store) through the proxy, with the log key answer replaced by `answer`. */
async function clientWithLogKeyAnswer(answer: Record<string, unknown>): Promise<void> {
  proxy.hooks = {
    result: (method, path, result) => (method === "GET" && path === "/api/v1/kt/log_key" ? answer : result),
  };
  await initClient(scene);
}

beforeAll(async () => {
  scene = await startScene();
  proxy = scene.proxy;
  proxy.hooks = {};
  await initClient(scene);
  bob = await newUser();
  await Sentc.getUserPublicKey(bob.userId);
  const status = await Sentc.transparency();
  expect(status.available).toBe(true);
  real = { app_id: status.app_id!, log_key: status.log_key! };
});
afterAll(async () => {
  await scene.close();
});

describe("a hostile GET /kt/log_key answer", () => {
  const otherKey = () => toBase64(ktLogPublicKey(new Uint8Array(32).fill(7)));
  const bad: Array<[string, () => Record<string, unknown>]> = [
    ["a log key that is not base64", () => ({ ...real, alg: "ed25519", log_key: "not base64!" })],
    ["a 31-byte log key", () => ({ ...real, alg: "ed25519", log_key: toBase64(new Uint8Array(31).fill(1)) })],
    ["a 33-byte log key", () => ({ ...real, alg: "ed25519", log_key: toBase64(new Uint8Array(33).fill(1)) })],
    ["another alg", () => ({ ...real, alg: "rsa" })],
    ["an alg named after a prototype member", () => ({ ...real, alg: "constructor" })],
    ["another app id", () => ({ ...real, alg: "ed25519", app_id: "another-app" })],
    ["an empty app id", () => ({ ...real, alg: "ed25519", app_id: "" })],
    ["an app id that is no string", () => ({ ...real, alg: "ed25519", app_id: 7 })],
    ["a log key that does not sign the log's heads", () => ({ ...real, alg: "ed25519", log_key: otherKey() })],
  ];

  for (const [what, answer] of bad) {
    it(`${what}: transparency_failed, nothing is stored, the next honest answer works`, async () => {
      await clientWithLogKeyAnswer(answer());
      const error = await sentcError(Sentc.getUserPublicKey(bob.userId));
      expect(error.code, error.message).toBe("transparency_failed");
      expect(await storedState()).toBeUndefined();
      expect((await Sentc.transparency()).available).toBe(false);

      proxy.hooks = {};
      expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(bob.user.user_data.newest_key_id);
      const status = await Sentc.transparency();
      expect(status.available).toBe(true);
      expect({ app_id: status.app_id, log_key: status.log_key }).toEqual(real);
    });
  }

  it("at login (monitoring): login works, the status names the error, nothing is stored, a later check works", async () => {
    await clientWithLogKeyAnswer({ ...real, alg: "ed25519", log_key: "not base64!" });
    const user = await Sentc.login(bob.identifier, bob.password, true);
    const status = await user.transparencyStatus();
    expect(status.error?.code).toBe("transparency_failed");
    expect(await storedState()).toBeUndefined();
    proxy.hooks = {};
    expect((await user.checkKeyTransparency()).findings).toEqual([]);
    expect((await Sentc.transparency()).log_key).toBe(real.log_key);
  });
});

describe("a log state stored corrupt", () => {
  const corrupt: Array<[string, () => Record<string, unknown>]> = [
    ["a log key that is not base64", () => ({ app_id: real.app_id, log_key: "not base64!", sth: null })],
    ["a 31-byte log key", () => ({ app_id: real.app_id, log_key: toBase64(new Uint8Array(31)), sth: null })],
    ["an app id that is no string", () => ({ app_id: 1, log_key: real.log_key, sth: null })],
  ];

  for (const [what, state] of corrupt) {
    it(`${what}: treated as absent, the log key is pinned again`, async () => {
      proxy.hooks = {};
      await initClient(scene);
      await (await Sentc.getStore()).set(KT_STATE, state());
      expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(bob.user.user_data.newest_key_id);
      const status = await Sentc.transparency();
      expect(status.available).toBe(true);
      expect({ app_id: status.app_id, log_key: status.log_key }).toEqual(real);
    });
  }

  it("a malformed head with a good log key: the head is dropped, the pinned log key is kept", async () => {
    proxy.hooks = {};
    await initClient(scene);
    const head = { tree_size: 1, root_hash: "not base64!", timestamp: 0, signature: "x" };
    await (await Sentc.getStore()).set(KT_STATE, { ...real, sth: head });
    expect((await Sentc.getUserPublicKey(bob.userId)).public_key_id).toBe(bob.user.user_data.newest_key_id);
    const status = await Sentc.transparency();
    expect(status.available).toBe(true);
    expect(status.log_key).toBe(real.log_key);
    expect(status.sth?.root_hash).not.toBe(head.root_hash);
  });

  it("a stored fork is kept, also next to a corrupt log key", async () => {
    proxy.hooks = {};
    await initClient(scene);
    await (await Sentc.getStore()).set(KT_STATE, { app_id: real.app_id, log_key: "x", sth: null, forked: "seen" });
    expect((await sentcError(Sentc.getUserPublicKey(bob.userId))).code).toBe("log_fork");
    const status = await Sentc.transparency();
    expect(status.available).toBe(false);
    expect(status.reason).toContain("forked");
  });
});
