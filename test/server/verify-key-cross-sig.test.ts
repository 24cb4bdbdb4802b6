/**
 * The cross-signature of a user key rotation (`verify_key_cross_sig`, a sentc-as extra): the server checks it under
 * the previous key's verify key before it stores the rotation. A cross-signature that does not verify would make
 * every other user's SDK answer `key_changed` for this user, so it is refused (400/121) and nothing is stored. A
 * rotation without the field (the reference client) is still accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareRegisterDevice } from "../../src/protocol/device.js";
import { signVerifyKeyRotation, verifyVerifyKeyRotation } from "../../src/protocol/key-pin.js";
import { prepareKeyRotation } from "../../src/protocol/key-rotation.js";
import { generateSignKeyPair } from "../../src/protocol/keypairs.js";
import { verifyKeyFromPemText } from "../../src/protocol/public-keys.js";
import { signatureFromString, signatureToString } from "../../src/protocol/signature.js";
import { prepareRegisterDeviceStart } from "../../src/protocol/register.js";
import {
  expectError,
  expectOk,
  login,
  registerUser,
  startHarness,
  unique,
  type Harness,
  type LoggedIn,
} from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const V = "/api/v1";

interface Account {
  userId: string;
  session: LoggedIn;
  /** A second device of the same user: it would get the rotation's ephemeral key. */
  other: LoggedIn;
}

async function account(): Promise<Account> {
  const user = await registerUser(h);
  const session = await login(h, user.identifier, user.password);
  const secondId = unique("second");
  const start = expectOk(
    await h.call("POST", `${V}/user/prepare_register_device`, { raw: prepareRegisterDeviceStart(secondId, "pw2") }),
  );
  expectOk(
    await h.call("PUT", `${V}/user/done_register_device`, {
      jwt: session.jwt,
      deviceSignKey: session.deviceKeys.signKey,
      raw: prepareRegisterDevice(
        start,
        session.userKeys.map((k) => k.groupKey),
        1,
      ).serverInput,
    }),
  );
  return { userId: user.userId, session, other: await login(h, secondId, "pw2") };
}

/** A rotation body made as the SDK makes it, with the previous sign key as the cross-signer (or none). */
function rotationOf(a: Account, crossSign = true) {
  const previous = a.session.userKeys[0]!;
  return prepareKeyRotation({
    previousGroupKey: previous.groupKey,
    invokerPublicKey: a.session.deviceKeys.publicKey,
    starter: a.userId,
    userGroup: true,
    crossSignKey: crossSign ? previous.signKey : null,
  });
}

function rotate(a: Account, body: string | Record<string, unknown>) {
  return h.call("POST", `${V}/user/user_keys/rotation`, {
    jwt: a.session.jwt,
    deviceSignKey: a.session.deviceKeys.signKey,
    ...(typeof body === "string" ? { raw: body } : { body }),
  });
}

/** What a refused rotation must leave as it was: the newest key, the key list, the pending rotations, the log. */
async function snapshot(a: Account) {
  return {
    publicKeyId: expectOk(await h.call("GET", `${V}/user/${a.userId}/public_key`)).public_key_id,
    keys: expectOk(await h.call("GET", `${V}/user/user_keys/keys/0/none`, { jwt: a.session.jwt })).map(
      (k: { group_key_id: string }) => k.group_key_id,
    ),
    pending: expectOk(await h.call("GET", `${V}/user/user_keys/rotation`, { jwt: a.other.jwt })).length,
    logLeaves: expectOk(await h.call("GET", `${V}/kt/subject/user/${a.userId}`)).leaves.length,
  };
}

/** The signature text with its bytes (from `from` on) replaced by random ones: the right format, no valid signature. */
function randomized(signature: string, alg: string, from = 0): string {
  const bytes = signatureFromString(signature, alg);
  crypto.getRandomValues(bytes.subarray(from));
  return signatureToString(bytes, alg);
}

