/**
 * Key ids chosen by the server are looked up in the pins as names, never as object members: a key id named after
 * a member every object inherits ("constructor", "toString", "__proto__", …) is a key id like any other. Before, a
 * new public key of a user or group with such an id was a false `key_changed` ("another key under an accepted key
 * id": the inherited member was read as an accepted key), and a verify key "__proto__" reached through a signed
 * rotation was not kept in the pin (the assignment set the prototype instead). The pins are driven directly with a
 * key store and a fake server answering verify keys.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../../src/api/http.js";
import { MemoryStorage } from "../../src/index.js";
import { signGroupPublicKey, signVerifyKeyRotation } from "../../src/protocol/key-pin.js";
import { generateKeyPair, generateSignKeyPair } from "../../src/protocol/keypairs.js";
import { exportPublicKey, exportVerifyKey } from "../../src/protocol/keys.js";
import { publicKeyPemText, signPublicKey } from "../../src/protocol/public-keys.js";
import type { SdkContext } from "../../src/sdk/internal.js";
import {
  type GroupKeyPin,
  type UserKeyPin,
  checkPinnedGroupPublicKey,
  checkPinnedPublicKey,
  pinnedUserVerifyKey,
} from "../../src/sdk/key-pins.js";
import { loadReleaseCore } from "../helpers/core.js";

beforeAll(loadReleaseCore);

const INHERITED = ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty"];
const USER = "user-1";
const GROUP = "group-1";

/** A context with a fresh key store and a server that answers only the verify keys in `verifyKeys`. */
function context(verifyKeys: Record<string, Record<string, unknown>> = {}) {
  const store = new MemoryStorage();
  const requests: string[] = [];
  const fetch = async (input: string) => {
    const path = new URL(input).pathname;
    requests.push(path);
    const match = /^\/api\/v1\/user\/[^/]+\/verify_key\/([^/]+)$/.exec(path);
    const id = match ? decodeURIComponent(match[1]!) : undefined;
    const result = id !== undefined && Object.hasOwn(verifyKeys, id) ? verifyKeys[id] : undefined;
    const body = result ? { status: true, result } : { status: false, err_code: 100, err_msg: "not found" };
    return new Response(JSON.stringify(body), { status: result ? 200 : 404 });
  };
  const http = new HttpClient({ baseUrl: "http://server.test", appToken: "token", fetch });
  const ctx = { http, getStore: async () => store } as unknown as SdkContext;
  return { ctx, store, requests };
}

/** The user's first identity key pair, pinned with its first public key as the newest one. */
async function pinnedUser(store: MemoryStorage) {
  const sign = generateSignKeyPair("vk-1");
  const first = generateKeyPair("pk-1");
  const pin: UserKeyPin = {
    key_id: "vk-1",
    trusted: { "vk-1": exportVerifyKey(sign.verifyKey) },
    time: 1,
    public_keys: { trusted: { "pk-1": exportPublicKey(first.publicKey) }, newest_key_id: "pk-1" },
  };
  await store.set(`user_key_pin_id_${USER}`, pin);
  return sign;
}

describe("key ids named after inherited object members", () => {
  for (const id of INHERITED) {
    it(`a user's new public key "${id}", signed by the pinned identity key, is accepted as the newest`, async () => {
      const { ctx, store } = context();
      const sign = await pinnedUser(store);
      const next = generateKeyPair(id);
      const { signature } = signPublicKey(sign.signKey, next.publicKey);
      await checkPinnedPublicKey(ctx, USER, {
        public_key_id: id,
        public_key: publicKeyPemText(next.publicKey),
        public_key_alg: next.publicKey.alg,
        public_key_sig: signature,
        public_key_sig_key_id: "vk-1",
      });
      const pin = await store.getItem<UserKeyPin>(`user_key_pin_id_${USER}`);
      expect(pin?.public_keys?.newest_key_id).toBe(id);
      expect(Object.hasOwn(pin!.public_keys!.trusted, id)).toBe(true);
      expect(pin!.public_keys!.trusted[id]).toBe(exportPublicKey(next.publicKey));
    });

    it(`a group's new public key "${id}", signed by a pinned signer, is accepted as the newest`, async () => {
      const { ctx, store } = context();
      const sign = await pinnedUser(store);
      const first = generateKeyPair("g-1");
      const groupPin: GroupKeyPin = {
        key_id: "g-1",
        trusted: { "g-1": exportPublicKey(first.publicKey) },
        newest_key_id: "g-1",
        signers: [USER],
        time: 1,
      };
      await store.set(`group_key_pin_id_${GROUP}`, groupPin);
      const next = generateKeyPair(id);
      const key = exportPublicKey(next.publicKey);
      await checkPinnedGroupPublicKey(ctx, GROUP, {
        id,
        key,
        result: {
          public_key_id: id,
          public_group_key_sig: signGroupPublicKey(sign.signKey, next.publicKey),
          public_group_key_sig_user_id: USER,
          public_group_key_sig_key_id: "vk-1",
        },
      });
      const pin = await store.getItem<GroupKeyPin>(`group_key_pin_id_${GROUP}`);
      expect(pin?.newest_key_id).toBe(id);
      expect(Object.hasOwn(pin!.trusted, id)).toBe(true);
      expect(pin!.trusted[id]).toBe(key);
    });

    it(`a verify key "${id}" reached through a signed rotation is kept in the pin`, async () => {
      const sign = generateSignKeyPair("vk-1");
      const next = generateSignKeyPair(id);
      const { ctx, store, requests } = context({
        [id]: {
          verify_key_id: id,
          verify_key: publicKeyPemText(next.verifyKey),
          verify_key_alg: next.verifyKey.alg,
          verify_key_cross_sig: signVerifyKeyRotation(sign.signKey, next.verifyKey),
          previous_verify_key_id: "vk-1",
        },
      });
      await store.set(`user_key_pin_id_${USER}`, {
        key_id: "vk-1",
        trusted: { "vk-1": exportVerifyKey(sign.verifyKey) },
        time: 1,
      });
      const key = exportVerifyKey(next.verifyKey);
      expect(await pinnedUserVerifyKey(ctx, USER, id)).toBe(key);
      const pin = await store.getItem<UserKeyPin>(`user_key_pin_id_${USER}`);
      expect(Object.hasOwn(pin!.trusted, id)).toBe(true);
      expect(pin!.trusted[id]).toBe(key);
      // Accepted once, it is read from the pin.
      const before = requests.length;
      expect(await pinnedUserVerifyKey(ctx, USER, id)).toBe(key);
      expect(requests.length).toBe(before);
    });
  }

  it("a previous key id named after an inherited member is no anchor of a rotation", async () => {
    const sign = generateSignKeyPair("vk-1");
    const forged = generateSignKeyPair("vk-2");
    const { ctx, store } = context({
      "vk-2": {
        verify_key_id: "vk-2",
        verify_key: publicKeyPemText(forged.verifyKey),
        verify_key_alg: forged.verifyKey.alg,
        verify_key_cross_sig: signVerifyKeyRotation(forged.signKey, forged.verifyKey),
        previous_verify_key_id: "constructor",
      },
    });
    await store.set(`user_key_pin_id_${USER}`, {
      key_id: "vk-1",
      trusted: { "vk-1": exportVerifyKey(sign.verifyKey) },
      time: 1,
    });
    await expect(pinnedUserVerifyKey(ctx, USER, "vk-2")).rejects.toMatchObject({ code: "key_changed" });
  });
});
