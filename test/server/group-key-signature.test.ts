/**
 * Signed group public keys (`public_group_key_sig`, a sentc-as extra): the server stores a valid signature made by
 * the acting user's sign key and answers it with the group's public key; a signature of another user, by a key that
 * is not the user's, over another key or with fields missing is refused (400/120); keys without it (reference
 * clients) are stored as before. A group key rotation carrying a verify-key cross-signature is refused (400/121).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareCreateGroup } from "../../src/protocol/group-create.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import type { SignKey } from "../../src/protocol/keys.js";
import { type Harness, expectError, expectOk, login, registerUser, startHarness } from "./harness.js";
import { V, createGroup } from "./group-helpers.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** A user with its sign key (what the SDK signs group public keys with). */
async function signer() {
  const registered = await registerUser(h);
  const session = await login(h, registered.identifier, registered.password);
  const key = session.userKeys[0]!;
  return {
    id: registered.userId,
    userId: registered.userId,
    deviceId: registered.deviceId,
    identifier: registered.identifier,
    jwt: session.jwt,
    publicKey: key.publicGroupKey,
    privateKey: key.privateGroupKey,
    signKey: key.signKey as SignKey,
  };
}

async function publicKeyOf(groupId: string): Promise<Record<string, unknown>> {
  return expectOk(await h.call("GET", `${V}/group/${groupId}/public_key`));
}

describe("signed group public keys", () => {
  it("stores the acting user's signature and answers it with the group's public key; unsigned keys as before", async () => {
    const alice = await signer();
    const { serverInput } = prepareCreateGroup({
      creatorPublicKey: alice.publicKey,
      starter: alice.userId,
      publicKeySigner: { userId: alice.userId, signKey: alice.signKey },
    });
    const body = JSON.parse(serverInput) as Record<string, string>;
    expect(body.public_group_key_sig_key_id).toBe(alice.signKey.keyId);
    const groupId = expectOk(await h.call("POST", `${V}/group`, { jwt: alice.jwt, raw: serverInput })).group_id;
    expect(await publicKeyOf(groupId)).toMatchObject({
      public_group_key_sig: body.public_group_key_sig,
      public_group_key_sig_user_id: alice.userId,
      public_group_key_sig_key_id: alice.signKey.keyId,
    });

    const unsigned = await createGroup(h, alice);
    expect(Object.keys(await publicKeyOf(unsigned.groupId)).filter((k) => k.startsWith("public_group_key"))).toEqual(
      [],
    );
  });

  it("refuses a signature of another user, by another key, over another key, or with fields missing (400/120)", async () => {
    const alice = await signer();
    const bob = await signer();
    const signed = (as: typeof alice, by = as) =>
      JSON.parse(
        prepareCreateGroup({
          creatorPublicKey: as.publicKey,
          starter: as.userId,
          publicKeySigner: { userId: by.userId, signKey: by.signKey },
        }).serverInput,
      ) as Record<string, string>;
    const create = (body: Record<string, string>) =>
      h.call("POST", `${V}/group`, { jwt: alice.jwt, raw: JSON.stringify(body) });

    // Bob's valid signature, sent by alice.
    expectError(await create(signed(alice, bob)), 400, 120);
    // Alice's name on bob's signature, and alice's signature with bob's key id.
    expectError(await create({ ...signed(alice, bob), public_group_key_sig_user_id: alice.userId }), 400, 120);
    expectError(await create({ ...signed(alice), public_group_key_sig_key_id: bob.signKey.keyId }), 400, 120);
    // Alice's signature over another group public key.
    const other = signed(alice);
    expectError(await create({ ...signed(alice), public_group_key_sig: other.public_group_key_sig! }), 400, 120);
    const { public_group_key_sig_user_id: _dropped, ...missing } = signed(alice);
    expectError(await create(missing), 400, 120);
    expectOk(await create(signed(alice)));
  });

  it("checks the signature of a rotated key as well", async () => {
    const alice = await signer();
    const bob = await signer();
    const group = await createGroup(h, alice);
    const rotation = (by: typeof alice) =>
      prepareKeyRotation({
        previousGroupKey: group.keys[0]!,
        invokerPublicKey: alice.publicKey,
        starter: alice.userId,
        publicKeySigner: { userId: by.userId, signKey: by.signKey },
      }).serverInput;
    const start = (body: string) =>
      h.call("POST", `${V}/group/${group.groupId}/key_rotation`, { jwt: alice.jwt, raw: body });
    expectError(await start(rotation(bob)), 400, 120);
    // A group has no verify key: a verify-key cross-signature on its rotation is refused, nothing is stored.
    const withCrossSig = { ...JSON.parse(rotation(alice)), verify_key_cross_sig: "a cross-signature" };
    expectError(await start(JSON.stringify(withCrossSig)), 400, 121);
    expect((await publicKeyOf(group.groupId)).public_key_id).toBe(group.keys[0]!.keyId);
    const keyId = expectOk(await start(rotation(alice))).key_id;
    expect(await publicKeyOf(group.groupId)).toMatchObject({
      public_key_id: keyId,
      public_group_key_sig_user_id: alice.userId,
    });
  });
});
