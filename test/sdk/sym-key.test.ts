/**
 * `SymKey` (sdk.md §4.3): non-registered keys wrapped by a master key or a public key, registered keys on the
 * server (api.md §3.7), and interop with the protocol layer's wrapped-key format (crypto.md §8).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../../src/api/index.js";
import { getSymKey } from "../../src/api/endpoints/sym-keys.js";
import { decryptSymmetric, encryptSymmetric } from "../../src/protocol/encrypt.js";
import { importSymKey } from "../../src/protocol/keys.js";
import { decryptSymKeyByMasterKey, generateSymKeyWrappedByMasterKey } from "../../src/protocol/sym-key-wrap.js";
import type { User } from "../../src/index.js";
import {
  SymKey,
  deleteSymKey,
  fetchSymKey,
  fetchSymKeysByMasterKey,
  generateNonRegisteredKey,
  generateNonRegisteredKeyByPublicKey,
  getNonRegisteredKey,
  getNonRegisteredKeyByPrivateKey,
  registerSymKey,
  symKeyContext,
} from "../../src/sdk/sym-key.js";
import { newUser, reinit, sentcError, startSdkHarness, type SdkHarness } from "./helpers.js";
import { setStrictVerify } from "../../src/sdk/verify-policy.js";

let s: SdkHarness;
let alice: User;
let bob: User;
let api: HttpClient;

beforeAll(async () => {
  s = await startSdkHarness();
  await reinit(s);
  bob = (await newUser()).user;
  alice = (await newUser()).user;
  api = new HttpClient({ baseUrl: s.baseUrl, appToken: s.lax.publicToken });
});
afterAll(() => s.h.close());

function keys(user: User) {
  return user.user_data.user_keys[0]!;
}

const text = "hello ✓";
const data = new Uint8Array([0, 1, 2, 3, 255]);

function roundTrips(key: SymKey, other: SymKey, signKey: SymKey | null, verifyKey: string) {
  expect(other.decrypt(key.encrypt(data))).toEqual(data);
  expect(other.decryptString(key.encryptString(text))).toBe(text);
  const raw = key.encryptRaw(data);
  expect(JSON.parse(raw.head)).toEqual({ id: key.key_id, sign: null });
  expect(other.decryptRaw(raw.head, raw.data)).toEqual(data);
  if (signKey) {
    expect(other.decrypt(signKey.encrypt(data, true), verifyKey)).toEqual(data);
    expect(other.decryptString(signKey.encryptString(text, true), verifyKey)).toBe(text);
    const signed = signKey.encryptRaw(data, true);
    expect(JSON.parse(signed.head).sign).toMatchObject({ alg: expect.any(String) });
    expect(other.decryptRaw(signed.head, signed.data, verifyKey)).toEqual(data);
  }
}

describe("non-registered keys", () => {
  it("by a master key: generate, recover from encrypted_key, encrypt and decrypt both ways, with signatures", () => {
    const ctx = { ...symKeyContext(api, keys(alice).sign_key) };
    const [key, encrypted] = generateNonRegisteredKey(keys(alice).group_key, ctx);
    expect(key.key_id).toBe("non_registered");
    expect(key.master_key_id).toBe(keys(alice).group_key_id);
    expect(key.base_url).toBe(s.baseUrl);
    expect(JSON.parse(encrypted)).toMatchObject({
      alg: "AES-GCM-256",
      master_key_id: keys(alice).group_key_id,
      key_id: "non_registered",
      time: 0,
    });
    const again = getNonRegisteredKey(keys(alice).group_key, encrypted, ctx);
    expect(importSymKey(again.key).key).toEqual(importSymKey(key.key).key);
    expect(again.master_key_id).toBe(key.master_key_id);
    roundTrips(key, again, key, keys(alice).verify_key);
    roundTrips(again, key, again, keys(alice).verify_key);
  });

  it("by a public key: only the private key recovers it", () => {
    const [key, encrypted] = generateNonRegisteredKeyByPublicKey(keys(bob).public_key);
    const recovered = getNonRegisteredKeyByPrivateKey(keys(bob).private_key, encrypted);
    expect(recovered.master_key_id).toBe(key.master_key_id);
    roundTrips(key, recovered, null, "");
    expect(() => getNonRegisteredKeyByPrivateKey(keys(alice).private_key, encrypted)).toThrowError(
      expect.objectContaining({ code: "decryption_failed" }),
    );
  });

  it("reads and writes the protocol layer's wrapped keys and data", () => {
    const master = importSymKey(keys(alice).group_key);
    const { key: protocolKey, encryptedKey } = generateSymKeyWrappedByMasterKey(master);
    const key = getNonRegisteredKey(keys(alice).group_key, encryptedKey);
    expect(key.decrypt(encryptSymmetric(protocolKey, data))).toEqual(data);
    expect(decryptSymmetric(protocolKey, key.encrypt(data))).toEqual(data);
    const [own, ownEncrypted] = generateNonRegisteredKey(keys(alice).group_key);
    expect(decryptSymKeyByMasterKey(importSymKey(keys(alice).group_key), ownEncrypted).key).toEqual(
      importSymKey(own.key).key,
    );
  });

  it("errors: wrong master key, wrong and missing signatures, signing without a sign key, bad input", () => {
    const [key, encrypted] = generateNonRegisteredKey(keys(alice).group_key, symKeyContext(api, keys(alice).sign_key));
    expect(() => getNonRegisteredKey(keys(bob).group_key, encrypted)).toThrowError(
      expect.objectContaining({ code: "decryption_failed" }),
    );
    const signed = key.encrypt(data, true);
    expect(() => key.decrypt(signed, keys(bob).verify_key)).toThrowError(
      expect.objectContaining({ code: "wrong_verify_key" }),
    );
    // Unsigned data with a verify key: decrypted unchecked as in sentc, refused with strict_verify.
    expect(key.decrypt(key.encrypt(data), keys(alice).verify_key)).toEqual(data);
    expect(key.decryptString(key.encryptString(text), keys(alice).verify_key)).toBe(text);
    setStrictVerify(true);
    try {
      expect(() => key.decrypt(key.encrypt(data), keys(alice).verify_key)).toThrowError(
        expect.objectContaining({ code: "missing_signature" }),
      );
      expect(() => key.decryptString(key.encryptString(text), keys(alice).verify_key)).toThrowError(
        expect.objectContaining({ code: "missing_signature" }),
      );
    } finally {
      setStrictVerify(false);
    }
    const tampered = signed.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(() => key.decrypt(tampered, keys(alice).verify_key)).toThrowError(
      expect.objectContaining({ code: "verification_failed" }),
    );
    expect(() => key.decrypt(tampered)).toThrowError(expect.objectContaining({ code: "decryption_failed" }));
    const [unsigned] = generateNonRegisteredKey(keys(alice).group_key);
    expect(() => unsigned.encrypt(data, true)).toThrowError(expect.objectContaining({ code: "invalid_input" }));
    expect(() => unsigned.encrypt("x" as unknown as Uint8Array)).toThrowError(
      expect.objectContaining({ code: "invalid_input" }),
    );
    expect(() => new SymKey("", "", "{}", "id", "m")).toThrowError(expect.objectContaining({ code: "invalid_format" }));
  });
});

describe("registered keys (/keys/sym_key)", () => {
  it("registers, fetches by id, lists by master key and deletes", async () => {
    const jwt = { getJwt: () => alice.getJwt() };
    const resolver = async (id: string) => await alice.getUserSymKey(id);
    const key = await registerSymKey(api, jwt, keys(alice).group_key, keys(alice).sign_key);
    expect(key.key_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(key.master_key_id).toBe(keys(alice).group_key_id);

    const fetched = await fetchSymKey(api, key.key_id, resolver);
    expect(importSymKey(fetched.key).key).toEqual(importSymKey(key.key).key);
    expect(fetched.key_id).toBe(key.key_id);
    const encrypted = key.encrypt(data, true);
    expect(JSON.parse(new TextDecoder().decode(encrypted.subarray(0, encrypted.indexOf(0)))).id).toBe(key.key_id);
    expect(fetched.decrypt(encrypted, keys(alice).verify_key)).toEqual(data);

    const second = await registerSymKey(api, jwt, keys(alice).group_key);
    const [page, cursor] = await fetchSymKeysByMasterKey(api, keys(alice).group_key_id, resolver);
    expect(page.map((k) => k.key_id)).toEqual(expect.arrayContaining([key.key_id, second.key_id]));
    expect(cursor).toBeDefined();
    const [next] = await fetchSymKeysByMasterKey(api, keys(alice).group_key_id, resolver, cursor);
    expect(next).toEqual([]);

    // Bob cannot delete alice's key (silently); alice can.
    await deleteSymKey(api, { getJwt: () => bob.getJwt() }, key.key_id);
    expect((await getSymKey(api, key.key_id)).key_id).toBe(key.key_id);
    await deleteSymKey(api, jwt, key.key_id);
    expect(await sentcError(fetchSymKey(api, key.key_id, resolver))).toMatchObject({ code: "server", serverCode: 400 });
  });

  it("a resolver that answers another master key is key_not_found", async () => {
    const key = await registerSymKey(api, { getJwt: () => alice.getJwt() }, keys(alice).group_key);
    expect(await sentcError(fetchSymKey(api, key.key_id, () => keys(bob).group_key))).toMatchObject({
      code: "key_not_found",
    });
  });
});