describe("verify_key_cross_sig at a user key rotation", () => {
  it("a cross-signature by the previous sign key is accepted, stored and answered with the verify key", async () => {
    const a = await account();
    const previous = a.session.userKeys[0]!;
    const rotation = rotationOf(a);
    const sent = JSON.parse(rotation.serverInput).verify_key_cross_sig;
    expect(typeof sent).toBe("string");
    const started = expectOk(await rotate(a, rotation.serverInput));
    const answer = expectOk(await h.call("GET", `${V}/user/${a.userId}/verify_key/${started.key_id}`));
    expect(answer.verify_key_cross_sig).toBe(sent);
    expect(answer.previous_verify_key_id).toBe(previous.groupKey.keyId);
    const offered = verifyKeyFromPemText(answer.verify_key, answer.verify_key_alg, started.key_id);
    expect(verifyVerifyKeyRotation(previous.verifyKey, offered, answer.verify_key_cross_sig)).toBe(true);
    expect(expectOk(await h.call("GET", `${V}/user/${a.userId}/public_key`)).public_key_id).toBe(started.key_id);
  });

  it("a rotation without the field (the reference client) is accepted, with no cross-signature answered", async () => {
    const a = await account();
    const body = JSON.parse(rotationOf(a, false).serverInput);
    expect(body).not.toHaveProperty("verify_key_cross_sig");
    const started = expectOk(await rotate(a, body));
    const answer = expectOk(await h.call("GET", `${V}/user/${a.userId}/verify_key/${started.key_id}`));
    expect(answer.verify_key_cross_sig).toBeNull();
    expect(expectOk(await h.call("GET", `${V}/user/${a.userId}/public_key`)).public_key_id).toBe(started.key_id);
  });

  it("a cross-signature that does not verify under the previous verify key is refused (400/121), nothing stored", async () => {
    const a = await account();
    const previous = a.session.userKeys[0]!;
    const rotation = rotationOf(a);
    const body = JSON.parse(rotation.serverInput);
    const good: string = body.verify_key_cross_sig;
    const alg = previous.verifyKey.alg;
    const otherPair = generateSignKeyPair();
    const forged: Record<string, string> = {
      // Random bytes in the signature format of the previous key's alg.
      "random bytes": randomized(good, alg),
      // The classical half valid, the post-quantum half random (only the last bytes for a classical key).
      "half valid": randomized(good, alg, 64),
      // A valid signature by the previous sign key, over another verify key.
      "other data": signVerifyKeyRotation(previous.signKey, otherPair.verifyKey),
      // The new verify key signed by a key that is not the previous one (its own new sign key, a stranger's).
      "self-signed": signVerifyKeyRotation(rotation.keys.signKey!, rotation.keys.verifyKey!),
      "another key": signVerifyKeyRotation(otherPair.signKey, rotation.keys.verifyKey!),
      // Not a signature at all.
      garbage: "not a signature",
      empty: "",
    };
    const before = await snapshot(a);
    expect(before.keys).toEqual([previous.groupKey.keyId]);
    for (const [what, crossSig] of Object.entries(forged)) {
      const answer = await rotate(a, { ...body, verify_key_cross_sig: crossSig });
      try {
        expectError(answer, 400, 121);
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`);
      }
    }
    expect(await snapshot(a)).toEqual(before);
    // The same body with its own cross-signature still goes through.
    const started = expectOk(await rotate(a, body));
    expect(expectOk(await h.call("GET", `${V}/user/${a.userId}/public_key`)).public_key_id).toBe(started.key_id);
    expect((await snapshot(a)).pending).toBe(1);
  });

  it("a cross-signature by an older key than the named previous one is refused", async () => {
    const a = await account();
    const first = a.session.userKeys[0]!;
    const firstRotation = rotationOf(a);
    const started = expectOk(await rotate(a, firstRotation.serverInput));
    // The next rotation names the newest key as previous but is cross-signed by the first (older) sign key.
    const next = prepareKeyRotation({
      previousGroupKey: firstRotation.keys.groupKey,
      invokerPublicKey: a.session.deviceKeys.publicKey,
      starter: a.userId,
      userGroup: true,
      crossSignKey: first.signKey,
    });
    const body = { ...JSON.parse(next.serverInput), previous_group_key_id: started.key_id };
    expectError(await rotate(a, body), 400, 121);
    expect(expectOk(await h.call("GET", `${V}/user/${a.userId}/public_key`)).public_key_id).toBe(started.key_id);
  });
});
